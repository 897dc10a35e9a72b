//! Comments (schema version 16), on both engines: saved incrementally (a comment seen again
//! is one row with new counts; a changed text marks it edited; a webhook's comment without
//! counts keeps the poll's), marked deleted when a complete re-read of its post misses it
//! (kept, and undeleted when seen again), listed newest first in keyset pages with filters
//! and full-text search, per-post counts against the platform's counter, the posts due for
//! a re-read, and the account's export and deletion.

use crate::common::{at, day, post, store_with_account};
use alcance_core::{CollectionBatch, CommentKind, CommentRecord, Platform, PostMetric};
use alcance_store::comments::{CommentCursor, CommentFilter};
use alcance_store::{both_engines, Engine, StoreError};

fn comment(id: &str, post: &str, text: &str, likes: i64, h: u32) -> CommentRecord {
    CommentRecord {
        external_id: id.to_string(),
        post_external_id: Some(post.to_string()),
        parent_external_id: None,
        kind: CommentKind::Comment,
        author_id: Some(format!("u-{id}")),
        author_handle: Some(format!("fan_{id}")),
        created_at: Some(at(h, 0, 0)),
        text: Some(text.to_string()),
        like_count: Some(likes),
        reply_count: Some(0),
    }
}

fn posts_with_counters(counters: &[(&str, f64)], published_days_ago: i64) -> CollectionBatch {
    let mut b = CollectionBatch::default();
    for (id, n) in counters {
        b.posts.push(post(id, day(-published_days_ago, 8)));
        b.post_metrics.push(PostMetric {
            post_external_id: id.to_string(),
            metric: "comments".into(),
            value: Some(*n),
        });
    }
    b
}

