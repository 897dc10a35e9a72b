//! A campaign's posts from the window: added in bulk from the Posts screen (several posts
//! into several campaigns), listed top first, picked by a rule (an influencer's posts in
//! a date range carrying a hashtag, mention or link), archived and restored, and costs
//! and conversions entered one by one.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::campaigns::{
    add_conversion, add_cost, add_posts_to_campaigns, archive_campaign, campaign_posts, preview_post_rule,
    remove_campaign_post, unarchive_campaign, PostRule,
};
use alcance_app::reports::create_campaign;
use alcance_app::store::{CampaignRole, Goal, NewCampaign};
use alcance_app::testing::{both_engines, open_workspace};
use alcance_app::{AccountId, AppError, CampaignId, ErrorCode, PostId, WorkspaceOptions};
use alcance_core::{AccountRef, CollectionBatch, ContentType, Platform, PostMetric, PostRecord};
use alcance_platforms::vault::MemoryVault;
use alcance_platforms::Endpoints;
use alcance_store::campaigns::{NewConversion, NewCost};
use alcance_store::Engine;
use chrono::{NaiveDate, TimeZone, Utc};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn campaign(name: &str) -> NewCampaign {
    NewCampaign {
        name: name.into(),
        starts_on: day("2026-11-01"),
        ends_on: Some(day("2026-11-30")),
        budget: None,
        currency: "BRL".into(),
        goal: Goal::Awareness,
        notes: None,
    }
}

fn post(id: &str, d: u32, caption: &str) -> PostRecord {
    PostRecord {
        external_id: id.into(),
        published_at: Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0).single(),
        content_type: ContentType::Image,
        permalink: Some(format!("https://www.instagram.com/p/{id}/")),
        caption: Some(caption.into()),
    }
}

fn likes(id: &str, v: f64) -> PostMetric {
    PostMetric {
        post_external_id: id.into(),
        metric: "likes".into(),
        value: Some(v),
    }
}

async fn posts_join_campaigns_in_bulk_and_by_rule(engine: Engine) {
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
    let store = ws.store();
    let ana = store
        .upsert_account(
            &AccountRef {
                platform: Platform::Instagram,
                external_id: "1784".into(),
                username: Some("ana".into()),
                owned: false,
            },
            None,
            None,
        )
        .await
        .unwrap();
    let run = store.start_run("manual", Utc::now()).await.unwrap();
    let batch = CollectionBatch {
        posts: vec![
            post("a", 5, "Look #VeraoAlcance"),
            post("b", 10, "With @marca_br, see loja.com/promo"),
            post("c", 28, "#veraoalcancechegou no match"),
            post("d", 2, "October? no: November 2 #veraoalcance"),
        ],
        post_metrics: vec![likes("a", 10.0), likes("b", 90.0)],
        ..Default::default()
    };
    store
        .save_batch(
            run,
            ana,
            Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap(),
            &batch,
            &[],
        )
        .await
        .unwrap();
    let id_of = |external: &str| {
        let store = ws.store();
        let external = external.to_string();
        async move { PostId::from(store.find_posts(&external, None).await.unwrap()[0].id) }
    };
    let (a, b, c, d) = (id_of("a").await, id_of("b").await, id_of("c").await, id_of("d").await);

    let summer = CampaignId::from(create_campaign(&ws, &campaign("Verão")).await.unwrap().id);
    let natal = CampaignId::from(create_campaign(&ws, &campaign("Natal")).await.unwrap().id);

    // Two posts into two campaigns; adding again adds nothing.
    assert_eq!(add_posts_to_campaigns(&ws, &[summer, natal], &[a, b]).await.unwrap(), 4);
    assert_eq!(add_posts_to_campaigns(&ws, &[summer], &[a, b]).await.unwrap(), 0);
    let top: Vec<PostId> = campaign_posts(&ws, summer)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(top, [b, a], "most interactions first");
    let empty = add_posts_to_campaigns(&ws, &[], &[a]).await.unwrap_err();
    assert_eq!(empty.code(), ErrorCode::InvalidInput);
    let unknown = add_posts_to_campaigns(&ws, &[CampaignId::from(999)], &[a])
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::NotFound);
    assert!(remove_campaign_post(&ws, natal, b).await.unwrap());
    assert_eq!(campaign_posts(&ws, natal).await.unwrap().len(), 1);

    // By rule: no influencer yet, then the influencer's posts carrying the tag in the dates.
    let rule = |term: &str| PostRule {
        account_ids: vec![],
        since: None,
        until: None,
        term: term.into(),
    };
    let none = preview_post_rule(&ws, natal, &rule("#veraoalcance")).await.unwrap_err();
    assert!(matches!(none, AppError::InvalidInput(_)), "{none:?}");
    alcance_app::campaigns::set_campaign_account(&ws, natal, AccountId::from(ana), CampaignRole::Influencer)
        .await
        .unwrap();
    let picked: Vec<PostId> = preview_post_rule(&ws, natal, &rule("#veraoalcance"))
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(picked, [a, d], "whole tags only, top first; c carries a longer tag");
    let in_range = PostRule {
        since: Some(day("2026-11-03")),
        until: Some(day("2026-11-09")),
        ..rule("#veraoalcance")
    };
    let picked: Vec<PostId> = preview_post_rule(&ws, natal, &in_range)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(picked, [a]);
    let by_link = preview_post_rule(&ws, natal, &rule("https://loja.com/promo"))
        .await
        .unwrap();
    assert_eq!(by_link.iter().map(|p| p.id).collect::<Vec<_>>(), [b]);
    let bad = preview_post_rule(&ws, natal, &rule("  ")).await.unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidInput);
    let backwards = PostRule {
        since: Some(day("2026-11-09")),
        until: Some(day("2026-11-03")),
        ..rule("#x")
    };
    assert_eq!(
        preview_post_rule(&ws, natal, &backwards).await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    // A preview adds nothing.
    assert_eq!(campaign_posts(&ws, natal).await.unwrap().len(), 1);
    let _ = c;

    // Archive and back.
    let archived = archive_campaign(&ws, summer, Utc::now()).await.unwrap();
    assert!(archived.archived_at.is_some());
    assert!(unarchive_campaign(&ws, summer).await.unwrap().archived_at.is_none());

    // One cost and one conversion line, returned as stored.
    let cost = add_cost(
        &ws,
        summer,
        &NewCost {
            spent_on: day("2026-11-06"),
            amount: 120.5,
            currency: "brl".into(),
            note: Some(" fee ".into()),
            account_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (cost.amount, cost.currency.as_str(), cost.note.as_deref(), cost.imported),
        (120.5, "BRL", Some("fee"), false)
    );
    let conversion = add_conversion(
        &ws,
        summer,
        &NewConversion {
            converted_on: day("2026-11-07"),
            count: 3,
            revenue: None,
            currency: "BRL".into(),
            source: None,
            utm_campaign: None,
            utm_source: None,
            utm_medium: None,
            account_id: Some(ana),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        conversion.code(),
        ErrorCode::InvalidInput,
        "ana is not in this campaign"
    );
    ws.close().await;
}

both_engines!(posts_join_campaigns_in_bulk_and_by_rule);
