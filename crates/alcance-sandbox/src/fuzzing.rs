//! Fuzz entry point of the sandbox (ADR 0016): the replay exchange loader. The
//! `replay_exchange` fuzz target calls [`replay_exchange`]; the tests replay its seeds and
//! crash regressions (`fuzz/corpus/replay_exchange/`, `fuzz/regressions/replay_exchange/`)
//! through it.

use crate::replay::ReplayEngine;

/// Loads `bytes` as one exchange file (`x/fuzz.json`), then derives its manifest and asks
/// it for a few requests (the X profile, a Graph page, a form-encoded and a JSON body), as
/// the replay server does. Never panics.
pub fn replay_exchange(bytes: &[u8]) {
    let Ok(engine) = ReplayEngine::from_bytes("x/fuzz.json", bytes) else {
        return;
    };
    let _ = engine.manifest();
    let query = vec![("fields".to_string(), "id,name".to_string())];
    let _ = engine.respond("GET", "/2/users/me", &query, None);
    let _ = engine.respond("get", "/v21.0/%7Bpage-id%7D?limit=25", &query, None);
    let _ = engine.respond("POST", "/oauth/token", &[], Some(b"grant_type=refresh_token&a=1"));
    let _ = engine.respond(
        "POST",
        "/xrpc/com.atproto.server.createSession",
        &[],
        Some(br#"{"identifier":"a"}"#),
    );
    let _ = ReplayEngine::not_found("GET", "/fuzz");
}
