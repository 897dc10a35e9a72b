// The browser transport: fetch against `alcance serve`'s /api/v1 with the session cookie
// (same origin, `credentials: "same-origin"`) and, on requests that change state, the
// session's CSRF token in `X-CSRF-Token`. RFC 9457 problem+json answers become `AppError`s.
import type {
  AccountView,
  AppStatus,
  CommentCursor,
  CommentPage,
  CommentRow,
  PostCommentCount,
  SentimentSummary,
  CampaignDetail,
  CompareRequest,
  CompareView,
  CampaignReport,
  CampaignRow,
  CampaignSummary,
  CampaignTrend,
  ConversionRow,
  CostRow,
  CsvPreview,
  DashboardView,
  ExportFormat,
  ExportFormatView,
  HashtagPerformance,
  ImportOutcome,
  ImportReport,
  ImportRow,
  LiveRun,
  PdfLanguage,
  PlatformInfo,
  PostView,
  ReportFormat,
  ReportRequest,
  RunEventView,
  RunView,
  ScheduleInput,
  ScheduleView,
  SendNowResult,
  Settings,
  SyncStatus,
  TrackedHashtag,
  TrackedHashtags,
  Cadence,
  Competitor,
  CompetitorList,
  CompetitorSet,
  CompetitorsRequest,
  CompetitorsView,
  VoiceTerm,
  ViewFilter,
} from "../bindings";
import { AppError, type AppErrorCode } from "../errors";
import { comparePath } from "../compare";
import { competitorsPath } from "../competitors";
import { commentQuery, sentimentQuery } from "../comments";
import type { Commands, Transport } from "../transport";
import { atLeast, type Role, type SessionView, type TokenView, type WebApi } from "./web";

/** The bytes of a base64 text (the commands carry files as base64 for the desktop's IPC). */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The header the server wants the CSRF token in. */
export const CSRF_HEADER = "X-CSRF-Token";
/** Where the browser keeps the UI settings (language, theme): per browser, not per user. */
export const SETTINGS_KEY = "alcance.settings";
/** How often the sync status is asked for while a run goes on, and otherwise (ms). */
export const POLL_RUNNING_MS = 1500;
export const POLL_IDLE_MS = 10_000;

/** The server's answer to `GET /api/v1/collection`. */
export type CollectionStatus = {
  collecting: boolean;
  paused: boolean;
  running: boolean;
  live: { run_id: number; status: string; accounts_done: number; accounts_total: number; metrics: number } | null;
  last_run: RunView | null;
  next_run_at: string | null;
  problems: string[];
};

type Problem = { type?: string; title?: string; status?: number; detail?: string };

/** The `AppError` code of a problem: by its `type` (`urn:alcance:problem:<kind>`), else by
 *  the HTTP status. */
export function problemCode(status: number, problem: Problem | null): AppErrorCode {
  const kind = problem?.type?.split(":").pop() ?? "";
  const byKind: Record<string, AppErrorCode> = {
    "invalid-parameter": "invalid_input",
    "payload-too-large": "invalid_input",
    "not-found": "not_found",
    unauthorized: "unauthorized",
    forbidden: "forbidden",
    "too-many-requests": "too_many_requests",
    busy: "busy",
    unavailable: "unavailable",
    timeout: "unavailable",
    "collection-off": "unavailable",
    "run-not-in-flight": "busy",
    "threads-needs-https": "invalid_input",
    internal: "internal",
  };
  if (byKind[kind]) return byKind[kind];
  if (status === 400 || status === 422) return "invalid_input";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "busy";
  if (status === 429) return "too_many_requests";
  if (status === 503) return "unavailable";
  return "internal";
}

/** The server's opaque cursor of each Inbox page end seen (by its last row). */
const commentCursors = new Map<string, string>();
const cursorKey = (c: CommentCursor) => `${c.created_at}|${c.id}`;

const desktopOnly = (what: string) => () =>
  Promise.reject(new AppError("desktop_only", `${what} is available in the desktop app`));

/** The inclusive UTC days of a `ViewFilter` (`[since, until)` datetimes) as query parameters. */
export function filterQuery(f: ViewFilter): URLSearchParams {
  const q = new URLSearchParams();
  if (f.account_ids.length === 1) q.set("account_id", String(f.account_ids[0]));
  if (f.platforms.length === 1) q.set("platform", f.platforms[0]);
  if (f.since) q.set("start_date", f.since.slice(0, 10));
  if (f.until) {
    const t = Date.parse(f.until);
    if (!Number.isNaN(t)) q.set("end_date", new Date(t - 1).toISOString().slice(0, 10));
  }
  return q;
}

