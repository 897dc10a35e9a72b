import { describe, expect, it } from "vitest";
import type { TeamAnswer, ViewFilter } from "../bindings";
import { AppError } from "../errors";
import { teamTransport } from "./team";

type Sent = { method: string; path: string; body: string | null; csrf: string | null };

const session = {
  user: { id: 2, email: "ana@agency.example", role: "manager", has_password: true, created_at: "2026-12-01T00:00:00Z" },
  role: "manager",
  csrf_token: "csrf-1",
  account_ids: null,
};

/** A team server answering over the (fake) IPC bridge, recording what it was sent. */
function server(answers: Record<string, TeamAnswer>) {
  const sent: Sent[] = [];
  const send = async (method: string, path: string, body: string | null, csrf: string | null): Promise<TeamAnswer> => {
    sent.push({ method, path, body, csrf });
    const answer = answers[`${method} ${path.split("?")[0]}`];
    if (!answer) throw new Error(`no answer for ${method} ${path}`);
    return answer;
  };
  const downloads: [string, string][] = [];
  const download = async (path: string, fallback: string) => {
    downloads.push([path, fallback]);
    return `/home/ana/Downloads/${fallback}`;
  };
  return { sent, downloads, transport: teamTransport(send, download) };
}

const json = (status: number, body: unknown, type = "application/json"): TeamAnswer => ({
  status,
  content_type: type,
  body: JSON.stringify(body),
});

describe("the team transport (the desktop window on a team server)", () => {
  it("signs in, sends the session's CSRF token on changes, and reads a 204 as no body", async () => {
    const s = server({
      "POST /api/v1/session": json(200, session),
      "DELETE /api/v1/session": { status: 204, content_type: null, body: "" },
    });
    expect(s.transport.kind).toBe("http");
    const web = s.transport.web!;
    const signedIn = await web.signIn("ana@agency.example", "long password");
    expect(signedIn.role).toBe("manager");
    expect(s.sent[0]).toEqual({
      method: "POST",
      path: "/api/v1/session",
      body: JSON.stringify({ email: "ana@agency.example", password: "long password" }),
      csrf: null,
    });
    await web.signOut();
    expect(s.sent[1]).toEqual({ method: "DELETE", path: "/api/v1/session", body: null, csrf: "csrf-1" });
  });

  it("turns the server's problems into AppErrors", async () => {
    const s = server({
      "GET /api/v1/session": json(
        401,
        { type: "urn:alcance:problem:unauthorized", title: "Unauthorized", status: 401, detail: "sign in first" },
        "application/problem+json",
      ),
    });
    const error = await s.transport.web!.whoami().catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("unauthorized");
    expect((error as AppError).message).toContain("sign in first");
  });

  it("has exports saved by the desktop and answers where", async () => {
    const s = server({});
    const filter: ViewFilter = {
      platforms: [],
      account_ids: [],
      since: "2026-11-01T00:00:00Z",
      until: "2026-12-01T00:00:00Z",
      time_zone: null,
    };
    const web = s.transport.web!;
    expect(web.download).toBeDefined();
    const saved = await web.download!("xlsx", filter);
    expect(saved).toBe("/home/ana/Downloads/alcance-metrics.xlsx");
    expect(s.downloads).toEqual([[web.exportUrl("xlsx", filter), "alcance-metrics.xlsx"]]);
    expect(s.downloads[0][0]).toMatch(/^\/api\/v1\/exports\/xlsx\?start_date=2026-11-01&end_date=2026-11-30$/);
  });

  it("has report files saved by the desktop from the REST URLs, and previews the HTML report", async () => {
    const html = "<!DOCTYPE html><html><body><h1>Weekly</h1></body></html>";
    const s = server({ "GET /api/v1/reports/weekly": { status: 200, content_type: "text/html; charset=utf-8", body: html } });
    const web = s.transport.web!;
    const weekly = { kind: "weekly", week_of: "2026-11-23", time_zone: "America/Sao_Paulo" } as const;
    expect(await web.downloadReport!({ kind: "campaign", campaign_id: 4, time_zone: "Asia/Kolkata" }, "pdf", "pt-BR")).toBe(
      "/home/ana/Downloads/campaign-4.pdf",
    );
    await web.downloadReport!(weekly, "xlsx", "en");
    expect(s.downloads).toEqual([
      ["/api/v1/campaigns/4/report?format=pdf&lang=pt-BR&time_zone=Asia%2FKolkata", "campaign-4.pdf"],
      ["/api/v1/reports/weekly?format=xlsx&lang=en&week_of=2026-11-23&time_zone=America%2FSao_Paulo", "weekly.xlsx"],
    ]);
    expect(await s.transport.commands.reportPreview(weekly, "en")).toBe(html);
    expect(s.sent[0].path).toBe("/api/v1/reports/weekly?format=html&lang=en&week_of=2026-11-23&time_zone=America%2FSao_Paulo");
    await expect(s.transport.commands.saveReport(weekly, "pdf", "en")).rejects.toMatchObject({ code: "desktop_only" });
  });
});
