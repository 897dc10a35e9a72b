// What the Campaigns screen computes on its own: where a campaign stands on a day, the
// form's values and their check before they go to the backend, and which brand /
// influencer changes a save needs. Dates are UTC days ("YYYY-MM-DD"); money is in the
// campaign's currency (ISO 4217).
import type {
  AccountId,
  CampaignAccountRow,
  CampaignRole,
  CampaignRow,
  Goal,
  NewCampaign,
  NewConversion,
  NewCost,
} from "./bindings";

/** Every goal, in the backend's order. */
export const GOALS: Goal[] = ["awareness", "engagement", "traffic", "conversions", "followers", "other"];

/** Where a campaign stands on `today`: not started, going on, or past its last day. */
export type CampaignStatus = "planned" | "running" | "ended";

/** The UTC day of `now` as "YYYY-MM-DD". */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Where `c` stands on the UTC day `today` ("YYYY-MM-DD"): `planned` before its first
 *  day, `ended` after its last (inclusive) day, else `running` (open-ended campaigns run
 *  until they get an end). */
export function campaignStatus(c: Pick<CampaignRow, "starts_on" | "ends_on">, today: string): CampaignStatus {
  if (today < c.starts_on) return "planned";
  if (c.ends_on && today > c.ends_on) return "ended";
  return "running";
}

/** The form's fields as typed (strings, as the inputs hold them). */
export type CampaignForm = {
  name: string;
  starts_on: string;
  ends_on: string;
  budget: string;
  currency: string;
  goal: Goal;
  notes: string;
};

/** An empty form starting on `today`, in `currency`. */
export function emptyForm(today: string, currency = "BRL"): CampaignForm {
  return { name: "", starts_on: today, ends_on: "", budget: "", currency, goal: "awareness", notes: "" };
}

/** The form of a stored campaign (to edit it). */
export function formOf(c: CampaignRow): CampaignForm {
  return {
    name: c.name,
    starts_on: c.starts_on,
    ends_on: c.ends_on ?? "",
    budget: c.budget === null ? "" : String(c.budget),
    currency: c.currency,
    goal: c.goal,
    notes: c.notes ?? "",
  };
}

/** Why the form cannot be saved (an i18n key under `campaigns.invalid.`), or the campaign
 *  to send. A budget accepts "1234.50" and "1234,50"; empty means none. */
export type Checked = { ok: true; campaign: NewCampaign } | { ok: false; problem: "name" | "start" | "end" | "budget" | "currency" };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function checkForm(f: CampaignForm): Checked {
  const name = f.name.trim();
  if (name === "" || [...name].length > 200) return { ok: false, problem: "name" };
  if (!DAY.test(f.starts_on) || Number.isNaN(Date.parse(f.starts_on))) return { ok: false, problem: "start" };
  const ends = f.ends_on.trim();
  if (ends !== "" && (!DAY.test(ends) || Number.isNaN(Date.parse(ends)) || ends < f.starts_on)) {
    return { ok: false, problem: "end" };
  }
  let budget: number | null = null;
  const rawBudget = f.budget.trim();
  if (rawBudget !== "") {
    if (!/^\d+([.,]\d{1,2})?$/.test(rawBudget)) return { ok: false, problem: "budget" };
    budget = Number(rawBudget.replace(",", "."));
    if (!Number.isFinite(budget) || budget < 0) return { ok: false, problem: "budget" };
  }
  const currency = f.currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) return { ok: false, problem: "currency" };
  const notes = f.notes.trim();
  return {
    ok: true,
    campaign: {
      name,
      starts_on: f.starts_on,
      ends_on: ends === "" ? null : ends,
      budget,
      currency,
      goal: f.goal,
      notes: notes === "" ? null : notes,
    },
  };
}

/** The role each account should have in the campaign (`none`: not in it). */
export type Members = Record<number, CampaignRole | "none">;

