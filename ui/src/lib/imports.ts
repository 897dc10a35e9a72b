// The Import card's logic, kept out of the component so it is tested on its own: the kinds
// of export and the platforms each fits, a kind guessed from the file's name, the file's
// bytes as base64 for the desktop's IPC, the column mapping as the command's pairs, and
// the words of a conflict.
import type { AccountView, ImportConflict, ImportKind, Platform } from "./bindings";

/** Every kind, in the order the card lists them. */
export const IMPORT_KINDS: ImportKind[] = [
  "x_archive",
  "meta_posts",
  "meta_daily",
  "tiktok_daily",
  "tiktok_videos",
  "youtube_videos",
  "youtube_daily",
  "generic_csv",
];

/** The platforms an export of each kind comes from; `null`: any (the generic CSV). Mirrors
 *  `alcance_app::imports::platforms_of`. */
export const KIND_PLATFORMS: Record<ImportKind, Platform[] | null> = {
  x_archive: ["x"],
  meta_posts: ["instagram", "facebook"],
  meta_daily: ["instagram", "facebook"],
  tiktok_daily: ["tiktok"],
  tiktok_videos: ["tiktok"],
  youtube_videos: ["youtube"],
  youtube_daily: ["youtube"],
  generic_csv: null,
};

/** The kind a file's name suggests (the names the platforms give their exports), else
 *  `null`. */
export function guessKind(fileName: string): ImportKind | null {
  const name = fileName.toLowerCase().split(/[\\/]/).pop() ?? "";
  if (/^tweets(-part\d+)?\.js$/.test(name)) return "x_archive";
  if (name === "overview.csv" || name === "followerhistory.csv") return "tiktok_daily";
  if (name.startsWith("table data") || name.startsWith("chart data")) return "youtube_videos";
  if (/^[a-z]{3}-\d{2}-\d{4}_[a-z]{3}-\d{2}-\d{4}/.test(name)) return "meta_posts";
  return null;
}

/** The accounts an export of `kind` can go into. */
export function accountsFor(kind: ImportKind, accounts: AccountView[]): AccountView[] {
  const fits = KIND_PLATFORMS[kind];
  return fits === null ? accounts : accounts.filter((a) => fits.includes(a.platform));
}

/** `bytes` as standard base64 (chunked, so a large file does not overflow the call stack). */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** The mapping step's choices (column → field, `""` = ignored) as `[column, field]` pairs,
 *  in the header's order. */
export function mappingPairs(header: string[], choice: Record<string, string>): [string, string][] {
  return header.filter((h) => (choice[h] ?? "") !== "").map((h) => [h, choice[h]]);
}

/** Whether a mapping can be imported: a post id or a date column, and a metric column. */
export function mappingReady(pairs: [string, string][], fields: string[]): boolean {
  const mapped = pairs.map(([, f]) => f);
  const keyed = mapped.includes("post_id") || mapped.includes("date");
  return keyed && mapped.some((f) => !fields.includes(f));
}

/** What a conflict is about: `post 123` or `day 2026-09-10`. */
export function conflictSubject(c: ImportConflict, words: { post: string; day: string }): string {
  if (c.post_id !== null) return `${words.post} ${c.post_id}`;
  if (c.day !== null) return `${words.day} ${c.day}`;
  return "";
}

/** The bytes of a picked file (`Blob.arrayBuffer`, else a `FileReader` where the webview
 *  lacks it). */
export function readBytes(file: Blob): Promise<Uint8Array> {
  if (typeof file.arrayBuffer === "function") return file.arrayBuffer().then((b) => new Uint8Array(b));
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error("the file cannot be read"));
    reader.readAsArrayBuffer(file);
  });
}
