#![allow(clippy::unwrap_used, clippy::expect_used)]
//! docs/metrics.md is generated from the catalog; this test fails when it is stale.
//! Regenerate with `ALCANCE_BLESS=1 cargo test -p alcance-core --test integration metrics_doc`.

use std::path::PathBuf;

fn expected() -> String {
    format!(
        "# Metric catalog\n\n\
         Generated from `crates/alcance-core/src/catalog.rs` — do not edit by hand; run\n\
         `ALCANCE_BLESS=1 cargo test -p alcance-core --test integration metrics_doc` after changing the catalog.\n\n\
         Every export, chart and screen names metrics by these keys. Values are stored in the unit\n\
         given (counts, seconds, percent 0–100, ratio 0–1). A platform field that maps to no key is\n\
         recorded as a data gap, never stored under an invented name. `null` means the platform\n\
         served no data, which is not the same as 0.\n\n{}\n{}{}{}{}{}",
        alcance_core::catalog::markdown_table(),
        alcance_core::catalog::not_served_markdown(),
        YOUTUBE,
        REDDIT,
        LINKEDIN,
        HASHTAGS
    )
}

/// The YouTube section of docs/metrics.md: what each key means there, and what the API
/// offers that Alcance does not collect yet.
const YOUTUBE: &str = "
## YouTube

- **Channel snapshots** (`channels.list`, `statistics`; owned and tracked channels, period
  `snapshot`): `followers` = `subscriberCount` (YouTube rounds it to three significant figures;
  when the owner hides it, `hiddenSubscriberCount: true`, no value is stored and a
  `hidden_by_owner` gap is recorded, never 0), `total_video_views` = the channel's lifetime
  `viewCount`, `media_count` = `videoCount` (public videos).
- **Videos** (owned channels: the uploads playlist, then `videos.list` in batches of 50,
  lifetime snapshots): `video_views`, `likes`, `comments` (a count the owner hides is `null`),
  `video_duration` in seconds (from the ISO 8601 `contentDetails.duration`). A video
  `videos.list` no longer returns (deleted, private) is a `not_found` gap.
- **Daily series** (owned channels, YouTube Analytics `reports` with `dimensions=day`,
  period `day`; a day runs midnight to midnight Pacific Time, stored in UTC):
  `video_views` (`views`), `watch_time_seconds` (`estimatedMinutesWatched` × 60),
  `watch_time_avg_seconds` (`averageViewDuration`), `likes`, `comments`, `shares`,
  `followers_gained` (`subscribersGained`), `followers_lost` (`subscribersLost`). YouTube
  serves these 1–3 days late.
- **Quota**: every Data API call costs 1 unit of the project's 10,000 a day (reset at
  midnight Pacific Time); a channel costs 1 unit tracked, about 3 + 1 per 50 new videos owned.
- **Offered, not collected yet**: `engagedViews` (the pre-2025 definition of Shorts views;
  kept out until the catalog has a key that does not mix the two definitions),
  `averageViewPercentage`, `dislikes` (owner-only), `videosAddedToPlaylists`, card and
  end-screen metrics, traffic sources, demographics (`viewerPercentage` by `ageGroup`,
  `gender`, `country`: YouTube drops rows under its privacy thresholds, so small channels get
  none), per-video Analytics (`dimensions=video`) and revenue metrics (they need the
  `yt-analytics-monetary.readonly` scope and a monetised channel).
";

/// The Reddit section of docs/metrics.md: what each key means there, how a tracked
/// subreddit is stored, and what the API offers that Alcance does not collect yet.
const REDDIT: &str = "
## Reddit

- **User snapshots** (owned: `GET /api/v1/me`; tracked `u/name`: `GET /user/{name}/about`;
  period `snapshot`): `followers` = the profile's `subreddit.subscribers` (that these are the
  profile's followers is inferred, not documented), `karma_post` = `link_karma`,
  `karma_comment` = `comment_karma`, `karma_total` = `total_karma` (posts, comments and
  awards). A suspended user (`is_suspended: true`) stores nothing and records a `suspended`
  gap. Accounts are stored by fullname (`t2_<id>`) with the Reddit name as username.