async fn comments_are_upserted_edited_and_deleted(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    store
        .save_batch(run, account, at(9, 0, 0), &posts_with_counters(&[("p1", 3.0)], 1), &[])
        .await
        .unwrap();
    let mut reply = comment("c3", "p1", "Obrigada! Vou postar mais", 0, 6);
    reply.kind = CommentKind::Reply;
    reply.parent_external_id = Some("c1".into());
    let first = vec![
        comment("c1", "p1", "Great post, love the colours", 2, 4),
        comment("c2", "p1", "Onde comprar? Quero saber", 0, 5),
        reply,
    ];
    let saved = store
        .save_comments(account, at(10, 0, 0), &first, &["p1".to_string()])
        .await
        .unwrap();
    assert_eq!((saved.saved, saved.new, saved.edited, saved.deleted), (3, 3, 0, 0));

    // Read again later: c1 has more likes and a changed text, c2 is gone, c3 unchanged.
    let mut c1 = comment("c1", "p1", "Great post, love the colors!", 5, 4);
    c1.reply_count = Some(1);
    let second = vec![c1, first[2].clone()];
    let saved = store
        .save_comments(account, at(12, 0, 0), &second, &["p1".to_string()])
        .await
        .unwrap();
    assert_eq!((saved.saved, saved.new, saved.edited, saved.deleted), (2, 0, 1, 1));

    let all = store
        .comments(
            &CommentFilter {
                include_deleted: true,
                ..CommentFilter::default()
            },
            None,
            50,
        )
        .await
        .unwrap();
    assert_eq!(all.len(), 3, "deleted comments are kept: {all:?}");
    let by_id = |id: &str| all.iter().find(|c| c.external_id == id).unwrap().clone();
    let c1 = by_id("c1");
    assert_eq!(
        (c1.like_count, c1.reply_count, c1.edited, c1.deleted),
        (Some(5), Some(1), true, false)
    );
    assert_eq!(c1.text.as_deref(), Some("Great post, love the colors!"));
    assert_eq!((c1.first_seen_at, c1.last_seen_at), (at(10, 0, 0), at(12, 0, 0)));
    assert_eq!(c1.platform, Platform::Instagram);
    assert!(c1.post_id.is_some(), "joined to its stored post");
    assert_eq!(c1.post_permalink.as_deref(), Some("https://www.instagram.com/reel/p1/"));
    let c2 = by_id("c2");
    assert!(c2.deleted && !c2.edited);
    assert_eq!(
        c2.text.as_deref(),
        Some("Onde comprar? Quero saber"),
        "a deleted comment keeps its text"
    );
    let c3 = by_id("c3");
    assert_eq!(
        (c3.kind, c3.parent_external_id.as_deref()),
        (CommentKind::Reply, Some("c1"))
    );
    assert!(!c3.edited && !c3.deleted);

    // Without include_deleted, c2 is not listed.
    let live = store.comments(&CommentFilter::default(), None, 50).await.unwrap();
    assert_eq!(
        live.iter().map(|c| c.external_id.as_str()).collect::<Vec<_>>(),
        ["c3", "c1"],
        "newest first"
    );

    // A webhook's copy of c2 (no counts, no time) brings it back, keeping its time.
    let pushed = CommentRecord {
        like_count: None,
        reply_count: None,
        created_at: None,
        author_id: None,
        ..comment("c2", "p1", "Onde comprar? Quero saber", 0, 5)
    };
    let saved = store
        .save_comments(account, at(13, 0, 0), &[pushed], &[])
        .await
        .unwrap();
    assert_eq!((saved.new, saved.edited, saved.deleted), (0, 0, 0));
    let c2 = store
        .comments(
            &CommentFilter {
                search: Some("comprar".into()),
                ..CommentFilter::default()
            },
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(c2.len(), 1);
    assert!(!c2[0].deleted);
    assert_eq!((c2[0].created_at, c2[0].like_count), (at(5, 0, 0), Some(0)));
    assert_eq!(c2[0].author_id.as_deref(), Some("u-c2"), "kept when not served again");

    // An incomplete read (not in complete_posts) deletes nothing.
    let saved = store.save_comments(account, at(14, 0, 0), &[], &[]).await.unwrap();
    assert_eq!(saved, Default::default());

    assert!(matches!(
        store.save_comments(999_999, at(14, 0, 0), &first, &[]).await,
        Err(StoreError::NotFound { .. })
    ));
    store.close().await;
}

async fn comments_page_filter_and_search(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    store
        .save_batch(
            run,
            account,
            at(9, 0, 0),
            &posts_with_counters(&[("p1", 2.0), ("p2", 4.0)], 2),
            &[],
        )
        .await
        .unwrap();
    let mut mention = comment("m1", "other-media", "@alcance_demo olha isso", 0, 3);
    mention.kind = CommentKind::Mention;
    let comments = vec![
        comment("a", "p1", "Amazing sunset photo", 1, 1),
        comment("b", "p1", "Which camera did you use?", 0, 2),
        comment("c", "p2", "Sunsets are the best", 3, 4),
        comment("d", "p2", "Camera settings please", 0, 5),
        comment("e", "p2", "Comentário em português: ótimo", 0, 6),
        mention,
    ];
    store
        .save_comments(account, at(10, 0, 0), &comments, &[])
        .await
        .unwrap();

    // Keyset pages of 2, newest first, with nothing repeated or missed.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.comments(&CommentFilter::default(), after, 2).await.unwrap();
        if page.is_empty() {
            break;
        }
        let last = page.last().unwrap();
        after = Some(CommentCursor {
            created_at: last.created_at,
            id: last.id,
        });
        seen.extend(page.into_iter().map(|c| c.external_id));
    }
    assert_eq!(seen, ["e", "d", "c", "m1", "b", "a"]);

    let ids =
        |rows: Vec<alcance_store::comments::CommentRow>| rows.into_iter().map(|c| c.external_id).collect::<Vec<_>>();
    let filter = |f: CommentFilter| {
        let store = &store;
        async move { ids(store.comments(&f, None, 50).await.unwrap()) }
    };
    assert_eq!(
        filter(CommentFilter {
            post_external_id: Some("p1".into()),
            ..CommentFilter::default()
        })
        .await,
        ["b", "a"]
    );
    assert_eq!(
        filter(CommentFilter {
            kinds: vec![CommentKind::Mention],
            ..CommentFilter::default()
        })
        .await,
        ["m1"]
    );
    assert_eq!(
        filter(CommentFilter {
            since: Some(at(2, 0, 0)),
            until: Some(at(5, 0, 0)),
            ..CommentFilter::default()
        })
        .await,
        ["c", "m1", "b"]
    );
    assert_eq!(
        filter(CommentFilter {
            platforms: vec![Platform::X],
            ..CommentFilter::default()
        })
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        filter(CommentFilter {
            account_ids: vec![account],
            platforms: vec![Platform::Instagram],
            ..CommentFilter::default()
        })
        .await
        .len(),
        6
    );
    // Search: every word must begin a word of the text or the handle, any case.
    let search = |q: &str| CommentFilter {
        search: Some(q.into()),
        ..CommentFilter::default()
    };
    assert_eq!(filter(search("sunset")).await, ["c", "a"], "a prefix matches Sunsets");
    assert_eq!(filter(search("CAMERA")).await, ["d", "b"]);
    assert_eq!(filter(search("camera settings")).await, ["d"]);
    assert_eq!(
        filter(search("fan_m1")).await,
        ["m1"],
        "the author's handle is searched"
    );
    assert_eq!(filter(search("português")).await, ["e"]);
    assert_eq!(filter(search("\"); DROP TABLE comments; --")).await.len(), 0);
    assert!(matches!(
        store.comments(&search("?!"), None, 10).await,
        Err(StoreError::Invalid { what: "search", .. })
    ));
    // Search and keyset paging together.
    let page = store.comments(&search("camera"), None, 1).await.unwrap();
    let next = store
        .comments(
            &search("camera"),
            Some(CommentCursor {
                created_at: page[0].created_at,
                id: page[0].id,
            }),
            5,
        )
        .await
        .unwrap();
    assert_eq!(ids(next), ["b"]);

    // An edited text is searched by its new words only.
    let mut edited = comment("a", "p1", "Amazing dawn photo", 1, 1);
    edited.like_count = Some(2);
    store
        .save_comments(account, at(11, 0, 0), &[edited], &[])
        .await
        .unwrap();
    assert_eq!(filter(search("sunset")).await, ["c"]);
    assert_eq!(filter(search("dawn")).await, ["a"]);
    store.close().await;
}

