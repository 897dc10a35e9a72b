// The Inbox screen (issue 17 point 3): comments newest first with their post, kinds,
// edited and deleted marks; the search box and the kind sent to the backend; more pages by
// cursor; per-post counts with the difference shown; both languages.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { dashboard, settings, status } from "../test/fixtures";
import { backend, click, fill, open, q, qa, reset, sent, start, stop, text } from "../test/harness";
import type { CommentPage, CommentRow, PostCommentCount, SentimentSummary, ShareView } from "../lib/bindings";
import { commentQuery, countDifference, sentimentQuery, sharePercent } from "../lib/comments";

beforeEach(reset);
afterEach(stop);

function row(over: Partial<CommentRow>): CommentRow {
  return {
    id: 1,
    account_id: 3,
    platform: "instagram",
    account_username: "alcance_demo",
    external_id: "17900000000000001",
    post_external_id: "17800000000000001",
    post_id: 11,
    post_permalink: "https://www.instagram.com/p/abc/",
    post_caption: "Bastidores do lançamento",
    parent_external_id: null,
    kind: "comment",
    author_id: "9",
    author_handle: "ana.souza",
    created_at: "2026-11-20T14:00:00Z",
    text: "Amei esse post!",
    like_count: 3,
    reply_count: 1,
    edited: false,
    deleted: false,
    first_seen_at: "2026-11-20T15:00:00Z",
    last_seen_at: "2026-11-20T15:00:00Z",
    sentiment_label: null,
    sentiment_score: null,
    sentiment_model: null,
    ...over,
  };
}

const first: CommentPage = {
  items: [
    row({ id: 5, text: "Onde comprar?", edited: true, sentiment_label: "neutral", sentiment_score: 0, sentiment_model: "lexicon-v1" }),
    row({ id: 4, kind: "reply", author_handle: "alcance_demo", text: "Obrigada!", parent_external_id: "1", sentiment_label: "positive", sentiment_score: 0.44 }),
    row({ id: 3, kind: "mention", post_external_id: null, post_id: null, post_caption: null, post_permalink: null, text: "@alcance_demo olha" }),
  ],
  next: { created_at: "2026-11-20T14:00:00Z", id: 3 },
};
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
  overall: share(6, 3, 1),
  by_day: [],
  by_week: [{ start: "2026-11-16", share: share(6, 3, 1) }],
  by_post: [{ account_id: 3, post_external_id: "17800000000000001", post_id: 11, share: share(6, 3, 1) }],
  most_liked_positive: null,
  most_liked_negative: null,
};
const second: CommentPage = { items: [row({ id: 2, deleted: true, text: "Spam" })], next: null };
const counts: PostCommentCount[] = [
  { post_id: 11, account_id: 3, platform: "instagram", external_id: "17800000000000001", permalink: null, published_at: "2026-11-19T10:00:00Z", stored: 40, platform_count: 46 },
  { post_id: 12, account_id: 3, platform: "instagram", external_id: "17800000000000002", permalink: null, published_at: "2026-11-18T10:00:00Z", stored: 7, platform_count: 7 },
];

function desktop(language: "en" | "pt-BR" = "en") {
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true, { settings: settings({ language }) });
    if (cmd === "list_accounts") return [];
    if (cmd === "dashboard") return dashboard();
    if (cmd === "list_comments") return args.after ? second : first;
    if (cmd === "comment_counts") return counts;
    if (cmd === "sentiment_summary") return summary;
    return null;
  });
}

