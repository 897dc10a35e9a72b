// The Reports screen: the weekly report's week (the last complete one by default, any
// day picks its Monday–Sunday week) and zone, a campaign's report, the HTML preview in a
// frame without any permission, files saved into the workspace with "Show in folder"
// (desktop, mocked IPC), download links for a client of the web UI (campaigns only), and
// the Campaigns screen's "PDF".
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, unmount } from "svelte";
import App from "../App.svelte";
import { useTransport } from "../lib/api";
import { lastCompleteWeek } from "../lib/reports";
import { resetTransport } from "../lib/transport";
import { httpTransport } from "../lib/transport/http";
import { session } from "../lib/ui.svelte";
import {
  account,
  campaignDetail,
  campaignReport,
  campaignRow,
  campaignSummary,
  campaignTrend,
  dashboard,
  platforms,
  settings,
  status,
} from "../test/fixtures";
import { backend, click, fill, open, q, reset, sent, start, stop, text, type Handler } from "../test/harness";

beforeEach(reset);
afterEach(stop);

const ana = account({ id: 3, label: "@ana (Instagram)", username: "ana" });
const natal = campaignSummary({ campaign: campaignRow({ id: 2, name: "Natal" }) });
const HTML = '<!DOCTYPE html><html><head><style>h1{color:red}</style></head><body><h1>Weekly</h1><svg></svg></body></html>';
const saved = (path: string, format = "pdf") => ({ path, bytes: 2048, format });

function desktop(extra: Handler = () => null, language: "en" | "pt-BR" = "en") {
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true, { settings: settings({ language }) });
    if (cmd === "list_accounts") return [ana];
    if (cmd === "dashboard") return dashboard();
    if (cmd === "list_campaigns") return [campaignSummary(), natal];
    if (cmd === "campaign_report") return campaignReport();
    if (cmd === "campaign_posts") return [];
    if (cmd === "campaign_trend") return campaignTrend();
    if (cmd === "get_campaign") return campaignDetail();
    return extra(cmd, args);
  });
}

describe("the reports screen", () => {
  it("previews the last complete week's report in a sandboxed frame, in the window's zone", async () => {
    desktop((cmd) => (cmd === "report_preview" ? HTML : null));
    start();
    await open("reports");
    const monday = lastCompleteWeek(new Date());
    expect((q('[data-testid="report-week"]') as HTMLInputElement).value).toBe(monday);
    expect((q('[data-testid="report-lang"]') as HTMLSelectElement).value).toBe("en");
    click('[data-testid="report-preview-weekly"]');
    await vi.waitFor(() => expect(q('[data-testid="report-frame"]')).not.toBeNull());
    expect(sent("report_preview")[0].args).toEqual({
      request: { kind: "weekly", week_of: monday, time_zone: "UTC" },
      lang: "en",
    });
    const frame = q('[data-testid="report-frame"]') as HTMLIFrameElement;
    // No permission at all: no script, no same origin, no forms, no top navigation.
    expect(frame.getAttribute("sandbox")).toBe("");
    expect(frame.getAttribute("srcdoc")).toBe(HTML);
    click('[data-testid="report-preview-close"]');
    expect(q('[data-testid="report-frame"]')).toBeNull();
  });

  it("saves the week of any day as a PDF, shows where and how big, and shows it in its folder", async () => {
    desktop((cmd) => {
      if (cmd === "save_report") return saved("/home/ana/ws/reports/weekly-2026-11-23.pdf");
      return null;
    });
    start();
    await open("reports");
    fill('[data-testid="report-week"]', "2026-11-25");
    expect(text('[data-testid="report-week-range"]')).toBe("Week of Nov 23, 2026 to Nov 29, 2026");
    click('[data-testid="report-weekly-pdf"]');
    await vi.waitFor(() => expect(q('[data-testid="report-weekly-saved"]')).not.toBeNull());
    expect(sent("save_report")[0].args).toEqual({
      request: { kind: "weekly", week_of: "2026-11-23", time_zone: "UTC" },
      format: "pdf",
      lang: "en",
    });
    expect(text('[data-testid="report-weekly-saved"] span')).toBe("Saved to /home/ana/ws/reports/weekly-2026-11-23.pdf (2.0 KB)");
    click('[data-testid="report-weekly-show"]');
    await vi.waitFor(() => expect(sent("show_in_folder")).toHaveLength(1));
    expect(sent("show_in_folder")[0].args).toEqual({ path: "/home/ana/ws/reports/weekly-2026-11-23.pdf" });
  });

  it("saves and previews the campaign picked in the language picked, defaulting to the UI's", async () => {
    desktop((cmd) => {
      if (cmd === "report_preview") return HTML;
      if (cmd === "save_report") return saved("/home/ana/ws/reports/campaign-2.xlsx", "xlsx");
      return null;
    }, "pt-BR");
    start();
    await open("reports");
    expect((q('[data-testid="report-lang"]') as HTMLSelectElement).value).toBe("pt-BR");
    expect(text('[data-testid="report-campaign"] h2')).toBe("Relatório de campanha");
    await vi.waitFor(() => expect(q('[data-testid="report-campaign-pick"] option[value="2"]')).not.toBeNull());
    fill('[data-testid="report-campaign-pick"]', "2");
    fill('[data-testid="report-lang"]', "en");
    click('[data-testid="report-campaign-xlsx"]');
    await vi.waitFor(() => expect(sent("save_report")).toHaveLength(1));
    expect(sent("save_report")[0].args).toEqual({ request: { kind: "campaign", campaign_id: 2, time_zone: "UTC" }, format: "xlsx", lang: "en" });
    click('[data-testid="report-preview-campaign"]');
    await vi.waitFor(() => expect(q('[data-testid="report-frame"]')).not.toBeNull());
    expect(sent("report_preview")[0].args).toEqual({ request: { kind: "campaign", campaign_id: 2, time_zone: "UTC" }, lang: "en" });
    expect(text('[data-testid="report-preview"] h2')).toBe("Pré-visualização: Natal");
  });

  it("shows a failed save and a failed preview as errors, without a stale path", async () => {
    desktop((cmd) => {
      if (cmd === "save_report" || cmd === "report_preview") throw { code: "not_found", message: "campaign 1 not found" };
      return null;
    });
    start();
    await open("reports");
    await vi.waitFor(() => expect(q('[data-testid="report-campaign-pick"]')).not.toBeNull());
    click('[data-testid="report-campaign-pdf"]');
    await vi.waitFor(() => expect(q('[data-testid="report-campaign"] [data-testid="error"]')).not.toBeNull());
    expect(q('[data-testid="report-campaign-saved"]')).toBeNull();
    click('[data-testid="report-preview-campaign"]');
    await vi.waitFor(() => expect(q('[data-testid="screen-reports"] > [data-testid="error"]')).not.toBeNull());
    expect(q('[data-testid="report-frame"]')).toBeNull();
  });

  it("saves the campaign report's PDF from the Campaigns screen", async () => {
    desktop((cmd) => (cmd === "save_report" ? saved("/home/ana/ws/reports/campaign-1.pdf") : null));
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="campaign-report-download-pdf"]')).not.toBeNull());
    click('[data-testid="campaign-report-download-pdf"]');
    await vi.waitFor(() => expect(q('[data-testid="campaign-report-download-saved"]')).not.toBeNull());
    expect(sent("save_report")[0].args).toEqual({ request: { kind: "campaign", campaign_id: 1, time_zone: "UTC" }, format: "pdf", lang: "en" });
    expect(q('[data-testid="campaign-report-download-saved"]')?.getAttribute("data-path")).toBe("/home/ana/ws/reports/campaign-1.pdf");
  });
});