/** The members of a stored campaign as the form's picks. */
export function membersOf(rows: CampaignAccountRow[]): Members {
  const m: Members = {};
  for (const r of rows) m[r.account_id] = r.role;
  return m;
}

/** What a save must send to go from `before` to `after`: accounts to add or change
 *  (with their role) and accounts to take out, each by id ascending. */
export function memberChanges(
  before: Members,
  after: Members,
): { set: { account: AccountId; role: CampaignRole }[]; remove: AccountId[] } {
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)].map(Number))].sort((a, b) => a - b);
  const set: { account: AccountId; role: CampaignRole }[] = [];
  const remove: AccountId[] = [];
  for (const id of ids) {
    const was = before[id] ?? "none";
    const now = after[id] ?? "none";
    if (was === now) continue;
    if (now === "none") remove.push(id);
    else set.push({ account: id, role: now });
  }
  return { set, remove };
}

/** The cost form's fields as typed: amount, day, note, and the campaign account it is for
 *  (`""`: the whole campaign). */
export type CostForm = { account: string; amount: string; spent_on: string; note: string };

/** The conversion form's fields as typed: how many, the revenue (empty: unknown), day,
 *  and the campaign account they are attributed to (`""`: unattributed). */
export type ConversionForm = { account: string; count: string; revenue: string; converted_on: string };

/** An amount typed as "1234.50" or "1234,50" (at most two decimals, no thousands
 *  separator), or `null` when it is not one. */
export function parseAmount(raw: string): number | null {
  const s = raw.trim();
  if (!/^\d+([.,]\d{1,2})?$/.test(s)) return null;
  const n = Number(s.replace(",", "."));
  return Number.isFinite(n) && n >= 0 ? n : null;
}

const isDay = (s: string) => DAY.test(s) && !Number.isNaN(Date.parse(s));
const accountOf = (raw: string): AccountId | null => (raw === "" ? null : Number(raw));

/** Why the cost form cannot be sent (an i18n key under `campaigns.money.invalid.`), or
 *  the cost to send in the campaign's `currency`. */
export function checkCost(
  f: CostForm,
  currency: string,
): { ok: true; cost: NewCost } | { ok: false; problem: "amount" | "date" } {
  const amount = parseAmount(f.amount);
  if (amount === null) return { ok: false, problem: "amount" };
  if (!isDay(f.spent_on)) return { ok: false, problem: "date" };
  const note = f.note.trim();
  return {
    ok: true,
    cost: { spent_on: f.spent_on, amount, currency, note: note === "" ? null : note, account_id: accountOf(f.account) },
  };
}

/** Why the conversion form cannot be sent, or the conversion line to send in the
 *  campaign's `currency`. A count is a whole number; an empty revenue is unknown (never 0). */
export function checkConversion(
  f: ConversionForm,
  currency: string,
): { ok: true; conversion: NewConversion } | { ok: false; problem: "count" | "revenue" | "date" } {
  const count = f.count.trim();
  if (!/^\d{1,9}$/.test(count)) return { ok: false, problem: "count" };
  let revenue: number | null = null;
  if (f.revenue.trim() !== "") {
    revenue = parseAmount(f.revenue);
    if (revenue === null) return { ok: false, problem: "revenue" };
  }
  if (!isDay(f.converted_on)) return { ok: false, problem: "date" };
  return {
    ok: true,
    conversion: {
      converted_on: f.converted_on,
      count: Number(count),
      revenue,
      currency,
      source: null,
      utm_campaign: null,
      utm_source: null,
      utm_medium: null,
      account_id: accountOf(f.account),
    },
  };
}

/** The campaigns the list shows: all with `showArchived`, else those not archived. */
export function visibleCampaigns<T extends { campaign: Pick<CampaignRow, "archived_at"> }>(
  list: T[],
  showArchived: boolean,
): T[] {
  return showArchived ? list : list.filter((s) => s.campaign.archived_at === null);
}
