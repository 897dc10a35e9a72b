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
         served no data, which is not the same as 0.\n\n{}\n{}{}{}{}{}{}",
        alcance_core::catalog::markdown_table(),
        alcance_core::catalog::not_served_markdown(),
        YOUTUBE,
        REDDIT,
        LINKEDIN,
        HASHTAGS,
        COMPETITORS
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
- **Videos** (owned and tracked channels: the uploads playlist, then `videos.list` in batches
  of 50, lifetime snapshots): `video_views`, `likes`, `comments` (a count the owner hides is `null`),
  `video_duration` in seconds (from the ISO 8601 `contentDetails.duration`). A video
  `videos.list` no longer returns (deleted, private) is a `not_found` gap.
- **Daily series** (owned channels, YouTube Analytics `reports` with `dimensions=day`,
  period `day`; a day runs midnight to midnight Pacific Time, stored in UTC):
  `video_views` (`views`), `watch_time_seconds` (`estimatedMinutesWatched` × 60),
  `watch_time_avg_seconds` (`averageViewDuration`), `likes`, `comments`, `shares`,
  `followers_gained` (`subscribersGained`), `followers_lost` (`subscribersLost`). YouTube
  serves these 1–3 days late.
- **Quota**: every Data API call costs 1 unit of the project's 10,000 a day (reset at
  midnight Pacific Time); a channel costs about 2 + 1 per 50 new videos tracked (no Analytics),
  3 + 1 per 50 new videos owned.
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

/// The Competitors section of docs/metrics.md: competitor sets, their view and share of voice.
const COMPETITORS: &str = "
## Competitors

A workspace's **competitor sets** (issue 17 point 1; `alcance competitors`, `/api/v1/competitors`,
the Competitors screen; tables `competitor_sets`, `competitors`, `voice_*` in docs/schema.md):
accounts it follows — tracked public profiles (X `users/by/username`, Instagram business
discovery, Facebook Pages, YouTube channels, Bluesky, Reddit) or own connections — grouped
under a name.

- **Cadence**: each set has its own collection cadence (`hourly`, `daily`, `weekly` or a
  period, `daily` for a new set); setting it (`alcance competitors cadence 6h --set NAME`)
  writes it into every member's schedule, and an account added to a set takes it, so the
  scheduler collects competitors on their set's cadence and own accounts on theirs. (An own
  account's later `alcance cadence` still changes that one account.)
- **The view** (own accounts first, by id — every owned connection that is not disconnected
  and not itself in a set — then the competitors by set and id), over a window of UTC days,
  with the account comparison's definitions (the same code as the Compare screen:
  `alcance_app::views::compare`): followers at the end and at the start, growth (a count and
  percent of the start), interactions and views gained (counts), engagement rate
  (interactions ÷ views × 100, percent 0–100), posts published (a count) and posts per week
  (posts ÷ (window days ÷ 7)), best slot (weekday and hour in the chosen time zone, the
  best-time heatmap's rule), content mix (percent of the window's posts per type), followers
  per UTC day (the chart), and **mean engagement per post** = interactions gained ÷ posts
  published in the window (interactions per post; `null` without posts or interactions).
- **Share of voice** on a hashtag or keyword (`alcance competitors voice add TERM`): once per
  UTC day after a collection run, X `GET /2/tweets/counts/recent?query=<term>&granularity=day`
  (all public X posts matching the term) and `query=<term> from:<handle>` for each X account
  of the view (own X connections and X competitors), with the X App's app-only bearer token
  (`alcance hashtags bearer`; the same token, endpoint budget and rate-limit governor as the
  tracked hashtags' volume). Whole UTC days only. An account's share = Σ its posts ÷ Σ all
  posts over the same UTC days: a **ratio 0–1** (the screen shows it as a percent; CSV
  column `share_of_voice_ratio`). The view covers the last 7 UTC days (X's recent-count
  window; today's day is still growing); the weekly report's section covers the report's
  week. **Only X gives such counts**: Instagram (no count by query or author; Hashtag
  Search lists at most 50 top or recent media), Facebook, Bluesky, YouTube, TikTok, Reddit,
  LinkedIn and Threads have no public post count by query and author, so their share is
  **not available**: `null` in JSON, an empty CSV cell, \"—\" on screen and paper, never 0.
  An X account not collected yet is `null` too (\"not collected yet\"). A term is at most 400
  characters, one line, without its own `from:` (Alcance adds it).
- **Files**: CSV (the comparison's columns, then `role`, `set`, `mean_engagement_per_post`,
  `voice_term`, `voice_posts`, `voice_total_posts`, `share_of_voice_ratio`), JSON
  (`alcance_report::competitors::CompetitorReport`) and XLSX (sheets `Comparison`, `Daily
  followers`, `Competitors`); the followers chart as PNG.
- **Weekly report**: a \"Competitors\" section, last, when the workspace has competitors (HTML,
  PDF in English or Portuguese, XLSX sheet `Competitors`, JSON field `competitors`; absent
  otherwise).
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
