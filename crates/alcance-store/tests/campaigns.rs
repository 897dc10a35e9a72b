#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Campaigns: the migration, CRUD, accounts with roles, the post ↔ campaign many-to-many,
//! costs and conversions, and CSV imports with good and bad lines.

use crate::common;

use alcance_core::Platform;
use alcance_store::campaigns::{CampaignRole, Goal, NewCampaign, NewConversion, NewCost};
use alcance_store::testing::TestStore;
use alcance_store::{both_engines, on_pool, Engine};
use alcance_store::{Store, StoreError};
use chrono::NaiveDate;
use common::{account, at, full_batch, store_with_account};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn summer() -> NewCampaign {
    NewCampaign {
        name: "Summer Launch".into(),
        starts_on: date(2026, 11, 1),
        ends_on: Some(date(2026, 11, 30)),
        budget: Some(5000.0),
        currency: "brl".into(),
        goal: Goal::Conversions,
        notes: Some("  ".into()),
    }
}

/// The in-memory store of `common` with the Instagram account's batch saved (posts p1, p2),
/// a tracked X influencer, and the "Summer Launch" campaign. Returns (store, ig account,
/// x account, campaign).
async fn setup(engine: Engine) -> Option<(TestStore, i64, i64, i64)> {
    let (store, ig, run) = store_with_account(engine).await?;
    store
        .save_batch(run, ig, at(9, 0, 0), &full_batch(1000.0, 10.0), &[])
        .await
        .expect("batch");
    let mut x = account(Platform::X, "2244994945", "ana_influencer");
    x.owned = false;
    let x = store.upsert_account(&x, None, None).await.expect("x account");
    let campaign = store.create_campaign(&summer()).await.expect("campaign");
    Some((store, ig, x, campaign))
}

async fn post_id(store: &Store, external: &str) -> i64 {
    let found = store.find_posts(external, None).await.expect("find");
    assert_eq!(found.len(), 1, "{external}");
    found[0].id
}

#[tokio::test]
async fn the_migration_creates_the_campaign_tables_in_memory_and_on_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = Store::open(&dir.path().join("alcance.db")).await.expect("file store");
    let memory = Store::open_in_memory().await.expect("memory store");
    for store in [&file, &memory] {
        let tables: Vec<String> = on_pool!(store.pool(), |p| sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'campaign%' ORDER BY name",
        )
        .fetch_all(p)
        .await)
        .expect("tables");
        assert_eq!(
            tables,
            [
                "campaign_accounts",
                "campaign_conversions",
                "campaign_costs",
                "campaign_posts",
                "campaigns"
            ]
        );
        let fk: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(p)
            .await)
        .expect("pragma");
        assert_eq!(fk, 1);
    }
    file.close().await;
    // Re-opening applies nothing twice.
    let again = Store::open(&dir.path().join("alcance.db")).await.expect("reopen");
    assert!(again.list_campaigns().await.expect("list").is_empty());
}

