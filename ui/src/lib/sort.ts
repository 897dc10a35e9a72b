// Sorting and searching the posts table.
import type { PostView } from "./bindings";

export type SortKey =
  | "published_at"
  | "account_label"
  | "views"
  | "likes"
  | "comments"
  | "shares"
  | "interactions"
  | "engagement_rate";

/** Rows matching the search, sorted; missing values sort last either way. */
export function sortRows(list: PostView[], key: SortKey, desc: boolean, q: string): PostView[] {
  const needle = q.trim().toLowerCase();
  const kept = needle
    ? list.filter((p) => (p.caption ?? "").toLowerCase().includes(needle) || p.account_label.toLowerCase().includes(needle))
    : list.slice();
  return kept.sort((a, b) => {
    const va = a[key];
    const vb = b[key];
    if (va === null && vb === null) return 0;
    if (va === null) return 1;
    if (vb === null) return -1;
    const cmp = typeof va === "number" && typeof vb === "number" ? va - vb : String(va).localeCompare(String(vb));
    return desc ? -cmp : cmp;
  });
  }

