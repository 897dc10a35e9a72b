//! WhatsApp Business Management API on the seeded sandbox (platform-apis.md §2, §5): the
//! WABA node with the `analytics`, `conversation_analytics` and `pricing_analytics` field
//! expansions, phone numbers, message templates, the irreversible template-insights
//! switch and `template_analytics`, with Graph envelopes, errors and usage headers
//! (`X-Business-Use-Case-Usage` type `whatsapp_business_management`).
//!
//! There is no OAuth dialog: `GET /__alcance/whatsapp-token` hands out a system-user token
//! for the seeded WABA, the way a user would create one in Business Manager and paste it.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, PoisonError};

use axum::http::Method;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{json, Map, Value};

use crate::meta::{
    base_name, nonexisting, ok, parse_when, requested_fields, split_fields, token_owner, unknown_path, unsupported_get,
    with_usage_headers,
};
use crate::model::{account_by_id, day_of, day_start, Generator, Network, ACCOUNTS};
use crate::model::{
    wa_day, wa_messaging_tier, wa_rate, WaDay, WABA_ID, WA_DISPLAY_PHONE, WA_PHONE_DIGITS, WA_PHONE_NUMBER_ID,
    WA_TEMPLATES,
};
use crate::registry::FakeNetwork;
use crate::reply::{meta_error, meta_invalid, Reply};
use crate::server::{Req, SandboxState};

/// WhatsApp Business in the sandbox's network registry: the Graph paths asked with a
/// WhatsApp token (its token comes from Facebook Login or a system user, so it has no OAuth
/// endpoint of its own).
pub(crate) struct Whatsapp;

impl FakeNetwork for Whatsapp {
    fn network(&self) -> Network {
        Network::Whatsapp
    }

    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Option<Reply> {
        let network = req.access_token().and_then(|t| st.tokens.network_of(&t));
        (network == Some(Network::Whatsapp)).then(|| handle(st, g, req, segs))
    }
}

/// Lookback of `analytics`, `conversation_analytics` and `pricing_analytics` since
/// 2025-12-01: a `start` more than 365 days before the clock's UTC day began is refused
/// with error #100.
pub const ANALYTICS_LOOKBACK_DAYS: i64 = 365;
/// Lookback of `template_analytics`: 90 days before the clock's UTC day (error #100
/// beyond; `start` is floored to a UTC day first).
pub const TEMPLATE_LOOKBACK_DAYS: i64 = 90;
/// At most this many `template_ids` per `template_analytics` call.
pub const MAX_TEMPLATE_IDS: usize = 10;
/// System-user tokens from `GET /__alcance/whatsapp-token` never expire (ten years here).
const SYSTEM_USER_LIFETIME: std::time::Duration = std::time::Duration::from_secs(10 * 365 * 86_400);

/// What the user changed on WABAs: template insights confirmed (irreversible) and whether
/// cost is hidden (a WABA on a partner's credit line).
#[derive(Debug, Default)]
pub(crate) struct WhatsappState {
    inner: Mutex<Flags>,
}

#[derive(Debug, Default)]
struct Flags {
    insights: HashSet<String>,
    cost_hidden: HashSet<String>,
}

impl WhatsappState {
    fn lock(&self) -> std::sync::MutexGuard<'_, Flags> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `true` once `POST /{waba}?is_enabled_for_insights=true` was called.
    pub(crate) fn insights_enabled(&self, waba: &str) -> bool {
        self.lock().insights.contains(waba)
    }

    fn enable_insights(&self, waba: &str) {
        self.lock().insights.insert(waba.to_string());
    }

    /// `false` when the WABA's cost is hidden (partner credit line).
    pub(crate) fn cost_visible(&self, waba: &str) -> bool {
        !self.lock().cost_hidden.contains(waba)
    }

    fn set_cost_visible(&self, waba: &str, visible: bool) {
        let mut f = self.lock();
        if visible {
            f.cost_hidden.remove(waba);
        } else {
            f.cost_hidden.insert(waba.to_string());
        }
    }
}

/// `GET /__alcance/whatsapp-token`: a system-user token for the sandbox's WABA →
/// `{"access_token","token_type":"bearer","waba_id","phone_number_ids":[…]}` (404 when the
/// sandbox has no WhatsApp account). The token is never logged.
pub(crate) fn control_token(st: &SandboxState) -> Reply {
    let Some(waba) = st.owner(Network::Whatsapp) else {
        return Reply::json(
            404,
            &json!({ "error": "this sandbox has no WhatsApp Business Account" }),
        );
    };
    let token = st.tokens.issue_access(Network::Whatsapp, &waba, SYSTEM_USER_LIFETIME);
    let phones: Vec<&str> = if waba == WABA_ID {
        vec![WA_PHONE_NUMBER_ID]
    } else {
        Vec::new()
    };
    Reply::json(
        200,
        &json!({
            "access_token": token,
            "token_type": "bearer",
            "waba_id": waba,
            "phone_number_ids": phones,
        }),
    )
    .with_header("cache-control", "no-store")
}