describe("the Inbox screen", () => {
  it("lists comments newest first with their marks and post, and loads the next page by cursor", async () => {
    desktop();
    start();
    await open("inbox");
    await vi.waitFor(() => expect(qa('[data-testid="comment"]')).toHaveLength(3));
    expect(qa('[data-testid="comment"]').map((e) => e.getAttribute("data-kind"))).toEqual(["comment", "reply", "mention"]);
    expect(text('[data-comment-id="5"] [data-testid="comment-author"]')).toBe("@ana.souza");
    expect(q('[data-comment-id="5"] [data-testid="comment-edited"]')).not.toBeNull();
    expect(text('[data-comment-id="5"] [data-testid="comment-post"]')).toBe("On: Bastidores do lançamento");
    expect(q('[data-comment-id="3"] [data-testid="comment-post"]')).toBeNull();
    const asked = sent("list_comments")[0].args;
    expect(asked.after).toBeNull();
    expect((asked.filter as { include_deleted: boolean }).include_deleted).toBe(false);
    click('[data-testid="inbox-more"]');
    await vi.waitFor(() => expect(qa('[data-testid="comment"]')).toHaveLength(4));
    expect(sent("list_comments").at(-1)!.args.after).toEqual(first.next);
    expect(q('[data-comment-id="2"] [data-testid="comment-deleted"]')).not.toBeNull();
    expect(q('[data-testid="inbox-more"]')).toBeNull();
  });

  it("shows each post's stored count against the platform's counter, the difference included", async () => {
    desktop();
    start();
    await open("inbox");
    await vi.waitFor(() => expect(qa('[data-testid="count-row"]')).toHaveLength(2));
    const cells = (post: string) =>
      ["stored", "platform", "difference"].map((c) => text(`[data-post="${post}"] [data-testid="count-${c}"]`));
    expect(cells("17800000000000001")).toEqual(["40", "46", "+6"]);
    expect(cells("17800000000000002")).toEqual(["7", "7", "0"]);
    expect(q('[data-post="17800000000000001"]')!.classList.contains("differs")).toBe(true);
    expect(countDifference({ ...counts[0], platform_count: null })).toBeNull();
  });

  it("sends the search, the kind, deleted ones and a post to the backend", async () => {
    desktop();
    start();
    await open("inbox");
    await vi.waitFor(() => expect(sent("list_comments")).toHaveLength(1));
    fill('[data-testid="inbox-kind"]', "mention");
    await vi.waitFor(() => expect(sent("list_comments").length).toBeGreaterThan(1));
    fill('[data-testid="inbox-search"]', "onde comprar");
    await vi.waitFor(() =>
      expect((sent("list_comments").at(-1)!.args.filter as { search: string | null }).search).toBe("onde comprar"),
    );
    click('[data-testid="inbox-deleted"]');
    click('[data-comment-id="5"] [data-testid="comment-post"]');
    await vi.waitFor(() => expect(text('[data-testid="inbox-post-filter"]')).toBe("Post 17800000000000001"));
    await vi.waitFor(() => {
      const f = sent("list_comments").at(-1)!.args.filter as Record<string, unknown>;
      expect(f).toMatchObject({ kinds: ["mention"], include_deleted: true, post_external_id: "17800000000000001", search: "onde comprar" });
    });
    await vi.waitFor(() => expect(sent("comment_counts").at(-1)!.args).toMatchObject({ post: "17800000000000001" }));
    click('[data-testid="inbox-post-clear"]');
    await vi.waitFor(() => expect(q('[data-testid="inbox-post-filter"]')).toBeNull());
  });

  it("shows each comment's sentiment, filters by it and shows the share of what the filters match", async () => {
    desktop();
    start();
    await open("inbox");
    await vi.waitFor(() => expect(qa('[data-testid="comment"]')).toHaveLength(3));
    expect(text('[data-comment-id="5"] [data-testid="comment-sentiment"]')).toBe("Neutral");
    expect(text('[data-comment-id="4"] [data-testid="comment-sentiment"]')).toBe("Positive");
    expect(q('[data-comment-id="4"] [data-testid="comment-sentiment"]')!.getAttribute("title")).toBe("Score 0.44 (−1 to 1)");
    expect(q('[data-comment-id="3"] [data-testid="comment-sentiment"]')).toBeNull();
    await vi.waitFor(() => expect(q('[data-testid="sentiment-bar"]')).not.toBeNull());
    expect(text('[data-testid="sentiment-bar-positive"]')).toBe("Positive 60% (6)");
    expect(text('[data-testid="sentiment-bar-negative"]')).toBe("Negative 10% (1)");
    fill('[data-testid="inbox-sentiment"]', "negative");
    await vi.waitFor(() =>
      expect((sent("list_comments").at(-1)!.args.filter as { sentiments: string[] }).sentiments).toEqual(["negative"]),
    );
    await vi.waitFor(() =>
      expect((sent("sentiment_summary").at(-1)!.args.filter as { sentiments: string[] }).sentiments).toEqual(["negative"]),
    );
    expect(sharePercent(share(0, 0, 0), "negative")).toBeNull();
    expect(sharePercent(share(1, 1, 1), "neutral")).toBe(33);
  });

  it("speaks Portuguese", async () => {
    desktop("pt-BR");
    start();
    await open("inbox");
    await vi.waitFor(() => expect(qa('[data-testid="comment"]')).toHaveLength(3));
    expect(text('[data-testid="screen-inbox"] h1')).toBe("Caixa de entrada");
    expect(text('[data-comment-id="5"] [data-testid="comment-edited"]')).toBe("Editado");
    expect(text('[data-testid="inbox-more"]')).toBe("Carregar mais");
    expect(text('[data-comment-id="4"] [data-testid="comment-sentiment"]')).toBe("Positivo");
    await vi.waitFor(() => expect(text('[data-testid="sentiment-bar-neutral"]')).toBe("Neutro 30% (3)"));
  });

  it("says so when nothing matches", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "list_comments") return { items: [], next: null };
      if (cmd === "comment_counts") return [];
      return null;
    });
    start();
    await open("inbox");
    await vi.waitFor(() => expect(q('[data-testid="inbox-empty"]')).not.toBeNull());
  });
});

describe("the REST query of a comment filter", () => {
  it("keeps one account, platform and kind, the days inclusive, the search and the limit", () => {
    const q = commentQuery(
      {
        account_ids: [3],
        platforms: ["x"],
        post_external_id: null,
        kinds: ["reply"],
        since: "2026-11-01T00:00:00Z",
        until: "2026-12-01T00:00:00Z",
        search: " onde comprar ",
        include_deleted: true,
        sentiments: ["negative", "neutral"],
        campaign_id: 7,
      },
      900,
    );
    expect(Object.fromEntries(q)).toEqual({
      account_id: "3",
      platform: "x",
      kind: "reply",
      start_date: "2026-11-01",
      end_date: "2026-11-30",
      q: "onde comprar",
      include_deleted: "true",
      sentiment: "negative,neutral",
      campaign_id: "7",
      limit: "500",
    });
  });

  it("asks /api/v1/sentiment with the filters and the zone, without paging, labels or deleted ones", () => {
    const q = sentimentQuery(
      {
        account_ids: [],
        platforms: [],
        post_external_id: "p1",
        kinds: [],
        since: null,
        until: null,
        search: null,
        include_deleted: true,
        sentiments: ["negative"],
        campaign_id: 4,
      },
      "America/Sao_Paulo",
    );
    expect(Object.fromEntries(q)).toEqual({ post: "p1", campaign_id: "4", time_zone: "America/Sao_Paulo" });
  });
});
