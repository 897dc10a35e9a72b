//! Scores texts with the default sentiment model, one per argument or, with none, one per
//! line of standard input: `label<TAB>compound<TAB>language<TAB>text`.
//!
//! ```sh
//! cargo run -p alcance-core --example sentiment -- "amei demais 😍" "not good at all"
//! ```

use alcance_core::sentiment::default_model;
use std::io::BufRead;

fn main() {
    let model = default_model();
    let print = |text: &str| {
        let s = model.score(text, None);
        let language = s.language.map_or("unknown", |l| l.as_str());
        println!("{}\t{:+.3}\t{}\t{}", s.label, s.compound, language, text);
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            print(&line);
        }
    } else {
        args.iter().for_each(|a| print(a));
    }
}
