//! Comments and mentions (issue 17 point 3), on both engines, against the seeded sandbox:
//! a collection reads the comments of Instagram, Facebook and X accounts after their
//! metrics (Instagram comments, replies and tags; Facebook comments and replies; X replies
//! and mentions), the per-post counts match the platforms' counters where the sandbox
//! serves every comment and show the difference where it hides some; a later collection
//! re-reads only the posts the incremental rule names; a comment read the platform refuses
//! is a gap on the run while the account's metrics are stored; a Meta webhook's comment
//! updates the polled row (no duplicate) and a new one is listed at once. Every comment
//! with text is scored when saved, by a collection or a webhook (issue 17 point 4); the
//! shares count the labels; a swapped model's rows are rescored.

use alcance_app::comments::{self, CommentFilter, CommentKind};
use alcance_app::demo::demo_app;
use alcance_app::testing::{both_engines, open_workspace};
use alcance_app::webhooks;
use alcance_app::{EventLevel, Platform, WorkspaceOptions};
use alcance_platforms::oauth::HeadlessBrowser;
use alcance_platforms::vault::MemoryVault;
use alcance_platforms::{CollectWindow, Endpoints};
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::Engine;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;

async fn set_clock(sandbox: &Sandbox, now: DateTime<Utc>) {
    let r = reqwest::Client::new()
        .post(sandbox.base_url().join("__alcance/clock").unwrap())
        .json(&json!({ "now": now.to_rfc3339() }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn a_collection_reads_comments_and_webhooks_update_them(engine: Engine) {
    let sandbox = Sandbox::start(SandboxConfig::seeded(41)).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).single().unwrap();
    set_clock(&sandbox, now).await;
    let dir = tempfile::tempdir().unwrap();
    let Some(ws) = open_workspace(
        engine,
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&sandbox.base_url()),
            vault: Box::new(MemoryVault::new()),
        },
    )
    .await
    else {
        return;
    };
    let w = ws.workspace();
    let timeout = std::time::Duration::from_secs(30);
    let browser = HeadlessBrowser::new();
    let x = w.connect(&demo_app(Platform::X), &browser, timeout).await.unwrap();
    let ig = w
        .connect(&demo_app(Platform::Instagram), &browser, timeout)
        .await
        .unwrap();
    let pages = w
        .connect_facebook(&demo_app(Platform::Facebook), &browser, timeout)
        .await
        .unwrap();
    let fb = pages[0].clone();
    let yt = w
        .connect(&demo_app(Platform::Youtube), &browser, timeout)
        .await
        .unwrap();
    let ids = [x.id, ig.id, fb.id, yt.id];
    let window = CollectWindow {
        since: now - Duration::days(20),
        until: now,
    };
    let run = w
        .collect(window, now, alcance_collector::RunKind::Manual, &ids, &|_| {})
        .await
        .unwrap();
    assert!(run.accounts.iter().all(|a| a.ok), "{:?}", run.accounts);

    let list = |f: CommentFilter| async move { comments::list(w, &f, None, 500).await.unwrap().items };
    let of = |platform: Platform| CommentFilter {
        platforms: vec![platform],
        ..CommentFilter::default()
    };
    // Every platform's comments landed, of the kinds it serves.
    let ig_rows = list(of(Platform::Instagram)).await;
    let kinds = |rows: &[alcance_app::comments::CommentRow]| {
        let mut k: Vec<CommentKind> = rows.iter().map(|r| r.kind).collect();
        k.sort();
        k.dedup();
        k
    };
    assert_eq!(
        kinds(&ig_rows),
        [CommentKind::Comment, CommentKind::Reply, CommentKind::Tag]
    );
    assert!(ig_rows
        .iter()
        .filter(|r| r.kind == CommentKind::Reply)
        .all(|r| r.parent_external_id.is_some() && r.post_id.is_some()));
    let fb_rows = list(of(Platform::Facebook)).await;
    assert_eq!(kinds(&fb_rows), [CommentKind::Comment, CommentKind::Reply]);
    // YouTube: each video's comment threads, the channel's replies under them, as many
    // as the video's comment counter.
    let yt_rows = list(of(Platform::Youtube)).await;
    assert_eq!(kinds(&yt_rows), [CommentKind::Comment, CommentKind::Reply]);
    assert!(yt_rows
        .iter()
        .filter(|r| r.kind == CommentKind::Reply)
        .all(|r| r.parent_external_id.is_some() && r.post_id.is_some()));
    let yt_counts = comments::post_counts(w, &[yt.id], None, 500).await.unwrap();
    assert!(!yt_counts.is_empty());
    for c in yt_counts.iter().filter(|c| c.platform_count.is_some_and(|n| n <= 40.0)) {
        assert_eq!(c.difference(), Some(0.0), "{c:?}");
    }
    let x_rows = list(of(Platform::X)).await;
    assert_eq!(kinds(&x_rows), [CommentKind::Comment, CommentKind::Mention]);
    assert!(x_rows
        .iter()
        .filter(|r| r.kind == CommentKind::Comment)
        .all(|r| r.post_id.is_some() && r.author_handle.is_some()));
    // Newest first.
    assert!(ig_rows.windows(2).all(|p| p[0].created_at >= p[1].created_at));

    // Per-post counts: equal to the platform's counter up to the 40 comments the sandbox
    // serves a post (Instagram counts replies, Facebook top-level comments), the rest shown
    // as a difference; X's replies are read through the mentions timeline (5 a post here).
    for (account, platform) in [(ig.id, Platform::Instagram), (fb.id, Platform::Facebook)] {
        let counts = comments::post_counts(w, &[account], None, 500).await.unwrap();
        assert!(!counts.is_empty(), "{platform}");
        let mut equal = 0;
        for c in &counts {
            let counter = c.platform_count.unwrap_or(0.0);
            if counter <= 40.0 && c.published_at.is_some_and(|t| t >= now - Duration::days(7)) {
                assert_eq!(c.difference(), Some(0.0), "{platform}: {c:?}");
                equal += 1;
            }
            if counter > 40.0 && c.published_at.is_some_and(|t| t >= now - Duration::days(7)) {
                assert_eq!(c.stored, 40, "{platform}: {c:?}");
                assert_eq!(c.difference(), Some(counter - 40.0), "{platform}: {c:?}");
            }
        }
        assert!(equal > 0, "{platform}: no post whose counts agree: {counts:?}");
    }
    let x_counts = comments::post_counts(w, &[x.id], None, 500).await.unwrap();
    assert!(x_counts
        .iter()
        .all(|c| c.stored <= 5 && c.platform_count.is_some_and(|n| n >= c.stored as f64)));
    assert!(x_counts.iter().any(|c| c.stored > 0));

    // The run says what was read, as info events.
    let events = w.store().run_events(run.run_id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.level == EventLevel::Info && e.code == "comments")
            .count(),
        4,
        "{events:?}"
    );

    // Search over text and handles, and a post filter.
    let search = |q: &str| CommentFilter {
        search: Some(q.into()),
        ..CommentFilter::default()
    };
    let found = list(search("obrigada")).await;
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|r| r.text.as_deref().unwrap_or("").to_lowercase().contains("obrigada")));
    let one_post = ig_rows.iter().find(|r| r.kind == CommentKind::Comment).unwrap();
    let on_post = list(CommentFilter {
        post_external_id: one_post.post_external_id.clone(),
        ..CommentFilter::default()
    })
    .await;
    assert!(on_post.iter().all(|r| r.post_external_id == one_post.post_external_id));

    // Paging: pages of 7 give the same rows in the same order.
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = comments::list(w, &of(Platform::Instagram), after, 7).await.unwrap();
        paged.extend(page.items.into_iter().map(|r| r.id));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(paged, ig_rows.iter().map(|r| r.id).collect::<Vec<_>>());
    assert!(comments::list(w, &CommentFilter::default(), None, 0).await.is_err());
    assert!(comments::list(w, &search("!!"), None, 10).await.is_err());

    // A Meta webhook for a polled comment (its text edited) updates that row; a new
    // comment is listed at once; an account not connected is left out.
    let before = ig_rows.len();
    let ig_user = ig.account.external_id.clone();
    let body = json!({
        "object": "instagram",
        "entry": [
            {"id": ig_user, "time": now.timestamp() + 60, "changes": [
                {"field": "comments", "value": {"id": one_post.external_id, "text": "Editado pelo autor",
                    "from": {"id": "9", "username": "quem"}, "media": {"id": one_post.post_external_id}}},
                {"field": "comments", "value": {"id": "17999000000000001", "text": "Chegou agora",
                    "from": {"id": "10", "username": "novo.fa"}, "media": {"id": one_post.post_external_id},
                    "parent_id": one_post.external_id}}
            ]},
            {"id": "17841499999999999", "time": now.timestamp(), "changes": [
                {"field": "comments", "value": {"id": "1", "text": "outra conta", "media": {"id": "2"}}}
            ]}
        ]
    });
    let delivery = webhooks::parse_meta(body.to_string().as_bytes()).unwrap();
    let arrived = now + Duration::minutes(1);
    webhooks::record(w, &delivery, arrived).await.unwrap();
    webhooks::record(w, &delivery, arrived).await.unwrap(); // Meta's retry
    let after_hook = list(of(Platform::Instagram)).await;
    assert_eq!(after_hook.len(), before + 1, "one new row, the polled one updated");
    let edited = after_hook.iter().find(|r| r.id == one_post.id).unwrap();
    assert_eq!(edited.text.as_deref(), Some("Editado pelo autor"));
    assert!(edited.edited);
    // The webhook's edit was scored again, from its new text.
    let model = alcance_core::sentiment::default_model();
    assert_eq!(
        edited.sentiment_label,
        Some(model.score("Editado pelo autor", None).label)
    );
    assert_eq!(edited.sentiment_model.as_deref(), Some("lexicon-v1"));
    assert_eq!(edited.created_at, one_post.created_at, "the poll's time is kept");
    assert_eq!(edited.like_count, one_post.like_count, "the poll's counts are kept");
    let new = after_hook
        .iter()
        .find(|r| r.external_id == "17999000000000001")
        .unwrap();
    assert_eq!(
        (new.kind, new.author_handle.as_deref(), new.created_at),
        (CommentKind::Reply, Some("novo.fa"), arrived)
    );
    assert!(list(search("outra")).await.is_empty());

    // The next collection, two hours later: the comment read the platform refuses for one
    // post is a gap, and every account's metrics are still stored.
    let later = now + Duration::hours(2);
    set_clock(&sandbox, later).await;
    let post = one_post.post_external_id.clone().unwrap();
    let r = reqwest::Client::new()
        .post(sandbox.base_url().join("__alcance/faults").unwrap())
        .json(&json!({ "path_prefix": format!("/{post}/comments"), "kind": "status_403", "times": 1 }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let run2 = w
        .collect(
            CollectWindow {
                since: later - Duration::days(20),
                until: later,
            },
            later,
            alcance_collector::RunKind::Manual,
            &ids,
            &|_| {},
        )
        .await
        .unwrap();
    assert!(run2.accounts.iter().all(|a| a.ok), "{:?}", run2.accounts);
    let events = w.store().run_events(run2.run_id).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.level == EventLevel::Gap && e.message.contains("comments") && e.message.contains(&post)),
        "{events:?}"
    );
    let again = list(of(Platform::Instagram)).await;
    assert!(again.len() >= after_hook.len());

    // Sentiment: every comment with text carries the default model's label of its text,
    // the shares count them, and complaints are negative.
    let mut items = Vec::new();
    let mut after = None;
    loop {
        let page = comments::list(w, &CommentFilter::default(), after, 500).await.unwrap();
        items.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut counted = [0u64; 3];
    for r in &items {
        match (&r.text, r.sentiment_label) {
            (Some(text), Some(label)) => {
                let expected = model.score(text, None);
                assert_eq!(label, expected.label, "{text}");
                assert!((r.sentiment_score.unwrap() - expected.compound).abs() < 1e-9);
                counted[label as usize] += 1;
            }
            (None, None) => {}
            other => panic!("text and label disagree: {other:?} in {r:?}"),
        }
    }
    let summary =
        alcance_app::sentiment::summary(w, &CommentFilter::default(), alcance_app::sentiment::DEFAULT_TIME_ZONE)
            .await
            .unwrap();
    assert_eq!(
        [
            summary.overall.positive,
            summary.overall.neutral,
            summary.overall.negative
        ],
        counted
    );
    assert!(counted[2] > 0 && counted[0] > 0, "{counted:?}");
    let worst = summary.most_liked_negative.unwrap();
    assert!(items
        .iter()
        .filter(|r| r.sentiment_label == Some(alcance_app::sentiment::SentimentLabel::Negative))
        .all(|r| r.like_count.unwrap_or(0) <= worst.like_count.unwrap_or(0)));
    // Per post: the posts' shares add up to the comments on stored posts.
    let on_posts: u64 = summary.by_post.iter().map(|p| p.share.total).sum();
    assert_eq!(
        on_posts,
        items
            .iter()
            .filter(|r| r.sentiment_label.is_some() && r.post_external_id.is_some())
            .count() as u64
    );

    // A swapped model: its rows are rescored by the backfill, once.
    struct Flat;
    impl alcance_core::sentiment::SentimentModel for Flat {
        fn id(&self) -> &'static str {
            "flat-test"
        }
        fn score(
            &self,
            _: &str,
            language: Option<alcance_core::sentiment::Language>,
        ) -> alcance_core::sentiment::Sentiment {
            alcance_core::sentiment::Sentiment::neutral(language)
        }
    }
    let total = summary.overall.total;
    assert_eq!(
        w.store().rescore_comments(&Flat, 50, false).await.unwrap().scored,
        total
    );
    let flat = alcance_app::sentiment::summary(w, &CommentFilter::default(), alcance_app::sentiment::DEFAULT_TIME_ZONE)
        .await
        .unwrap();
    assert_eq!(flat.overall.neutral, total);
    let back = alcance_app::sentiment::rescore(w, false).await.unwrap();
    assert_eq!(back.scored, total);
    assert_eq!(alcance_app::sentiment::rescore(w, false).await.unwrap().scored, 0);
    let restored =
        alcance_app::sentiment::summary(w, &CommentFilter::default(), alcance_app::sentiment::DEFAULT_TIME_ZONE)
            .await
            .unwrap();
    assert_eq!(restored.overall, summary.overall);
    ws.close().await;
}

both_engines!(a_collection_reads_comments_and_webhooks_update_them);