describe("the reports screen in the web UI", () => {
  let app: ReturnType<typeof mount> | null = null;
  afterEach(() => {
    if (app) unmount(app);
    app = null;
    resetTransport();
    session.user = null;
  });

  it("gives a client the shared campaigns' downloads and preview, not the weekly report", async () => {
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
    const me = { id: 7, email: "cli@example.com", role: "client", has_password: true, created_at: "2026-12-01T10:00:00Z" };
    const asked: string[] = [];
    const fetchFn = vi.fn(async (input: RequestInfo | URL) => {
      const url = new URL(String(input), "http://alcance.test");
      asked.push(`${url.pathname}${url.search}`);
      switch (url.pathname) {
        case "/api/v1/session":
          return json({ user: me, role: "client", csrf_token: "c", account_ids: [3] });
        case "/api/v1/accounts":
          return json({ items: [ana], next_cursor: null });
        case "/api/v1/dashboard":
          return json(dashboard());
        case "/api/v1/platforms":
          return json(platforms());
        case "/api/v1/campaigns":
          return json({ items: [campaignRow()], next_cursor: null });
        case "/api/v1/campaigns/1/report":
          if (url.searchParams.get("format") === "html") return new Response(HTML, { status: 200, headers: { "content-type": "text/html" } });
          return json(campaignReport());
      }
      return new Response(JSON.stringify({ type: "urn:alcance:problem:not-found", status: 404, detail: url.pathname }), {
        status: 404,
      });
    });
    useTransport(httpTransport(fetchFn as unknown as typeof fetch));
    reset();
    const target = document.createElement("div");
    document.body.replaceChildren(target);
    app = mount(App, { target });
    flushSync();
    await open("reports");
    expect(q('[data-testid="report-weekly"]')).toBeNull();
    await vi.waitFor(() => expect(q('[data-testid="report-campaign-pdf"]')).not.toBeNull());
    expect(q('[data-testid="report-campaign-pdf"]')?.getAttribute("href")).toBe("/api/v1/campaigns/1/report?format=pdf&lang=en&time_zone=UTC");
    expect(q('[data-testid="report-campaign-xlsx"]')?.getAttribute("href")).toBe("/api/v1/campaigns/1/report?format=xlsx&lang=en&time_zone=UTC");
    fill('[data-testid="report-lang"]', "pt-BR");
    expect(q('[data-testid="report-campaign-pdf"]')?.getAttribute("href")).toBe("/api/v1/campaigns/1/report?format=pdf&lang=pt-BR&time_zone=UTC");
    click('[data-testid="report-preview-campaign"]');
    await vi.waitFor(() => expect(q('[data-testid="report-frame"]')).not.toBeNull());
    expect(q('[data-testid="report-frame"]')?.getAttribute("srcdoc")).toBe(HTML);
    expect(asked).toContain("/api/v1/campaigns/1/report?format=html&lang=pt-BR&time_zone=UTC");
    expect(asked.some((a) => a.startsWith("/api/v1/reports/weekly"))).toBe(false);
  });
});
