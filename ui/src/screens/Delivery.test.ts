// The Reports screen's "Scheduled delivery" card (desktop, mocked IPC): the schedules with
// their cadence in the schedule's zone, recipients, Sheets link, last delivery with its
// error and next attempt; "Send now", pause, remove; adding a schedule in the window's
// zone and the report language; the SMTP form (the password sent once, never shown
// back); in English and Brazilian Portuguese.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { account, campaignSummary, dashboard, settings, status } from "../test/fixtures";
import { backend, click, fill, open, q, qa, reset, sent, start, stop, text, type Handler } from "../test/harness";

beforeEach(reset);
afterEach(stop);

const failed = {
  id: 4,
  kind: "weekly_report",
  campaign_id: null,
  cadence: "weekly",
  weekday: 0,
  day_of_month: null,
  hour: 9,
  time_zone: "America/Sao_Paulo",
  language: "en",
  recipients: ["ana@client.example"],
  formats: ["pdf", "xlsx"],
  enabled: true,
  sheets: true,
  spreadsheet_id: "abc",
  created_at: "2026-11-01T00:00:00Z",
  spreadsheet_url: "https://docs.google.com/spreadsheets/d/abc/edit",
  last_delivery: {
    schedule_id: 4,
    period_start: "2026-11-23T03:00:00Z",
    period_end: "2026-11-30T03:00:00Z",
    status: "pending",
    attempts: 2,
    last_error: "Google Sheets refused POST /v4/spreadsheets: HTTP 500",
    next_attempt_at: "2026-11-30T12:36:00Z",
    sent_at: null,
    message_id: null,
    created_at: "2026-11-30T12:00:00Z",
    mailed_at: "2026-11-30T12:00:00Z",
    sheet_title: null,
  },
  next_send_at: "2026-12-07T12:00:00Z",
};

function desktop(extra: Handler = () => null, language: "en" | "pt-BR" = "en") {
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true, { settings: settings({ language }) });
    if (cmd === "list_accounts") return [account()];
    if (cmd === "dashboard") return dashboard();
    if (cmd === "list_campaigns") return [campaignSummary()];
    if (cmd === "list_report_schedules") return [failed];
    if (cmd === "mail_settings") return null;
    if (cmd === "sheets_connection") return { client_id: "123.apps.googleusercontent.com", scope: null, expires_at: null };
    return extra(cmd, args);
  });
}

describe("the scheduled delivery card", () => {
  it("lists a schedule with its last delivery's error, next attempt and Sheets link, and sends it now", async () => {
    desktop((cmd) => (cmd === "deliver_report_now" ? { claimed: true, error: null } : null));
    start();
    await open("reports");
    await vi.waitFor(() => expect(q('[data-testid="delivery-schedule"]')).not.toBeNull());
    const row = text('[data-testid="delivery-schedule"]') ?? "";
    expect(row).toContain("Weekly report — every Monday at 09:00 (America/Sao_Paulo)");
    expect(row).toContain("To ana@client.example");
    expect(text('[data-testid="delivery-last"]')).toContain("Pending · 2 attempt(s) · next attempt 2026-11-30 12:36 UTC");
    expect(text('[data-testid="delivery-error"]')).toBe("Google Sheets refused POST /v4/spreadsheets: HTTP 500");
    expect(q('[data-testid="delivery-sheet-link"]')?.getAttribute("href")).toBe(failed.spreadsheet_url);
    expect(text('[data-testid="delivery-google"] summary')).toContain("123.apps.googleusercontent.com");

    click('[data-testid="delivery-send-now"]');
    await vi.waitFor(() => expect(text('[data-testid="delivery-notice"]')).toBe("Sent."));
    expect(sent("deliver_report_now")[0].args).toEqual({ id: 4 });

    click('[data-testid="delivery-pause"]');
    await vi.waitFor(() => expect(sent("set_report_schedule_enabled")).toHaveLength(1));
    expect(sent("set_report_schedule_enabled")[0].args).toEqual({ id: 4, enabled: false });
    await vi.waitFor(() => expect((q('[data-testid="delivery-remove"]') as HTMLButtonElement).disabled).toBe(false));
    click('[data-testid="delivery-remove"]');
    await vi.waitFor(() => expect(sent("remove_report_schedule")).toHaveLength(1));
  });

  it("adds a monthly schedule to Sheets only, in the window's zone and the report language", async () => {
    desktop((cmd) => (cmd === "add_report_schedule" ? failed : null));
    start();
    await open("reports");
    await vi.waitFor(() => expect(q('[data-testid="delivery-add"]')).not.toBeNull());
    fill('[data-testid="delivery-cadence"]', "monthly");
    fill('[data-testid="delivery-day"]', "5");
    fill('[data-testid="delivery-hour"]', "7");
    click('[data-testid="delivery-sheets"]');
    click('[data-testid="delivery-xlsx"]');
    click('[data-testid="delivery-add-button"]');
    await vi.waitFor(() => expect(sent("add_report_schedule")).toHaveLength(1));
    expect(sent("add_report_schedule")[0].args).toEqual({
      input: {
        campaign_id: null,
        weekday: null,
        day_of_month: 5,
        hour: 7,
        time_zone: "UTC",
        language: "en",
        recipients: [],
        formats: ["pdf"],
        sheets: true,
      },
    });
    await vi.waitFor(() => expect(text('[data-testid="delivery-notice"]')).toBe("Schedule added."));
  });

  it("saves the SMTP server with its password once and clears the field", async () => {
    desktop();
    start();
    await open("reports");
    await vi.waitFor(() => expect(q('[data-testid="delivery-mail"]')).not.toBeNull());
    expect(text('[data-testid="delivery-mail"] summary')).toBe("Email server: not set");
    fill('[data-testid="delivery-smtp-url"]', "smtp://bot@mail.example:587?tls=required");
    fill('[data-testid="delivery-sender"]', "reports@agency.example");
    fill('[data-testid="delivery-password"]', "s3cret");
    click('[data-testid="delivery-mail-save"]');
    await vi.waitFor(() => expect(sent("set_mail_settings")).toHaveLength(1));
    expect(sent("set_mail_settings")[0].args).toEqual({
      smtpUrl: "smtp://bot@mail.example:587?tls=required",
      sender: "reports@agency.example",
      password: "s3cret",
    });
    await vi.waitFor(() => expect((q('[data-testid="delivery-password"]') as HTMLInputElement).value).toBe(""));
  });

  it("speaks Brazilian Portuguese", async () => {
    desktop(() => null, "pt-BR");
    start();
    await open("reports");
    await vi.waitFor(() => expect(q('[data-testid="delivery-schedule"]')).not.toBeNull());
    expect(text('[data-testid="delivery-card"] h2')).toBe("Envio programado");
    expect(text('[data-testid="delivery-schedule"]')).toContain(
      "Relatório semanal — toda semana, segunda-feira, às 09:00 (America/Sao_Paulo)",
    );
    expect(text('[data-testid="delivery-last"]')).toContain("Pendente · 2 tentativa(s)");
    expect(qa('[data-testid="delivery-send-now"]').map((b) => b.textContent?.trim())).toEqual(["Enviar agora"]);
  });
});
