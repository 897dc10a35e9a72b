//! `alcance report`, `alcance campaign` and `alcance export`: reports, campaigns and
//! exports on a workspace folder. None of them needs a token: the workspace opens through
//! `alcance_app::Session::read_only` (the vault when it opens, else an empty one).

use crate::WorkspaceArgs;
use alcance_app::format::{
    fmt_count, fmt_money, fmt_pct, fmt_signed_pct, KpiLine, ReportFiles, Tz, WeeklyOptions, DASH,
};
use alcance_app::reports::{self, ExportFormat, ExportSelection, ExportStep, PdfLanguage, ReportFormat, WeeklyRequest};
use alcance_app::store::{CampaignRole, Goal, ImportReport, NewCampaign, CONVERSION_CSV_COLUMNS, COST_CSV_COLUMNS};
use alcance_app::CampaignId;
use alcance_app::{Platform, Session};
use anyhow::{bail, Context, Result};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `alcance report …`
#[derive(Subcommand)]
pub enum ReportCommand {
    /// The weekly report: KPIs with week-over-week change, trends, content types, best
    /// times, top posts and recommendations, as weekly.xlsx (native Excel charts),
    /// weekly.html (self-contained, printable), weekly.json and weekly.pdf (A4); with
    /// --format, one file.
    Weekly {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// A day of the week to report (YYYY-MM-DD; weeks run Monday–Sunday, UTC).
        /// Default: the last complete week.
        #[arg(long, value_name = "DATE")]
        week_of: Option<NaiveDate>,
        /// Without --format: the output folder (default <workspace>/reports). With
        /// --format: the file (default <workspace>/reports/weekly.<format>).
        #[arg(long, value_name = "DIR|FILE")]
        out: Option<PathBuf>,
        /// Write only this format to --out: pdf, xlsx, html or json.
        #[arg(long, value_name = "FORMAT")]
        format: Option<ReportFormat>,
        /// The PDF's language: en or pt-BR.
        #[arg(long, value_name = "LANG", default_value = "en")]
        language: PdfLanguage,
        /// IANA time zone of the best-time heatmap and of the report's times (made,
        /// published); days stay UTC days.
        #[arg(long, value_name = "TZ", default_value = "America/Sao_Paulo")]
        time_zone: String,
    },
    /// A campaign's report: reach, impressions, interactions, engagement rate, CPM, CPE,
    /// cost per conversion and ROI per account side by side and for the whole campaign.
    /// Prints the table and writes campaign-<id>.xlsx / .html / .json / .pdf; with
    /// --format, one file.
    Campaign {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The campaign's name or id.
        #[arg(value_name = "NAME|ID")]
        campaign: String,
        /// Without --format: the output folder (default <workspace>/reports). With
        /// --format: the file (default <workspace>/reports/campaign-<id>.<format>).
        #[arg(long, value_name = "DIR|FILE")]
        out: Option<PathBuf>,
        /// Write only this format to --out: pdf, xlsx, html or json.
        #[arg(long, value_name = "FORMAT")]
        format: Option<ReportFormat>,
        /// The PDF's language: en or pt-BR.
        #[arg(long, value_name = "LANG", default_value = "en")]
        language: PdfLanguage,
        /// IANA time zone of the report's times (made, published); dates stay days.
        #[arg(long, value_name = "TZ", default_value = "America/Sao_Paulo")]
        time_zone: String,
    },
    /// Scheduled delivery by email: add, list, pause, resume or remove a schedule.
    Schedule {
        #[command(subcommand)]
        command: ScheduleCommand,
    },
    /// Send a schedule's latest due period now (once per period, as the scheduler does).
    DeliverNow {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The schedule's id (`alcance report schedule list`).
        schedule: i64,
    },
    /// The SMTP server scheduled reports are sent through.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// The Google account scheduled reports are written to Google Sheets with.
    Sheets {
        #[command(subcommand)]
        command: SheetsCommand,
    },
}

