//! `alcance report`, `alcance campaign` and `alcance export` as a user runs them, on a demo
//! workspace built by `alcance demo` (seeded sandbox, 21 days).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use std::path::Path;
use std::process::{Command, Output};

fn alcance() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_alcance"));
    // The commands must work without tokens: no passphrase, whatever the environment holds.
    c.env_remove("ALCANCE_VAULT_PASSPHRASE").env_remove("ALCANCE_WORKSPACE");
    c
}

fn run(args: &[&str], ws: &Path) -> Output {
    alcance()
        .args(args)
        .arg("--workspace")
        .arg(ws)
        .output()
        .expect("alcance runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn ok(args: &[&str], ws: &Path) -> String {
    let o = run(args, ws);
    let (out, err) = text(&o);
    assert!(o.status.success(), "alcance {args:?} failed:\n{out}\n{err}");
    out
}

#[test]
fn reports_campaigns_and_exports_on_a_demo_workspace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("ws");
    let demo = alcance()
        .arg("demo")
        .arg("--out")
        .arg(&ws)
        .args(["--days", "21"])
        .output()
        .expect("demo");
    assert!(demo.status.success(), "{:?}", text(&demo));

    // The demo wrote the weekly report of its workspace.
    for f in [
        "reports/weekly.xlsx",
        "reports/weekly.html",
        "reports/weekly.json",
        "reports/weekly.pdf",
    ] {
        let len = std::fs::metadata(ws.join(f)).map(|m| m.len()).unwrap_or(0);
        assert!(len > 0, "{f} missing or empty");
    }

    // A weekly report of a week inside the demo's 21 days.
    let week_of = (chrono::Utc::now() - chrono::Duration::days(8))
        .date_naive()
        .to_string();
    let out_dir = dir.path().join("weekly");
    let out = ok(
        &[
            "report",
            "weekly",
            "--week-of",
            &week_of,
            "--out",
            out_dir.to_str().expect("utf-8"),
        ],
        &ws,
    );
    assert!(out.contains("Weekly report") && out.contains("Followers"), "{out}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("weekly.json")).expect("json")).expect("valid");
    let labels: Vec<&str> = json["accounts"]
        .as_array()
        .map(|a| a.iter().filter_map(|a| a["label"].as_str()).collect())
        .unwrap_or_default();
    assert!(labels.contains(&"@ana_influencer (X)"), "{labels:?}");
    let followers = &json["summary"][0];
    assert_eq!(followers["key"], "followers");
    assert!(
        followers["change"]["current"].as_f64().is_some_and(|v| v > 0.0),
        "{followers}"
    );
    assert!(!json["top_posts"].as_array().map(Vec::is_empty).unwrap_or(true));
    let html = std::fs::read_to_string(out_dir.join("weekly.html")).expect("html");
    assert!(html.matches("<svg").count() >= 3);
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    let xlsx = std::fs::read(out_dir.join("weekly.xlsx")).expect("xlsx");
    assert!(xlsx.starts_with(b"PK"), "a zip");
    assert!(std::fs::read(out_dir.join("weekly.pdf"))
        .expect("pdf")
        .starts_with(b"%PDF-"));
    // One file in one format and language (issue 13 point 4).
    let pdf = dir.path().join("semana.pdf");
    let said = ok(
        &[
            "report",
            "weekly",
            "--week-of",
            &week_of,
            "--format",
            "pdf",
            "--language",
            "pt-BR",
            "--out",
            pdf.to_str().expect("utf-8"),
        ],
        &ws,
    );
    assert!(said.contains(&format!("Wrote {}", pdf.display())), "{said}");
    let bytes = std::fs::read(&pdf).expect("the PDF");
    assert!(bytes.starts_with(b"%PDF-") && String::from_utf8_lossy(&bytes).contains("/Lang(pt-BR)"));
    let bad_format = run(&["report", "weekly", "--format", "docx"], &ws);
    assert!(!bad_format.status.success());
    assert!(
        text(&bad_format).1.contains("use pdf, xlsx, html or json"),
        "{:?}",
        text(&bad_format)
    );
    let bad_tz = run(&["report", "weekly", "--time-zone", "Mars/Olympus"], &ws);
    assert!(!bad_tz.status.success());
    assert!(text(&bad_tz).1.contains("unknown time zone"));

    // An export of one account's posts gives a post id to put in a campaign.
    let export_json = dir.path().join("x.json");
    ok(
        &[
            "export",
            "json",
            "--account",
            "ana_influencer",
            "--platform",
            "x",
            "--out",
            export_json.to_str().expect("utf-8"),
        ],
        &ws,
    );
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&export_json).expect("export")).expect("json");
    assert_eq!(
        bundle["accounts"].as_array().map(Vec::len),
        Some(1),
        "only the selected account"
    );
    let post_id = bundle["posts"][0]["post_id"].as_str().expect("a post").to_string();

    // A campaign with an influencer, a post, costs (one bad line) and conversions.
    let created = ok(
        &[
            "campaign",
            "create",
            "Launch",
            "--start",
            "2026-01-01",
            "--budget",
            "1000",
            "--currency",
            "brl",
            "--goal",
            "conversions",
        ],
        &ws,
    );
    assert!(
        created.contains("Created campaign Launch") && created.contains("BRL"),
        "{created}"
    );
    ok(
        &[
            "campaign",
            "add-account",
            "Launch",
            "@ana_influencer",
            "--platform",
            "x",
        ],
        &ws,
    );
    let added = ok(&["campaign", "add-post", "launch", &post_id], &ws);
    assert!(added.contains(&format!("Added post {post_id}")), "{added}");
    let costs = dir.path().join("costs.csv");
    std::fs::write(
        &costs,
        "date,amount,note,account\n2026-01-05,300.00,fee,ana_influencer\n2026-01-06,abc,boost,\n",
    )
    .expect("costs");
    let import = run(
        &["campaign", "import-costs", "Launch", costs.to_str().expect("utf-8")],
        &ws,
    );
    let (out, err) = text(&import);
    assert!(!import.status.success(), "a rejected line makes the command fail");
    assert!(out.contains("1 cost(s) imported"), "{out}");
    assert!(err.contains("line 3: amount \"abc\" is not a number"), "{err}");
    let conversions = dir.path().join("sales.csv");
    std::fs::write(
        &conversions,
        "date;revenue;utm_source;account\n2026-01-07;150,00;x;ana_influencer\n2026-01-08;90,00;x;ana_influencer\n",
    )
    .expect("sales");
    let out = ok(
        &[
            "campaign",
            "import-conversions",
            "Launch",
            conversions.to_str().expect("utf-8"),
        ],
        &ws,
    );
    assert!(out.contains("2 conversion row(s) imported"), "{out}");
    let again = ok(
        &[
            "campaign",
            "import-conversions",
            "Launch",
            conversions.to_str().expect("utf-8"),
        ],
        &ws,
    );
    assert!(
        again.contains("0 conversion row(s) imported, 2 already imported"),
        "{again}"
    );

    let reports_dir = dir.path().join("campaign");
    let out = ok(
        &[
            "report",
            "campaign",
            "Launch",
            "--out",
            reports_dir.to_str().expect("utf-8"),
        ],
        &ws,
    );
    for needle in [
        "@ana_influencer (X)",
        "Campaign total",
        "CPE (BRL per interaction)",
        "300.00 BRL",
        "ROI",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    assert!(std::fs::read(reports_dir.join("campaign-1.pdf"))
        .expect("campaign pdf")
        .starts_with(b"%PDF-"));
    let one = ok(
        &[
            "report",
            "campaign",
            "Launch",
            "--format",
            "pdf",
            "--out",
            reports_dir.to_str().expect("utf-8"),
        ],
        &ws,
    );
    assert!(
        one.contains("campaign-1.pdf"),
        "an existing folder gets the default name: {one}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reports_dir.join("campaign-1.json")).expect("campaign json"))
            .expect("json");
    let k = &report["total"]["kpis"];
    assert_eq!(k["cost"], 300.0);
    assert_eq!(k["conversions"], 2.0);
    assert_eq!(k["revenue"], 240.0);
    assert!((k["roi"].as_f64().unwrap_or(f64::NAN) - (240.0 - 300.0) / 300.0).abs() < 1e-12);
    assert_eq!(k["posts"], 1);
    let listed = ok(&["campaign", "list"], &ws);
    assert!(listed.contains("Launch") && listed.contains("1,000.00 BRL"), "{listed}");
    let archived = ok(&["campaign", "archive", "Launch"], &ws);
    assert!(archived.contains("Campaign Launch (id 1) archived"), "{archived}");
    let today = chrono::Utc::now().date_naive().to_string();
    assert!(
        ok(&["campaign", "list"], &ws).contains(&today),
        "the list shows the archive day"
    );
    let back = ok(&["campaign", "unarchive", "1"], &ws);
    assert!(back.contains("Campaign Launch (id 1) is not archived"), "{back}");
    let missing = run(&["report", "campaign", "Nope"], &ws);
    assert!(!missing.status.success());
    assert!(text(&missing)
        .1
        .contains("no campaign \"Nope\"; the campaigns are: Launch (1)"));

    // CSV export filtered by platform and dates: the fixed header, X rows only.
    let csv_path = dir.path().join("exports").join("x.csv");
    let since = (chrono::Utc::now() - chrono::Duration::days(10))
        .date_naive()
        .to_string();
    let until = (chrono::Utc::now() - chrono::Duration::days(3))
        .date_naive()
        .to_string();
    let out = ok(
        &[
            "export",
            "csv",
            "--platform",
            "x",
            "--since",
            &since,
            "--until",
            &until,
            "--out",
            csv_path.to_str().expect("utf-8"),
        ],
        &ws,
    );
    assert!(out.contains("account metric row(s)"), "{out}");
    let csv = std::fs::read_to_string(&csv_path).expect("csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("user_id,platform,metric_type,value,collected_at,period_start,period_end")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty());
    for row in &rows {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[1], "x", "{row}");
        let start = &cells[5][..10];
        assert!(
            start >= since.as_str() && start <= until.as_str(),
            "{row} outside {since}..={until}"
        );
    }
    let posts_csv = std::fs::read_to_string(dir.path().join("exports").join("x-posts.csv")).expect("posts csv");
    assert!(posts_csv.starts_with("user_id,platform,post_id,published_at,metric_type,value,collected_at"));
    let xlsx_path = dir.path().join("all.xlsx");
    ok(&["export", "xlsx", "--out", xlsx_path.to_str().expect("utf-8")], &ws);
    assert!(std::fs::read(&xlsx_path).expect("xlsx").starts_with(b"PK"));
    let bad = run(&["export", "csv", "--account", "nobody"], &ws);
    assert!(!bad.status.success() && text(&bad).1.contains("no account \"nobody\""));

    // Comments (issue 17 point 3): the demo read them; a search keeps matching ones only.
    let all = ok(&["comments", "list", "--limit", "500"], &ws);
    assert!(all.contains("comment") && all.contains("@"), "{all}");
    let found = ok(&["comments", "list", "--search", "obrigada", "--limit", "500"], &ws);
    assert!(found.contains("Obrigada"), "{found}");
    for other in ["Amei esse post", "Which camera", "Onde comprar", "Love it"] {
        assert!(!found.contains(other), "the search kept {other:?}: {found}");
    }
    let tags = ok(&["comments", "list", "--kind", "tag", "--platform", "instagram"], &ws);
    assert!(tags.contains("tag") && !tags.contains("reply"), "{tags}");
    let counts = ok(&["comments", "counts"], &ws);
    assert!(counts.contains("Difference") && counts.contains("Stored"), "{counts}");
    let bad = run(&["comments", "list", "--search", "!!"], &ws);
    assert!(
        !bad.status.success() && text(&bad).1.contains("no word"),
        "{:?}",
        text(&bad)
    );

    // Competitors (issue 17 point 1): a tracked profile joins a set, the set's cadence
    // reaches its schedule, a term is counted, the report puts it after the own accounts,
    // the export and the weekly report carry it, removing keeps the account.
    let added = ok(
        &[
            "competitors",
            "add",
            "ana_influencer",
            "--platform",
            "x",
            "--set",
            "rivais",
        ],
        &ws,
    );
    assert!(added.contains("@ana_influencer") && added.contains("rivais"), "{added}");
    let cadence = ok(&["competitors", "cadence", "6h", "--set", "rivais"], &ws);
    assert!(cadence.contains("1 member(s)"), "{cadence}");
    let accounts = ok(&["accounts"], &ws);
    // The table is narrow here: the cadence column shows the kind only.
    let row = |handle: &str| {
        accounts
            .lines()
            .find(|l| l.contains(&format!("@{handle} ")) && l.contains(" X "))
            .unwrap_or_else(|| panic!("{handle} on X: {accounts}"))
            .to_string()
    };
    assert!(row("ana_influencer").contains("custom"), "{accounts}");
    assert!(
        row("alcance_br").contains("daily"),
        "own accounts keep theirs: {accounts}"
    );
    ok(&["competitors", "voice", "add", "#verão"], &ws);
    let bad = run(&["competitors", "voice", "add", "#verão from:ana"], &ws);
    assert!(
        !bad.status.success() && text(&bad).1.contains("from:"),
        "{:?}",
        text(&bad)
    );
    let list = ok(&["competitors", "list"], &ws);
    assert!(
        list.contains("rivais — 1 member(s)") && list.contains("#verão"),
        "{list}"
    );
    let report = ok(&["competitors", "report"], &ws);
    let own = report.find("own").expect("own accounts");
    let rival = report.find("competitor (rivais)").expect("the competitor");
    assert!(own < rival, "{report}");
    assert!(report.contains("Share of voice on #verão"), "{report}");
    let csv_path = dir.path().join("competitors.csv");
    ok(
        &["competitors", "export", "--out", csv_path.to_str().expect("utf-8")],
        &ws,
    );
    let csv = std::fs::read_to_string(&csv_path).expect("csv");
    assert!(csv.lines().next().unwrap().ends_with("share_of_voice_ratio"), "{csv}");
    assert!(csv.contains(",competitor,rivais,"), "{csv}");
    let weekly_dir = dir.path().join("weekly-competitors");
    ok(
        &[
            "report",
            "weekly",
            "--week-of",
            &week_of,
            "--out",
            weekly_dir.to_str().expect("utf-8"),
        ],
        &ws,
    );
    let html = std::fs::read_to_string(weekly_dir.join("weekly.html")).expect("html");
    assert!(
        html.contains("<h2>Competitors</h2>") && html.contains("@ana_influencer"),
        "the section"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(weekly_dir.join("weekly.json")).expect("json")).expect("valid");
    assert_eq!(
        json["competitors"]["figures"]
            .as_array()
            .map(|f| f.iter().filter(|x| x["role"] == "competitor").count()),
        Some(1)
    );
    let removed = ok(&["competitors", "remove", "ana_influencer", "--platform", "x"], &ws);
    assert!(removed.contains("No longer a competitor"), "{removed}");
    let bad = run(&["competitors", "add", "nobody"], &ws);
    assert!(
        !bad.status.success() && text(&bad).1.contains("no account"),
        "{:?}",
        text(&bad)
    );
    // Sentiment (issue 17 point 4): labels in the list, the filter, the shares, the rescore.
    assert!(all.contains("Sentiment") && all.contains("positive (+"), "{all}");
    let positive = ok(&["comments", "list", "--sentiment", "positive", "--limit", "500"], &ws);
    assert!(
        positive.contains("Amei esse post") && positive.contains("positive (+"),
        "{positive}"
    );
    for other in ["negative (", "neutral (", "Onde comprar"] {
        assert!(
            !positive.contains(other),
            "the sentiment filter kept {other:?}: {positive}"
        );
    }
    let shares = ok(&["comments", "sentiment"], &ws);
    assert!(
        shares.contains("Week of") && shares.contains("All") && shares.contains("Net (points)") && shares.contains('%'),
        "{shares}"
    );
    assert!(
        shares.contains("model lexicon-v1") && shares.contains("America/Sao_Paulo"),
        "{shares}"
    );
    let daily = ok(
        &["comments", "sentiment", "--daily", "--posts", "0", "--time-zone", "UTC"],
        &ws,
    );
    assert!(
        daily.contains("Day") && !daily.contains("Week of") && daily.contains("days in UTC"),
        "{daily}"
    );
    // Opening the workspace scored everything already; --all scores every comment again.
    let again = ok(&["comments", "rescore"], &ws);
    assert!(again.starts_with("0 comments scored"), "{again}");
    let forced = ok(&["comments", "rescore", "--all"], &ws);
    let n: u64 = forced
        .split_whitespace()
        .next()
        .and_then(|w| w.parse().ok())
        .unwrap_or(0);
    assert!(n > 0, "{forced}");
    let bad = run(&["comments", "list", "--sentiment", "angry"], &ws);
    assert!(
        !bad.status.success() && text(&bad).1.contains("angry"),
        "{:?}",
        text(&bad)
    );
}

#[test]
fn commands_on_a_folder_without_a_workspace_say_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(&["report", "weekly"], dir.path());
    assert!(!o.status.success());
    assert!(text(&o).1.contains("no Alcance workspace"), "{:?}", text(&o));
}
