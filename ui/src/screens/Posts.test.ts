// The Posts screen: ticking posts and adding them to one or more campaigns.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { campaignRow, campaignSummary, dashboard, kpis, postView, status } from "../test/fixtures";
import { backend, click, open, q, qa, reset, sent, start, stop, text } from "../test/harness";

beforeEach(reset);
afterEach(stop);

const posts = [
  postView({ id: 7, caption: "Bastidores" }),
  postView({ id: 8, caption: "Lançamento", published_at: "2026-11-19T15:00:00Z" }),
  postView({ id: 9, caption: "Sorteio", published_at: "2026-11-18T15:00:00Z" }),
];
const natal = campaignSummary({ campaign: campaignRow({ id: 2, name: "Natal" }), total: kpis(), budget_used: null });
const old = campaignSummary({
  campaign: campaignRow({ id: 5, name: "Carnaval", archived_at: "2026-03-10T12:00:00Z" }),
  total: kpis(),
  budget_used: null,
});

function desktop() {
  backend((cmd) => {
    if (cmd === "app_status") return status(true);
    if (cmd === "list_accounts") return [];
    if (cmd === "dashboard") return dashboard();
    if (cmd === "list_posts") return posts;
    if (cmd === "list_campaigns") return [campaignSummary(), natal, old];
    if (cmd === "add_posts_to_campaigns") return 4;
    return null;
  });
}

const tick = (id: number) => {
  const box = q(`[data-testid="post-row"][data-post-id="${id}"] [data-testid="post-pick"]`) as HTMLInputElement;
  expect(box).not.toBeNull();
  box.click();
};

describe("adding posts to campaigns from the Posts screen", () => {
  it("ticks two posts and adds them to two campaigns (archived ones are not offered)", async () => {
    desktop();
    start();
    await open("posts");
    await vi.waitFor(() => expect(qa('[data-testid="post-row"]')).toHaveLength(3));
    expect(q('[data-testid="posts-add-bar"]')).toBeNull();
    tick(7);
    tick(9);
    await vi.waitFor(() => expect(text('[data-testid="posts-picked"]')).toBe("2 selected"));
    click('[data-testid="posts-add-to-campaign"]');
    await vi.waitFor(() => expect(qa('[data-testid="posts-campaign-option"]')).toHaveLength(2));
    expect(qa('[data-testid="posts-campaign-option"]').map((e) => e.getAttribute("data-campaign-id"))).toEqual(["1", "2"]);
    expect((q('[data-testid="posts-add-confirm"]') as HTMLButtonElement).disabled).toBe(true);
    click('[data-testid="posts-campaign-option"][data-campaign-id="1"]');
    click('[data-testid="posts-campaign-option"][data-campaign-id="2"]');
    click('[data-testid="posts-add-confirm"]');
    await vi.waitFor(() => expect(sent("add_posts_to_campaigns")).toHaveLength(1));
    expect(sent("add_posts_to_campaigns")[0].args).toEqual({ campaignIds: [1, 2], postIds: [7, 9] });
    await vi.waitFor(() => expect(text('[data-testid="posts-added"]')).toBe("Added 2 posts to 2 campaigns."));
    expect(q('[data-testid="posts-picked"]')).toBeNull();
  });

  it("selects every post shown at once, and says why an add was refused", async () => {
    backend((cmd) => {
      if (cmd === "app_status") return status(true);
      if (cmd === "list_accounts") return [];
      if (cmd === "dashboard") return dashboard();
      if (cmd === "list_posts") return posts;
      if (cmd === "list_campaigns") return [natal];
      if (cmd === "add_posts_to_campaigns") throw { code: "not_found", message: "post 8 not found" };
      return null;
    });
    start();
    await open("posts");
    await vi.waitFor(() => expect(qa('[data-testid="post-row"]')).toHaveLength(3));
    click('[data-testid="posts-pick-all"]');
    expect(text('[data-testid="posts-picked"]')).toBe("3 selected");
    click('[data-testid="posts-add-to-campaign"]');
    await vi.waitFor(() => expect(q('[data-testid="posts-campaign-option"]')).not.toBeNull());
    click('[data-testid="posts-campaign-option"]');
    click('[data-testid="posts-add-confirm"]');
    await vi.waitFor(() => expect(q('[data-testid="posts-add-bar"] [data-testid="error"]')).not.toBeNull());
    expect(sent("add_posts_to_campaigns")[0].args).toEqual({ campaignIds: [2], postIds: [7, 8, 9] });
    expect(text('[data-testid="posts-picked"]')).toBe("3 selected");
  });
});