async fn per_post_counts_and_posts_due(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    // p-new published yesterday, p-old and p-quiet 40 days ago.
    let mut batch = posts_with_counters(&[("p-new", 1.0)], 1);
    let old = posts_with_counters(&[("p-old", 2.0), ("p-quiet", 0.0)], 40);
    batch.posts.extend(old.posts);
    batch.post_metrics.extend(old.post_metrics);
    store.save_batch(run, account, at(9, 0, 0), &batch, &[]).await.unwrap();

    let recent = day(-7, 0);
    let due = store.comments_due(account, recent, 50).await.unwrap();
    let names: Vec<&str> = due.iter().map(|d| d.external_id.as_str()).collect();
    assert_eq!(names, ["p-new", "p-old"], "recent, or never read with comments");
    assert_eq!(due[1].counter, Some(2.0));

    store
        .save_comments(
            account,
            at(10, 0, 0),
            &[comment("x1", "p-old", "one", 0, 1), comment("x2", "p-old", "two", 0, 2)],
            &["p-old".to_string()],
        )
        .await
        .unwrap();
    let due = store.comments_due(account, recent, 50).await.unwrap();
    assert_eq!(
        due.iter().map(|d| d.external_id.as_str()).collect::<Vec<_>>(),
        ["p-new"],
        "p-old read at its counter"
    );

    // The next collection sees p-old's counter at 3: due again.
    let mut later = posts_with_counters(&[("p-old", 3.0)], 40);
    later.posts[0].published_at = Some(day(-40, 8));
    store.save_batch(run, account, day(1, 9), &later, &[]).await.unwrap();
    let due = store.comments_due(account, recent, 50).await.unwrap();
    assert_eq!(
        due.iter().map(|d| d.external_id.as_str()).collect::<Vec<_>>(),
        ["p-new", "p-old"]
    );
    assert_eq!(store.comments_due(account, recent, 1).await.unwrap().len(), 1, "limit");

    let counts = store.post_comment_counts(&[account], None, 50).await.unwrap();
    let names: Vec<(&str, i64, Option<f64>)> = counts
        .iter()
        .map(|c| (c.external_id.as_str(), c.stored, c.platform_count))
        .collect();
    assert_eq!(
        names,
        [("p-new", 0, Some(1.0)), ("p-old", 2, Some(3.0))],
        "p-quiet has neither"
    );
    assert_eq!(counts[1].difference(), Some(1.0));
    let one = store.post_comment_counts(&[], Some("p-old"), 50).await.unwrap();
    assert_eq!(one.len(), 1);

    // The account's export lists its comments, and deleting the account deletes them.
    let mut reader = store.account_table("comments", account).await.unwrap();
    assert!(reader.columns().iter().any(|c| c == "text"));
    assert!(!reader.columns().iter().any(|c| c == "text_search"));
    let page = reader.next_page(&store, 100).await.unwrap().unwrap();
    assert_eq!(page.len(), 2);
    let mut reads = store.account_table("comment_reads", account).await.unwrap();
    assert_eq!(reads.next_page(&store, 100).await.unwrap().unwrap().len(), 1);
    store.delete_account_data(account).await.unwrap();
    assert!(store
        .comments(
            &CommentFilter {
                include_deleted: true,
                ..CommentFilter::default()
            },
            None,
            10
        )
        .await
        .unwrap()
        .is_empty());
    if engine == Engine::Sqlite {
        // Nothing of the deleted text is left in the search index either.
        let pool = store.sqlite_pool().unwrap();
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'one OR two'")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(left, 0);
    }
    store.close().await;
}