- **Tracked subreddits** (`r/name`, `GET /r/{sub}/about`): stored as an account with external
  id `t5_<id>` and username `r/<name>`, without posts of its own (its posts are other
  users'): `followers` = `subscribers`, and `active_users` = `active_user_count` only while
  Reddit serves it (it was removed around September 2025; absent is not 0, so nothing is
  stored then).
- **Submissions** (`GET /user/{name}/submitted?sort=new&limit=100`, `after=t3_…` until the
  collection window or the listing ends, at most 10 pages; lifetime snapshots per post):
  `score` (net votes, fuzzed by Reddit, can be negative), `likes` = `ups` (upvotes),
  `upvote_ratio` (ratio 0–1), `comments` = `num_comments`, `reposts` = `num_crossposts`. A
  removed post (`removed_by_category`) is kept with a `removed` warning; an unknown
  `post_hint` keeps the post with an `unknown_value` warning.
- **Rate limit**: 100 requests a minute per OAuth client id, averaged over 10 minutes and
  shared by every user of the app (`x-ratelimit-used` / `-remaining` / `-reset`, the reset
  in seconds from now). A user costs 1 request + 1 per 100 submissions in the window; a
  subreddit 1.
- **Offered, not collected yet**: `awardee_karma` and `awarder_karma` (award karma, inside
  `total_karma` already; awards were retired in 2023), per-comment scores and the user's
  comment history (`/user/{name}/comments`: a comment is not a post in the catalog yet),
  `num_duplicates` and `total_awards_received`, the subreddit's post feed (`/r/{sub}/new`:
  other people's posts, which would need a \"community posts\" level the catalog lacks),
  `gilded`, and refreshed counts of older posts through `/api/info` (only the window's
  submissions are re-read). Not offered at all: views (`view_count` is always null),
  downvotes (`downs` is always 0), reach, time series and demographics.
";

/// The Hashtags section of docs/metrics.md (issue 17 point 2): own-post performance per
/// hashtag, X post volume and Instagram Hashtag Search, with their sources.
const HASHTAGS: &str = "
## Hashtags

- **Parsing** (`alcance_core::analytics::tags`, no API call): hashtags, mentions and links
  of every stored caption. A hashtag is `#` (or `＃`) not preceded by a letter, digit, `_`,
  `&` or `#`, then letters, digits, marks (accents, Indic vowel signs) and `_` of any
  script, with zero-width joiners inside a word; it ends at anything else, an emoji
  included (`#verão🔥` is `#verão`, `🔥#praia` is `#praia`, `#São_Paulo` is one tag); it
  needs a letter (`#2026` is none). Keys are NFC and lower-case (`#SãoPaulo` = `#sãopaulo`),
  each once per post. Mentions are `@` + ASCII letters, digits, `_`, `.` (not in an email
  address); links are `http(s)://` up to white space, trailing punctuation left out.
- **Own-post performance** (`/api/v1/hashtags`, `alcance hashtags list --own`, the Hashtags
  screen): per hashtag of the filtered posts, `posts` and `accounts` (counts), Σ `reach`,
  Σ `impressions`, Σ views (`views`, else `impressions`) and Σ interactions of the posts'
  latest lifetime metrics (counts; `null` when no post has them), the engagement rate
  (Σ interactions ÷ Σ views × 100 over posts with both, percent 0–100) and the weekly
  trend (posts and interactions per UTC week starting Monday). Collected data only.
- **X post volume** of tracked hashtags: `GET /2/tweets/counts/recent?query=%23tag&granularity=day`
  → `data[].start`, `data[].end`, `data[].tweet_count`, `meta.total_tweet_count`: public
  posts per UTC day over X's last 7 days (docs.x.com, \"Recent Post Counts\",
  https://docs.x.com/x-api/posts/counts/quickstart/recent-tweet-counts, and the counts
  integration guide, https://docs.x.com/x-api/posts/counts/integrate/overview). It needs
  the X App's **app-only Bearer Token** (a user-context token is refused): pasted once
  (`alcance hashtags bearer`, Settings), kept in the vault (`alcance/x-app/bearer`), never
  in the database. Whole UTC days are stored (`hashtag_volume`); today's grows until the
  next day's collection.
- **Instagram Hashtag Search** (Instagram API with Facebook Login, Instagram Public
  Content Access): `GET /ig_hashtag_search?user_id=&q=` → the hashtag's id (static and
  global: searched once, kept), then `GET /{ig-hashtag-id}/top_media` and `/recent_media`
  (`user_id=`, `fields=id,caption,media_type,comments_count,like_count,permalink,timestamp`;
  recent = the last 24 hours) on behalf of the workspace's first connected Instagram
  account (developers.facebook.com: \"Hashtag Search\",
  https://developers.facebook.com/documentation/instagram-platform/instagram-api-with-facebook-login/hashtag-search;
  \"IG Hashtag Search\",
  https://developers.facebook.com/documentation/instagram-platform/instagram-graph-api/reference/ig-hashtag-search;
  \"IG Hashtag\", https://developers.facebook.com/documentation/instagram-platform/instagram-graph-api/reference/ig-hashtag;
  \"IG Hashtag Recent Media\",
  https://developers.facebook.com/documentation/instagram-platform/instagram-graph-api/reference/ig-hashtag/recent-media).
  Stored per tag, media and edge (`hashtag_media`): likes and comments when last seen
  (counts), permalink, the caption's first 280 characters. Meta serves it only to Facebook
  Login tokens of approved apps; other refusals are recorded as run events.
- **The 30-hashtag budget**: an Instagram account may query 30 unique hashtags per rolling
  7 days; a hashtag queried again inside its 7 days neither counts again nor restarts them
  (the Hashtag Search page above). Alcance checks the budget before every query, from its
  record of the account's queries (`hashtag_searches`): the 31st is refused without a call,
  with the time the next slot frees up (its run event `hashtag_budget_spent`, and the
  budget on the Hashtags screen and in `alcance hashtags list`). Meta's own refusal (error
  code 24; the sandbox answers subcode 2207035) is reported the same way.
