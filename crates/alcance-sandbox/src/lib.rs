//! # alcance-sandbox
//!
//! A local HTTP server that is wire-compatible with the X API v2, the Instagram Graph API,
//! Facebook Pages (Graph API), the WhatsApp Business Management API and TikTok (Display API
//! v2 and API for Business), plus their OAuth endpoints, so Alcance's real clients,
//! collector and store can run with no credentials and no network: `alcance demo`, the
//! tests and the benchmarks.
//!
//! Two sources of answers ([`Mode`]):
//! - **Seeded**: a deterministic generator, a pure function of `(seed, account, time)`
//!   (model below).
//! - **Replay**: recorded exchanges in the format of `shared/fixtures/README.md`
//!   ([`replay`]); OAuth authorize / token requests that no recording matches are answered
//!   by the sandbox itself (auto-approve, synthetic tokens).
//!
//! Both modes honour the control endpoints and fault injection.
//!
//! ```no_run
//! # async fn demo() -> Result<(), alcance_sandbox::SandboxError> {
//! use alcance_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::seeded(42)).await?;
//! let base = sandbox.base_url(); // http://127.0.0.1:PORT/ → Endpoints::sandbox(&base)
//! # let _ = base;
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## Endpoints
//!
//! X (header `Authorization: Bearer <token>`; every answer carries `x-rate-limit-limit`,
//! `x-rate-limit-remaining`, `x-rate-limit-reset`):
//! `GET /2/users/me`, `GET /2/users/{id}`, `GET /2/users/by/username/{username}`
//! (`user.fields`), `GET /2/users/{id}/tweets` (`max_results` 5–100, default 10;
//! `start_time`, `end_time`, `since_id`, `until_id`, `pagination_token`, `tweet.fields`,
//! `expansions=attachments.media_keys,author_id`, `media.fields`), `GET /2/tweets?ids=`
//! (≤ 100). `non_public_metrics` / `organic_metrics` are served only for the token owner's
//! posts younger than 30 days; otherwise the post comes without them and a partial
//! `errors[]` item (`not-authorized-for-field`) is added, with HTTP 200. Unknown ids give
//! `resource-not-found` partial errors; bad parameters a 400 `invalid-request` problem;
//! unknown or revoked tokens a 401 problem.
//!
//! Rate limits per (token, endpoint) per 15-minute window of **real** time: `users/me` 75,
//! user lookup 300, `users/:id/tweets` 900, `tweets` lookup 900; past the limit a 429
//! problem+json (`remaining` 0). `DELETE /__alcance/limits` resets all windows.
//!
//! Instagram Graph (token as `access_token=` or bearer; paths with or without a leading
//! `/vNN.N`; answers carry `X-App-Usage` and `X-Business-Use-Case-Usage`, percent of a
//! 4800-calls/hour budget used in the current real hour, never enforced):
//! `GET /me`, `GET /{ig-user-id}` (`fields`, including `business_discovery.username(u){…}`
//! and `media{…}`), `GET /{ig-media-id}`, `GET /{ig-user-id}/media` (feed and reels, newest
//! first; `fields`, `limit` ≤ 100 default 25, `after`, `since`, `until`; `paging.next`
//! only when more), `GET /{ig-user-id}/stories` (stories published in the last 24 h),
//! `GET /{ig-user-id}/insights` and `GET /{ig-media-id}/insights`.
//! Account insights: `period=day` metrics `reach`, `follower_count` (time series or
//! `metric_type=total_value`), `views`, `accounts_engaged`, `total_interactions`,
//! `likes`, `comments`, `shares`, `saves`, `replies`, `profile_links_taps`, `reposts`,
//! `follows_and_unfollows` (total value only); `breakdown=media_product_type`
//! (`POST`, `CAROUSEL_CONTAINER`, `REEL`, `STORY`) and `follow_type` (`FOLLOWER`,
//! `NON_FOLLOWER`) where Meta offers them; `since`/`until` (Unix seconds) at most 30 days
//! apart; time-series buckets are **UTC days** with `end_time` the next UTC midnight
//! (`2026-11-21T00:00:00+0000` for 2026-11-20); the day in progress is partial up to the
//! sandbox clock. `follower_demographics` / `engaged_audience_demographics` with
//! `period=lifetime`, `timeframe=this_month|this_week`, `breakdown=age|gender|age,gender|
//! country|city` (Brazilian audience: `BR` first; São Paulo, Rio de Janeiro, Belo
//! Horizonte, …). Media insights metric lists per product type are [`graph::FEED_METRICS`],
//! [`graph::REELS_METRICS`], [`graph::STORY_METRICS`]; any of
//! [`graph::REMOVED_MEDIA_METRICS`] or `carousel_album_*` fails the whole call with 400
//! `(#100) The value must be a valid insights metric`; stories younger than 1 h answer
//! 400 `(#10) Not enough viewers for the media to show insights`; media of the owned
//! account published before 2024-01-08 (its business conversion) answer 400 code 100
//! subcode 2108006. Invalid tokens: 401 with Graph code 190.
//!
//! Facebook Pages ([`facebook`]; Graph paths as for Instagram, told apart by the token;
//! answers carry `X-App-Usage` and `X-Business-Use-Case-Usage` with `"type":"pages"`):
//! `GET /me` (user or Page), `GET /me/accounts` (user token: the managed Page with `tasks`
//! incl. `ANALYZE`, `category`, `instagram_business_account`, and a non-expiring **Page
//! token** in `access_token`), `GET /{page-id}` (`id,name,username,link,fan_count,
//! followers_count,talking_about_count,picture,category,about,website`), `GET
//! /{page-id}/posts` (also `/feed`, `/published_posts`; newest first, `limit` ≤ 100 default
//! 25, `after`, `since`, `until`; fields `id,message,created_time,updated_time,
//! permalink_url,status_type,full_picture,is_published,from,shares` (`{"count"}`, left out
//! when 0), `reactions.summary(total_count).limit(0)`,
//! `comments.summary(total_count).limit(0)`, `insights.metric(…)`), `GET /{page-id}/videos`
//! (`id,description,title,created_time,updated_time,length` (s, float), `permalink_url`,
//! `picture`), `GET /{post-id}`, `GET /{video-id}`, `GET /{page-id}/insights`
//! ([`facebook::PAGE_METRICS`], `period=day`, `since`/`until` ≤ 90 days apart; buckets are
//! **Pacific days** with `end_time` the next Pacific midnight: `2026-11-21T08:00:00+0000`
//! in winter, `T07:00` in summer), `GET /{post-id}/insights` ([`facebook::POST_METRICS`],
//! `period=lifetime`; `post_reactions_by_type_total` is an object `{"like","love","haha",
//! "wow","sorry","anger"}` without zero keys), `GET /{video-id}/video_insights`
//! ([`facebook::VIDEO_METRICS`]; times in **ms**). Any metric of
//! [`facebook::REMOVED_METRICS`] or not served fails the whole call with 400
//! `(#100) The value must be a valid insights metric`. Insights need the owning Page's
//! token: a user token gets `(#190) This method must be called with a Page Access Token`,
//! another Page's token `(#10)` (no ANALYZE task). Nodes, posts and videos of the tracked
//! Page are readable with any Facebook token.
//!
//! WhatsApp Business ([`whatsapp`]; a system-user token from `GET
//! /__alcance/whatsapp-token`; usage type `whatsapp_business_management`): `GET /{waba-id}`
//! (`id,name,currency,timezone_id,message_template_namespace,is_enabled_for_insights,…` and
//! the field expansions `analytics.start(<unix>).end(<unix>).granularity(DAY|MONTH)
//! [.phone_numbers([…])][.country_codes([…])][.product_types([0,2])]`,
//! `conversation_analytics.….granularity(DAILY|MONTHLY)[.dimensions([CONVERSATION_CATEGORY,
//! CONVERSATION_DIRECTION,CONVERSATION_TYPE,COUNTRY,PHONE])][.metric_types([COST,
//! CONVERSATION])]` with filters `conversation_categories`, `conversation_types`,
//! `conversation_directions`, `country_codes`, `phone_numbers`, and
//! `pricing_analytics.….granularity(DAILY|MONTHLY)[.dimensions([PRICING_CATEGORY,
//! PRICING_TYPE,COUNTRY,PHONE,TIER])][.metric_types([COST,VOLUME])]` with filters
//! `pricing_categories`, `pricing_types`, `country_codes`, `phone_numbers`; lists with or
//! without brackets and quotes; several expansions in one `fields`), `GET
//! /{waba-id}/phone_numbers`, `GET /{phone-number-id}`, `GET /{waba-id}/message_templates`,
//! `POST /{waba-id}?is_enabled_for_insights=true` (irreversible → `{"id"}`) and `GET
//! /{waba-id}/template_analytics?start&end&granularity=DAILY&template_ids=[…≤10]
//! [&metric_types=…]` (before the POST: 400 #100 naming the switch). Buckets are **UTC**
//! days / months; the current one is partial up to the clock. A `start` more than 365 days
//! (analytics, conversations, pricing) or 90 days (templates) before the clock's UTC day
//! began is 400 #100.
//! Cost is in USD; `POST /__alcance/whatsapp {"cost_visible":false}` puts the WABA on a
//! partner's credit line: cost left out, an explicit `COST` refused ("Cost not available").
//!
//! TikTok ([`tiktok`]): Display API v2 with `Authorization: Bearer`: `GET /v2/user/info/
//! ?fields=…`, `POST /v2/video/list/?fields=…` body `{"max_count":1–20,"cursor":<unix ms>}`
//! (newest first; `cursor` = the oldest returned video's `create_time` × 1000; `has_more`),
//! `POST /v2/video/query/` body `{"filters":{"video_ids":[…≤20]}}`; envelope
//! `{"data","error":{"code":"ok","message":"","log_id"}}`, errors `access_token_invalid`
//! 401, `invalid_params` 400, `rate_limit_exceeded` 429 (600 requests per sliding minute
//! per token and endpoint, real time), `internal_error` 500. API for Business with the same
//! token in `Access-Token`: `GET /open_api/v1.3/business/get/?business_id=<open_id>&
//! start_date&end_date&fields=[…]` (daily `metrics[]` per UTC date, ≤ 60 days, dates after
//! the clock left out; `audience_countries`, `audience_genders` as ratios 0–1;
//! `audience_activity` per UTC hour) and `GET /open_api/v1.3/business/video/list/?
//! business_id&fields=[…]&max_count&cursor[&filters]` (`reach`, `video_duration`,
//! `average_time_watched`, `total_time_watched` in s, `full_video_watched_rate` 0–1,
//! `create_time` a string); `{"code":0,"message":"OK","request_id","data"}`, errors with
//! HTTP 200 and code 40001 (token), 40002 (parameters), 40100 (rate limit). `POST
//! /open_api/v1.3/tt_user/oauth2/refresh_token/` renews a Business token (24 h; the refresh
//! token does not rotate, and a revoked or unknown one gets code 40105).
//!
//! OAuth: X `GET /i/oauth2/authorize` (PKCE required) and `POST /2/oauth2/token`
//! (`authorization_code`, `refresh_token` with rotation; refresh token only with
//! `offline.access`), `POST /2/oauth2/revoke`; Instagram Login `GET /oauth/authorize`,
//! `POST /oauth/access_token` (answers `user_id` as a string), `GET /access_token?
//! grant_type=ig_exchange_token`, `GET /refresh_access_token?grant_type=ig_refresh_token`;
//! Facebook Login `GET /vNN.N/dialog/oauth` (`response_type=code`, optional PKCE; or
//! `response_type=token` → the token in the redirect's fragment) and `GET
//! /vNN.N/oauth/access_token` (code exchange with `client_secret` or, after PKCE,
//! `code_verifier` → `expires_in` 5183944; `grant_type=fb_exchange_token` → 5184000);
//! TikTok `GET /v2/auth/authorize/` (`client_key`; PKCE required, base64url or hex S256;
//! loopback `redirect_uri` with a port) and `POST /v2/oauth/token/` (`authorization_code`
//! with `code_verifier`; `refresh_token` **rotates**: the old refresh token is refused with
//! `invalid_grant`; answers `open_id`, `expires_in` 7200, `refresh_expires_in` 15552000,
//! `token_type` `Bearer`), `POST /v2/oauth/revoke/`. See [`oauth`] for codes and token
//! rules.
//!
//! Google Sheets API v4 ([`sheets`], seeded mode; where scheduled reports are written):
//! `POST /sheets/v4/spreadsheets`, `GET /sheets/v4/spreadsheets/{id}`, `POST
//! /sheets/v4/spreadsheets/{id}:batchUpdate` (`addSheet`, `deleteSheet`), `PUT|GET
//! /sheets/v4/spreadsheets/{id}/values/{range}` and `POST …/values/{range}:clear`, with a
//! Google access token of the sandbox granted the `spreadsheets` (or `drive.file`) scope;
//! spreadsheets live in memory. Faults on `/sheets/v4/` answer in Google's envelope.
//!
//! Control (`/__alcance/`, never faulted): `GET sheets` → the spreadsheets written
//! (`{"spreadsheets":[{"spreadsheetId","title","sheets"}]}`); `POST google/revoke-all` →
//! every Google access and refresh token revoked (`{"revoked": n}`); `GET accounts` → `{"mode","accounts":[{"platform",
//! "external_id","username","owned"}]}`; `GET whatsapp-token` → `{"access_token",
//! "token_type","waba_id","phone_number_ids"}` (a fresh system-user token, as a user would
//! paste one); `GET|POST whatsapp` (`{"waba_id","insights_enabled","cost_visible"}`; POST
//! `{"cost_visible": bool}`); `GET|POST clock` (`{"now": RFC 3339 | null}` →
//! `{"mode":"seeded","now","fixed"}`; replay answers `{"mode":"replay"}`); `POST revoke`
//! `{"token"}` → `{"revoked": bool}`; `GET|POST|DELETE faults` ([`faults::Fault`], one or
//! an array; TikTok paths get TikTok's envelopes; DELETE also disarms chaos); `GET|POST|DELETE
//! faults/chaos` (POST [`faults::Chaos`] `{"seed","probability","kinds"?,"delay_ms"?,
//! "reset_s"?}` arms seeded random faults on that share of every platform request, OAuth
//! spared; every verb answers the [`faults::ChaosReport`] `{"chaos","requests","faults":
//! {kind: count}}`; DELETE disarms and keeps the counts); `DELETE limits` (windows also reset when
//! the clock moves ≥ 15 min forward); `GET health`; `GET img/{name}.svg` (placeholder pictures
//! used by `profile_image_url`); `GET img/{name}.png` (the posts' pictures: `media_url`,
//! `thumbnail_url`, `full_picture`, `cover_image_url`, `preview_image_url`; small PNGs, with
//! `expired-*` answering 403, `gone-*` 404 and `huge-*` a 3 MB PNG: [`picture`]).
//!
//! ## The seeded model
//!
//! Accounts ([`model::ACCOUNTS`]; the manifest lists them by platform in the order x,
//! facebook, instagram, whatsapp, tiktok): X `alcance_br` (id `1580000000000000001`, owned),
//! X `ana_influencer` (`1580000000000000002`, tracked), Facebook Page `alcancebr` "Alcance
//! Brasil" (`104000000000001`, owned), Facebook Page `anainfluencer` "Ana Influencer"
//! (`104000000000002`, tracked), Instagram `alcance.br` (`17841400000000001`, owned),
//! Instagram `ana.influencer` (`17841400000000002`, tracked), WhatsApp WABA "Alcance
//! Atendimento" (`105000000000001`, owned; phone number id `106000000000001`,
//! `+55 11 4000-0001`; the manifest's `username` is the WABA's name), TikTok `alcance.br`
//! (`open_id` `tt_alcance_br`, also its Business `business_id`; owned). OAuth logs in as the
//! owned account of each platform; Facebook Login logs in as the Page's admin
//! ([`model::FB_USER_ID`]).
//!
//! **Clock.** Everything is computed "as of" the sandbox clock (`POST /__alcance/clock`),
//! default the real time. Posts published after it do not exist yet.
//!
//! **Followers.** `F(t) = F₀ · s · exp(g · C(t) + ε(t))` where `t` runs from
//! 2024-01-01T00:00Z, `C(t)` counts days weighted by [`model::FOLLOWER_GROWTH_WEEKDAY`]
//! (UTC weekday, Mon–Sun `0.95, 1.20, 1.00, 1.20, 0.95, 0.80, 0.90`, interpolated within
//! the day), `ε` is a per-day noise in ±0.0006 linearly interpolated, `s` a per-seed scale
//! in 0.95–1.05. Owned accounts: `F₀` 900 (X) / 1000 (Instagram), `g = 0.0025`/day
//! (≈ 12–13.5 k followers in Nov 2026); influencers: `F₀` 10 700 / 11 000, `g = 0.0020`
//! (≈ 85 k). Facebook: owned Page `F₀` 1500, `g = 0.0022` (≈ 15 k), tracked Page 24 000,
//! `0.0018` (≈ 160 k); TikTok `F₀` 800, `g = 0.0035` (≈ 33 k). Followers never decrease. Instagram `follower_count` (day) is the day's net
//! gain `F(end) − F(start)`.
//!
//! **Posts.** Every UTC day from 2024-01-01 has posts, published at uniformly random
//! seconds of the day (all 24 hours occur): X 1–3 posts/day (45 % text, 35 % photo, 15 %
//! video, 5 % GIF); Instagram 0 (5 %), 1 (85 %) or 2 (10 %) feed/reels posts/day (40 %
//! IMAGE/FEED, 25 % CAROUSEL_ALBUM/FEED, 35 % VIDEO/REELS) plus, on half the days, 1–4
//! stories (IMAGE or VIDEO / STORY); Facebook Pages 0 (10 %), 1 (60 %), 2 (25 %) or 3 (5 %)
//! posts/day (15 % status, 40 % photo, 20 % link, 25 % video, which `/videos` also lists);
//! TikTok 0 (15 %), 1 (65 %) or 2 (20 %) videos/day, 9–60 s long. Each post draws a quality
//! `q` in 0.75–1.30. For benchmarks, [`SandboxState::set_post_volume`] (`alcance sandbox
//! --post-volume K`, 1–10) draws a day's X and Instagram slots `K` times: accounts with many
//! thousands of posts (X 10–30 a day at 10), served through the same paging.
//!
//! **Engagement multiplier** of a post published at local (America/Sao_Paulo, fixed
//! UTC−3) hour `h` and weekday `d`: `M = H[h] · W[d]` with
//! `H` = [`model::HOUR_MULTIPLIER`] =
//! `0.80 0.65 0.50 0.50 0.50 0.50 0.65 0.80 0.90 1.00 1.00 1.05 1.15 1.10 1.00 1.00 1.05
//! 1.15 1.30 1.80 1.80 1.40 1.10 0.95` for hours 0–23 (peak 19:00–20:59 local =
//! 22:00–23:59 UTC; lowest 02:00–05:59 local) and `W` = [`model::WEEKDAY_MULTIPLIER`] =
//! Mon 1.00, Tue 1.25, Wed 1.05, Thu 1.25, Fri 0.95, Sat 0.85, Sun 0.90. The best slot is
//! Tuesday or Thursday 19–21 h local (`M = 2.25`), the worst Saturday 02–06 h (`0.425`).
//!
//! **Lifetime values** (`F` = followers at publication, `√M` its square root):
//! - X: impressions `= F · 0.30 · √M · q · b` (`b`: text 1.0, photo 1.15, video 1.35,
//!   GIF 1.1); engagements `= impressions · e · √M` (`e` 0.025 owned, 0.03 influencer),
//!   split likes 62 %, reposts 12 %, replies 9 %, quotes 3 %, bookmarks 14 % (each
//!   × 0.85–1.15 jitter); URL link clicks `impressions · 0.004 · √M`, profile clicks
//!   `· 0.007 · √M`; video / GIF `view_count` `impressions · 0.5 / 0.6`.
//! - Instagram: reach `= F · r · √M · q` (`r`: IMAGE 0.22, CAROUSEL 0.26, REELS 0.45,
//!   STORY 0.10); views `= reach · v` (`v`: 1.3, 1.7, 1.9, 1.15; so reach < views and reels
//!   get the most views); interactions `= reach · e · k · √M` (`e` 0.07 owned, 0.08
//!   influencer; `k` 1.0 feed, 1.15 reels, 0.4 stories) split likes 74 %, comments 6 %,
//!   shares 8 %, saves 12 % (stories: replies 55 %, shares 45 %); follows
//!   `reach · 0.0025 · √M`; profile visits `reach · 0.025 · √M`; profile activity 35 % of
//!   profile visits; story navigation 95 % of views (tap forward 62 %, back 8 %, exit 20 %,
//!   swipe 10 %); reels average watch time 5–15 s (`ig_reels_avg_watch_time`, ms) and
//!   total watch time = average × views (ms).
//! - Facebook: viewers (`post_total_media_view_unique`) `= F · r · √M · q` (`r`: status
//!   0.08, photo 0.12, link 0.09, video 0.15); views (`post_media_view`) `= viewers · v`
//!   (`v`: 1.25, 1.4, 1.2, 1.6); with `I = viewers · e · √M` (`e` 0.045 owned, 0.06
//!   tracked): reactions `I · 0.78 · k` (`k`: 0.8, 1.0, 0.6, 1.1; split like 74 %, love
//!   15 %, haha 5 %, wow 3 %, sorry 2 %, anger 1 %), comments `I · 0.10`, shares `I · 0.12`
//!   (links 0.18); clicks `viewers · c · √M` (`c`: 0.01, 0.04, 0.06, 0.03); Page visits
//!   `viewers · 0.02 · √M`; videos: `total_video_views` 55 % of views, unique 72 % of those
//!   (≤ viewers), average watch 25–50 % of the length (ms), total = average × views.
//! - TikTok: views `= F · 0.9 · √M · q` (8 % of videos go viral, × 3–8); reach 78 % of
//!   views; likes `views · 0.06 · √M`, comments 3.5 % and shares 8 % of likes; profile
//!   views `views · 0.012 · √M`; average watch 35–60 % of the length (s),
//!   `full_video_watched_rate = (average / length)²`, total watch time = average × views.
//!
//! So interactions scale with `M` and impressions / views / reach with `√M`: both raw
//! engagement and engagement rate peak in the same slots.
//!
//! **Growth with age.** A metric at age `a` hours is `⌊final · (1 − e^(−a/18))⌋`
//! ([`model::SATURATION_HOURS`]): 43 % after 10 h, 74 % after a day, 98 % after 3 days.
//!
//! **Account insights** are the sum over posts of each metric's increase within the
//! interval (posts of the 8 previous days included), so they agree with the posts:
//! `views`, `likes`, `comments`, `shares`, `saves`, `replies` are plain sums;
//! `reach` is 82 % of the summed post reach (overlap); `total_interactions` = likes +
//! comments + shares + saves + replies; `accounts_engaged` 72 % of interactions;
//! `profile_links_taps` 15 % of profile visits; `reposts` 15 % of shares. Breakdowns
//! split each post's value by its product type and its follower share (feed 72 %,
//! carousel 68 %, reels 38 %, stories 92 % from followers).
//!
//! **Facebook Page insights** per Pacific day are, like Instagram's, sums of the posts'
//! increments within the bucket: `page_media_view` Σ views, `page_total_media_view_unique`
//! 82 % of Σ viewers, `page_post_engagements` Σ reactions + comments + shares + clicks,
//! `page_views_total` Σ Page visits + 0.15 % of followers per day; `page_follows` is the
//! follower count at the bucket's end, `page_daily_unfollows_unique` 22 % of the day's net
//! gain and `page_daily_follows_unique` net gain + unfollows (so `page_follows` grows by
//! follows − unfollows each day). `fan_count` is 93 % of `followers_count`;
//! `talking_about_count` half the last 7 days' post engagements.
//!
//! **TikTok Business daily metrics** per UTC date: `video_views`, `likes`, `comments`,
//! `shares`, `profile_views` are the day's increments over all videos; `followers_count`
//! at the day's end; `audience_activity` counts 12 % of followers at the peak hour, shaped
//! by [`model::HOUR_MULTIPLIER`] in São Paulo time (peak 22–23 h UTC). Audience: BR 86 %,
//! PT 4 %, US 3 %, AO 2 %, AR 2 %; Female 57 %, Male 41 %, Other 2 %.
//!
//! **WhatsApp** per UTC day `d` (days since 2024-01-01): messages sent `120 · e^(0.0012·d)
//! · w · (0.85–1.15)` (`w` Mon–Sun 1.10, 1.15, 1.10, 1.15, 1.05, 0.80, 0.65; ≈ 400/day in
//! Nov 2026), delivered 93–98.5 % of them; split marketing 30 %, utility 25 %,
//! authentication 4 %, service 41 % and by country BR 92 %, AR 3 %, PT 3 %, US 2 % (the
//! pricing rows sum to `sent`); pricing types: marketing 90 % `REGULAR` / 10 %
//! `FREE_ENTRY_POINT`, utility 70 % `REGULAR` / 30 % `FREE_CUSTOMER_SERVICE`, service all
//! `FREE_CUSTOMER_SERVICE`; 40 % of messages open a conversation (service ones
//! `USER_INITIATED` / `FREE_TIER`, paid ones `BUSINESS_INITIATED` / `REGULAR`). Paid
//! messages and conversations cost [`model::wa_rate`] USD each (marketing to Brazil
//! 0.0625, utility and authentication 0.0068). Three templates
//! ([`model::WA_TEMPLATES`]) send all marketing, utility and authentication messages;
//! reads 58 % / 82 % / 90 % of delivered, clicks 11 % (URL button) / 18 % (quick reply) of
//! reads.
//!
//! Randomness: ChaCha8 seeded from `(seed, account, UTC day, purpose)`; generated days
//! are cached, so answers never depend on request order.