/// Schema version 20: a comment with text is scored when saved (label, compound, model),
/// scored again when its text changes, left unscored without text; the sentiment and
/// campaign filters; the labels read for shares; the backfill rescoring rows another model
/// scored (idempotent).
async fn comments_are_scored_filtered_and_rescored(engine: Engine) {
    use alcance_core::sentiment::{default_model, Language, Sentiment, SentimentLabel, SentimentModel};
    use alcance_store::campaigns::{Goal, NewCampaign};
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    store
        .save_batch(
            run,
            account,
            at(9, 0, 0),
            &posts_with_counters(&[("p1", 3.0), ("p2", 1.0)], 1),
            &[],
        )
        .await
        .unwrap();
    let mut mention = comment("m1", "p9", "", 0, 7);
    mention.kind = CommentKind::Mention;
    mention.text = None;
    let batch = vec![
        comment("c1", "p1", "Amei demais, que lindo! 😍", 9, 4),
        comment("c2", "p1", "Péssimo atendimento, nunca mais compro", 3, 5),
        comment("c3", "p2", "Qual o horário da loja?", 0, 6),
        mention,
    ];
    store.save_comments(account, at(10, 0, 0), &batch, &[]).await.unwrap();
    let all = store.comments(&CommentFilter::default(), None, 50).await.unwrap();
    let by_id = |rows: &[alcance_store::comments::CommentRow], id: &str| {
        rows.iter().find(|c| c.external_id == id).cloned().unwrap()
    };
    let c1 = by_id(&all, "c1");
    let expected = default_model().score("Amei demais, que lindo! 😍", None);
    assert_eq!(c1.sentiment_label, Some(SentimentLabel::Positive));
    assert_eq!(c1.sentiment_label, Some(expected.label));
    assert!((c1.sentiment_score.unwrap() - expected.compound).abs() < 1e-9);
    assert!(c1.sentiment_score.unwrap() > 0.5, "{c1:?}");
    assert_eq!(c1.sentiment_model.as_deref(), Some("lexicon-v1"));
    assert_eq!(by_id(&all, "c2").sentiment_label, Some(SentimentLabel::Negative));
    assert!(by_id(&all, "c2").sentiment_score.unwrap() < -0.2);
    assert_eq!(by_id(&all, "c3").sentiment_label, Some(SentimentLabel::Neutral));
    let m1 = by_id(&all, "m1");
    assert_eq!(
        (m1.sentiment_label, m1.sentiment_score, m1.sentiment_model),
        (None, None, None)
    );

    // The filter by label.
    let negative = store
        .comments(
            &CommentFilter {
                sentiments: vec![SentimentLabel::Negative],
                ..CommentFilter::default()
            },
            None,
            50,
        )
        .await
        .unwrap();
    assert_eq!(
        negative.iter().map(|c| c.external_id.as_str()).collect::<Vec<_>>(),
        ["c2"]
    );

    // An edit re-scores: c2 becomes praise.
    let edited = comment("c2", "p1", "Atendimento ótimo, adorei, obrigado!", 4, 5);
    let saved = store
        .save_comments(account, at(11, 0, 0), &[edited], &[])
        .await
        .unwrap();
    assert_eq!(saved.edited, 1);
    let c2 = by_id(
        &store.comments(&CommentFilter::default(), None, 50).await.unwrap(),
        "c2",
    );
    assert_eq!(c2.sentiment_label, Some(SentimentLabel::Positive), "{c2:?}");
    assert!(c2.sentiment_score.unwrap() > 0.2);

    // Per campaign: only p2's comments.
    let campaign = store
        .create_campaign(&NewCampaign {
            name: "Loja".into(),
            starts_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            ends_on: None,
            budget: None,
            currency: "BRL".into(),
            goal: Goal::Awareness,
            notes: None,
        })
        .await
        .unwrap();
    let p2 = store.find_posts("p2", None).await.unwrap()[0].id;
    store.add_campaign_post(campaign, p2).await.unwrap();
    let points = store
        .comment_sentiments(&CommentFilter {
            campaign_id: Some(campaign),
            ..CommentFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(points.len(), 1);
    assert_eq!(
        (points[0].label, points[0].post_id),
        (SentimentLabel::Neutral, Some(p2))
    );
    // All scored rows, oldest first; the mention without text is left out.
    let points = store.comment_sentiments(&CommentFilter::default()).await.unwrap();
    assert_eq!(
        points
            .iter()
            .map(|p| (p.post_external_id.as_deref(), p.label))
            .collect::<Vec<_>>(),
        [
            (Some("p1"), SentimentLabel::Positive),
            (Some("p1"), SentimentLabel::Positive),
            (Some("p2"), SentimentLabel::Neutral)
        ]
    );

    // A swapped model rescores every row with text once; the default model then takes
    // them back; a second run of either scores nothing.
    struct AllNegative;
    impl SentimentModel for AllNegative {
        fn id(&self) -> &'static str {
            "all-negative-test"
        }
        fn score(&self, _text: &str, language: Option<Language>) -> Sentiment {
            Sentiment {
                label: SentimentLabel::Negative,
                compound: -0.5,
                language,
            }
        }
    }
    let done = store.rescore_comments(&AllNegative, 2, false).await.unwrap();
    assert_eq!((done.scored, done.cleared), (3, 0));
    assert_eq!(store.rescore_comments(&AllNegative, 2, false).await.unwrap().scored, 0);
    let rows = store.comments(&CommentFilter::default(), None, 50).await.unwrap();
    assert!(rows
        .iter()
        .filter(|r| r.text.is_some())
        .all(|r| r.sentiment_label == Some(SentimentLabel::Negative)
            && r.sentiment_model.as_deref() == Some("all-negative-test")));
    assert_eq!(by_id(&rows, "m1").sentiment_label, None);
    let back = store.rescore_comments(default_model(), 500, false).await.unwrap();
    assert_eq!(back.scored, 3);
    let rows = store.comments(&CommentFilter::default(), None, 50).await.unwrap();
    assert_eq!(by_id(&rows, "c1").sentiment_label, Some(SentimentLabel::Positive));
    assert_eq!(by_id(&rows, "c3").sentiment_label, Some(SentimentLabel::Neutral));
    assert_eq!(
        store.rescore_comments(default_model(), 500, false).await.unwrap(),
        Default::default()
    );
    // `all` scores every row with text again, the same way.
    assert_eq!(
        store.rescore_comments(default_model(), 1, true).await.unwrap().scored,
        3
    );
    let again = store.comments(&CommentFilter::default(), None, 50).await.unwrap();
    assert_eq!(by_id(&again, "c1").sentiment_score, by_id(&rows, "c1").sentiment_score);
    store.close().await;
}

both_engines!(
    comments_are_scored_filtered_and_rescored,
    comments_are_upserted_edited_and_deleted,
    comments_page_filter_and_search,
    per_post_counts_and_posts_due,
);