- **Cadence**: tracked hashtags are collected after a collection run, at most once per UTC
  day each (X's day buckets change once a day; Instagram queries are scarce). A failure
  (no bearer token, a refusal, the budget) is a run event, never a failed run or account.
";

/// The LinkedIn section of docs/metrics.md: what each key means there, and what the API
/// offers that Alcance does not collect yet.
const LINKEDIN: &str = "
## LinkedIn

- **Account = an organization page** the signed-in member administers (role ADMINISTRATOR,
  state APPROVED in `organizationAcls`; the first one is connected). Every read needs the
  Community Management API (LinkedIn's review); a 403 `ACCESS_DENIED` becomes a `permission`
  gap and the rest of the page is still collected.
- **Page snapshot** (period `snapshot`): `followers` = `networkSizes` `firstDegreeSize`
  (`edgeType=COMPANY_FOLLOWED_BY_MEMBER`).
- **Follower demographics** (lifetime `organizationalEntityFollowerStatistics`, stored as
  audience `followers`, timeframe `lifetime`): organic + paid followers by association
  type, seniority, industry, function, staff-count range, country and region (`geo`), keyed by
  LinkedIn's URN or enum value.
- **Daily series** (period `day`, UTC days from `timeRange`, epoch ms; LinkedIn keeps a rolling
  12 months, so a window starting earlier is cut to a year): `followers_gained` =
  `followerGains.organicFollowerGain + paidFollowerGain`; from the page's share statistics
  (organic activity on its posts): `impressions` (`impressionCount`), `reach`
  (`uniqueImpressionsCount`), `clicks` (`clickCount`), `likes` (`likeCount`), `comments`
  (`commentCount`), `shares` (`shareCount`, reposts) and `engagement_rate` (`engagement`,
  ratio 0–1: (clicks + likes + comments + shares + follows) / impressions).
- **Posts** (`/rest/posts?q=author`, published ones; drafts and posts being processed are
  left out): per post, lifetime organic share statistics (the same keys as the daily series)
  and, from `socialMetadata`, `reactions` (every reaction type summed) and `comments` where
  share statistics gave none. A post `socialMetadata` no longer returns (deleted) is a
  `not_found` gap.
- **Rate limits**: daily per app and per member, reset at midnight UTC, numbers unpublished,
  no headers: a 429 defers the page with the governor's default back-off.
- **Offered, not collected yet**: paid (sponsored) follower and share statistics apart from
  organic ones (`paidFollowerCount` is summed into demographics, `followerGains.paidFollowerGain`
  into `followers_gained`); reactions by type (`reactionSummaries` LIKE, PRAISE, EMPATHY,
  INTEREST, APPRECIATION, ENTERTAINMENT; only their sum is stored); `commentSummary.topLevelCount`;
  `shareMentionsCount` and `commentMentionsCount`; page views and visitors
  (`organizationPageStatistics`: views by page section and device, visitor demographics);
  follower demographics as time series; video analytics
  (`videoAnalytics`: views, watch time); the member's own posts (`memberCreatorPostAnalytics`,
  `r_member_postAnalytics`, since 2025-07); other organizations' follower counts (LinkedIn
  documents `networkSizes` for any page, but following pages one does not administer needs
  partner approval, so it is not offered).
";

#[test]
fn metrics_doc_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/metrics.md");
    let want = expected();
    if std::env::var_os("ALCANCE_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write docs/metrics.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/metrics.md is stale: run `ALCANCE_BLESS=1 cargo test -p alcance-core --test integration metrics_doc`"
    );
}
