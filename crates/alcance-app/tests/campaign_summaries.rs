//! The Campaigns screen's list: every campaign with the totals of its report. A campaign
//! without costs or conversions has no spend, CPM or ROI (`None`, shown "—", never 0); one
//! with a cost and a revenue has them, and its share of the budget spent.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::campaigns::campaign_summaries;
use alcance_app::reports::create_campaign;
use alcance_app::store::{Goal, NewCampaign};
use alcance_app::testing::{both_engines, open_workspace};
use alcance_app::WorkspaceOptions;
use alcance_platforms::vault::MemoryVault;
use alcance_platforms::Endpoints;
use alcance_store::campaigns::{NewConversion, NewCost};
use alcance_store::Engine;
use chrono::{NaiveDate, Utc};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn campaign(name: &str, budget: Option<f64>) -> NewCampaign {
    NewCampaign {
        name: name.into(),
        starts_on: day("2026-11-01"),
        ends_on: Some(day("2026-11-30")),
        budget,
        currency: "brl".into(),
        goal: Goal::Conversions,
        notes: None,
    }
}

async fn summaries_carry_report_totals(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let Some(ws) = open_workspace(
        engine,
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::real(),
            vault: Box::new(MemoryVault::new()),
        },
    )
    .await
    else {
        return;
    };
    assert!(campaign_summaries(&ws, Utc::now()).await.unwrap().is_empty());

    let empty = create_campaign(&ws, &campaign("Black Friday", Some(1000.0)))
        .await
        .unwrap();
    let paid = create_campaign(&ws, &campaign("Natal", Some(2000.0))).await.unwrap();
    ws.store()
        .add_cost(
            paid.id,
            &NewCost {
                spent_on: day("2026-11-05"),
                amount: 500.0,
                currency: "BRL".into(),
                note: None,
                account_id: None,
            },
        )
        .await
        .unwrap();
    ws.store()
        .add_conversion(
            paid.id,
            &NewConversion {
                converted_on: day("2026-11-06"),
                count: 4,
                revenue: Some(750.0),
                currency: "BRL".into(),
                source: None,
                utm_campaign: None,
                utm_source: None,
                utm_medium: None,
                account_id: None,
            },
        )
        .await
        .unwrap();

    let list = campaign_summaries(&ws, Utc::now()).await.unwrap();
    assert_eq!(list.len(), 2);
    let find = |id: i64| list.iter().find(|s| s.campaign.id == id).unwrap();

    let e = find(empty.id);
    assert_eq!(e.campaign.currency, "BRL");
    assert_eq!(e.total.posts, 0);
    assert_eq!((e.total.cost, e.total.roi, e.total.cpm), (None, None, None));
    assert_eq!(e.budget_used, None);

    let p = find(paid.id);
    assert_eq!(p.total.cost, Some(500.0));
    assert_eq!(p.total.conversions, Some(4.0));
    assert_eq!(p.total.cost_per_conversion, Some(125.0));
    assert_eq!(p.total.roi, Some(0.5));
    assert_eq!(p.budget_used, Some(0.25));
    ws.close().await;
}

both_engines!(summaries_carry_report_totals);
