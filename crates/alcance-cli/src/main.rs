//! `alcance`: the command-line face of Alcance — the demo workspace, the sandbox, and
//! (as they land) collection, export and reports on a workspace folder.

use alcance_app::demo::{self, DemoEvent, DemoOptions, DemoSummary};
use alcance_sandbox::{Mode, SandboxConfig};
use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use indicatif::{ProgressBar, ProgressStyle};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use url::Url;

#[derive(Parser)]
#[command(
    name = "alcance",
    version,
    about = "Local-first social media analytics: collect, chart and export your metrics."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the demo workspace: sandbox → OAuth → 90 days of collection → SQLite → charts → exports.
    Demo {
        /// Output folder (database, charts/, exports/).
        #[arg(long, default_value = "alcance-demo")]
        out: PathBuf,
        /// Use this running sandbox (seeded or `--replay`) instead of starting one in-process.
        #[arg(long)]
        sandbox_url: Option<Url>,
        /// Days of daily collection to simulate on a seeded sandbox.
        #[arg(long, default_value_t = demo::DEMO_DAYS)]
        days: i64,
    },
    /// Serve the platform sandbox (X and Instagram APIs and OAuth) on 127.0.0.1.
    Sandbox {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 8720)]
        port: u16,
        /// Serve recorded exchanges from this folder (fixtures format) instead of seeded data.
        #[arg(long)]
        replay: Option<PathBuf>,
        /// Seed of the generated data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo logs into its workspace; other commands only to stderr.
    let log_dir = match &cli.command {
        Command::Demo { out, .. } => Some(out.join("logs")),
        Command::Sandbox { .. } => None,
    };
    let _log_guard = init_logging(log_dir.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "command failed");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr (warnings and up, or `RUST_LOG`) and, when `dir` is given, to a
/// daily-rolling JSON file `dir/alcance.log.YYYY-MM-DD` at info level. Secrets never reach a
/// log line: URLs are scrubbed and errors carry no tokens where they are made.
fn init_logging(dir: Option<&std::path::Path>) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer};
    let stderr_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let stderr = fmt::layer().with_writer(std::io::stderr).with_filter(stderr_filter);
    let (file, guard) = match dir.and_then(|d| std::fs::create_dir_all(d).ok().map(|_| d)) {
        Some(d) => {
            let appender = tracing_appender::rolling::daily(d, "alcance.log");
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = fmt::layer()
                .json()
                .with_writer(writer)
                .with_filter(EnvFilter::new("info,sqlx=warn,hyper=warn,reqwest=warn"));
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let _ = tracing_subscriber::registry().with(stderr).with(file).try_init();
    guard
}

async fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Demo { out, sandbox_url, days } => run_demo(DemoOptions { out, sandbox_url, days }).await,
        Command::Sandbox { port, replay, seed } => run_sandbox(port, replay, seed).await,
    }
}

async fn run_sandbox(port: u16, replay: Option<PathBuf>, seed: u64) -> Result<()> {
    let mode = match replay {
        Some(dir) => Mode::Replay { dir },
        None => Mode::Seeded { seed },
    };
    let bind = SocketAddr::from(([127, 0, 0, 1], port));
    let sandbox = alcance_sandbox::Sandbox::start(SandboxConfig { mode, bind })
        .await
        .context("starting the sandbox")?;
    println!("Alcance sandbox listening on {}", sandbox.base_url());
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    sandbox.shutdown().await;
    Ok(())
}

async fn run_demo(options: DemoOptions) -> Result<()> {
    let out = options.out.clone();
    println!("Alcance demo → {}", out.display());
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:40} [{bar:30}] {pos}/{len} days ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let summary = demo::run(options, &|event| match event {
        DemoEvent::Step(step) => {
            bar.set_message(step.clone());
            bar.println(format!("• {step}"));
        }
        DemoEvent::CollectionsPlanned(n) => {
            bar.set_length(n);
            bar.set_message("Collecting");
        }
        DemoEvent::CollectionDone { day, .. } => {
            bar.set_message(format!("Collected {}", day.format("%Y-%m-%d")));
            bar.inc(1);
        }
        DemoEvent::Run(_) => bar.tick(),
    })
    .await;
    bar.finish_and_clear();
    let summary = summary?;
    print_summary(&summary);
    Ok(())
}

fn print_summary(s: &DemoSummary) {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "Platform",
        "Account",
        "Connected",
        "Followers",
        "Posts",
        "Metric rows",
        "Status",
    ]);
    for a in &s.accounts {
        table.add_row(vec![
            Cell::new(a.platform.label()),
            Cell::new(&a.name),
            Cell::new(if a.owned { "OAuth" } else { "tracked" }),
            Cell::new(a.followers.map(|f| format!("{f:.0}")).unwrap_or_else(|| "—".into()))
                .set_alignment(CellAlignment::Right),
            Cell::new(a.posts).set_alignment(CellAlignment::Right),
            Cell::new(a.metric_rows).set_alignment(CellAlignment::Right),
            Cell::new(&a.status),
        ]);
    }
    println!("{table}");
    println!(
        "{} collection(s) on the {} sandbox in {:.1} s; {} account failure(s) (see run_events).",
        s.collections,
        s.sandbox_mode,
        s.elapsed.as_secs_f64(),
        s.account_failures
    );
    println!("Database: {}", s.database.display());
    println!(
        "Charts:   {}",
        s.charts
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("Exports:  {}", s.exports.account_csv.display());
    println!("          {}", s.exports.post_csv.display());
    println!("          {}", s.exports.json.display());
    println!("          {}", s.exports.xlsx.display());
}
