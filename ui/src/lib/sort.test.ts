import { describe, expect, it } from "vitest";
import type { PostView } from "./bindings";
import { sortRows } from "./sort";

const post = (id: number, over: Partial<PostView>): PostView => ({
  id,
  account_id: 1,
  platform: "x",
  account_label: "@acme (X)",
  post_id: String(id),
  content_type: "text",
  published_at: `2026-03-0${id}T12:00:00Z`,
  permalink: null,
  caption: `post ${id}`,
  views: null,
  likes: null,
  comments: null,
  shares: null,
  saves: null,
  interactions: null,
  engagement_rate: null,
  interactions_gained: null,
  ...over,
});

describe("sortRows", () => {
  const rows = [post(1, { likes: 5 }), post(2, { likes: 50, caption: "Launch day" }), post(3, {})];

  it("sorts numbers either way with missing values last", () => {
    expect(sortRows(rows, "likes", true, "").map((p) => p.id)).toEqual([2, 1, 3]);
    expect(sortRows(rows, "likes", false, "").map((p) => p.id)).toEqual([1, 2, 3]);
  });

  it("sorts dates as text and searches captions case-insensitively", () => {
    expect(sortRows(rows, "published_at", true, "").map((p) => p.id)).toEqual([3, 2, 1]);
    expect(sortRows(rows, "published_at", true, "LAUNCH").map((p) => p.id)).toEqual([2]);
    expect(rows.map((p) => p.id)).toEqual([1, 2, 3]);
  });
});