/// `alcance report sheets …`
#[derive(Subcommand)]
pub enum SheetsCommand {
    /// Connect a Google account for Sheets: Google's consent page for the spreadsheets
    /// scope, redirect to a loopback port with PKCE. Needs the client id of a Google Cloud
    /// OAuth client of type Desktop app with the Sheets API enabled; its secret is read
    /// from ALCANCE_CLIENT_SECRET. The grant is kept in the workspace's vault. With
    /// --sandbox-url the sandbox's consent page approves by itself.
    Connect {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The Google OAuth client id.
        #[arg(long, env = "ALCANCE_GOOGLE_CLIENT_ID", value_name = "ID")]
        client_id: String,
        /// Open the consent page in the system browser (else only printed).
        #[arg(long)]
        open: bool,
        /// Seconds to wait for the consent.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
    },
    /// Show the connected Google grant (never a token).
    Show {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Revoke the Google grant and forget it.
    Disconnect {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
}

/// `alcance report schedule …`
#[derive(Subcommand)]
pub enum ScheduleCommand {
    /// Add a schedule: the weekly report (or --campaign's report), weekly on --weekday or
    /// monthly on --day, at --hour in --time-zone, to --to.
    Add {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// A campaign's name or id: send its report instead of the weekly report.
        #[arg(long, value_name = "NAME|ID")]
        campaign: Option<String>,
        /// Weekly, on this day: mon, tue, wed, thu, fri, sat or sun.
        #[arg(long, value_name = "DAY", conflicts_with = "day", required_unless_present = "day")]
        weekday: Option<chrono::Weekday>,
        /// Monthly, on this day of the month (1–28); reports the month before.
        #[arg(long, value_name = "1-28")]
        day: Option<u32>,
        /// The local hour it is sent (0–23).
        #[arg(long, value_name = "0-23", default_value_t = 8)]
        hour: u32,
        /// IANA time zone of the day and hour.
        #[arg(long, value_name = "TZ", default_value = "America/Sao_Paulo")]
        time_zone: String,
        /// The email's and the PDF's language: en or pt-BR.
        #[arg(long, value_name = "LANG", default_value = "en")]
        language: PdfLanguage,
        /// Recipients (repeat the option or separate with commas).
        #[arg(
            long = "to",
            value_name = "ADDRESS",
            required_unless_present = "sheets",
            value_delimiter = ','
        )]
        to: Vec<String>,
        /// Also write each period to a Google Sheets spreadsheet (created on the first
        /// delivery; connect first with alcance report sheets connect). Without --to, only.
        #[arg(long, visible_alias = "to-sheets")]
        sheets: bool,
        /// Attached files: pdf, xlsx or pdf,xlsx.
        #[arg(long, value_name = "FORMATS", default_value = "pdf,xlsx")]
        attach: String,
    },
    /// List the schedules with their latest deliveries (status, attempts, last error).
    List {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Pause a schedule (nothing is sent until it is resumed).
    Pause {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The schedule's id.
        schedule: i64,
    },
    /// Resume a paused schedule.
    Resume {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The schedule's id.
        schedule: i64,
    },
    /// Remove a schedule and its delivery history.
    Remove {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The schedule's id.
        schedule: i64,
    },
}

/// `alcance report mail …`
#[derive(Subcommand)]
pub enum MailCommand {
    /// Set the SMTP server: --url without password (smtp://user@host:587?tls=required,
    /// smtps://user@host, smtp://127.0.0.1:2525 for a local relay) and --from. The password
    /// is read from ALCANCE_SMTP_PASSWORD (or, with --password-stdin, one line of standard
    /// input) and kept in the workspace's vault, never in the database.
    Set {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The SMTP server's URL, without password.
        #[arg(long, value_name = "URL")]
        url: String,
        /// The sender: "Alcance <reports@agency.example>".
        #[arg(long, value_name = "ADDRESS")]
        from: String,
        /// Read the password from one line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show the SMTP server (never the password).
    Show {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
}

/// `alcance campaign …`
#[derive(Subcommand)]
pub enum CampaignCommand {
    /// Create a campaign.
    Create {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Unique name.
        name: String,
        /// First day (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE")]
        start: NaiveDate,
        /// Last day, inclusive (YYYY-MM-DD). Default: open-ended.
        #[arg(long, value_name = "DATE")]
        end: Option<NaiveDate>,
        /// Planned spend, in --currency (e.g. 5000 or 5000.50).
        #[arg(long)]
        budget: Option<f64>,
        /// ISO 4217 currency of the budget, costs and revenue (BRL, USD, EUR, ...).
        #[arg(long)]
        currency: String,
        /// What the campaign is for.
        #[arg(long, default_value = "engagement", value_parser = key_parser::<Goal>(Goal::ALL.map(Goal::as_str)))]
        goal: Goal,
        /// Free text.
        #[arg(long)]
        notes: Option<String>,
    },
    /// List the campaigns.
    List {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Count posts in a campaign (a post may be in several campaigns).
    AddPost {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The campaign's name or id.
        #[arg(value_name = "CAMPAIGN")]
        campaign: String,
        /// The platform's post id, or the post's link. Several may be given.
        #[arg(value_name = "POST", required = true)]
        posts: Vec<String>,
        /// Look the posts up on this platform only.
        #[arg(long)]
        platform: Option<Platform>,
    },
    /// Add a brand or influencer account to a campaign (or change its role).
    AddAccount {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The campaign's name or id.
        #[arg(value_name = "CAMPAIGN")]
        campaign: String,
        /// The account: its id, @username or platform account id.
        #[arg(value_name = "ACCOUNT")]
        account: String,
        /// Look the account up on this platform only.
        #[arg(long)]
        platform: Option<Platform>,
        /// Its role in the campaign.
        #[arg(long, default_value = "influencer", value_parser = key_parser::<CampaignRole>(CampaignRole::ALL.map(CampaignRole::as_str)))]
        role: CampaignRole,
    },
    /// Import costs from a CSV file. Header (any order, case-insensitive):
    /// date,amount[,currency][,note][,platform][,account]. Dates YYYY-MM-DD; amounts like
    /// 1234.50 (no thousands separators); currency defaults to the campaign's; account is
    /// a campaign account (@username or id), empty for the whole campaign. Bad lines are
    /// listed with their line number and the good ones imported; lines imported before
    /// are skipped.
    ImportCosts {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The campaign's name or id.
        #[arg(value_name = "CAMPAIGN")]
        campaign: String,
        /// The CSV file (UTF-8; `,` or `;` delimited).
        file: PathBuf,
    },
    /// Import conversions (e.g. UTM-tagged sales) from a CSV file. Header (any order):
    /// date[,count][,revenue][,currency][,source][,utm_campaign][,utm_source][,utm_medium]
    /// [,platform][,account]. count defaults to 1 (one sale per line); an empty revenue
    /// is unknown, not 0. Same rules as import-costs.
    ImportConversions {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The campaign's name or id.
        #[arg(value_name = "CAMPAIGN")]
        campaign: String,
        /// The CSV file.
        file: PathBuf,
    },
    /// Archive a campaign: it keeps its posts, costs, conversions and report, and leaves
    /// the Campaigns screen's list (shown again under "Show archived").
    Archive {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The campaign's name or id.
        #[arg(value_name = "CAMPAIGN")]
        campaign: String,
    },
    /// Take a campaign out of the archive.
    Unarchive {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The campaign's name or id.
        #[arg(value_name = "CAMPAIGN")]
        campaign: String,
    },
}

/// A parser for a value stored as a key (a campaign goal or role): `keys` are the possible
/// values `--help` lists, and the value's `FromStr` reads the chosen one.
fn key_parser<T>(keys: impl IntoIterator<Item = &'static str>) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    use clap::builder::{PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(keys).try_map(|key| key.parse::<T>())
}

/// The `--format` values: the keys of [`ExportFormat::ALL`] (the one list in
/// `alcance-report`), each with its label as help; parsed by [`ExportFormat`]'s `FromStr`.
pub(crate) fn export_format_parser() -> impl clap::builder::TypedValueParser<Value = ExportFormat> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(ExportFormat::ALL.map(|f| PossibleValue::new(f.key()).help(f.label())))
        .try_map(|key| key.parse::<ExportFormat>())
}

/// `alcance export <format> …` (`csv`, `json`, `xlsx`: [`ExportFormat::ALL`]).
#[derive(Args)]
pub struct ExportArgs {
    /// File format. CSV writes the account metrics to --out and the post metrics to
    /// <stem>-posts.csv beside it; JSON one document; XLSX one Excel workbook.
    #[arg(value_parser = export_format_parser())]
    format: ExportFormat,
    #[command(flatten)]
    ws: WorkspaceArgs,
    /// Only this account (id, @username or platform account id). Repeatable.
    #[arg(long = "account", value_name = "ACCOUNT")]
    accounts: Vec<String>,
    /// Only this platform (x, instagram, facebook, whatsapp, tiktok). Repeatable.
    #[arg(long = "platform", value_name = "PLATFORM")]
    platforms: Vec<Platform>,
    /// From this day on (YYYY-MM-DD, UTC; on period_start of account metrics and
    /// collected_at of post metrics).
    #[arg(long, value_name = "DATE")]
    since: Option<NaiveDate>,
    /// Up to and including this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    until: Option<NaiveDate>,
    /// Output file. Default: <workspace>/exports/alcance-export.<format>.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

async fn open(ws: &WorkspaceArgs) -> Result<Session> {
    ws.open(crate::Open::ReadOnly).await
}

fn spinner(message: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// What a report command wrote: the folder's four files, or the one file of `--format`.
enum Written {
    Folder(ReportFiles),
    File(PathBuf),
}

fn print_files(written: &Written) {
    match written {
        Written::Folder(files) => {
            println!("Wrote {}", files.xlsx.display());
            println!("      {}", files.html.display());
            println!("      {}", files.json.display());
            println!("      {}", files.pdf.display());
        }
        Written::File(file) => println!("Wrote {}", file.display()),
    }
}

fn kpi_text(line: &KpiLine, v: Option<f64>) -> String {
    if line.unit == "percent" {
        fmt_pct(v)
    } else {
        fmt_count(v)
    }
}

/// Runs `alcance report …`.
pub async fn report(command: ReportCommand) -> Result<()> {
    match command {
        c @ (ReportCommand::Schedule { .. } | ReportCommand::DeliverNow { .. } | ReportCommand::Mail { .. }) => {
            delivery(c).await
        }
        ReportCommand::Sheets { command } => sheets(command).await,
        ReportCommand::Weekly {
            ws,
            week_of,
            out,
            format,
            language,
            time_zone,
        } => {
            let time_zone = parse_zone(&time_zone)?;
            let workspace = open(&ws).await?;
            let out = out.unwrap_or_else(|| workspace.dir().join("reports"));
            let bar = spinner("Building the weekly report");
            let request = WeeklyRequest {
                week_of,
                time_zone,
                now: Utc::now(),
                options: WeeklyOptions::default(),
            };
            let result = match format {
                None => reports::write_weekly(&workspace, &request, &out)
                    .await
                    .map(|(report, files)| (report, Written::Folder(files))),
                Some(format) => {
                    let file = if out.is_dir() || out == workspace.dir().join("reports") {
                        out.join(format!("weekly.{format}"))
                    } else {
                        out.clone()
                    };
                    match reports::weekly_file(&workspace, &request, format, language).await {
                        Ok((report, bytes)) => reports::write_report_file(&file, bytes)
                            .await
                            .map(|()| (report, Written::File(file))),
                        Err(e) => Err(e),
                    }
                }
            };
            bar.finish_and_clear();
            workspace.close().await;
            let (report, files) = result?;
            println!(
                "Weekly report, {} – {} (UTC), {} account(s)",
                report.week.start.format("%Y-%m-%d"),
                (report.week.end - chrono::TimeDelta::days(1)).format("%Y-%m-%d"),
                report.accounts.len()
            );
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED);
            table.set_header(vec!["KPI (all accounts)", "This week", "Last week", "Change %"]);
            for line in &report.summary {
                table.add_row(vec![
                    Cell::new(&line.label),
                    Cell::new(kpi_text(line, line.change.current)).set_alignment(CellAlignment::Right),
                    Cell::new(kpi_text(line, line.change.previous)).set_alignment(CellAlignment::Right),
                    Cell::new(fmt_signed_pct(line.change.pct_change)).set_alignment(CellAlignment::Right),
                ]);
            }
            println!("{table}");
            for group in &report.recommendations {
                for r in &group.items {
                    println!("• {}: {}", group.account, r.title);
                }
            }
            print_files(&files);
            Ok(())
        }
        ReportCommand::Campaign {
            ws,
            campaign,
            out,
            format,
            language,
            time_zone,
        } => {
            let zone = parse_zone(&time_zone)?;
            let workspace = open(&ws).await?;
            let default_dir = workspace.dir().join("reports");
            let out = out.unwrap_or_else(|| default_dir.clone());
            let result = async {
                let c = reports::find_campaign(&workspace, &campaign).await?;
                let id = CampaignId::from(c.id);
                match format {
                    None => reports::write_campaign(&workspace, id, Utc::now(), zone, &out)
                        .await
                        .map(|(report, files)| (report, Written::Folder(files))),
                    Some(format) => {
                        let file = if out.is_dir() || out == default_dir {
                            out.join(format!("campaign-{}.{format}", c.id))
                        } else {
                            out.clone()
                        };
                        let (report, bytes) =
                            reports::campaign_file(&workspace, id, Utc::now(), zone, format, language).await?;
                        reports::write_report_file(&file, bytes).await?;
                        Ok((report, Written::File(file)))
                    }
                }
            }
            .await;
            workspace.close().await;
            let (report, files) = result?;
            let c = &report.campaign;
            println!(
                "Campaign {} ({} – {}, goal {}, currency {})",
                c.name,
                c.starts_on,
                c.ends_on.map_or_else(|| "open".to_string(), |d| d.to_string()),
                c.goal,
                c.currency
            );
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED);
            let mut header = vec![Cell::new("")];
            header.extend(report.columns().iter().map(|col| Cell::new(&col.label)));
            table.set_header(header);
            for row in report.table() {
                let mut cells = vec![Cell::new(&row.label)];
                cells.extend(
                    row.cells
                        .iter()
                        .map(|c| Cell::new(c).set_alignment(CellAlignment::Right)),
                );
                table.add_row(cells);
            }
            println!("{table}");
            println!("{DASH} = no data (not zero).");
            for w in &report.warnings {
                println!("Note: {w}");
            }
            print_files(&files);
            Ok(())
        }
    }
}

/// `alcance campaign import-costs` (`conversions` false) / `import-conversions` (true):
/// imports `file` into `campaign` (name or id) and prints the report.
async fn import(ws: &WorkspaceArgs, campaign: &str, file: &Path, conversions: bool) -> Result<()> {
    let workspace = open(ws).await?;
    let bar = spinner(if conversions {
        "Importing conversions"
    } else {
        "Importing costs"
    });
    let result = async {
        let id = CampaignId::from(reports::find_campaign(&workspace, campaign).await?.id);
        if conversions {
            reports::import_conversions(&workspace, id, file).await
        } else {
            reports::import_costs(&workspace, id, file).await
        }
    }
    .await;
    bar.finish_and_clear();
    workspace.close().await;
    if conversions {
        print_import("conversion row(s)", file, &result?, &CONVERSION_CSV_COLUMNS)
    } else {
        print_import("cost(s)", file, &result?, &COST_CSV_COLUMNS)
    }
}

fn print_import(what: &str, file: &Path, report: &ImportReport, columns: &[&str]) -> Result<()> {
    println!(
        "{}: {} line(s) read, {} {what} imported, {} already imported before, {} rejected",
        file.display(),
        report.lines,
        report.imported,
        report.already_imported,
        report.errors.len()
    );
    if !report.ignored_columns.is_empty() {
        println!(
            "Ignored column(s): {} (the format has {})",
            report.ignored_columns.join(", "),
            columns.join(", ")
        );
    }
    const SHOWN: usize = 50;
    for e in report.errors.iter().take(SHOWN) {
        eprintln!("  {e}");
    }
    if report.errors.len() > SHOWN {
        eprintln!("  … and {} more", report.errors.len() - SHOWN);
    }
    if report.errors.is_empty() {
        Ok(())
    } else {
        bail!(
            "{} line(s) of {} were rejected (listed above; fix them and import the file again — lines already imported are skipped)",
            report.errors.len(),
            file.display()
        )
    }
}

/// Runs `alcance report schedule …`, `deliver-now` and `mail …`.
/// An IANA time zone of the command line, or an error naming it.
fn parse_zone(name: &str) -> Result<Tz> {
    Ok(alcance_app::zone::parse(name)?)
}

async fn delivery(command: ReportCommand) -> Result<()> {
    use alcance_app::delivery::{self, Cadence, ScheduleRequest};
    match command {
        ReportCommand::Schedule { command } => match command {
            ScheduleCommand::Add {
                ws,
                campaign,
                weekday,
                day,
                hour,
                time_zone,
                language,
                to,
                sheets,
                attach,
            } => {
                let session = open(&ws).await?;
                let workspace = session.workspace();
                let campaign = match campaign {
                    Some(spec) => Some(CampaignId::from(reports::find_campaign(workspace, &spec).await?.id)),
                    None => None,
                };
                let cadence = match (weekday, day) {
                    (Some(weekday), _) => Cadence::Weekly { weekday, hour },
                    (None, Some(day)) => Cadence::Monthly { day, hour },
                    (None, None) => bail!("give --weekday DAY (weekly) or --day N (monthly)"),
                };
                let request = ScheduleRequest {
                    campaign,
                    cadence,
                    time_zone,
                    language,
                    recipients: to,
                    formats: delivery::parse_formats(&attach)?,
                    sheets,
                };
                let schedule = delivery::add_schedule(workspace, &request, Utc::now()).await?;
                println!("Added schedule {}: {}", schedule.row.id, describe(&schedule.row));
                if sheets && alcance_app::sheets::connection(workspace)?.is_none() {
                    println!("Google Sheets is not connected yet: alcance report sheets connect --client-id ID");
                }
                if !schedule.row.settings.recipients.is_empty() && workspace.store().mail_settings().await?.is_none() {
                    println!("No SMTP server is set yet: alcance report mail set --url URL --from ADDRESS");
                }
                Ok(())
            }
            ScheduleCommand::List { ws } => {
                let session = open(&ws).await?;
                let store = session.workspace().store();
                let schedules = store.report_schedules().await?;
                if schedules.is_empty() {
                    println!(
                        "No report schedule. Add one with: alcance report schedule add --weekday mon --to ADDRESS"
                    );
                }
                for s in schedules {
                    let state = if s.enabled { "" } else { " (paused)" };
                    println!("{}{state}: {}", s.id, describe(&s));
                    if let Some(id) = &s.spreadsheet_id {
                        println!("    spreadsheet {}", alcance_app::sheets::spreadsheet_link(id));
                    }
                    for d in store.report_deliveries(s.id, 5).await? {
                        let when = d
                            .sent_at
                            .map(|t| format!("sent {}", t.format("%Y-%m-%d %H:%M UTC")))
                            .or_else(|| {
                                d.next_attempt_at
                                    .filter(|_| d.status == alcance_app::store::delivery::DeliveryStatus::Pending)
                                    .map(|t| format!("next attempt {}", t.format("%Y-%m-%d %H:%M UTC")))
                            })
                            .unwrap_or_default();
                        println!(
                            "    period from {}: {} after {} attempt(s) {when}{}",
                            d.period_start.format("%Y-%m-%d %H:%M UTC"),
                            d.status,
                            d.attempts,
                            d.last_error.map(|e| format!(" — last error: {e}")).unwrap_or_default()
                        );
                    }
                }
                Ok(())
            }
            ScheduleCommand::Pause { ws, schedule } => set_enabled(&ws, schedule, false).await,
            ScheduleCommand::Resume { ws, schedule } => set_enabled(&ws, schedule, true).await,
            ScheduleCommand::Remove { ws, schedule } => {
                let session = open(&ws).await?;
                delivery::remove_schedule(session.workspace(), schedule).await?;
                println!("Removed schedule {schedule}.");
                Ok(())
            }
        },
        ReportCommand::DeliverNow { ws, schedule } => {
            let session = open(&ws).await?;
            let (claimed, pass) = delivery::deliver_now(session.workspace(), schedule, Utc::now()).await?;
            if !claimed {
                println!(
                    "That period was already claimed (sent, or waiting for a retry): see alcance report schedule list."
                );
                return Ok(());
            }
            if let Some((_, _, error)) = pass.failed.first() {
                bail!("the delivery failed (it is retried with backoff by alcance run): {error}");
            }
            println!("Sent.");
            Ok(())
        }
        ReportCommand::Mail { command } => match command {
            MailCommand::Set {
                ws,
                url,
                from,
                password_stdin,
            } => {
                let session = ws.open(crate::Open::Existing(alcance_app::VaultNeed::Required)).await?;
                let password = if password_stdin {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line).context("reading the password")?;
                    Some(line.trim_end_matches(['\r', '\n']).to_string())
                } else {
                    std::env::var("ALCANCE_SMTP_PASSWORD").ok()
                }
                .filter(|p| !p.is_empty())
                .map(secrecy::SecretString::from);
                delivery::set_mail(session.workspace(), &url, &from, password.as_ref(), Utc::now()).await?;
                println!(
                    "SMTP server set ({}).",
                    if password.is_some() {
                        "password in the vault"
                    } else {
                        "no password"
                    }
                );
                Ok(())
            }
            MailCommand::Show { ws } => {
                let session = open(&ws).await?;
                match session.workspace().store().mail_settings().await? {
                    Some(m) => println!("{} as {} (set {})", m.smtp_url, m.sender, m.updated_at),
                    None => println!("No SMTP server is set."),
                }
                Ok(())
            }
        },
        _ => bail!("not a delivery command"),
    }
}

/// Runs `alcance report sheets …`.
async fn sheets(command: SheetsCommand) -> Result<()> {
    use alcance_app::sheets;
    match command {
        SheetsCommand::Connect {
            ws,
            client_id,
            open,
            timeout,
        } => {
            let session = ws.open(crate::Open::Existing(alcance_app::VaultNeed::Required)).await?;
            let secret = std::env::var(crate::accounts_cmd::CLIENT_SECRET_ENV)
                .ok()
                .filter(|s| !s.trim().is_empty())
                .map(|s| secrecy::SecretString::from(s.trim().to_string()));
            let timeout = Duration::from_secs(timeout.max(1));
            let connection = if ws.sandbox_url.is_some() {
                let browser = alcance_app::oauth::HeadlessBrowser::new();
                sheets::connect(session.workspace(), &client_id, secret, &browser, timeout).await?
            } else {
                let browser = ConsentBrowser { open };
                sheets::connect(session.workspace(), &client_id, secret, &browser, timeout).await?
            };
            println!(
                "Google Sheets connected (client {}, scope {}).",
                connection.client_id,
                connection.scope.unwrap_or_default()
            );
            Ok(())
        }
        SheetsCommand::Show { ws } => {
            let session = ws.open(crate::Open::Existing(alcance_app::VaultNeed::Required)).await?;
            match sheets::connection(session.workspace())? {
                Some(c) => println!(
                    "Google Sheets connected: client {}, scope {}, access token until {}",
                    c.client_id,
                    c.scope.unwrap_or_default(),
                    c.expires_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "?".into())
                ),
                None => println!("Google Sheets is not connected."),
            }
            Ok(())
        }
        SheetsCommand::Disconnect { ws } => {
            let session = ws.open(crate::Open::Existing(alcance_app::VaultNeed::Required)).await?;
            sheets::disconnect(session.workspace()).await?;
            println!("Google Sheets disconnected.");
            Ok(())
        }
    }
}

/// The browser of `alcance report sheets connect`: prints Google's consent page and,
/// with `--open`, opens it.
struct ConsentBrowser {
    open: bool,
}

impl alcance_app::oauth::BrowserOpener for ConsentBrowser {
    fn open(&self, url: &url::Url) -> std::result::Result<(), alcance_app::PlatformError> {
        println!("Open this page to let Alcance write to Google Sheets:\n{url}");
        if self.open {
            alcance_app::oauth::BrowserOpener::open(&alcance_app::oauth::SystemBrowser, url)?;
        }
        Ok(())
    }
}

/// Pauses (`false`) or resumes (`true`) a schedule.
async fn set_enabled(ws: &WorkspaceArgs, schedule: i64, enabled: bool) -> Result<()> {
    let session = open(ws).await?;
    alcance_app::delivery::set_schedule_enabled(session.workspace(), schedule, enabled).await?;
    println!("Schedule {schedule} {}.", if enabled { "resumed" } else { "paused" });
    Ok(())
}

/// One line about a schedule: what, when, to whom, as what.
fn describe(row: &alcance_app::delivery::ReportScheduleRow) -> String {
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let s = &row.settings;
    let what = match s.campaign_id {
        Some(id) => format!("campaign {id}'s report"),
        None => "the weekly report".to_string(),
    };
    let when = match (s.weekday, s.day_of_month) {
        (Some(d), _) => format!(
            "every {}",
            usize::try_from(d)
                .ok()
                .and_then(|d| DAYS.get(d))
                .copied()
                .unwrap_or("?")
        ),
        (_, Some(d)) => format!("monthly on day {d}"),
        _ => "?".to_string(),
    };
    let mut to = Vec::new();
    if !s.recipients.is_empty() {
        to.push(format!("to {} as {}", s.recipients.join(", "), s.formats));
    }
    if s.sheets {
        to.push("to Google Sheets".to_string());
    }
    format!(
        "{what}, {when} at {:02}:00 {} ({}), {}",
        s.hour,
        s.time_zone,
        s.language,
        to.join(" and ")
    )
}

/// Runs `alcance campaign …`.
pub async fn campaign(command: CampaignCommand) -> Result<()> {
    match command {
        CampaignCommand::Create {
            ws,
            name,
            start,
            end,
            budget,
            currency,
            goal,
            notes,
        } => {
            let workspace = open(&ws).await?;
            let result = reports::create_campaign(
                &workspace,
                &NewCampaign {
                    name,
                    starts_on: start,
                    ends_on: end,
                    budget,
                    currency,
                    goal,
                    notes,
                },
            )
            .await;
            workspace.close().await;
            let c = result?;
            println!(
                "Created campaign {} (id {}), {} – {}, {}",
                c.name,
                c.id,
                c.starts_on,
                c.ends_on.map_or_else(|| "open".to_string(), |d| d.to_string()),
                c.currency
            );
            Ok(())
        }
        CampaignCommand::List { ws } => {
            let workspace = open(&ws).await?;
            let result = workspace.store().list_campaigns().await;
            workspace.close().await;
            let campaigns = result?;
            if campaigns.is_empty() {
                println!("No campaign yet: alcance campaign create NAME --start YYYY-MM-DD --currency BRL");
                return Ok(());
            }
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED);
            table.set_header(vec!["Id", "Name", "Start", "End", "Goal", "Budget", "Archived"]);
            for c in campaigns {
                table.add_row(vec![
                    Cell::new(c.id),
                    Cell::new(&c.name),
                    Cell::new(c.starts_on),
                    Cell::new(c.ends_on.map_or_else(|| "open".to_string(), |d| d.to_string())),
                    Cell::new(c.goal),
                    Cell::new(fmt_money(c.budget, &c.currency)).set_alignment(CellAlignment::Right),
                    Cell::new(
                        c.archived_at
                            .map_or_else(String::new, |t| t.format("%Y-%m-%d").to_string()),
                    ),
                ]);
            }
            println!("{table}");
            Ok(())
        }
        CampaignCommand::AddPost {
            ws,
            campaign,
            posts,
            platform,
        } => {
            let workspace = open(&ws).await?;
            let result = async {
                let c = reports::find_campaign(&workspace, &campaign).await?;
                let mut lines = Vec::new();
                for spec in &posts {
                    let post = reports::find_post(&workspace, spec, platform).await?;
                    let added = workspace.store().add_campaign_post(c.id, post.id).await?;
                    lines.push(format!(
                        "{} post {} of {} {} campaign {}",
                        if added { "Added" } else { "Already had" },
                        post.external_id,
                        post.username
                            .as_deref()
                            .map_or_else(|| post.user_id.clone(), |u| format!("@{u}")),
                        if added { "to" } else { "in" },
                        c.name
                    ));
                }
                anyhow::Ok(lines)
            }
            .await;
            workspace.close().await;
            for line in result? {
                println!("{line}");
            }
            Ok(())
        }
        CampaignCommand::AddAccount {
            ws,
            campaign,
            account,
            platform,
            role,
        } => {
            let workspace = open(&ws).await?;
            let result = async {
                let c = reports::find_campaign(&workspace, &campaign).await?;
                let a = reports::find_account(&workspace, &account, platform).await?;
                workspace.store().set_campaign_account(c.id, a.id, role).await?;
                anyhow::Ok(format!(
                    "{} ({}) is in campaign {} as {role}",
                    a.account
                        .username
                        .as_deref()
                        .map_or_else(|| a.account.external_id.clone(), |u| format!("@{u}")),
                    a.account.platform.label(),
                    c.name
                ))
            }
            .await;
            workspace.close().await;
            println!("{}", result?);
            Ok(())
        }
        CampaignCommand::ImportCosts { ws, campaign, file } => import(&ws, &campaign, &file, false).await,
        CampaignCommand::ImportConversions { ws, campaign, file } => import(&ws, &campaign, &file, true).await,
        CampaignCommand::Archive { ws, campaign } => archive(&ws, &campaign, true).await,
        CampaignCommand::Unarchive { ws, campaign } => archive(&ws, &campaign, false).await,
    }
}