/// `GET|POST /__alcance/whatsapp`: the WABA's switches `{"waba_id","insights_enabled",
/// "cost_visible"}`; POST `{"cost_visible": bool}` hides or shows cost in the analytics.
pub(crate) fn control_flags(st: &SandboxState, req: &Req) -> Reply {
    let Some(waba) = st.owner(Network::Whatsapp) else {
        return Reply::json(
            404,
            &json!({ "error": "this sandbox has no WhatsApp Business Account" }),
        );
    };
    if req.method == Method::POST {
        let body: Value = match serde_json::from_slice(&req.body) {
            Ok(v) => v,
            Err(e) => return Reply::json(400, &json!({ "error": format!("invalid JSON body: {e}") })),
        };
        match body.get("cost_visible").and_then(Value::as_bool) {
            Some(v) => st.whatsapp.set_cost_visible(&waba, v),
            None => return Reply::json(400, &json!({ "error": "expected {\"cost_visible\": true|false}" })),
        }
    }
    Reply::json(
        200,
        &json!({
            "waba_id": waba,
            "insights_enabled": st.whatsapp.insights_enabled(&waba),
            "cost_visible": st.whatsapp.cost_visible(&waba),
        }),
    )
}

/// Answers a Graph request made with a WhatsApp system-user token.
pub(crate) fn handle(st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Reply {
    let token = req.access_token().unwrap_or_default();
    let waba = match token_owner(st, Network::Whatsapp, &token) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let usage = st.limits.take_meta_as(&waba, "whatsapp_business_management");
    let ctx = Ctx {
        g,
        st,
        req,
        now: st.now(),
        account: account_by_id(Network::Whatsapp, &waba),
        waba,
    };
    let reply = match ctx.route(segs) {
        Ok(r) | Err(r) => r,
    };
    with_usage_headers(reply, usage, req)
}

struct Ctx<'a> {
    g: &'a Generator,
    st: &'a SandboxState,
    req: &'a Req,
    now: DateTime<Utc>,
    waba: String,
    /// Index of the WABA in [`ACCOUNTS`] (`None` for a WABA the seed does not know).
    account: Option<usize>,
}

/// `name.mod(arg).mod2(arg)` → `(name, [(mod, arg)])`; `None` when malformed.
pub(crate) fn parse_expansion(item: &str) -> Option<(String, Vec<(String, String)>)> {
    let item = item.trim();
    let name_end = item.find(['.', '(']).unwrap_or(item.len());
    let name = item[..name_end].to_string();
    let mut mods = Vec::new();
    let mut rest = &item[name_end..];
    while !rest.is_empty() {
        rest = rest.strip_prefix('.')?;
        let open = rest.find('(')?;
        let m = rest[..open].trim().to_string();
        let mut depth = 0usize;
        let mut close = None;
        for (i, ch) in rest[open..].char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close?;
        if m.is_empty() {
            return None;
        }
        mods.push((m, rest[open + 1..close].to_string()));
        rest = &rest[close + 1..];
    }
    Some((name, mods))
}

/// A list argument `["A","B"]`, `[A,B]` or `A,B` → upper-cased items.
fn list(arg: &str) -> Vec<String> {
    arg.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|s| s.trim().trim_matches(['"', '\'']).trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
        .collect()
}

fn money(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// One analytics bucket `[start, end)`, UTC.
type Bucket = (DateTime<Utc>, DateTime<Utc>);

/// The dimension values of a data point: `(response key, value)` pairs in the requested
/// dimension order (`[("country","BR"),("phone_number","5511…")]`).
type DimensionKey = Vec<(&'static str, &'static str)>;

/// One seeded analytics row for [`Ctx::grouped_points`]: its dimension key, its count
/// (conversations or messages) and the unit price of one (USD; 0 when free).
type GroupedRow = (DimensionKey, u64, f64);

/// The granularity of analytics buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grain {
    Day,
    Month,
}

/// Requested dimensions and filters of a field expansion.
#[derive(Debug, Default)]
struct Query {
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    granularity: Option<String>,
    dims: Vec<String>,
    filters: BTreeMap<String, Vec<String>>,
}