mod bluesky;
mod bluesky_oauth;
mod comments;
pub mod facebook;
pub mod faults;
mod fixtures;
pub mod fuzzing;
pub mod graph;
pub mod hashtags;
pub mod limits;
pub mod linkedin;
mod meta;
pub mod model;
pub mod oauth;
pub mod picture;
pub mod reddit;
pub mod replay;
pub mod sheets;
pub mod threads;
pub mod tiktok;
pub mod whatsapp;
pub mod youtube;

mod control;
mod error;
mod registry;
mod reply;
mod server;
mod x_api;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

pub use error::SandboxError;
pub use faults::{Chaos, ChaosReport, Fault, FaultKind};
pub use replay::{ManifestAccount, ReplayEngine};
pub use server::{router, serve, Sandbox, SandboxState};

/// The seed `alcance demo` and `alcance sandbox` use unless told otherwise.
pub const DEFAULT_SEED: u64 = 2026;

/// Where the sandbox's answers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The deterministic generator for this seed.
    Seeded {
        /// Any value; the same seed and clock always give the same bodies.
        seed: u64,
    },
    /// Recorded exchanges loaded (recursively) from this directory.
    Replay {
        /// A directory of exchange files (`shared/fixtures` format).
        dir: PathBuf,
    },
}

/// How to run a sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxConfig {
    /// Seeded or replay.
    pub mode: Mode,
    /// Address to listen on; default `127.0.0.1:0` (a free port on loopback only).
    pub bind: SocketAddr,
}

impl SandboxConfig {
    /// Seeded mode on `127.0.0.1:0`.
    pub fn seeded(seed: u64) -> SandboxConfig {
        SandboxConfig {
            mode: Mode::Seeded { seed },
            bind: default_bind(),
        }
    }

    /// Replay mode of `dir` on `127.0.0.1:0`.
    pub fn replay(dir: impl Into<PathBuf>) -> SandboxConfig {
        SandboxConfig {
            mode: Mode::Replay { dir: dir.into() },
            bind: default_bind(),
        }
    }

    /// The same config listening on `127.0.0.1:port`.
    pub fn with_port(mut self, port: u16) -> SandboxConfig {
        self.bind = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        self
    }
}

impl Default for SandboxConfig {
    /// Seeded with [`DEFAULT_SEED`] on `127.0.0.1:0`.
    fn default() -> Self {
        SandboxConfig::seeded(DEFAULT_SEED)
    }
}

fn default_bind() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}