/// `alcance campaign archive|unarchive CAMPAIGN`: archives (`archived`) or restores it.
async fn archive(ws: &WorkspaceArgs, campaign: &str, archived: bool) -> Result<()> {
    let workspace = open(ws).await?;
    let result = async {
        let id = CampaignId::from(reports::find_campaign(&workspace, campaign).await?.id);
        let c = if archived {
            alcance_app::campaigns::archive_campaign(&workspace, id, Utc::now()).await?
        } else {
            alcance_app::campaigns::unarchive_campaign(&workspace, id).await?
        };
        anyhow::Ok(match c.archived_at {
            Some(at) => format!(
                "Campaign {} (id {}) archived {}",
                c.name,
                c.id,
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            None => format!("Campaign {} (id {}) is not archived", c.name, c.id),
        })
    }
    .await;
    workspace.close().await;
    println!("{}", result?);
    Ok(())
}

/// Runs `alcance export …`.
pub async fn export(args: ExportArgs) -> Result<()> {
    let format = args.format;
    let workspace = open(&args.ws).await?;
    let out = args.out.clone().unwrap_or_else(|| {
        workspace
            .dir()
            .join("exports")
            .join(format!("alcance-export.{}", format.extension()))
    });
    let selection = ExportSelection {
        accounts: args.accounts.clone(),
        platforms: args.platforms.clone(),
        since: args.since,
        until: args.until,
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    let result = async {
        let filter = reports::export_filter(&workspace, &selection).await?;
        reports::export(&workspace, format, &filter, &out, &|step| match step {
            ExportStep::Reading => bar.set_message("Reading rows from the database"),
            ExportStep::Writing(path) => bar.set_message(format!("Writing {}", path.display())),
            ExportStep::Bytes(n) => bar.set_message(format!("Writing … {}", HumanBytes(n))),
            ExportStep::Wrote(path) => bar.println(format!("Wrote {}", path.display())),
        })
        .await
        .context("exporting")
    }
    .await;
    bar.finish_and_clear();
    workspace.close().await;
    let outcome = result?;
    for f in &outcome.files {
        let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        println!("{} ({})", f.display(), HumanBytes(size));
    }
    println!(
        "{} account metric row(s), {} post metric row(s) exported.",
        outcome.account_rows, outcome.post_rows
    );
    Ok(())
}

/// `alcance compare --account A --account B …` (issue 13 point 2).
#[derive(Args)]
pub struct CompareArgs {
    #[command(flatten)]
    ws: WorkspaceArgs,
    /// An account to compare (id, @username or platform account id): 2 to 6 of them.
    #[arg(long = "account", value_name = "ACCOUNT", required = true)]
    accounts: Vec<String>,
    /// First day of the window (YYYY-MM-DD, UTC). Default: 30 days before its end.
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Last day of the window, inclusive (YYYY-MM-DD, UTC). Default: up to now.
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// IANA time zone of the best slots (America/Sao_Paulo). Default UTC. `--zone` is
    /// kept as an alias; the report commands name it `--time-zone` too.
    #[arg(long = "time-zone", visible_alias = "zone", value_name = "TZ")]
    time_zone: Option<String>,
    /// Write the comparison as csv, json or xlsx to --out (default
    /// <workspace>/exports/compare-<from>-<to>.<format>) instead of printing it.
    #[arg(long, value_parser = export_format_parser())]
    format: Option<ExportFormat>,
    /// The file to write (implies --format from its extension when --format is absent).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs `alcance compare …`: prints the accounts side by side, or writes the file.
pub async fn compare(args: CompareArgs) -> Result<()> {
    use alcance_app::views::{self, ChartLabels, CompareRequest};
    let format = match (args.format, args.out.as_deref()) {
        (Some(f), _) => Some(f),
        (None, Some(out)) => {
            let ext = out.extension().and_then(|e| e.to_str()).unwrap_or_default();
            Some(
                ext.parse::<ExportFormat>()
                    .map_err(|_| anyhow::anyhow!("--out {}: give --format csv, json or xlsx", out.display()))?,
            )
        }
        (None, None) => None,
    };
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let workspace = open(&args.ws).await?;
    let result = async {
        let mut ids = Vec::new();
        for spec in &args.accounts {
            ids.push(alcance_app::AccountId(
                reports::find_account(&workspace, spec, None).await?.id,
            ));
        }
        let request = CompareRequest {
            account_ids: ids,
            since: args.from.and_then(midnight),
            until: args.to.and_then(|d| d.succ_opt()).and_then(midnight),
            time_zone: args.time_zone.clone(),
        };
        let labels = ChartLabels::default();
        match format {
            Some(format) => {
                let (view, bytes) = views::compare_file(&workspace, &request, &labels, format, Utc::now()).await?;
                let out = args.out.clone().unwrap_or_else(|| {
                    workspace
                        .dir()
                        .join("exports")
                        .join(views::compare_file_name(&view.comparison, format))
                });
                if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
                }
                let size = bytes.len() as u64;
                reports::write_report_file(&out, bytes).await?;
                println!("{} ({})", out.display(), HumanBytes(size));
            }
            None => {
                let view = views::compare(&workspace, &request, &labels, Utc::now()).await?;
                print_comparison(&view.comparison);
            }
        }
        anyhow::Ok(())
    }
    .await;
    workspace.close().await;
    result
}

fn print_comparison(c: &alcance_app::views::Comparison) {
    use cells::{mix, slot};
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec![Cell::new("Figure")];
    header.extend(c.accounts.iter().map(|a| Cell::new(&a.label)));
    table.set_header(header);
    type Row = (&'static str, fn(&alcance_app::views::ComparedAccount) -> String);
    let rows: [Row; 9] = [
        ("Followers (end)", |a| fmt_count(a.followers)),
        ("Follower growth", |a| fmt_count(a.follower_growth)),
        ("Follower growth (%)", |a| fmt_signed_pct(a.follower_growth_percent)),
        ("Interactions", |a| fmt_count(a.interactions)),
        ("Views", |a| fmt_count(a.views)),
        ("Engagement rate", |a| fmt_pct(a.engagement_rate)),
        ("Posts", |a| a.posts.to_string()),
        ("Posts per week", |a| format!("{:.1}", a.posts_per_week)),
        ("Content mix", |a| mix(&a.content_mix)),
    ];
    for (name, get) in rows {
        let mut row = vec![Cell::new(name)];
        row.extend(
            c.accounts
                .iter()
                .map(|a| Cell::new(get(a)).set_alignment(CellAlignment::Right)),
        );
        table.add_row(row);
    }
    let mut best = vec![Cell::new("Best slot")];
    best.extend(
        c.accounts
            .iter()
            .map(|a| Cell::new(slot(a.best_slot.as_ref(), &c.time_zone))),
    );
    table.add_row(best);
    println!(
        "{} – {} (UTC days; best slots in {})",
        c.since.format("%Y-%m-%d"),
        (c.until - chrono::Duration::seconds(1)).format("%Y-%m-%d"),
        c.time_zone
    );
    println!("{table}");
}

/// The comparison's text cells as the CSV writes them.
mod cells {
    use alcance_app::views::{CompareSlot, ContentShare};

    pub(super) fn slot(s: Option<&CompareSlot>, zone: &str) -> String {
        let text = alcance_app::views::slot_text(s, zone);
        if text.is_empty() {
            super::DASH.to_string()
        } else {
            text
        }
    }

    pub(super) fn mix(m: &[ContentShare]) -> String {
        let text = alcance_app::views::mix_text(m);
        if text.is_empty() {
            super::DASH.to_string()
        } else {
            text
        }
    }
}