async fn campaign_crud_validates_and_keeps_names_unique(engine: Engine) {
    let Some((store, _, _, id)) = setup(engine).await else {
        return;
    };
    let c = store.campaign(id).await.expect("get");
    assert_eq!(c.name, "Summer Launch");
    assert_eq!(c.currency, "BRL", "stored upper case");
    assert_eq!(c.notes, None, "blank notes are NULL");
    assert_eq!(c.goal, Goal::Conversions);
    assert_eq!(c.ends_on, Some(date(2026, 11, 30)));
    assert_eq!(
        store
            .campaign_by_name("  summer launch ")
            .await
            .expect("by name")
            .map(|c| c.id),
        Some(id)
    );

    let duplicate = store.create_campaign(&summer()).await;
    assert!(
        matches!(
            duplicate,
            Err(StoreError::Invalid {
                what: "campaign name",
                ..
            })
        ),
        "{duplicate:?}"
    );
    let bad_currency = store
        .create_campaign(&NewCampaign {
            name: "Other".into(),
            currency: "R$".into(),
            ..summer()
        })
        .await;
    assert!(matches!(
        bad_currency,
        Err(StoreError::Invalid { what: "currency", .. })
    ));
    let backwards = store
        .create_campaign(&NewCampaign {
            name: "Other".into(),
            ends_on: Some(date(2026, 10, 1)),
            ..summer()
        })
        .await;
    assert!(matches!(backwards, Err(StoreError::Invalid { .. })));
    let negative = store
        .create_campaign(&NewCampaign {
            name: "Other".into(),
            budget: Some(-1.0),
            ..summer()
        })
        .await;
    assert!(matches!(negative, Err(StoreError::Invalid { .. })));
    assert!("sales".parse::<Goal>().is_err());
    assert_eq!("Awareness".parse::<Goal>().ok(), Some(Goal::Awareness));

    let winter = store
        .create_campaign(&NewCampaign {
            name: "Winter".into(),
            starts_on: date(2027, 6, 1),
            ends_on: None,
            budget: None,
            goal: Goal::Awareness,
            ..summer()
        })
        .await
        .expect("second campaign");
    let names: Vec<String> = store
        .list_campaigns()
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Winter", "Summer Launch"], "newest start first");

    store
        .update_campaign(
            winter,
            &NewCampaign {
                name: "Winter 2027".into(),
                budget: Some(100.0),
                starts_on: date(2027, 6, 1),
                ends_on: None,
                goal: Goal::Engagement,
                ..summer()
            },
        )
        .await
        .expect("update");
    let w = store.campaign(winter).await.expect("get");
    assert_eq!(
        (w.name.as_str(), w.budget, w.goal),
        ("Winter 2027", Some(100.0), Goal::Engagement)
    );
    let clash = store
        .update_campaign(
            winter,
            &NewCampaign {
                name: "SUMMER LAUNCH".into(),
                ..summer()
            },
        )
        .await;
    assert!(matches!(clash, Err(StoreError::Invalid { .. })));

    store.delete_campaign(winter).await.expect("delete");
    assert!(matches!(
        store.campaign(winter).await,
        Err(StoreError::NotFound { what: "campaign", .. })
    ));
    assert!(matches!(
        store.delete_campaign(winter).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn a_post_can_be_in_several_campaigns_and_links_follow_deletes(engine: Engine) {
    let Some((store, ig, _, summer_id)) = setup(engine).await else {
        return;
    };
    let black_friday = store
        .create_campaign(&NewCampaign {
            name: "Black Friday".into(),
            starts_on: date(2026, 11, 20),
            ends_on: Some(date(2026, 11, 28)),
            ..summer()
        })
        .await
        .expect("campaign");
    let p1 = post_id(&store, "p1").await;
    let p2 = post_id(&store, "p2").await;

    assert!(store.add_campaign_post(summer_id, p1).await.expect("add"));
    assert!(
        !store.add_campaign_post(summer_id, p1).await.expect("add twice"),
        "adding twice is a no-op"
    );
    assert!(store.add_campaign_post(summer_id, p2).await.expect("add"));
    assert!(store.add_campaign_post(black_friday, p1).await.expect("add"));

    let in_p1: Vec<String> = store
        .post_campaigns(p1)
        .await
        .expect("campaigns of p1")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(in_p1, ["Black Friday", "Summer Launch"]);
    let summer_posts: Vec<String> = store
        .campaign_posts(summer_id)
        .await
        .expect("posts")
        .into_iter()
        .map(|p| p.external_id)
        .collect();
    assert_eq!(summer_posts, ["p2", "p1"], "ordered by publication");
    let metrics = store.campaign_post_metric_rows(black_friday).await.expect("metrics");
    assert!(
        !metrics.is_empty() && metrics.iter().all(|m| m.post_id == "p1"),
        "{metrics:?}"
    );

    assert!(matches!(
        store.add_campaign_post(summer_id, 9999).await,
        Err(StoreError::NotFound { what: "post", .. })
    ));
    assert!(store.remove_campaign_post(black_friday, p1).await.expect("remove"));
    assert!(!store
        .remove_campaign_post(black_friday, p1)
        .await
        .expect("remove again"));
    assert_eq!(store.post_campaigns(p1).await.expect("after remove").len(), 1);

    // Deleting a campaign keeps the posts; deleting the account drops its links.
    store.delete_campaign(black_friday).await.expect("delete campaign");
    assert_eq!(
        store
            .find_posts("p1", Some(Platform::Instagram))
            .await
            .expect("find")
            .len(),
        1
    );
    store.delete_account_data(ig).await.expect("delete account");
    assert!(store.campaign_posts(summer_id).await.expect("posts").is_empty());
}

async fn accounts_join_with_a_role_and_costs_must_name_a_member(engine: Engine) {
    let Some((store, ig, x, id)) = setup(engine).await else {
        return;
    };
    store
        .set_campaign_account(id, x, CampaignRole::Brand)
        .await
        .expect("add");
    store
        .set_campaign_account(id, x, CampaignRole::Influencer)
        .await
        .expect("change role");
    store
        .set_campaign_account(id, ig, CampaignRole::Brand)
        .await
        .expect("add brand");
    let members = store.campaign_accounts(id).await.expect("members");
    assert_eq!(
        members
            .iter()
            .map(|m| (m.role, m.platform, m.username.as_deref()))
            .collect::<Vec<_>>(),
        [
            (CampaignRole::Brand, Platform::Instagram, Some("alcance_demo")),
            (CampaignRole::Influencer, Platform::X, Some("ana_influencer")),
        ]
    );
    assert!(matches!(
        store.set_campaign_account(id, 777, CampaignRole::Brand).await,
        Err(StoreError::NotFound { what: "account", .. })
    ));

    let cost = |account_id, amount| NewCost {
        spent_on: date(2026, 11, 3),
        amount,
        currency: "BRL".into(),
        note: Some("fee".into()),
        account_id,
    };
    store.add_cost(id, &cost(Some(x), 1500.0)).await.expect("member cost");
    store.add_cost(id, &cost(None, 250.0)).await.expect("campaign cost");
    assert!(matches!(
        store.add_cost(id, &cost(Some(ig + 1000), 1.0)).await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        store.add_cost(id, &cost(None, f64::NAN)).await,
        Err(StoreError::Invalid { .. })
    ));
    let conversion = NewConversion {
        converted_on: date(2026, 11, 4),
        count: 3,
        revenue: Some(299.7),
        currency: "brl".into(),
        source: Some("shop".into()),
        utm_campaign: Some("summer".into()),
        utm_source: Some("instagram".into()),
        utm_medium: None,
        account_id: Some(x),
    };
    store.add_conversion(id, &conversion).await.expect("conversion");
    let costs = store.costs(id).await.expect("costs");
    assert_eq!(
        costs.iter().map(|c| (c.account_id, c.amount)).collect::<Vec<_>>(),
        [(Some(x), 1500.0), (None, 250.0)]
    );
    assert!(costs.iter().all(|c| !c.imported));
    let conversions = store.conversions(id).await.expect("conversions");
    assert_eq!(conversions.len(), 1);
    assert_eq!(
        (
            conversions[0].count,
            conversions[0].revenue,
            conversions[0].currency.as_str()
        ),
        (3, Some(299.7), "BRL")
    );

    // Leaving the campaign keeps the money in the campaign total, unattributed.
    assert!(store.remove_campaign_account(id, x).await.expect("remove"));
    assert!(store
        .costs(id)
        .await
        .expect("costs")
        .iter()
        .all(|c| c.account_id.is_none()));
    assert!(store.conversions(id).await.expect("conv")[0].account_id.is_none());
}

async fn cost_csv_keeps_good_lines_and_reports_bad_ones_by_line(engine: Engine) {
    let Some((store, ig, x, id)) = setup(engine).await else {
        return;
    };
    store
        .set_campaign_account(id, x, CampaignRole::Influencer)
        .await
        .expect("x");
    store
        .set_campaign_account(id, ig, CampaignRole::Brand)
        .await
        .expect("ig");
    let csv = "Date,Amount,Currency,Note,Account,Order ID\n\
               2026-11-02,1500.00,BRL,reel fee,@ana_influencer,A1\n\
               2026-11-02,12.5x,BRL,boost,,A2\n\
               \n\
               02/11/2026,10,BRL,,,A3\n\
               2026-11-03,300,,production,,A4\n\
               2026-11-04,-5,BRL,,,A5\n\
               2026-11-04,40,R$,,nobody,A6\n\
               2026-11-05,\"1,5\",usd,ads,alcance_demo,A7\n\
               2026-11-05,1,BRL,x,,A8,extra\n";
    let report = store.import_costs_csv(id, csv.as_bytes()).await.expect("import");
    assert_eq!(report.lines, 8, "the blank line is not a data line");
    assert_eq!(report.imported, 3);
    assert_eq!(report.ignored_columns, ["Order ID"]);
    let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 5, 7, 8, 10]);
    let reason = |line: u64| {
        report
            .errors
            .iter()
            .find(|e| e.line == line)
            .map(|e| e.reason.clone())
            .unwrap_or_default()
    };
    assert!(reason(3).contains("amount \"12.5x\" is not a number"), "{}", reason(3));
    assert!(
        reason(5).contains("date \"02/11/2026\" is not a YYYY-MM-DD date"),
        "{}",
        reason(5)
    );
    assert!(reason(7).contains("is negative"), "{}", reason(7));
    // Every problem of a line is reported, not only the first.
    assert!(
        reason(8).contains("currency \"R$\"") && reason(8).contains("account \"nobody\" is not in campaign"),
        "{}",
        reason(8)
    );
    assert!(
        reason(8).contains("@ana_influencer (X)"),
        "the message lists the members: {}",
        reason(8)
    );
    assert!(reason(10).contains("7 fields but the header has 6"), "{}", reason(10));
    assert_eq!(report.errors[0].to_string(), format!("line 3: {}", reason(3)));

    let costs = store.costs(id).await.expect("costs");
    assert_eq!(
        costs
            .iter()
            .map(|c| (c.spent_on.to_string(), c.amount, c.currency.as_str(), c.account_id))
            .collect::<Vec<_>>(),
        [
            ("2026-11-02".to_string(), 1500.0, "BRL", Some(x)),
            ("2026-11-03".to_string(), 300.0, "BRL", None),
            ("2026-11-05".to_string(), 1.5, "USD", Some(ig)),
        ]
    );
    assert!(costs.iter().all(|c| c.imported));

    // The same file again adds nothing; a corrected line 3 is the only new row.
    let again = store.import_costs_csv(id, csv.as_bytes()).await.expect("again");
    assert_eq!((again.imported, again.already_imported), (0, 3));
    let fixed = csv.replace("12.5x", "12.5");
    let fixed = store.import_costs_csv(id, fixed.as_bytes()).await.expect("fixed");
    assert_eq!((fixed.imported, fixed.already_imported), (1, 3));
    assert_eq!(store.costs(id).await.expect("costs").len(), 4);
}

async fn conversion_csv_reads_utm_sales_exports_with_semicolons_and_repeated_lines(engine: Engine) {
    let Some((store, _, x, id)) = setup(engine).await else {
        return;
    };
    store
        .set_campaign_account(id, x, CampaignRole::Influencer)
        .await
        .expect("x");
    // A pt-BR spreadsheet export: `;` delimiter, decimal commas, one sale per line (no
    // count column), two identical sales on the same day.
    let csv = "\u{feff}date;revenue;utm_source;utm_medium;utm_campaign;account;platform\n\
               2026-11-10;129,90;instagram;influencer;summer;ana_influencer;x\n\
               2026-11-10;129,90;instagram;influencer;summer;ana_influencer;x\n\
               2026-11-11T02:30:00-03:00;;newsletter;email;summer;;\n\
               2026-11-12;49,90;instagram;influencer;summer;ana_influencer;myspace\n";
    let report = store.import_conversions_csv(id, csv.as_bytes()).await.expect("import");
    assert_eq!((report.lines, report.imported), (4, 3), "{report:?}");
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, 5);
    assert!(
        report.errors[0].reason.contains("unknown platform"),
        "{:?}",
        report.errors
    );
    let rows = store.conversions(id).await.expect("conversions");
    assert_eq!(
        rows.iter()
            .map(|c| (
                c.converted_on.to_string(),
                c.count,
                c.revenue,
                c.account_id,
                c.utm_source.as_deref()
            ))
            .collect::<Vec<_>>(),
        [
            ("2026-11-10".to_string(), 1, Some(129.9), Some(x), Some("instagram")),
            ("2026-11-10".to_string(), 1, Some(129.9), Some(x), Some("instagram")),
            // 02:30 at UTC−3 is 05:30 UTC the same day; an empty revenue stays unknown.
            ("2026-11-11".to_string(), 1, None, None, Some("newsletter")),
        ]
    );
    assert!(rows.iter().all(|c| c.currency == "BRL" && c.imported));

    // A later export repeating both sales and adding a third identical one imports one row.
    let longer = format!("{csv}2026-11-10;129,90;instagram;influencer;summer;ana_influencer;x\n");
    let report = store
        .import_conversions_csv(id, longer.as_bytes())
        .await
        .expect("longer");
    assert_eq!((report.imported, report.already_imported), (1, 3));
}

