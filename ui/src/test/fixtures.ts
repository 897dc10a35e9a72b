// Backend answers for the UI tests, shaped like the generated bindings' types.
import type {
  AccountView,
  AppStatus,
  CampaignColumn,
  CampaignDetail,
  CampaignKpis,
  CampaignReport,
  CampaignRow,
  CampaignSummary,
  CampaignTrend,
  DashboardView,
  LiveRun,
  PlatformInfo,
  PostView,
  RunView,
  Settings,
  SyncStatus,
} from "../lib/bindings";

export const settings = (over: Partial<Settings> = {}): Settings => ({
  language: "en",
  theme: "light",
  autostart: false,
  sync_paused: false,
  last_workspace: null,
  local_api: false,
  team_server: null,
  time_zone: null,
  ...over,
});

export const status = (workspace: boolean, over: Partial<AppStatus> = {}): AppStatus => ({
  version: "0.1.0",
  data_dir: "/home/ana/.local/share/app.alcance.desktop",
  workspace: workspace ? { kind: "demo", dir: "/home/ana/.local/share/app.alcance.desktop/demo", vault: "encrypted-file", database: "plain" } : null,
  settings: settings(),
  sync: sync(),
  ...over,
});

export const sync = (over: Partial<SyncStatus> = {}): SyncStatus => ({
  paused: false,
  running: false,
  last_run: null,
  next_run_at: "2026-11-24T18:00:00Z",
  live: null,
  problems: [],
  ...over,
});

export const live = (over: Partial<LiveRun> = {}): LiveRun => ({
  run_id: 12,
  kind: "manual",
  accounts_total: 5,
  accounts_done: 2,
  accounts_failed: 1,
  metrics: 1234,
  current_account: "@alcance.br (Instagram)",
  paused: false,
  ...over,
});

export const run = (over: Partial<RunView> = {}): RunView => ({
  id: 11,
  kind: "scheduled",
  status: "ok",
  started_at: "2026-11-24T12:00:00Z",
  finished_at: "2026-11-24T12:00:09Z",
  duration_seconds: 9.2,
  accounts_total: 5,
  accounts_ok: 5,
  accounts_failed: 0,
  metrics_written: 2048,
  ...over,
});

export const account = (over: Partial<AccountView> = {}): AccountView => ({
  id: 3,
  platform: "instagram",
  external_id: "17841400000000003",
  username: "alcance.br",
  display_name: "Alcance Brasil",
  label: "@alcance.br (Instagram)",
  owned: true,
  status: "active",
  last_collected_at: "2026-11-24T12:00:05Z",
  followers: 48210,
  token: "ok",
  token_expires_at: null,
  connection: "oauth",
  cadence: "daily",
  cadence_seconds: 86_400,
  next_run_at: "2026-11-25T12:00:00Z",
  last_error: null,
  permissions: {
    state: "reported",
    granted: ["instagram_business_basic", "instagram_business_manage_insights"],
    declined: [],
    missing: [],
  },
  ...over,
});

