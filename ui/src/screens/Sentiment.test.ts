// Comment sentiment on the Dashboard (the period's share and a band per week, in the
// chosen zone) and on the Posts screen (each post's share), both languages (issue 17
// point 4).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { campaignDetail, campaignReport, campaignSummary, campaignTrend, dashboard, postView, settings, status } from "../test/fixtures";
import { backend, open, q, qa, reset, sent, start, stop, text } from "../test/harness";
import type { SentimentSummary, ShareView } from "../lib/bindings";

beforeEach(reset);
afterEach(stop);

function share(positive: number, neutral: number, negative: number): ShareView {
  const total = positive + neutral + negative;
  const r = (n: number) => (total ? n / total : null);
  return {
    positive,
    neutral,
    negative,
    total,
    positive_share: r(positive),
    neutral_share: r(neutral),
    negative_share: r(negative),
    net: total ? (positive - negative) / total : null,
  };
}

const summary: SentimentSummary = {
  model: "lexicon-v1",
  time_zone: "America/Sao_Paulo",
  overall: share(5, 2, 3),
  by_day: [],
  by_week: [
    { start: "2026-11-09", share: share(4, 1, 0) },
    { start: "2026-11-16", share: share(0, 0, 0) },
    { start: "2026-11-23", share: share(1, 1, 3) },
  ],
  by_post: [
    { account_id: 1, post_external_id: "x7", post_id: 7, share: share(1, 0, 3) },
    { account_id: 1, post_external_id: "x8", post_id: 8, share: share(4, 2, 0) },
  ],
  most_liked_positive: null,
  most_liked_negative: null,
};

function desktop(language: "en" | "pt-BR" = "en", empty = false) {
  backend((cmd) => {
    if (cmd === "app_status") return status(true, { settings: settings({ language }) });
    if (cmd === "list_accounts") return [];
    if (cmd === "dashboard") return dashboard();
    if (cmd === "sentiment_summary")
      return empty ? { ...summary, overall: share(0, 0, 0), by_week: [], by_post: [] } : summary;
    if (cmd === "list_posts") return [postView({ id: 7, caption: "A" }), postView({ id: 8, caption: "B" }), postView({ id: 9, caption: "C" })];
    if (cmd === "list_campaigns") return [];
    return null;
  });
}

describe("comment sentiment on the screens", () => {
  it("the Dashboard shows the period's share and one band per week, asking for the filters' days", async () => {
    desktop();
    start();
    await vi.waitFor(() => expect(q('[data-testid="dashboard-sentiment-share"]')).not.toBeNull());
    expect(text('[data-testid="dashboard-sentiment-share-positive"]')).toBe("Positive 50% (5)");
    expect(text('[data-testid="dashboard-sentiment-share-negative"]')).toBe("Negative 30% (3)");
    const weeks = qa('[data-testid="sentiment-week"]');
    expect(weeks.map((w) => w.getAttribute("data-week"))).toEqual(["2026-11-09", "2026-11-16", "2026-11-23"]);
    expect(text('[data-week="2026-11-23"] [data-testid="sentiment-week-negative"]')).toBe("60% negative of 5");
    expect(q('[data-week="2026-11-16"] [data-testid="sentiment-week-negative"]')).toBeNull();
    const asked = sent("sentiment_summary")[0].args as { filter: { since: string; until: string; sentiments: string[] } };
    expect((Date.parse(asked.filter.until) - Date.parse(asked.filter.since)) / 86_400_000).toBe(30);
    expect(asked.filter.sentiments).toEqual([]);
  });

  it("the Dashboard says when the period has no scored comment, in Portuguese too", async () => {
    desktop("pt-BR", true);
    start();
    await vi.waitFor(() => expect(q('[data-testid="dashboard-sentiment-empty"]')).not.toBeNull());
    expect(text('[data-testid="dashboard-sentiment"] h2')).toBe("Sentimento dos comentários");
    expect(text('[data-testid="dashboard-sentiment-empty"]')).toBe("Nenhum comentário com texto neste período.");
  });

  it("the Posts screen shows each post's share, none for a post without scored comments", async () => {
    desktop("pt-BR");
    start();
    await open("posts");
    await vi.waitFor(() => expect(qa('[data-testid="post-sentiment-bar"]')).toHaveLength(2));
    expect(text('[data-post-id="7"] [data-testid="post-sentiment-bar-negative"]')).toBe("Negativo 75%");
    expect(text('[data-post-id="8"] [data-testid="post-sentiment-bar-positive"]')).toBe("Positivo 67%");
    expect(q('[data-post-id="9"] [data-testid="post-sentiment-bar"]')).toBeNull();
    // Every comment of the posts counts, whenever written.
    const asked = sent("sentiment_summary").at(-1)!.args as { filter: { since: string | null; until: string | null } };
    expect([asked.filter.since, asked.filter.until]).toEqual([null, null]);
  });

  it("the campaign report shows the share of the comments on its posts, asking by campaign", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "list_campaigns") return [campaignSummary()];
      if (cmd === "campaign_report") return campaignReport();
      if (cmd === "campaign_posts") return [];
      if (cmd === "campaign_trend") return campaignTrend();
      if (cmd === "get_campaign") return campaignDetail();
      if (cmd === "sentiment_summary") return summary;
      return null;
    });
    start();
    await open("campaigns");
    await vi.waitFor(() => expect(q('[data-testid="campaign-sentiment-share"]')).not.toBeNull());
    expect(text('[data-testid="campaign-sentiment-share-neutral"]')).toBe("Neutral 20% (2)");
    const asked = sent("sentiment_summary").at(-1)!.args as { filter: { campaign_id: number | null; since: string | null } };
    expect(asked.filter.campaign_id).toBe(1);
    expect(asked.filter.since).toBeNull();
  });
});