async fn a_header_without_a_required_column_imports_nothing(engine: Engine) {
    let Some((store, _, _, id)) = setup(engine).await else {
        return;
    };
    let report = store
        .import_costs_csv(id, b"day,value\n2026-11-01,10\n")
        .await
        .expect("import");
    assert_eq!(report.imported, 0);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, 1);
    assert!(
        report.errors[0].reason.contains("required column \"date\" is missing")
            && report.errors[0]
                .reason
                .contains("required column \"amount\" is missing"),
        "{}",
        report.errors[0].reason
    );
    let latin1 = b"date,amount,note\n2026-11-01,10,caf\xe9\n";
    let report = store.import_costs_csv(id, latin1).await.expect("import");
    assert_eq!(report.imported, 0);
    assert!(report.errors[0].reason.contains("not UTF-8"), "{:?}", report.errors);
    assert!(store.costs(id).await.expect("costs").is_empty());
    assert!(matches!(
        store.import_costs_csv(id + 50, b"date,amount\n").await,
        Err(StoreError::NotFound { what: "campaign", .. })
    ));
}

async fn archiving_keeps_the_first_time_and_unarchiving_clears_it(engine: Engine) {
    let Some((store, _, _, id)) = setup(engine).await else {
        return;
    };
    assert_eq!(store.campaign(id).await.expect("campaign").archived_at, None);
    store
        .set_campaign_archived(id, Some(at(10, 0, 0)))
        .await
        .expect("archive");
    store
        .set_campaign_archived(id, Some(at(11, 0, 0)))
        .await
        .expect("archive again");
    assert_eq!(
        store.campaign(id).await.expect("campaign").archived_at,
        Some(at(10, 0, 0)),
        "archiving twice keeps the first time"
    );
    // Archived campaigns are still listed (the screen hides them) and keep their name.
    let listed = store.list_campaigns().await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].archived_at, Some(at(10, 0, 0)));
    store.set_campaign_archived(id, None).await.expect("unarchive");
    assert_eq!(store.campaign(id).await.expect("campaign").archived_at, None);
    assert!(matches!(
        store.set_campaign_archived(id + 50, None).await,
        Err(StoreError::NotFound { what: "campaign", .. })
    ));
}

both_engines!(
    archiving_keeps_the_first_time_and_unarchiving_clears_it,
    campaign_crud_validates_and_keeps_names_unique,
    a_post_can_be_in_several_campaigns_and_links_follow_deletes,
    accounts_join_with_a_role_and_costs_must_name_a_member,
    cost_csv_keeps_good_lines_and_reports_bad_ones_by_line,
    conversion_csv_reads_utm_sales_exports_with_semicolons_and_repeated_lines,
    a_header_without_a_required_column_imports_nothing,
);