const svg = (title: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="420"><text>${title}</text><polyline points="0,0 10,10"/></svg>`;

export const dashboard = (title = "Follower growth"): DashboardView => ({
  period: {
    since: "2026-10-25T00:00:00Z",
    until: "2026-11-24T00:00:00Z",
    previous_since: "2026-09-25T00:00:00Z",
    previous_until: "2026-10-25T00:00:00Z",
  },
  kpis: [
    { key: "followers", unit: "count", value: 205286, previous: 190000, change_percent: 8.045 },
    { key: "interactions", unit: "count", value: 51234, previous: 48000, change_percent: 6.7375 },
    { key: "views", unit: "count", value: 1_200_000, previous: null, change_percent: null },
    { key: "engagement_rate", unit: "percent", value: 4.27, previous: 4.5, change_percent: -5.1 },
    { key: "posts", unit: "count", value: 120, previous: 118, change_percent: 1.69 },
  ],
  follower_growth_svg: svg(title),
  engagement_trend_svg: svg("Engagement trend"),
  follower_points: 120,
  engagement_points: 118,
  best_time_svg: svg("Best time to post"),
  best_time_zone: "America/Sao_Paulo",
  best_time_slots: [
    { weekday: 1, hour: 18, mean: 6.25, posts: 9 },
    { weekday: 3, hour: 12, mean: 5.5, posts: 7 },
  ],
  best_time_posts: 96,
  top_posts: [
    {
      id: 7,
      account_id: 1,
      platform: "instagram",
      account_label: "@alcance.br (Instagram)",
      post_id: "179",
      content_type: "reel",
      published_at: "2026-11-20T15:00:00Z",
      permalink: "https://www.instagram.com/p/abc/",
      caption: "Bastidores do lançamento",
      views: 12000,
      likes: 800,
      comments: 40,
      shares: 30,
      saves: 20,
      interactions: 890,
      engagement_rate: 7.4,
      interactions_gained: 600,
    },
  ],
});

/** The `platforms` answer: the registry's platforms (crates/alcance-platforms/src/registry.rs). */
export const platforms = (): PlatformInfo[] => [
  {
    key: "x",
    label: "X",
    connect: "oauth_loopback",
    help: "Create a Project and an App, enable OAuth 2.0 as a public client (Native App), and register the redirect URI exactly, port included.",
    portal: "https://developer.x.com/en/portal/dashboard",
    scopes: ["tweet.read", "users.read", "offline.access"],
    redirect: "http://127.0.0.1:8719/callback",
    port: 8719,
    needs_secret: false,
    can_follow: true,
  },
  {
    key: "facebook",
    label: "Facebook",
    connect: "facebook_pages",
    help: "Create a Meta app with Facebook Login for Business, add the loopback redirect URI and copy the app ID and secret.",
    portal: "https://developers.facebook.com/apps/",
    scopes: ["pages_show_list", "pages_read_engagement", "read_insights"],
    redirect: "http://127.0.0.1:<port>/callback",
    port: null,
    needs_secret: true,
    can_follow: false,
  },
  {
    key: "instagram",
    label: "Instagram",
    connect: "oauth_loopback",
    help: "Create a Meta app with the Instagram API with Instagram Login for a Business or Creator account.",
    portal: "https://developers.facebook.com/apps/",
    scopes: ["instagram_business_basic", "instagram_business_manage_insights"],
    redirect: "http://127.0.0.1:<port>/callback",
    port: null,
    needs_secret: true,
    can_follow: true,
  },
  {
    key: "whatsapp",
    label: "WhatsApp",
    connect: "access_token",
    help: "In Meta Business Suite open Business settings → System users, add a system user and generate a token.",
    portal: "https://business.facebook.com/settings/system-users",
    scopes: ["whatsapp_business_management", "whatsapp_business_messaging"],
    redirect: "—",
    port: null,
    needs_secret: false,
    can_follow: false,
  },
  {
    key: "tiktok",
    label: "TikTok",
    connect: "oauth_loopback",
    help: "Register a Login Kit for Desktop app: loopback redirects only and PKCE is mandatory.",
    portal: "https://developers.tiktok.com/apps/",
    scopes: ["user.info.basic", "user.info.profile", "user.info.stats", "video.list"],
    redirect: "http://127.0.0.1:*/callback/",
    port: null,
    needs_secret: true,
    can_follow: false,
  },
  {
    key: "youtube",
    label: "YouTube",
    connect: "oauth_loopback",
    help: "In Google Cloud, enable the YouTube Data API v3 and the YouTube Analytics API and create an OAuth client of type Desktop app.",
    portal: "https://console.cloud.google.com/apis/credentials",
    scopes: [
      "https://www.googleapis.com/auth/youtube.readonly",
      "https://www.googleapis.com/auth/yt-analytics.readonly",
    ],
    redirect: "http://127.0.0.1:*/callback",
    port: null,
    needs_secret: true,
    can_follow: true,
  },
  {
    key: "bluesky",
    label: "Bluesky",
    connect: "app_password",
    help: "Type your handle and sign in with Bluesky in the browser (AT Protocol OAuth), or use an app password: Settings → Privacy and security → App passwords.",
    portal: "https://bsky.app/settings/app-passwords",
    scopes: ["atproto", "transition:generic", "or an app password (without direct-message access)"],
    redirect: "http://127.0.0.1:{free port}/callback",
    port: null,
    needs_secret: false,
    can_follow: true,
  },  {
    key: "reddit",
    label: "Reddit",
    connect: "oauth_loopback",
    help: "At reddit.com/prefs/apps create an app of type installed app with the redirect URI http://127.0.0.1:8725/callback and paste its client id here.",
    portal: "https://www.reddit.com/prefs/apps",
    scopes: ["identity", "read", "history"],
    redirect: "http://127.0.0.1:8725/callback",
    port: 8725,
    needs_secret: false,
    can_follow: true,
  },
  {
    key: "linkedin",
    label: "LinkedIn",
    connect: "oauth_loopback",
    help: "In the LinkedIn Developer Portal, create an app linked to your company page and add the Community Management API.",
    portal: "https://www.linkedin.com/developers/apps",
    scopes: ["openid", "profile", "r_organization_social", "rw_organization_admin"],
    redirect: "http://127.0.0.1:8726/callback",
    port: 8726,
    needs_secret: true,
    can_follow: false,
  },
  {
    key: "threads",
    label: "Threads",
    connect: "https_redirect",
    help: "Create a Meta app with the Threads use case; paste a long-lived token, or host the callback page and connect with the Threads app ID and secret.",
    portal: "https://developers.facebook.com/apps/",
    scopes: ["threads_basic", "threads_manage_insights"],
    redirect: "https://<your HTTPS callback page>/ (see docs/threads-callback/)",
    port: null,
    needs_secret: true,
    can_follow: false,
  },
];

export const campaignRow = (over: Partial<CampaignRow> = {}): CampaignRow => ({
  id: 1,
  name: "Black Friday",
  starts_on: "2026-11-20",
  ends_on: "2026-11-30",
  budget: 2000,
  currency: "BRL",
  goal: "conversions",
  notes: "Reels with two creators",
  created_at: "2026-11-01T12:00:00Z",
  archived_at: null,
  ...over,
});

/** Figures with nothing defined: no posts, no cost, no conversions. */
export const kpis = (over: Partial<CampaignKpis> = {}): CampaignKpis => ({
  posts: 0,
  reach: null,
  impressions: null,
  views: null,
  link_clicks: null,
  interactions: null,
  engagement_rate_by_reach: null,
  engagement_rate_by_impressions: null,
  ctr: null,
  cost: null,
  conversions: null,
  revenue: null,
  cpm: null,
  cpe: null,
  cost_per_conversion: null,
  roi: null,
  ...over,
});

export const campaignSummary = (over: Partial<CampaignSummary> = {}): CampaignSummary => ({
  campaign: campaignRow(),
  total: kpis({ posts: 6, reach: 120000, interactions: 5400, engagement_rate_by_reach: 4.5, cost: 1500, roi: 0.8 }),
  budget_used: 0.75,
  ...over,
});

export const campaignDetail = (over: Partial<CampaignDetail> = {}): CampaignDetail => ({
  campaign: campaignRow(),
  accounts: [
    {
      campaign_id: 1,
      account_id: 3,
      role: "influencer",
      platform: "instagram",
      external_id: "17841400000000003",
      username: "alcance.br",
      owned: true,
    },
  ],
  post_ids: [7, 8],
  costs: [],
  conversions: [],
  ...over,
});

const column = (label: string, k: CampaignKpis, role: string | null = null): CampaignColumn => ({
  label,
  account: role ? { platform: "instagram", user_id: label } : null,
  role,
  kpis: k,
});

/** A report with an influencer that has every figure and one without cost or conversions. */
export const campaignReport = (over: Partial<CampaignReport> = {}): CampaignReport => ({
  schema_version: 1,
  generated_at: "2026-12-01T12:00:00Z",
  campaign: {
    id: 1,
    name: "Black Friday",
    starts_on: "2026-11-20",
    ends_on: "2026-11-30",
    budget: 2000,
    currency: "BRL",
    goal: "conversions",
  },
  accounts: [
    column(
      "@ana (Instagram)",
      kpis({
        posts: 4,
        reach: 100000,
        impressions: 150000,
        interactions: 5000,
        engagement_rate_by_reach: 5,
        engagement_rate_by_impressions: 3.33,
        cost: 1500,
        conversions: 30,
        revenue: 2700,
        cpm: 10,
        cpe: 0.3,
        cost_per_conversion: 50,
        roi: 0.8,
      }),
      "influencer",
    ),
    column("@bia (TikTok)", kpis({ posts: 2, reach: 20000, interactions: 400, engagement_rate_by_reach: 2 }), "influencer"),
  ],
  unattributed: null,
  total: column(
    "Campaign total",
    kpis({
      posts: 6,
      reach: 120000,
      impressions: 150000,
      interactions: 5400,
      engagement_rate_by_reach: 4.5,
      engagement_rate_by_impressions: 3.6,
      cost: 1500,
      conversions: 30,
      revenue: 2700,
      cpm: 10,
      cpe: 0.28,
      cost_per_conversion: 50,
      roi: 0.8,
    }),
  ),
  budget_used: 0.75,
  posts: [],
  costs: [],
  conversions: [],
  warnings: [],
  sentiment: null,
  ...over,
});

/** A post as the posts table (and a campaign's posts) show it. */
export const postView = (over: Partial<PostView> = {}): PostView => ({
  ...dashboard().top_posts[0],
  ...over,
});

/** A campaign's trend: two days read. */
export const campaignTrend = (over: Partial<CampaignTrend> = {}): CampaignTrend => ({
  days: [
    { day: "2026-11-20", reach: 1000, interactions: 80 },
    { day: "2026-11-21", reach: 400, interactions: 30 },
  ],
  svg: svg("Reach and interactions per day"),
  points: 4,
  ...over,
});