const MESSAGE_DIMS: [&str; 0] = [];
const CONVERSATION_DIMS: [&str; 5] = [
    "CONVERSATION_CATEGORY",
    "CONVERSATION_DIRECTION",
    "CONVERSATION_TYPE",
    "COUNTRY",
    "PHONE",
];
const PRICING_DIMS: [&str; 5] = ["PRICING_CATEGORY", "PRICING_TYPE", "COUNTRY", "PHONE", "TIER"];

impl Ctx<'_> {
    fn route(&self, segs: &[&str]) -> Result<Reply, Reply> {
        let get = self.req.method == Method::GET;
        match segs {
            [id] if *id == self.waba && get => self.waba_node(),
            [id] if *id == self.waba && self.req.method == Method::POST => self.enable_insights(),
            [id] if *id == WA_PHONE_NUMBER_ID && self.waba == WABA_ID && get => {
                let fields = split_fields(self.req.q("fields").unwrap_or("id,display_phone_number,verified_name"));
                Ok(ok(self.phone_json(&fields)?))
            }
            [id, "phone_numbers"] if *id == self.waba && get => self.phone_numbers(),
            [id, "message_templates"] if *id == self.waba && get => self.templates(),
            [id, "template_analytics"] if *id == self.waba && get => self.template_analytics(),
            [id, ..] if !get => Err(meta_error(
                400,
                100,
                Some(33),
                "GraphMethodException",
                &format!(
                    "Unsupported {} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
                    self.req.method.as_str().to_ascii_lowercase()
                ),
            )),
            [id] | [id, "phone_numbers" | "message_templates" | "template_analytics"] => Err(unsupported_get(id)),
            _ => Err(unknown_path(self.req)),
        }
    }

    /// `POST /{waba}?is_enabled_for_insights=true` (query or form): confirms template
    /// analytics, irreversibly → `{"id": waba}`.
    fn enable_insights(&self) -> Result<Reply, Reply> {
        let form = self.req.form();
        let value = self
            .req
            .q("is_enabled_for_insights")
            .map(str::to_string)
            .or_else(|| form.get("is_enabled_for_insights").cloned());
        match value.as_deref() {
            Some("true") => {
                self.st.whatsapp.enable_insights(&self.waba);
                Ok(ok(json!({ "id": self.waba })))
            }
            Some("false") => Err(meta_invalid(
                "(#100) Template analytics cannot be disabled once they were confirmed for a WhatsApp Business Account",
            )),
            _ => Err(meta_invalid(
                "(#100) Expected the parameter is_enabled_for_insights=true (the only field this edge accepts)",
            )),
        }
    }

    fn waba_node(&self) -> Result<Reply, Reply> {
        let fields = requested_fields(self.req, "id,name,currency,timezone_id,message_template_namespace");
        let mut o = Map::new();
        for (field, _) in fields {
            let name = base_name(&field).to_string();
            let v = match name.as_str() {
                "id" => json!(self.waba),
                "name" => json!(self.account.map_or("WhatsApp Business Account", |i| ACCOUNTS[i].name)),
                "currency" => json!("USD"),
                "timezone_id" => json!("1"),
                "message_template_namespace" => json!("a1c2e3f4_5b6d_7e8f_9a0b_c1d2e3f4a5b6"),
                "is_enabled_for_insights" => json!(self.st.whatsapp.insights_enabled(&self.waba)),
                "account_review_status" => json!("APPROVED"),
                "business_verification_status" => json!("verified"),
                "country" => json!("BR"),
                "ownership_type" => json!("SELF"),
                "analytics" => self.messages(&field)?,
                "conversation_analytics" => self.conversations(&field)?,
                "pricing_analytics" => self.pricing(&field)?,
                other => return Err(nonexisting(other, "WhatsAppBusinessAccount")),
            };
            o.insert(name, v);
        }
        o.entry("id").or_insert_with(|| json!(self.waba));
        Ok(ok(Value::Object(o)))
    }

    fn phone_json(&self, fields: &[(String, Option<String>)]) -> Result<Value, Reply> {
        let mut o = Map::new();
        for (field, _) in fields {
            let name = base_name(field);
            let v = match name {
                "id" => json!(WA_PHONE_NUMBER_ID),
                "display_phone_number" => json!(WA_DISPLAY_PHONE),
                "verified_name" => json!("Alcance Atendimento"),
                "quality_rating" => json!("GREEN"),
                "messaging_limit_tier" => json!(wa_messaging_tier(self.now)),
                "throughput" => json!({ "level": "STANDARD" }),
                "name_status" => json!("APPROVED"),
                "code_verification_status" => json!("VERIFIED"),
                "platform_type" => json!("CLOUD_API"),
                "status" => json!("CONNECTED"),
                "is_official_business_account" => json!(false),
                other => return Err(nonexisting(other, "WhatsAppBusinessPhoneNumber")),
            };
            o.insert(name.to_string(), v);
        }
        o.entry("id").or_insert_with(|| json!(WA_PHONE_NUMBER_ID));
        Ok(Value::Object(o))
    }

    fn cursors(n: usize) -> Value {
        json!({ "cursors": {
            "before": URL_SAFE_NO_PAD.encode("0"),
            "after": URL_SAFE_NO_PAD.encode(n.saturating_sub(1).to_string()),
        }})
    }

    fn phone_numbers(&self) -> Result<Reply, Reply> {
        let fields = requested_fields(self.req, "id,display_phone_number,verified_name,quality_rating");
        let data = if self.waba == WABA_ID {
            vec![self.phone_json(&fields)?]
        } else {
            Vec::new()
        };
        let n = data.len();
        Ok(ok(json!({ "data": data, "paging": Self::cursors(n) })))
    }

    fn templates(&self) -> Result<Reply, Reply> {
        let fields = requested_fields(self.req, "id,name,status,category,language");
        let limit = match self.req.q("limit") {
            None => 25,
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| meta_invalid("(#100) Param limit must be a number"))?
                .clamp(1, 1_000),
        };
        let mut data = Vec::new();
        let templates = if self.waba == WABA_ID { &WA_TEMPLATES[..] } else { &[] };
        for t in templates.iter().take(limit) {
            let mut o = Map::new();
            for (field, _) in &fields {
                let name = base_name(field);
                let v = match name {
                    "id" => json!(t.id),
                    "name" => json!(t.name),
                    "status" => json!("APPROVED"),
                    "category" => json!(t.category),
                    "language" => json!(t.language),
                    "quality_score" => json!({ "score": "GREEN" }),
                    "components" => {
                        let mut c = vec![json!({"type": "BODY", "text": format!("Olá {{{{1}}}}! ({})", t.name)})];
                        if let Some((kind, text, _)) = t.button {
                            let b = if kind == "url_button" {
                                json!({"type": "URL", "text": text, "url": "https://alcance.invalid/ofertas"})
                            } else {
                                json!({"type": "QUICK_REPLY", "text": text})
                            };
                            c.push(json!({"type": "BUTTONS", "buttons": [b]}));
                        }
                        json!(c)
                    }
                    other => return Err(nonexisting(other, "WhatsAppBusinessHSM")),
                };
                o.insert(name.to_string(), v);
            }
            data.push(Value::Object(o));
        }
        let n = data.len();
        Ok(ok(json!({ "data": data, "paging": Self::cursors(n) })))
    }

    /// Reads a field expansion's modifiers into a [`Query`], checking names against
    /// `dims_allowed` and `filters_allowed`.
    fn query(&self, field: &str, dims_allowed: &[&str], filters_allowed: &[&str]) -> Result<Query, Reply> {
        let Some((name, mods)) = parse_expansion(field) else {
            return Err(meta_invalid(&format!(
                "(#100) Syntax error in the fields parameter near \"{field}\""
            )));
        };
        let mut q = Query::default();
        for (m, arg) in mods {
            match m.as_str() {
                "start" | "end" => {
                    let t = parse_when(&arg).ok_or_else(|| {
                        meta_invalid(&format!(
                            "(#100) Param {m} must be a Unix timestamp (seconds); got \"{arg}\""
                        ))
                    })?;
                    if m == "start" {
                        q.start = Some(t);
                    } else {
                        q.end = Some(t);
                    }
                }
                "granularity" => q.granularity = Some(arg.trim().trim_matches('"').to_ascii_uppercase()),
                "dimensions" => {
                    for d in list(&arg) {
                        if !dims_allowed.contains(&d.as_str()) {
                            return Err(meta_invalid(&format!(
                                "(#100) Param dimensions[] of {name} must be one of {{{}}}; got {d}",
                                dims_allowed.join(", ")
                            )));
                        }
                        q.dims.push(d);
                    }
                }
                other if filters_allowed.contains(&other) => {
                    q.filters.insert(other.to_string(), list(&arg));
                }
                other => {
                    return Err(meta_invalid(&format!(
                        "(#100) {name} does not support the filter {other}; use start, end, granularity{}{}",
                        if dims_allowed.is_empty() { "" } else { ", dimensions" },
                        filters_allowed.iter().map(|f| format!(", {f}")).collect::<String>()
                    )))
                }
            }
        }
        Ok(q)
    }

    /// Checks `start`/`end`, the lookback and the granularity; the buckets `[start, end)`.
    fn buckets(
        &self,
        field: &str,
        q: &Query,
        lookback_days: i64,
        grains: &[(&str, Grain)],
    ) -> Result<(String, Vec<Bucket>), Reply> {
        let (Some(start), Some(end)) = (q.start, q.end) else {
            return Err(meta_invalid(&format!(
                "(#100) {field} requires start(<unix>) and end(<unix>)"
            )));
        };
        if start >= end {
            return Err(meta_invalid("(#100) The start time must be before the end time"));
        }
        // Counted from the start of the clock's UTC day, so a client that computes
        // `until - 365 days` a moment before the request arrives is not refused.
        if start < day_start(day_of(self.now) - lookback_days) {
            return Err(meta_invalid(&format!(
                "(#100) The start time is too far in the past: {field} keeps {lookback_days} days of history"
            )));
        }
        let label = q.granularity.clone().unwrap_or_default();
        let Some((_, grain)) = grains.iter().find(|(g, _)| *g == label) else {
            return Err(meta_invalid(&format!(
                "(#100) Param granularity of {field} must be one of {{{}}}; got \"{label}\"",
                grains.iter().map(|(g, _)| *g).collect::<Vec<_>>().join(", ")
            )));
        };
        let mut out = Vec::new();
        match grain {
            Grain::Day => {
                let mut d = day_of(start);
                while day_start(d) < end && day_start(d) < self.now {
                    out.push((day_start(d), day_start(d + 1)));
                    d += 1;
                }
            }
            Grain::Month => {
                let month = |y: i32, m: u32| {
                    NaiveDate::from_ymd_opt(y, m, 1).map(|d| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)))
                };
                let (mut y, mut m) = (start.year(), start.month());
                while let Some(s) = month(y, m) {
                    if s >= end || s >= self.now {
                        break;
                    }
                    (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                    let Some(e) = month(y, m) else { break };
                    out.push((s, e));
                }
            }
        }
        Ok((label, out))
    }

    /// The seeded days inside a bucket, as of the clock.
    fn days(&self, (s, e): (DateTime<Utc>, DateTime<Utc>)) -> Vec<WaDay> {
        let Some(account) = self.account else { return Vec::new() };
        (day_of(s)..day_of(e))
            .filter_map(|d| wa_day(self.g, account, d, self.now))
            .collect()
    }

    fn phone_ok(q: &Query) -> bool {
        q.filters
            .get("phone_numbers")
            .is_none_or(|p| p.is_empty() || p.iter().any(|n| n == WA_PHONE_DIGITS || n == WA_PHONE_NUMBER_ID))
    }

    fn in_filter(q: &Query, name: &str, value: &str) -> bool {
        q.filters
            .get(name)
            .is_none_or(|v| v.is_empty() || v.iter().any(|x| x == value))
    }

    /// The `data_points` of a grouped analytics expansion (`conversation_analytics`,
    /// `pricing_analytics`): for each bucket, the rows `rows` reads off every seeded day in
    /// it (none when the `phone_numbers` filter excludes the number), summed by dimension
    /// key. A point holds `start` / `end` (Unix s), the key's dimension values, the summed
    /// count under `count` when asked, and `cost` (Σ count × unit price, USD rounded to
    /// 4 decimals) when `cost`. Points follow the bucket order, then the key order.
    fn grouped_points(
        &self,
        q: &Query,
        buckets: &[Bucket],
        count: Option<&str>,
        cost: bool,
        rows: impl Fn(&WaDay) -> Vec<GroupedRow>,
    ) -> Vec<Value> {
        let phone_ok = Self::phone_ok(q);
        let mut points = Vec::new();
        for b in buckets {
            let mut groups: BTreeMap<DimensionKey, (u64, f64)> = BTreeMap::new();
            if phone_ok {
                for d in self.days(*b) {
                    for (key, n, price) in rows(&d) {
                        let g = groups.entry(key).or_insert((0, 0.0));
                        g.0 += n;
                        g.1 += n as f64 * price;
                    }
                }
            }
            for (key, (n, c)) in groups {
                let mut p = Map::new();
                p.insert("start".into(), json!(b.0.timestamp()));
                p.insert("end".into(), json!(b.1.timestamp()));
                for (k, v) in key {
                    p.insert(k.into(), json!(v));
                }
                if let Some(name) = count {
                    p.insert(name.into(), json!(n));
                }
                if cost {
                    p.insert("cost".into(), json!(money(c)));
                }
                points.push(Value::Object(p));
            }
        }
        points
    }

    /// `analytics.start().end().granularity(DAY|MONTH)[.phone_numbers([])][.country_codes([])]
    /// [.product_types([0,2])]` → `{"phone_numbers","country_codes"?,"granularity",
    /// "data_points":[{"start","end","sent","delivered"}]}`.
    fn messages(&self, field: &str) -> Result<Value, Reply> {
        let q = self.query(
            field,
            &MESSAGE_DIMS,
            &["phone_numbers", "country_codes", "product_types"],
        )?;
        let (label, buckets) = self.buckets(
            "analytics",
            &q,
            ANALYTICS_LOOKBACK_DAYS,
            &[("DAY", Grain::Day), ("MONTH", Grain::Month)],
        )?;
        let mut templates_only = None;
        if let Some(types) = q.filters.get("product_types").filter(|t| !t.is_empty()) {
            for t in types {
                if t != "0" && t != "2" {
                    return Err(meta_invalid(&format!(
                        "(#100) Param product_types[] must be 0 (template) or 2 (non-template); got {t}"
                    )));
                }
            }
            let has = |x: &str| types.iter().any(|t| t == x);
            templates_only = match (has("0"), has("2")) {
                (true, false) => Some(true),
                (false, true) => Some(false),
                _ => None,
            };
        }
        let phone_ok = Self::phone_ok(&q);
        let points: Vec<Value> = buckets
            .iter()
            .map(|b| {
                let (mut sent, mut delivered) = (0u64, 0u64);
                if phone_ok {
                    for d in self.days(*b) {
                        let day_sent: u64 = d
                            .pricing
                            .iter()
                            .filter(|p| Self::in_filter(&q, "country_codes", p.country))
                            .filter(|p| templates_only.is_none_or(|t| t == (p.category != "SERVICE")))
                            .map(|p| p.volume)
                            .sum();
                        sent += day_sent;
                        if d.sent > 0 {
                            delivered += (d.delivered as f64 * day_sent as f64 / d.sent as f64).floor() as u64;
                        }
                    }
                }
                json!({ "start": b.0.timestamp(), "end": b.1.timestamp(), "sent": sent, "delivered": delivered })
            })
            .collect();
        let mut out = json!({
            "phone_numbers": if self.waba == WABA_ID { vec![WA_PHONE_DIGITS] } else { Vec::new() },
            "granularity": label,
            "data_points": points,
        });
        if let Some(c) = q.filters.get("country_codes").filter(|c| !c.is_empty()) {
            out["country_codes"] = json!(c);
        }
        Ok(out)
    }

    /// The metric types asked for (`metric_types([...])`); `COST` refused when the WABA's
    /// cost is hidden, left out silently when not asked for explicitly.
    fn metric_types(&self, q: &Query, count_name: &str) -> Result<(bool, bool), Reply> {
        let cost_visible = self.st.whatsapp.cost_visible(&self.waba);
        match q.filters.get("metric_types").filter(|m| !m.is_empty()) {
            None => Ok((true, cost_visible)),
            Some(types) => {
                for t in types {
                    if t != "COST" && t != count_name {
                        return Err(meta_invalid(&format!(
                            "(#100) Param metric_types[] must be one of {{COST, {count_name}}}; got {t}"
                        )));
                    }
                }
                let cost = types.iter().any(|t| t == "COST");
                if cost && !cost_visible {
                    return Err(meta_error(
                        400,
                        100,
                        None,
                        "OAuthException",
                        "(#100) Cost not available: this WhatsApp Business Account is on a partner's credit line",
                    ));
                }
                Ok((types.iter().any(|t| t == count_name), cost))
            }
        }
    }

    /// `conversation_analytics…` → `{"data":[{"data_points":[…]}]}`.
    fn conversations(&self, field: &str) -> Result<Value, Reply> {
        let q = self.query(
            field,
            &CONVERSATION_DIMS,
            &[
                "phone_numbers",
                "country_codes",
                "metric_types",
                "conversation_categories",
                "conversation_types",
                "conversation_directions",
            ],
        )?;
        let (_, buckets) = self.buckets(
            "conversation_analytics",
            &q,
            ANALYTICS_LOOKBACK_DAYS,
            &[("DAILY", Grain::Day), ("MONTHLY", Grain::Month)],
        )?;
        let (count, cost) = self.metric_types(&q, "CONVERSATION")?;
        let points = self.grouped_points(&q, &buckets, count.then_some("conversation"), cost, |d| {
            d.conversations
                .iter()
                .filter(|c| {
                    Self::in_filter(&q, "country_codes", c.country)
                        && Self::in_filter(&q, "conversation_categories", c.category)
                        && Self::in_filter(&q, "conversation_types", c.conversation_type)
                        && Self::in_filter(&q, "conversation_directions", c.direction)
                })
                .map(|c| {
                    let key = q
                        .dims
                        .iter()
                        .map(|dim| match dim.as_str() {
                            "CONVERSATION_CATEGORY" => ("conversation_category", c.category),
                            "CONVERSATION_DIRECTION" => ("conversation_direction", c.direction),
                            "CONVERSATION_TYPE" => ("conversation_type", c.conversation_type),
                            "COUNTRY" => ("country", c.country),
                            _ => ("phone_number", WA_PHONE_DIGITS),
                        })
                        .collect();
                    let paid = c.conversation_type == "REGULAR" && c.direction == "BUSINESS_INITIATED";
                    let price = if paid { wa_rate(c.category, c.country) } else { 0.0 };
                    (key, c.count, price)
                })
                .collect()
        });
        Ok(json!({ "data": [{ "data_points": points }] }))
    }

    /// `pricing_analytics…` → `{"data":[{"data_points":[…]}]}`.
    fn pricing(&self, field: &str) -> Result<Value, Reply> {
        let q = self.query(
            field,
            &PRICING_DIMS,
            &[
                "phone_numbers",
                "country_codes",
                "metric_types",
                "pricing_types",
                "pricing_categories",
            ],
        )?;
        let (_, buckets) = self.buckets(
            "pricing_analytics",
            &q,
            ANALYTICS_LOOKBACK_DAYS,
            &[("DAILY", Grain::Day), ("MONTHLY", Grain::Month)],
        )?;
        let (volume, cost) = self.metric_types(&q, "VOLUME")?;
        let points = self.grouped_points(&q, &buckets, volume.then_some("volume"), cost, |d| {
            d.pricing
                .iter()
                .filter(|p| {
                    Self::in_filter(&q, "country_codes", p.country)
                        && Self::in_filter(&q, "pricing_categories", p.category)
                        && Self::in_filter(&q, "pricing_types", p.pricing_type)
                })
                .map(|p| {
                    let paid = p.pricing_type == "REGULAR";
                    let key = q
                        .dims
                        .iter()
                        .filter_map(|dim| match dim.as_str() {
                            "PRICING_CATEGORY" => Some(("pricing_category", p.category)),
                            "PRICING_TYPE" => Some(("pricing_type", p.pricing_type)),
                            "COUNTRY" => Some(("country", p.country)),
                            "PHONE" => Some(("phone_number", WA_PHONE_DIGITS)),
                            _ if paid => Some(("tier", "0:MAX")),
                            _ => None,
                        })
                        .collect();
                    let price = if paid { wa_rate(p.category, p.country) } else { 0.0 };
                    (key, p.volume, price)
                })
                .collect()
        });
        Ok(json!({ "data": [{ "data_points": points }] }))
    }

    /// `GET /{waba}/template_analytics?start&end&granularity=DAILY&template_ids=[…]
    /// [&metric_types=…]`: only after template insights were confirmed.
    fn template_analytics(&self) -> Result<Reply, Reply> {
        if !self.st.whatsapp.insights_enabled(&self.waba) {
            return Err(meta_invalid(
                "(#100) Template analytics are not enabled for this WhatsApp Business Account: confirm them once with POST /{waba-id}?is_enabled_for_insights=true",
            ));
        }
        let granularity = self.req.q("granularity").unwrap_or_default().to_ascii_uppercase();
        if granularity != "DAILY" {
            return Err(meta_invalid("(#100) Param granularity must be DAILY"));
        }
        let ids = list(self.req.q("template_ids").unwrap_or_default());
        if ids.is_empty() || ids.len() > MAX_TEMPLATE_IDS {
            return Err(meta_invalid(&format!(
                "(#100) Param template_ids must list between 1 and {MAX_TEMPLATE_IDS} template ids"
            )));
        }
        let mut templates = Vec::new();
        for id in &ids {
            let found = WA_TEMPLATES
                .iter()
                .position(|t| t.id == id && self.waba == WABA_ID)
                .ok_or_else(|| {
                    meta_invalid(&format!(
                        "(#100) Invalid template id {id} for this WhatsApp Business Account"
                    ))
                })?;
            templates.push(found);
        }
        let metrics = list(self.req.q("metric_types").unwrap_or_default());
        const KNOWN: [&str; 5] = ["SENT", "DELIVERED", "READ", "CLICKED", "COST"];
        if let Some(bad) = metrics.iter().find(|m| !KNOWN.contains(&m.as_str())) {
            return Err(meta_invalid(&format!(
                "(#100) Param metric_types[] must be one of {{{}}}; got {bad}",
                KNOWN.join(", ")
            )));
        }
        let want = |m: &str| metrics.is_empty() || metrics.iter().any(|x| x == m);
        let cost_visible = self.st.whatsapp.cost_visible(&self.waba);
        if want("COST") && !metrics.is_empty() && !cost_visible {
            return Err(meta_invalid(
                "(#100) Cost not available: this WhatsApp Business Account is on a partner's credit line",
            ));
        }
        let parse = |name: &str| {
            self.req
                .q(name)
                .and_then(parse_when)
                .ok_or_else(|| meta_invalid(&format!("(#100) Param {name} must be a Unix timestamp or YYYY-MM-DD")))
        };
        // Times off a UTC day boundary are floored (start) / rounded up (end).
        let start = day_start(day_of(parse("start")?));
        // Nothing exists after the clock: an `end` beyond tomorrow reads as tomorrow.
        let end_raw = parse("end")?.min(day_start(day_of(self.now) + 1));
        let end_day = day_of(end_raw) + i64::from(end_raw != day_start(day_of(end_raw)));
        if start >= day_start(end_day) {
            return Err(meta_invalid("(#100) The start time must be before the end time"));
        }
        if start < day_start(day_of(self.now)) - Duration::days(TEMPLATE_LOOKBACK_DAYS) {
            return Err(meta_invalid(&format!(
                "(#100) The start time is too far in the past: template analytics keep {TEMPLATE_LOOKBACK_DAYS} days of history"
            )));
        }
        let mut points = Vec::new();
        for ti in templates {
            let t = &WA_TEMPLATES[ti];
            for day in day_of(start)..end_day {
                let Some(d) = self.account.and_then(|a| wa_day(self.g, a, day, self.now)) else {
                    continue;
                };
                let v = d.templates[ti];
                let mut p = Map::new();
                p.insert("template_id".into(), json!(t.id));
                p.insert("start".into(), json!(day_start(day).timestamp()));
                p.insert("end".into(), json!(day_start(day + 1).timestamp()));
                for (name, n) in [("sent", v.sent), ("delivered", v.delivered), ("read", v.read)] {
                    if want(&name.to_ascii_uppercase()) {
                        p.insert(name.into(), json!(n));
                    }
                }
                if want("CLICKED") {
                    if let Some((kind, content, _)) = t.button {
                        p.insert(
                            "clicked".into(),
                            json!([{ "type": kind, "button_content": content, "count": v.clicked }]),
                        );
                    }
                }
                if want("COST") && cost_visible {
                    let mut cost = vec![json!({ "type": "amount_spent", "value": money(v.amount_spent) })];
                    let per = |n: u64| (n > 0).then(|| money(v.amount_spent / n as f64));
                    cost.push(match per(v.delivered) {
                        Some(x) => json!({ "type": "cost_per_delivered", "value": x }),
                        None => json!({ "type": "cost_per_delivered" }),
                    });
                    if t.button.is_some_and(|(k, _, _)| k == "url_button") {
                        cost.push(match per(v.clicked) {
                            Some(x) => json!({ "type": "cost_per_url_button_click", "value": x }),
                            None => json!({ "type": "cost_per_url_button_click" }),
                        });
                    }
                    p.insert("cost".into(), json!(cost));
                }
                points.push(Value::Object(p));
            }
        }
        let n = points.len();
        Ok(ok(json!({
            "data": [{ "granularity": "DAILY", "product_type": "cloud_api", "data_points": points }],
            "paging": Self::cursors(n),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansions_parse() {
        let (name, mods) = parse_expansion(
            "conversation_analytics.start(1).end(2).granularity(DAILY).dimensions([\"COUNTRY\",\"PHONE\"])",
        )
        .unwrap_or_default();
        assert_eq!(name, "conversation_analytics");
        assert_eq!(mods.len(), 4);
        assert_eq!(mods[3].0, "dimensions");
        assert_eq!(list(&mods[3].1), vec!["COUNTRY", "PHONE"]);
        assert_eq!(list("US,in"), vec!["US", "IN"]);
        assert!(list("[]").is_empty());
        assert!(parse_expansion("analytics.start(1").is_none());
        assert!(parse_expansion("analytics.(1)").is_none());
        assert_eq!(parse_expansion("id").map(|(n, m)| (n, m.len())), Some(("id".into(), 0)));
    }
}
