//! CI's short fuzz pass (issue 15 point 5, ADR 0016), without an instrumented build: for
//! each of the 16 fuzz targets, the entry point the target calls (`alcance_*::fuzzing`)
//! gets
//!
//! 1. every seed of `fuzz/corpus/<target>/` and every crash regression of
//!    `fuzz/regressions/<target>/`, and
//! 2. for `ALCANCE_FUZZ_MS` milliseconds (default 1,500), seeds mutated at random: bits
//!    flipped, bytes set to JSON's and CSV's delimiters or to extremes, ranges cut,
//!    repeated or spliced from another seed, the end truncated. Not coverage-guided (the
//!    long libFuzzer runs are, `fuzz/run.sh`), but it reaches inputs no seed holds on
//!    every CI run. The generator is seeded (`ALCANCE_FUZZ_SEED`, default fixed), so a
//!    failure is reproduced by its seed; the input that panicked is also written to the
//!    temp folder, named in the failure, to be copied into `fuzz/regressions/<target>/`.
//!
//! Every input must come back without a panic: the entry points never panic on input.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Every file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`, sorted by path.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("fuzz folder entry").path();
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

/// The seeded generator of the mutations (ChaCha8: the same stream for a seed everywhere).
struct Rng(ChaCha8Rng);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A number in `0..n` (`0` when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        self.0.gen_range(0..n.max(1))
    }
}

/// Bytes that change how JSON, CSV, UTF-8 and numbers parse.
const INTERESTING: &[u8] = b"{}[]\":,\\\n\r\t -+.0159eE;nultrfa\x00\x7f\x80\xbf\xc3\xe2\xf0\xff";

/// `seed` changed by one to four random edits (`other` is a second seed to splice from).
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let len = v.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 if len > 0 => {
                let from = rng.below(len);
                let to = (from + 1 + rng.below(64)).min(len);
                v.drain(from..to);
            }
            3 if len > 0 => {
                let from = rng.below(len);
                let to = (from + 1 + rng.below(64)).min(len);
                let piece = v[from..to].to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, piece);
            }
            4 if !other.is_empty() => {
                let from = rng.below(other.len());
                let to = (from + 1 + rng.below(256)).min(other.len());
                let at = rng.below(len + 1);
                v.splice(at..at, other[from..to].iter().copied());
            }
            5 => v.truncate(rng.below(len + 1)),
            _ => {
                let at = rng.below(len + 1);
                v.insert(at, INTERESTING[rng.below(INTERESTING.len())]);
            }
        }
    }
    v
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Replays `target`'s seeds and regressions through `run`, then mutates seeds for the time
/// budget; fails naming each input that panicked.
fn fuzz(target: &str, run: fn(&[u8])) {
    let inputs = inputs(target);
    assert!(!inputs.is_empty(), "no seeds in fuzz/corpus/{target}");
    let panicked: Vec<String> = inputs
        .iter()
        .filter(|(_, bytes)| std::panic::catch_unwind(|| run(bytes)).is_err())
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(panicked.is_empty(), "{target}: these inputs panic: {panicked:?}");

    let seed = env_u64("ALCANCE_FUZZ_SEED", 0x5eed_f022_0000_0001);
    let budget = Duration::from_millis(env_u64("ALCANCE_FUZZ_MS", 1_500));
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    let mut executions = 0u64;
    while started.elapsed() < budget {
        let (_, a) = &inputs[rng.below(inputs.len())];
        let (_, b) = &inputs[rng.below(inputs.len())];
        let input = mutate(&mut rng, a, b);
        executions += 1;
        if std::panic::catch_unwind(|| run(&input)).is_err() {
            let saved = std::env::temp_dir().join(format!("alcance-fuzz-{target}-{seed:x}-{executions}"));
            let _ = std::fs::write(&saved, &input);
            panic!(
                "{target}: mutated input {executions} of seed {seed:#x} panics; it is in {} \
                 (copy it to fuzz/regressions/{target}/)",
                saved.display()
            );
        }
    }
    assert!(executions > 0, "{target}: no mutated input ran in {budget:?}");
    println!(
        "{target}: {} seeds, {executions} mutated inputs in {budget:?}, no panic",
        inputs.len()
    );
}

#[test]
fn the_mutator_is_reproducible_and_changes_its_input() {
    let seed = br#"{"data":[{"id":"1","public_metrics":{"like_count":3}}]}"#;
    let run = |s: u64| -> Vec<Vec<u8>> {
        let mut rng = Rng::new(s);
        (0..50).map(|_| mutate(&mut rng, seed, b"x,y\n1,2")).collect()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    assert!(run(7).iter().filter(|m| m.as_slice() != seed.as_slice()).count() > 40);
}

macro_rules! targets {
    ($($test:ident: $name:literal => $entry:path;)*) => {$(
        #[test]
        fn $test() {
            fuzz($name, $entry);
        }
    )*};
}

targets! {
    x_wire_decoding_survives_seeds_and_mutations: "x" => alcance_platforms::fuzzing::x;
    facebook_wire_decoding_survives_seeds_and_mutations: "facebook" => alcance_platforms::fuzzing::facebook;
    instagram_wire_decoding_survives_seeds_and_mutations: "instagram" => alcance_platforms::fuzzing::instagram;
    whatsapp_wire_decoding_survives_seeds_and_mutations: "whatsapp" => alcance_platforms::fuzzing::whatsapp;
    threads_wire_decoding_survives_seeds_and_mutations: "threads" => alcance_platforms::fuzzing::threads;
    tiktok_wire_decoding_survives_seeds_and_mutations: "tiktok" => alcance_platforms::fuzzing::tiktok;
    youtube_wire_decoding_survives_seeds_and_mutations: "youtube" => alcance_platforms::fuzzing::youtube;
    reddit_wire_decoding_survives_seeds_and_mutations: "reddit" => alcance_platforms::fuzzing::reddit;
    linkedin_wire_decoding_survives_seeds_and_mutations: "linkedin" => alcance_platforms::fuzzing::linkedin;
    bluesky_wire_decoding_survives_seeds_and_mutations: "bluesky" => alcance_platforms::fuzzing::bluesky;
    vault_file_survives_seeds_and_mutations: "vault_file" => alcance_platforms::fuzzing::vault_file;
    campaign_csv_import_survives_seeds_and_mutations: "campaign_csv" => alcance_store::fuzzing::campaign_csv;
    meta_webhook_parser_survives_seeds_and_mutations: "meta_webhook" => alcance_app::fuzzing::meta_webhook;
    import_parsers_survive_seeds_and_mutations: "imports" => alcance_app::fuzzing::imports;
    replay_exchange_loader_survives_seeds_and_mutations: "replay_exchange" => alcance_sandbox::fuzzing::replay_exchange;
    pdf_picture_decoders_survive_seeds_and_mutations: "pdf_picture" => alcance_report::fuzzing::pdf_picture;
}
