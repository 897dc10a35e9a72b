// What only the browser has: sign-in, people and API tokens (the server's /api/v1 routes
// of people), and download links of exports. Shapes as the server's OpenAPI describes them.
import type { CompareRequest, CompetitorsRequest, ExportFormat, PdfLanguage, ReportFormat, ReportRequest, ViewFilter } from "../bindings";

/** A role: `admin` (everything, people included), `manager` (collection), `analyst`
 *  (reads everything, exports), `client` (reads what is shared with them). */
export type Role = "admin" | "manager" | "analyst" | "client";

/** The roles from the least to the most. */
export const ROLES: readonly Role[] = ["client", "analyst", "manager", "admin"];

/** `true` when `role` is `least` or above. */
export function atLeast(role: Role | null | undefined, least: Role): boolean {
  return role != null && ROLES.indexOf(role) >= ROLES.indexOf(least);
}

/** A person of the workspace. `created_at` UTC RFC 3339. */
export type UserView = { id: number; email: string; role: Role; has_password: boolean; created_at: string };

/** Who is signed in; `csrf_token` goes in `X-CSRF-Token` on requests that change state;
 *  `account_ids` are a client's shared accounts (`null` for other roles). */
export type SessionView = { user: UserView; role: Role; csrf_token: string | null; account_ids: number[] | null };

/** An invitation: the user and the one-time token of their link (shown once); `emailed`:
 *  the server has SMTP and the link was also sent to them. */
export type Invitation = { user: UserView; token: string; emailed: boolean };

/** An API token without its secret; times UTC RFC 3339, `null` when never / not revoked. */
export type TokenView = {
  id: number;
  email: string;
  name: string;
  role: Role;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};

/** A new API token and its secret (shown once). */
export type NewToken = { token: TokenView; secret: string };

/** A prepared Threads sign-in on the server's HTTPS callback: the consent page to open,
 *  the redirect URI it uses (register it exactly in the Threads app), and how long it
 *  waits for Threads' redirect, in seconds. */
export type ThreadsSignIn = { authorize_url: string; redirect_uri: string; expires_in: number };

/** The browser-only part of the HTTP transport. Every method rejects with an `AppError`. */
export interface WebApi {
  /** Who is signed in; `unauthorized` when nobody. Keeps the CSRF token. */
  whoami(): Promise<SessionView>;
  /** Signs in (the server sets the session cookie); `unauthorized` on a wrong email or
   *  password, `too_many_requests` after too many failures. */
  signIn(email: string, password: string): Promise<SessionView>;
  /** Signs out (the cookie is cleared). */
  signOut(): Promise<void>;
  /** Sets a password with the one-time token of an invitation or reset link. */
  setPassword(token: string, password: string): Promise<void>;
  /** The people, by email (admin). */
  users(): Promise<UserView[]>;
  /** Invites a person (admin). */
  invite(email: string, role: Role): Promise<Invitation>;
  /** Changes a person's role (admin). */
  setRole(id: number, role: Role): Promise<UserView>;
  /** Removes a person: their sessions and tokens stop working (admin). */
  removeUser(id: number): Promise<void>;
  /** Prepares a Threads sign-in that ends on this server's HTTPS callback
   *  (`POST /api/v1/connect/threads`, manager): open `authorize_url`, approve, and the
   *  server connects the account. `invalid_input` when the server is reached over plain
   *  HTTP (Threads accepts only HTTPS redirects) or the app ID or secret is empty. */
  startThreads(clientId: string, clientSecret: string): Promise<ThreadsSignIn>;
  /** The API tokens, revoked ones included (admin). */
  tokens(): Promise<TokenView[]>;
  /** Makes an API token for `email` (admin). */
  createToken(email: string, role: Role, name: string): Promise<NewToken>;
  /** Revokes an API token (admin). */
  revokeToken(id: number): Promise<TokenView>;
  /** Calls `listener` when a signed-in session ends under the app (expired, revoked, the
   *  server restarted with another database): a request answered 401. Returns the way to
   *  stop listening. */
  onSessionEnded(listener: () => void): () => void;
  /** The download link of an export over the filter's days (`GET /api/v1/exports/{format}`). */
  exportUrl(format: ExportFormat, filter: ViewFilter): string;
  /** In the desktop app connected to a team server: downloads the export into the
   *  Downloads folder and returns the file's path (a link cannot carry the session
   *  there). Absent in a browser, where `exportUrl` is a plain download link. */
  download?(format: ExportFormat, filter: ViewFilter): Promise<string>;
  /** The download link of a report file (`GET /api/v1/reports/weekly`, analysts and above;
   *  `GET /api/v1/campaigns/{id}/report`, clients for shared campaigns), the PDF's words in
   *  `lang`. */
  reportUrl(request: ReportRequest, format: ReportFormat, lang: PdfLanguage): string;
  /** In the desktop app connected to a team server: downloads the report file into the
   *  Downloads folder and returns its path. Absent in a browser (`reportUrl` is a link). */
  downloadReport?(request: ReportRequest, format: ReportFormat, lang: PdfLanguage): Promise<string>;
  /** The download link of an account comparison's file (`GET /api/v1/compare?…&format=`;
   *  a client compares the accounts shared with them). */
  compareUrl(request: CompareRequest, format: "csv" | "json" | "xlsx"): string;
  /** In the desktop app connected to a team server: downloads the comparison's file into
   *  the Downloads folder and returns its path. Absent in a browser. */
  downloadCompare?(request: CompareRequest, format: "csv" | "json" | "xlsx"): Promise<string>;
  /** The download link of the Competitors report's file (`GET /api/v1/competitors/report?…&format=`,
   *  analysts and above). */
  competitorsUrl(request: CompetitorsRequest, format: "csv" | "json" | "xlsx"): string;
}
