import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushSync } from "svelte";
import type { CsvPreview, ImportOutcome } from "../lib/bindings";
import { accountsFor, guessKind, mappingPairs, mappingReady, toBase64 } from "../lib/imports";
import { fromBase64 } from "../lib/transport/http";
import { account, dashboard, status } from "../test/fixtures";
import { backend, click, fill, open, q, qa, reset, sent, start, stop, text } from "../test/harness";

beforeEach(reset);
afterEach(stop);

describe("the import helpers", () => {
  it("guess the kind from the names the platforms give their exports", () => {
    expect(guessKind("/home/ana/twitter-2026/data/tweets.js")).toBe("x_archive");
    expect(guessKind("tweets-part1.js")).toBe("x_archive");
    expect(guessKind("Overview.csv")).toBe("tiktok_daily");
    expect(guessKind("Table data.csv")).toBe("youtube_videos");
    expect(guessKind("Sep-01-2026_Sep-30-2026_1234.csv")).toBe("meta_posts");
    expect(guessKind("planilha.csv")).toBeNull();
  });

  it("carry bytes as base64 both ways, UTF-16 included", () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x73, 0x00, 0x65, 0x00, 0x70, 0x00, 0x00, 0x80]);
    const text = toBase64(bytes);
    expect(text).toBe("//5zAGUAcAAAgA==");
    expect([...fromBase64(text)]).toEqual([...bytes]);
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    expect([...fromBase64(toBase64(big))]).toEqual([...big]);
  });

  it("keep only the accounts a kind fits, and a mapping with a key and a metric", () => {
    const ig = account();
    const x = account({ id: 4, platform: "x", external_id: "99", username: "marca" });
    expect(accountsFor("x_archive", [ig, x]).map((a) => a.id)).toEqual([4]);
    expect(accountsFor("generic_csv", [ig, x])).toHaveLength(2);
    const fields = ["post_id", "date", "published_at", "caption", "permalink"];
    const pairs = mappingPairs(["Post", "Likes", "Note"], { Post: "post_id", Likes: "likes", Note: "" });
    expect(pairs).toEqual([
      ["Post", "post_id"],
      ["Likes", "likes"],
    ]);
    expect(mappingReady(pairs, fields)).toBe(true);
    expect(mappingReady([["Post", "post_id"]], fields)).toBe(false);
    expect(mappingReady([["Likes", "likes"]], fields)).toBe(false);
  });
});

const CSV = "Publicação;Data;Curtidas\nP-001;2026-07-01;120\nP-002;2026-07-03;80\n";

function preview(): CsvPreview {
  return {
    header: ["Publicação", "Data", "Curtidas"],
    rows: [
      ["P-001", "2026-07-01", "120"],
      ["P-002", "2026-07-03", "80"],
    ],
    fields: ["post_id", "date", "published_at", "caption", "permalink"],
    metrics: ["likes", "reach", "views"],
  };
}

function outcome(dryRun: boolean): ImportOutcome {
  return {
    import_id: dryRun ? null : 7,
    already_imported: null,
    rows_read: 3,
    added: 1,
    duplicates: 0,
    posts_created: 1,
    conflicts: [
      {
        line: 2,
        metric: "likes",
        post_id: "P-001",
        day: null,
        stored_value: 125,
        stored_source: "api",
        imported_value: 120,
      },
    ],
    errors: [{ line: 4, reason: 'Curtidas "12x" is not a number' }],
    ignored_columns: [],
    dry_run: dryRun,
  };
}

function importBackend() {
  backend((cmd, args) => {
    if (cmd === "app_status") return status(true);
    if (cmd === "list_accounts") return [account(), account({ id: 4, platform: "x", external_id: "99", username: "marca" })];
    if (cmd === "dashboard") return dashboard();
    if (cmd === "list_imports") return [];
    if (cmd === "preview_import_csv") return preview();
    if (cmd === "import_export") return outcome(Boolean(args.dryRun));
    return null;
  });
}

async function chooseFile(name: string, content: string) {
  const input = q('[data-testid="import-file"]') as HTMLInputElement;
  const file = new File([content], name, { type: "text/csv" });
  Object.defineProperty(input, "files", { value: [file], configurable: true });
  input.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}

describe("the Import card", () => {
  it("maps a generic CSV's columns, previews the counts, then imports", async () => {
    importBackend();
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="import-card"]')).not.toBeNull());
    fill('[data-testid="import-kind"]', "generic_csv");
    await chooseFile("planilha.csv", CSV);
    await vi.waitFor(() => expect(q('[data-testid="import-mapping"]')).not.toBeNull());
    expect(sent("preview_import_csv")[0].args).toEqual({ contentBase64: toBase64(new TextEncoder().encode(CSV)), rows: 5 });
    expect(qa('[data-testid="import-mapping"] tbody tr')).toHaveLength(2);
    // Nothing to import until a key column and a metric column are chosen.
    expect((q('[data-testid="import-preview"]') as HTMLButtonElement).disabled).toBe(true);
    fill('[data-testid="import-map-Publicação"]', "post_id");
    fill('[data-testid="import-map-Curtidas"]', "likes");
    expect((q('[data-testid="import-preview"]') as HTMLButtonElement).disabled).toBe(false);

    click('[data-testid="import-preview"]');
    await vi.waitFor(() => expect(q('[data-testid="import-counts"]')).not.toBeNull());
    const dry = sent("import_export")[0].args;
    expect(dry).toMatchObject({
      accountId: 3,
      kind: "generic_csv",
      fileName: "planilha.csv",
      map: [
        ["Publicação", "post_id"],
        ["Curtidas", "likes"],
      ],
      dryRun: true,
    });
    expect(text('[data-testid="import-counts"]')).toBe("3 read, 1 added, 0 already stored, 1 conflicts, 1 errors");
    expect(text('[data-testid="import-conflicts"]')).toBe("Line 2: likes of post P-001: stored 125 (api), file 120");
    expect(text('[data-testid="import-errors"]')).toBe('Line 4: Curtidas "12x" is not a number');

    click('[data-testid="import-run"]');
    await vi.waitFor(() => expect(sent("import_export")).toHaveLength(2));
    expect(sent("import_export")[1].args.dryRun).toBe(false);
    await vi.waitFor(() => expect(sent("list_imports").length).toBeGreaterThanOrEqual(2));
  });

  it("offers only the accounts an export fits, from the file's name", async () => {
    importBackend();
    start();
    await open("accounts");
    await vi.waitFor(() => expect(q('[data-testid="import-card"]')).not.toBeNull());
    await chooseFile("tweets.js", "window.YTD.tweets.part0 = []");
    await vi.waitFor(() => expect((q('[data-testid="import-kind"]') as HTMLSelectElement).value).toBe("x_archive"));
    const options = qa('[data-testid="import-account"] option').map((o) => (o as HTMLOptionElement).value);
    expect(options).toEqual(["4"]);
    expect(sent("preview_import_csv")).toHaveLength(0);
  });
});