function loadSettings(): Settings {
  const base: Settings = {
    language: "en",
    theme: "system",
    autostart: false,
    sync_paused: false,
    last_workspace: null,
    local_api: false,
    team_server: null,
  };
  try {
    const stored = JSON.parse(globalThis.localStorage?.getItem(SETTINGS_KEY) ?? "null");
    if (stored && (stored.language === "en" || stored.language === "pt-BR")) base.language = stored.language;
    if (stored && ["system", "light", "dark"].includes(stored.theme)) base.theme = stored.theme;
    if (!stored && typeof navigator !== "undefined" && navigator.language?.toLowerCase().startsWith("pt")) {
      base.language = "pt-BR";
    }
  } catch {
    // Unreadable storage: the defaults.
  }
  return base;
}

/** The collection status as the desktop's `SyncStatus`. */
export function toSyncStatus(c: CollectionStatus): SyncStatus {
  const live: LiveRun | null =
    c.running && c.live
      ? {
          run_id: c.live.run_id,
          kind: "manual",
          accounts_total: c.live.accounts_total,
          accounts_done: c.live.accounts_done,
          accounts_failed: 0,
          metrics: c.live.metrics,
          current_account: null,
          paused: c.live.status === "paused",
        }
      : null;
  return {
    paused: c.paused,
    running: c.running,
    last_run: c.last_run,
    next_run_at: c.next_run_at,
    live,
    problems: c.problems,
  };
}

const idleSync: SyncStatus = { paused: false, running: false, last_run: null, next_run_at: null, live: null, problems: [] };

/** The REST path of a report file: `/api/v1/reports/weekly?…` (analysts and above) or
 *  `/api/v1/campaigns/{id}/report?…` (clients: shared campaigns), `format`, `lang` and the
 *  window's `time_zone`. */
export function reportPath(request: ReportRequest, format: ReportFormat, lang: PdfLanguage): string {
  const q = new URLSearchParams({ format, lang });
  if (request.kind !== "campaign" && request.week_of) q.set("week_of", request.week_of);
  if (request.time_zone) q.set("time_zone", request.time_zone);
  if (request.kind === "campaign") return `/api/v1/campaigns/${request.campaign_id}/report?${q}`;
  return `/api/v1/reports/weekly?${q}`;
}

/** The file name the server gives a report download (`weekly-….pdf`, `campaign-3.pdf`), for
 *  when its answer names none. */
export function reportFileName(request: ReportRequest, format: ReportFormat): string {
  return request.kind === "campaign" ? `campaign-${request.campaign_id}.${format}` : `weekly.${format}`;
}

/** The HTTP transport against the server at `base` (`""`: this page's origin), with
 *  `fetchFn` (the browser's `fetch` by default; tests pass a mock). */
/** How the team transport of the desktop app differs from a browser's: downloads are
 *  written by the desktop (`path`: the API path; `fallback`: a file name) and their
 *  saved path returned. */
export type HttpOptions = { download?: (path: string, fallback: string) => Promise<string> };

