import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PrivacyView } from "../lib/bindings";
import { account, dashboard, status } from "../test/fixtures";
import { backend, click, fill, open, q, reset, sent, start, stop, text } from "../test/harness";

beforeEach(reset);
afterEach(stop);

const TEXT_EN = "I agree that this workspace collects and stores demographic data…";
const TEXT_PT = "Concordo que este espaço de trabalho colete e guarde dados demográficos…";

/** A backend whose privacy commands behave like the desktop shell's. */
function privacyBackend() {
  let view: PrivacyView = {
    consent: null,
    consent_version: "audience-v1",
    consent_text_en: TEXT_EN,
    consent_text_pt_br: TEXT_PT,
    raw_retention_days: null,
  };
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true);
    if (cmd === "list_accounts") return [account()];
    if (cmd === "dashboard") return dashboard();
    if (cmd === "privacy_status") return view;
    if (cmd === "grant_audience_consent") {
      view = {
        ...view,
        consent: { version: "audience-v1", language: String(args.language), granted_by: "os:maria", granted_at: "2026-12-06T10:00:00Z" },
      };
      return view;
    }
    if (cmd === "withdraw_audience_consent") return (view = { ...view, consent: null });
    if (cmd === "set_raw_retention") return (view = { ...view, raw_retention_days: args.days as number | null });
    if (cmd === "export_account") return { path: "/data/workspace/exports/account-3-20261206T100000Z.zip", rows: 1234 };
    return null;
  });
}

describe("the privacy settings", () => {
  it("shows the consent text, records consent, and withdraws it only after a confirmation", async () => {
    privacyBackend();
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="privacy-consent-off"]')).not.toBeNull());
    expect(text('[data-testid="privacy-text"]')).toBe(TEXT_EN);
    click('[data-testid="privacy-grant"]');
    await vi.waitFor(() => expect(q('[data-testid="privacy-consent-on"]')).not.toBeNull());
    expect(sent("grant_audience_consent").map((c) => c.args)).toEqual([{ language: "en" }]);
    expect(text('[data-testid="privacy-consent-on"]')).toContain("os:maria");

    click('[data-testid="privacy-withdraw"]');
    expect(sent("withdraw_audience_consent")).toHaveLength(0);
    click('[data-testid="privacy-withdraw-confirm"]');
    await vi.waitFor(() => expect(q('[data-testid="privacy-consent-off"]')).not.toBeNull());
    expect(sent("withdraw_audience_consent")).toHaveLength(1);
  });

  it("saves a retention in days, and empty as forever", async () => {
    privacyBackend();
    start();
    await open("settings");
    await vi.waitFor(() => expect(q('[data-testid="privacy-retention"]')).not.toBeNull());
    fill('[data-testid="privacy-retention"]', "30");
    click('[data-testid="privacy-retention-save"]');
    await vi.waitFor(() => expect(sent("set_raw_retention")).toHaveLength(1));
    // The answer comes back (the button is enabled again) before the next edit.
    await vi.waitFor(() =>
      expect((q('[data-testid="privacy-retention-save"]') as HTMLButtonElement).disabled).toBe(false),
    );
    fill('[data-testid="privacy-retention"]', "");
    click('[data-testid="privacy-retention-save"]');
    await vi.waitFor(() => expect(sent("set_raw_retention")).toHaveLength(2));
    expect(sent("set_raw_retention").map((c) => c.args)).toEqual([{ days: 30 }, { days: null }]);
  });
});

describe("exporting one account", () => {
  it("writes the account's ZIP and says where", async () => {
    privacyBackend();
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="export-3"]')).not.toBeNull());
    click('[data-testid="export-3"]');
    await vi.waitFor(() => expect(q('[data-testid="accounts-notice"]')).not.toBeNull());
    expect(sent("export_account").map((c) => c.args)).toEqual([{ accountId: 3 }]);
    expect(text('[data-testid="accounts-notice"]')).toContain("1234 rows");
    expect(text('[data-testid="accounts-notice"]')).toContain("account-3-20261206T100000Z.zip");
  });
});
