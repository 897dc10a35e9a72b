// The desktop window as a client of a team server ("Connect to a team server"): the
// browser's HTTP transport, its requests carried over IPC by the Rust side, which holds
// the server's session cookie (another origin, HttpOnly: the webview cannot) and sends
// them to `alcance serve`. Screens are the browser's: sign-in, roles, admin.
import { commands as ipc } from "../bindings";
import type { Transport } from "../transport";
import { CSRF_HEADER, httpTransport } from "./http";

/** A `fetch` that sends `/api/v1/…` requests through the desktop's team client. */
export function teamFetch(send = ipc.teamRequest): typeof fetch {
  return async (input, init) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === "string" ? init.body : null;
    const answer = await send(init?.method ?? "GET", url, body, headers.get(CSRF_HEADER));
    // A 204 / 205 / 304 answer has no body (the Response constructor refuses one).
    const empty = answer.status === 204 || answer.status === 205 || answer.status === 304;
    return new Response(empty ? null : answer.body, {
      status: answer.status,
      headers: answer.content_type ? { "content-type": answer.content_type } : {},
    });
  };
}

/** The team transport: HTTP over IPC, downloads saved by the desktop (their path). */
export function teamTransport(send = ipc.teamRequest, download = ipc.teamDownload): Transport {
  return httpTransport(teamFetch(send), "", { download });
}