export function httpTransport(
  fetchFn: typeof fetch = (...a) => globalThis.fetch(...a),
  base = "",
  options: HttpOptions = {},
): Transport & {
  web: WebApi;
  collection(): Promise<CollectionStatus>;
} {
  let csrf: string | null = null;
  let role: Role | null = null;
  // The pollers of `onSyncChanged`, woken after a command that starts or stops a run.
  const wakers = new Set<() => void>();
  const ended = new Set<() => void>();
  const wake = () => wakers.forEach((w) => w());

  /** `body` goes as JSON, or as it is with another `contentType` (a CSV file's text); the
   *  answer is read as JSON, or as text with `asText` (an HTML report). */
  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
    asText = false,
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: asText ? "text/html, application/problem+json" : "application/json" };
    if (body !== undefined) headers["Content-Type"] = contentType;
    if (method !== "GET" && method !== "HEAD" && csrf) headers[CSRF_HEADER] = csrf;
    let res: Response;
    try {
      res = await fetchFn(`${base}${path}`, {
        method,
        headers,
        credentials: "same-origin",
        body:
          body === undefined
            ? undefined
            : contentType === "application/json"
              ? JSON.stringify(body)
              : body instanceof Uint8Array
                ? (body as BodyInit)
                : String(body),
      });
    } catch (e) {
      throw new AppError("unavailable", `the server cannot be reached: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!res.ok) {
      let problem: Problem | null = null;
      try {
        problem = (await res.json()) as Problem;
      } catch {
        problem = null;
      }
      const code = problemCode(res.status, problem);
      if (code === "unauthorized") {
        const wasSignedIn = role !== null;
        csrf = null;
        role = null;
        if (wasSignedIn) ended.forEach((l) => l());
      }
      throw new AppError(code, problem?.detail ?? `${method} ${path}: HTTP ${res.status}`);
    }
    if (res.status === 204) return null as T;
    return (asText ? await res.text() : await res.json()) as T;
  }

  /** Every item of a paged list. */
  async function all<T>(path: string, max = 100_000): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const page: { items: T[]; next_cursor: string | null } = await request(
        "GET",
        `${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && items.length < max);
    return items;
  }

  function adopt(s: SessionView): SessionView {
    csrf = s.csrf_token;
    role = s.role;
    return s;
  }

  async function collection(): Promise<CollectionStatus> {
    return request<CollectionStatus>("GET", "/api/v1/collection");
  }

  async function syncStatus(): Promise<SyncStatus> {
    if (!atLeast(role, "analyst")) return idleSync;
    return toSyncStatus(await collection());
  }

  const commands: Commands = {
    async appStatus(): Promise<AppStatus> {
      if (role === null) adopt(await request<SessionView>("GET", "/api/v1/session"));
      let sync = idleSync;
      let collecting = false;
      if (atLeast(role, "analyst")) {
        const c = await collection();
        collecting = c.collecting;
        sync = toSyncStatus(c);
      }
      // The server's folders are not the browser's business: no paths. `vault` says whether
      // the server collects ("server") or only reads ("server-read-only"); the sync
      // controls follow it (sync.ts `canControl`).
      return {
        version: "",
        data_dir: "",
        workspace: { kind: "own", dir: "", vault: collecting ? "server" : "server-read-only", database: "server" },
        settings: loadSettings(),
        sync,
      };
    },
    async saveSettings(settings: Settings): Promise<Settings> {
      const kept: Settings = { ...loadSettings(), language: settings.language, theme: settings.theme };
      try {
        globalThis.localStorage?.setItem(SETTINGS_KEY, JSON.stringify({ language: kept.language, theme: kept.theme }));
      } catch {
        // Private mode: applied, not kept.
      }
      return kept;
    },
    // The server is itself the API: the desktop's local API has no meaning here.
    localApiStatus: desktopOnly("The local API for Excel / Power BI"),
    setLocalApi: desktopOnly("The local API for Excel / Power BI"),
    newLocalApiToken: desktopOnly("The local API for Excel / Power BI"),
    // The desktop's team-server client: the Settings card calls it over IPC directly.
    teamServer: desktopOnly("Connecting to a team server"),
    connectTeamServer: desktopOnly("Connecting to a team server"),
    leaveTeamServer: desktopOnly("Connecting to a team server"),
    teamRequest: desktopOnly("Connecting to a team server"),
    teamDownload: desktopOnly("Connecting to a team server"),
    openDemo: desktopOnly("Opening the demo workspace"),
    openWorkspace: desktopOnly("Opening a workspace"),
    dashboard(filter, labels): Promise<DashboardView> {
      const q = filterQuery(filter);
      if (filter.time_zone) q.set("time_zone", filter.time_zone);
      q.set("labels", JSON.stringify(labels));
      return request("GET", `/api/v1/dashboard?${q}`);
    },
    async listPosts(filter): Promise<PostView[]> {
      const posts = await all<Omit<PostView, "interactions_gained">>(`/api/v1/posts?${filterQuery(filter)}`);
      return posts.map((p) => ({ ...p, interactions_gained: null }));
    },
    async listRuns(limit): Promise<RunView[]> {
      const page: { items: RunView[] } = await request("GET", `/api/v1/runs?limit=${Math.min(Math.max(limit, 1), 1000)}`);
      return page.items;
    },
    listRunEvents(runId): Promise<RunEventView[]> {
      return all(`/api/v1/runs/${runId}/events`);
    },
    listAccounts(): Promise<AccountView[]> {
      return all(`/api/v1/accounts`);
    },
    exportData: desktopOnly("Writing exports to a folder"),
    exportFormats(): Promise<ExportFormatView[]> {
      return request("GET", "/api/v1/exports");
    },
    showInFolder: desktopOnly("Opening folders"),
    async openLink(url): Promise<null> {
      if (/^https:\/\//i.test(url)) globalThis.open?.(url, "_blank", "noopener,noreferrer");
      return null;
    },
    async syncNow(): Promise<SyncStatus> {
      await request("POST", "/api/v1/sync", {});
      wake();
      return syncStatus();
    },
    async setSyncPaused(paused): Promise<SyncStatus> {
      await request("POST", `/api/v1/collection/${paused ? "pause" : "resume"}`);
      wake();
      return syncStatus();
    },
    async cancelRun(): Promise<SyncStatus> {
      const c = await collection();
      const run = c.live?.run_id;
      if (run !== undefined) await request("POST", `/api/v1/runs/${run}/cancel`);
      wake();
      return syncStatus();
    },
    setCadence(accountId, cadence, everyHours): Promise<AccountView> {
      return request("PUT", `/api/v1/accounts/${accountId}/cadence`, { cadence, every_hours: everyHours });
    },
    disconnectAccount(accountId): Promise<AccountView> {
      return request("POST", `/api/v1/accounts/${accountId}/disconnect`);
    },
    async deleteAccount(accountId): Promise<null> {
      await request("DELETE", `/api/v1/accounts/${accountId}`);
      return null;
    },
    connectWhatsapp: desktopOnly("Connecting an account"),
    connectBluesky: desktopOnly("Connecting an account"),
    connectBlueskyOauth: desktopOnly("Connecting an account"),
    connectAccount: desktopOnly("Connecting an account"),
    connectThreadsToken: desktopOnly("Connecting an account"),
    connectThreads: desktopOnly("Connecting an account"),
    trackProfile: desktopOnly("Following a public profile"),
    privacyStatus: desktopOnly("Privacy settings"),
    grantAudienceConsent: desktopOnly("Privacy settings"),
    withdrawAudienceConsent: desktopOnly("Privacy settings"),
    setRawRetention: desktopOnly("Privacy settings"),
    exportAccount: desktopOnly("Exporting an account's data"),
    platforms(): Promise<PlatformInfo[]> {
      return request("GET", "/api/v1/platforms");
    },
    // Campaigns: the server lists rows only, so the list's totals come from each
    // campaign's report (one request per campaign; a client sees the shared ones).
    async listCampaigns(): Promise<CampaignSummary[]> {
      const rows = await all<CampaignRow>("/api/v1/campaigns");
      return Promise.all(
        rows.map(async (campaign) => {
          const report = await request<CampaignReport>("GET", `/api/v1/campaigns/${campaign.id}/report`);
          return { campaign, total: report.total.kpis, budget_used: report.budget_used };
        }),
      );
    },
    getCampaign(campaignId): Promise<CampaignDetail> {
      return request("GET", `/api/v1/campaigns/${campaignId}`);
    },
    createCampaign(campaign): Promise<CampaignRow> {
      return request("POST", "/api/v1/campaigns", campaign);
    },
    updateCampaign(campaignId, campaign): Promise<CampaignRow> {
      return request("PUT", `/api/v1/campaigns/${campaignId}`, campaign);
    },
    async deleteCampaign(campaignId): Promise<null> {
      await request("DELETE", `/api/v1/campaigns/${campaignId}`);
      return null;
    },
    async setCampaignAccount(campaignId, accountId, role): Promise<null> {
      await request("PUT", `/api/v1/campaigns/${campaignId}/accounts/${accountId}`, { role });
      return null;
    },
    // As on the desktop, taking out an account that is not in the campaign is no error.
    async removeCampaignAccount(campaignId, accountId): Promise<null> {
      try {
        await request("DELETE", `/api/v1/campaigns/${campaignId}/accounts/${accountId}`);
      } catch (e) {
        if (!(e instanceof AppError && e.code === "not_found")) throw e;
      }
      return null;
    },
    campaignReport(campaignId): Promise<CampaignReport> {
      return request("GET", `/api/v1/campaigns/${campaignId}/report`);
    },
    archiveCampaign(campaignId): Promise<CampaignRow> {
      return request("PUT", `/api/v1/campaigns/${campaignId}/archive`);
    },
    unarchiveCampaign(campaignId): Promise<CampaignRow> {
      return request("DELETE", `/api/v1/campaigns/${campaignId}/archive`);
    },
    // One request per campaign and post; the server does not tell a new link from one
    // that was there, so the count is of the links asked for.
    async addPostsToCampaigns(campaignIds, postIds): Promise<number> {
      for (const c of campaignIds) {
        for (const p of postIds) await request("PUT", `/api/v1/campaigns/${c}/posts/${p}`);
      }
      return campaignIds.length * postIds.length;
    },
    async removeCampaignPost(campaignId, postId): Promise<null> {
      try {
        await request("DELETE", `/api/v1/campaigns/${campaignId}/posts/${postId}`);
      } catch (e) {
        if (!(e instanceof AppError && e.code === "not_found")) throw e;
      }
      return null;
    },
    campaignPosts(campaignId): Promise<PostView[]> {
      return request("GET", `/api/v1/campaigns/${campaignId}/posts`);
    },
    campaignTrend(campaignId, labels): Promise<CampaignTrend> {
      const q = new URLSearchParams(labels as Record<string, string>);
      return request("GET", `/api/v1/campaigns/${campaignId}/trend?${q}`);
    },
    addCampaignCost(campaignId, cost): Promise<CostRow> {
      return request("POST", `/api/v1/campaigns/${campaignId}/costs/entries`, cost);
    },
    addCampaignConversion(campaignId, conversion): Promise<ConversionRow> {
      return request("POST", `/api/v1/campaigns/${campaignId}/conversions/entries`, conversion);
    },
    importCampaignCosts(campaignId, csv): Promise<ImportReport> {
      return request("POST", `/api/v1/campaigns/${campaignId}/costs`, csv, "text/csv");
    },
    importCampaignConversions(campaignId, csv): Promise<ImportReport> {
      return request("POST", `/api/v1/campaigns/${campaignId}/conversions`, csv, "text/csv");
    },
    // Imports of platform exports: the file's bytes as the body, the rest in the query.
    previewImportCsv(contentBase64, _rows): Promise<CsvPreview> {
      return request("POST", "/api/v1/imports/preview", fromBase64(contentBase64), "application/octet-stream");
    },
    importExport(accountId, kind, fileName, contentBase64, map, dryRun): Promise<ImportOutcome> {
      const q = new URLSearchParams({
        account: String(accountId),
        kind,
        file_name: fileName,
        dry_run: String(dryRun),
      });
      if (map.length > 0) q.set("map", map.map(([c, f]) => `${c}=${f}`).join(";"));
      return request("POST", `/api/v1/imports?${q}`, fromBase64(contentBase64), "application/octet-stream");
    },
    listImports(accountId): Promise<ImportRow[]> {
      return request("GET", accountId === null ? "/api/v1/imports" : `/api/v1/imports?account=${accountId}`);
    },
    previewPostRule(campaignId, rule): Promise<PostView[]> {
      return request("POST", `/api/v1/campaigns/${campaignId}/rule-preview`, rule);
    },
    // Reports: the preview is the server's HTML file; files are downloads (`web.reportUrl`).
    reportPreview(req, lang): Promise<string> {
      return request("GET", reportPath(req, "html", lang), undefined, "application/json", true);
    },
    saveReport: desktopOnly("Writing reports to a folder"),
    // Scheduled delivery: the desktop's card (the CLI and `alcance run` on a server).
    // Report schedules: /api/v1/report-schedules (analysts read, managers change). The SMTP
    // server and the Google account are set on the server's machine (`alcance report mail
    // set`, `alcance report sheets connect`), not from a browser.
    async listReportSchedules(): Promise<ScheduleView[]> {
      return all<ScheduleView>("/api/v1/report-schedules");
    },
    async addReportSchedule(input: ScheduleInput): Promise<ScheduleView> {
      return request<ScheduleView>("POST", "/api/v1/report-schedules", input);
    },
    async setReportScheduleEnabled(id: number, enabled: boolean): Promise<null> {
      await request<ScheduleView>("PATCH", `/api/v1/report-schedules/${id}`, { enabled });
      return null;
    },
    async removeReportSchedule(id: number): Promise<null> {
      return request<null>("DELETE", `/api/v1/report-schedules/${id}`);
    },
    async deliverReportNow(id: number): Promise<SendNowResult> {
      return request<SendNowResult>("POST", `/api/v1/report-schedules/${id}/send`);
    },
    mailSettings: desktopOnly("Setting the SMTP server (on the server: alcance report mail set)"),
    setMailSettings: desktopOnly("Setting the SMTP server (on the server: alcance report mail set)"),
    sheetsConnection: desktopOnly("Connecting Google Sheets (on the server: alcance report sheets connect)"),
    connectSheets: desktopOnly("Connecting Google Sheets (on the server: alcance report sheets connect)"),
    disconnectSheets: desktopOnly("Connecting Google Sheets (on the server: alcance report sheets connect)"),
    // The picture is the server's file, same origin (the session cookie goes with the
    // <img> request); a post without one answers 404 and the image falls back to its
    // placeholder.
    postPicture(postId): Promise<string | null> {
      return Promise.resolve(`/api/v1/posts/${postId}/thumbnail`);
    },
    // The account comparison: JSON here, files are downloads (`web.compareUrl`).
    compareAccounts(req, labels): Promise<CompareView> {
      return request("GET", `${comparePath(req)}&labels=${encodeURIComponent(JSON.stringify(labels))}`);
    },
    saveComparison: desktopOnly("Writing comparisons to a folder"),
    // Issue 17 point 2: hashtags. Own-post performance takes the posts list's filters.
    async ownHashtags(filter): Promise<HashtagPerformance[]> {
      const list: { items: HashtagPerformance[] } = await request("GET", `/api/v1/hashtags?${filterQuery(filter)}`);
      return list.items;
    },
    trackedHashtags(): Promise<TrackedHashtags> {
      return request("GET", "/api/v1/hashtags/tracked");
    },
    trackHashtag(tag): Promise<TrackedHashtag> {
      return request("POST", "/api/v1/hashtags/tracked", { tag });
    },
    untrackHashtag(tag): Promise<null> {
      return request<null>("DELETE", `/api/v1/hashtags/tracked/${encodeURIComponent(tag)}`);
    },
    hashtagDetail: desktopOnly("One hashtag's detail (on the server: alcance hashtags show)"),
    setXBearer: desktopOnly("Saving the X bearer token (on the server: alcance hashtags bearer)"),
    // Issue 17 point 1: competitors. Files are downloads (`web.competitorsUrl`).
    listCompetitors(): Promise<CompetitorList> {
      return request("GET", "/api/v1/competitors");
    },
    addCompetitor(accountId, set): Promise<Competitor> {
      return request("POST", "/api/v1/competitors", { account_id: accountId, set });
    },
    async removeCompetitor(accountId): Promise<boolean> {
      await request<null>("DELETE", `/api/v1/competitors/${accountId}`);
      return true;
    },
    setCompetitorCadence(set, cadence: Cadence): Promise<CompetitorSet> {
      return request("PUT", "/api/v1/competitors/cadence", { set, cadence });
    },
    addVoiceTerm(term): Promise<VoiceTerm> {
      return request("POST", "/api/v1/competitors/terms", { term });
    },
    async removeVoiceTerm(term): Promise<boolean> {
      await request<null>("DELETE", `/api/v1/competitors/terms/${encodeURIComponent(term)}`);
      return true;
    },
    competitorsView(req: CompetitorsRequest, labels): Promise<CompetitorsView> {
      return request("GET", `${competitorsPath(req)}&labels=${encodeURIComponent(JSON.stringify(labels))}`);
    },
    saveCompetitors: desktopOnly("Writing the competitors report to a folder"),
    // The Inbox: the server pages by opaque cursor; the page's last row names it here.
    async listComments(filter, after, limit): Promise<CommentPage> {
      const q = commentQuery(filter, limit);
      const opaque = after ? commentCursors.get(cursorKey(after)) : undefined;
      if (opaque) q.set("cursor", opaque);
      const page: { items: CommentRow[]; next_cursor: string | null } = await request("GET", `/api/v1/comments?${q}`);
      const last = page.items[page.items.length - 1];
      let next: CommentCursor | null = null;
      if (page.next_cursor && last) {
        next = { created_at: last.created_at, id: last.id };
        commentCursors.set(cursorKey(next), page.next_cursor);
      }
      return { items: page.items, next };
    },
    commentCounts(accountIds, post, limit): Promise<PostCommentCount[]> {
      const q = new URLSearchParams({ limit: String(Math.min(Math.max(limit, 1), 500)) });
      if (accountIds.length === 1) q.set("account_id", String(accountIds[0]));
      if (post) q.set("post", post);
      return request("GET", `/api/v1/comments/counts?${q}`);
    },
    sentimentSummary(filter, timeZone): Promise<SentimentSummary> {
      return request("GET", `/api/v1/sentiment?${sentimentQuery(filter, timeZone)}`);
    },
  };

  const web: WebApi = {
    async whoami() {
      return adopt(await request<SessionView>("GET", "/api/v1/session"));
    },
    async signIn(email, password) {
      return adopt(await request<SessionView>("POST", "/api/v1/session", { email, password }));
    },
    async signOut() {
      try {
        await request("DELETE", "/api/v1/session");
      } finally {
        csrf = null;
        role = null;
      }
    },
    async setPassword(token, password) {
      await request("POST", "/api/v1/password-reset/confirm", { token, password });
    },
    users: () => all("/api/v1/users"),
    invite: (email, r) => request("POST", "/api/v1/users", { email, role: r }),
    setRole: (id, r) => request("PATCH", `/api/v1/users/${id}`, { role: r }),
    async removeUser(id) {
      await request("DELETE", `/api/v1/users/${id}`);
    },
    startThreads: (clientId, clientSecret) =>
      request("POST", "/api/v1/connect/threads", { client_id: clientId, client_secret: clientSecret }),
    tokens: () => all<TokenView>("/api/v1/tokens"),
    createToken: (email, r, name) => request("POST", "/api/v1/tokens", { email, role: r, name }),
    revokeToken: (id) => request("DELETE", `/api/v1/tokens/${id}`),
    onSessionEnded(listener) {
      ended.add(listener);
      return () => ended.delete(listener);
    },
    exportUrl(format: ExportFormat, filter: ViewFilter) {
      const q = filterQuery(filter);
      q.delete("account_id");
      q.delete("platform");
      const query = q.toString();
      return `${base}/api/v1/exports/${format}${query ? `?${query}` : ""}`;
    },
    download: options.download
      ? (format: ExportFormat, filter: ViewFilter) =>
          options.download!(web.exportUrl(format, filter).slice(base.length), `alcance-metrics.${format}`)
      : undefined,
    reportUrl(req: ReportRequest, format: ReportFormat, lang: PdfLanguage) {
      return `${base}${reportPath(req, format, lang)}`;
    },
    downloadReport: options.download
      ? (req: ReportRequest, format: ReportFormat, lang: PdfLanguage) =>
          options.download!(reportPath(req, format, lang), reportFileName(req, format))
      : undefined,
    compareUrl(req: CompareRequest, format: "csv" | "json" | "xlsx") {
      return `${base}${comparePath(req, format)}`;
    },
    competitorsUrl(req: CompetitorsRequest, format: "csv" | "json" | "xlsx") {
      return `${base}${competitorsPath(req, format)}`;
    },
    downloadCompare: options.download
      ? (req: CompareRequest, format: "csv" | "json" | "xlsx") =>
          options.download!(comparePath(req, format), `compare.${format}`)
      : undefined,
  };

  return {
    kind: "http",
    commands,
    web,
    collection,
    async onSyncChanged(listener) {
      let stopped = false;
      let last = "";
      let timer: ReturnType<typeof setTimeout> | undefined;
      let again = false;
      const tick = async () => {
        timer = undefined;
        if (stopped) return;
        let running = false;
        if (atLeast(role, "analyst")) {
          try {
            const status = toSyncStatus(await collection());
            running = status.running;
            const seen = JSON.stringify(status);
            if (seen !== last) {
              last = seen;
              listener(status);
            }
          } catch {
            // Signed out or the server away: try again later.
          }
        }
        if (stopped) return;
        timer = setTimeout(tick, again ? 300 : running ? POLL_RUNNING_MS : POLL_IDLE_MS);
        again = false;
      };
      // A command started or stopped a run: ask soon (after the tick in flight, if any).
      const waker = () => {
        if (timer === undefined) {
          again = true;
          return;
        }
        clearTimeout(timer);
        timer = setTimeout(tick, 300);
      };
      wakers.add(waker);
      timer = setTimeout(tick, POLL_RUNNING_MS);
      return () => {
        stopped = true;
        wakers.delete(waker);
        if (timer !== undefined) clearTimeout(timer);
      };
    },
  };
}
