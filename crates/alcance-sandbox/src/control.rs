//! Control endpoints under `/__alcance/` (ADR 0001): manifest, clock, revocation, faults,
//! rate-limit reset, health, placeholder images, and the consent screen's unticked scopes
//! (`/__alcance/consent`: `{"decline": [scope, …]}`).

use axum::http::Method;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::{Chaos, Fault};
use crate::reply::Reply;
use crate::server::{Req, SandboxState, Source};

fn bad_request(message: &str) -> Reply {
    Reply::json(400, &json!({ "error": message }))
}

fn parse_body<T: for<'de> Deserialize<'de>>(req: &Req) -> Result<T, Reply> {
    serde_json::from_slice(&req.body).map_err(|e| bad_request(&format!("invalid JSON body: {e}")))
}

#[derive(Deserialize)]
struct ClockBody {
    /// RFC 3339; `null` goes back to the real time.
    now: Option<String>,
}

#[derive(Deserialize)]
struct RevokeBody {
    token: String,
}

#[derive(Deserialize)]
struct ConsentBody {
    /// Scopes the consent screen leaves unticked from now on.
    decline: Vec<String>,
}

/// Answers one control request.
pub(crate) fn handle(st: &SandboxState, req: &Req) -> Reply {
    let path = req.raw_path.trim_end_matches('/');
    let m = &req.method;
    match path {
        "/__alcance/accounts" if m == Method::GET => {
            Reply::json(200, &json!({ "mode": st.mode_name(), "accounts": st.manifest() }))
        }
        "/__alcance/clock" if m == Method::GET || m == Method::POST => clock(st, req),
        "/__alcance/revoke" if m == Method::POST => match parse_body::<RevokeBody>(req) {
            Ok(b) => Reply::json(200, &json!({ "revoked": st.tokens.revoke(&b.token) })),
            Err(r) => r,
        },
        // Google Sheets (seeded mode): the spreadsheets written so far, and the user
        // removing Alcance's access from their Google account (every Google token revoked).
        "/__alcance/sheets" if m == Method::GET => Reply::json(200, &st.sheets.summary()),
        "/__alcance/google/revoke-all" if m == Method::POST => Reply::json(
            200,
            &json!({ "revoked": st.tokens.revoke_network(crate::model::Network::Youtube) }),
        ),
        "/__alcance/consent" if m == Method::GET => Reply::json(200, &json!({ "decline": st.tokens.declines() })),
        "/__alcance/consent" if m == Method::POST => match parse_body::<ConsentBody>(req) {
            Ok(b) => {
                st.tokens.set_declines(b.decline);
                Reply::json(200, &json!({ "decline": st.tokens.declines() }))
            }
            Err(r) => r,
        },
        "/__alcance/consent" if m == Method::DELETE => {
            st.tokens.set_declines(Vec::new());
            Reply::json(200, &json!({ "decline": [] }))
        }
        "/__alcance/faults" if m == Method::GET => Reply::json(200, &json!({ "faults": st.faults.list() })),
        "/__alcance/faults" if m == Method::POST => {
            // One fault object, or an array of them.
            let parsed: Result<Value, Reply> = parse_body(req);
            let faults: Result<Vec<Fault>, String> = match parsed {
                Ok(Value::Array(items)) => items
                    .into_iter()
                    .map(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
                    .collect(),
                Ok(v) => serde_json::from_value(v).map(|f| vec![f]).map_err(|e| e.to_string()),
                Err(r) => return r,
            };
            match faults {
                Ok(list) => {
                    for f in list {
                        st.faults.add(f);
                    }
                    Reply::json(200, &json!({ "faults": st.faults.list() }))
                }
                Err(e) => bad_request(&format!(
                    "invalid fault: {e}; expected {{\"path_prefix\",\"kind\":\"status_500|status_429|html|truncated|malformed_json|missing_fields|unknown_enum|slow\",\"times\":N}}"
                )),
            }
        }
        "/__alcance/faults" if m == Method::DELETE => {
            st.faults.clear();
            st.chaos.disarm();
            Reply::json(200, &json!({ "faults": [] }))
        }
        "/__alcance/faults/chaos" if m == Method::GET => Reply::json(200, &json!(st.chaos.report())),
        "/__alcance/faults/chaos" if m == Method::POST => match parse_body::<Chaos>(req) {
            Ok(chaos) => Reply::json(200, &json!(st.chaos.arm(chaos))),
            Err(r) => r,
        },
        "/__alcance/faults/chaos" if m == Method::DELETE => Reply::json(200, &json!(st.chaos.disarm())),
        "/__alcance/limits" if m == Method::DELETE => {
            st.limits.reset();
            Reply::json(200, &json!({ "reset": true }))
        }
        "/__alcance/whatsapp-token" if m == Method::GET => crate::whatsapp::control_token(st),
        "/__alcance/whatsapp" if m == Method::GET || m == Method::POST => crate::whatsapp::control_flags(st, req),
        "/__alcance/threads-token" if m == Method::GET => crate::threads::control_token(st),
        "/__alcance/health" if m == Method::GET => Reply::json(200, &json!({ "ok": true, "mode": st.mode_name() })),
        p if m == Method::GET && p.starts_with("/__alcance/img/") => image(&p["/__alcance/img/".len()..]),
        _ => Reply::json(
            404,
            &json!({
                "error": "unknown control endpoint",
                "method": req.method.as_str(),
                "path": req.raw_path,
            }),
        ),
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn clock(st: &SandboxState, req: &Req) -> Reply {
    if matches!(st.source, Source::Replay(_)) {
        return Reply::json(200, &json!({ "mode": "replay" }));
    }
    if req.method == Method::POST {
        let body: ClockBody = match parse_body(req) {
            Ok(b) => b,
            Err(r) => return r,
        };
        match body.now {
            None => st.set_clock(None),
            Some(s) => match DateTime::parse_from_rfc3339(s.trim()) {
                Ok(t) => {
                    let t = t.with_timezone(&Utc);
                    // Moving the clock forward by a whole rate-limit window (15 min) means
                    // that much simulated time passed: every window has reset, as it would
                    // have on the real platform. Without this, 90 simulated days squeezed
                    // into seconds of real time would exhaust X's 75-per-15-min budget.
                    if t - st.now() >= chrono::Duration::minutes(15) {
                        st.limits.reset();
                    }
                    st.set_clock(Some(t));
                }
                Err(e) => return bad_request(&format!("\"now\" must be RFC 3339 ({e})")),
            },
        }
    }
    Reply::json(
        200,
        &json!({ "mode": "seeded", "now": rfc3339(st.now()), "fixed": st.clock_is_fixed() }),
    )
}

/// A deterministic placeholder picture: a PNG for `<name>.png` (the posts' pictures, see
/// [`crate::picture`]), an SVG otherwise (avatars).
fn image(name: &str) -> Reply {
    if let Some(stem) = name.strip_suffix(".png") {
        let (status, content_type, body) = crate::picture::serve(stem);
        return Reply {
            status,
            headers: vec![
                ("content-type".into(), content_type.into()),
                ("cache-control".into(), "max-age=86400".into()),
            ],
            body,
            delay_ms: 0,
        };
    }
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let hue = hash % 360;
    let initial: String = name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "A".to_string());
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"320\" viewBox=\"0 0 320 320\">\
<rect width=\"320\" height=\"320\" fill=\"hsl({hue},55%,45%)\"/>\
<text x=\"160\" y=\"200\" font-family=\"sans-serif\" font-size=\"160\" text-anchor=\"middle\" fill=\"#fff\">{initial}</text></svg>"
    );
    Reply {
        status: 200,
        headers: vec![
            ("content-type".into(), "image/svg+xml".into()),
            ("cache-control".into(), "max-age=86400".into()),
        ],
        body: svg.into_bytes(),
        delay_ms: 0,
    }
}
