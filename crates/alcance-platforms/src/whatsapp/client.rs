//! The requests: which Graph calls [`WhatsAppClient`] makes, in which order, and how a
//! failing call becomes an error, a gap or a warning.

use super::wire::{AnalyticsAnswer, GroupedAnswer, Groups, PhoneNumberNode, TemplateNode, WabaNode};
use super::{
    clamp_window, map, phone_number_slices, Granularity, InsightsResult, Listing, MessageTemplate, PhoneNumber,
    TemplateInsightsConfirmation, Waba, WhatsAppClient, ANALYTICS_LOOKBACK_DAYS, TEMPLATE_LOOKBACK_DAYS,
};
use crate::error::PlatformError;
use crate::http::{Answer, Recorder};
use crate::meta::steps::{absorb, listing_stopped, merge, part_failed, step_done, Flow};
use crate::meta::warning;
use crate::meta::{self, decode, PageGuard, PageStep, PageVerdict};
use crate::{CollectCtx, CollectWindow, PlatformClient};
use alcance_core::{CollectionBatch, EventLevel, Platform, Profile};
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Most template ids per `template_analytics` request (Meta's limit).
pub const MAX_TEMPLATE_IDS: usize = 10;

const WABA_FIELDS: &str = "id,name,currency,timezone_id,message_template_namespace";
const PHONE_FIELDS: &str =
    "id,display_phone_number,verified_name,quality_rating,messaging_limit_tier,throughput,name_status";
const TEMPLATE_FIELDS: &str = "id,name,status,category,language";
const TEMPLATE_LIMIT: &str = "100";
const CONVERSATION_DIMENSIONS: &str =
    r#"["CONVERSATION_CATEGORY","CONVERSATION_DIRECTION","CONVERSATION_TYPE","COUNTRY","PHONE"]"#;
const PRICING_DIMENSIONS: &str = r#"["PRICING_CATEGORY","PRICING_TYPE","COUNTRY","PHONE"]"#;
const TEMPLATE_METRIC_TYPES: &str = r#"["SENT","DELIVERED","READ","CLICKED","COST"]"#;
/// `metric_types` after Meta refused the cost ("Cost not available").
const TEMPLATE_METRIC_TYPES_NO_COST: &str = r#"["SENT","DELIVERED","READ","CLICKED"]"#;
/// Most listing pages (phone numbers, templates) and template analytics pages read.
const MAX_PAGES: usize = 20;

/// The error's text in lower case, for recognising Meta messages.
fn message_of(e: &PlatformError) -> String {
    e.to_string().to_ascii_lowercase()
}

/// `true` for the answer Meta gives when the WABA's cost data is not served (a partner's
/// credit line): a message saying "cost not available".
fn is_cost_unavailable(e: &PlatformError) -> bool {
    !matches!(
        e,
        PlatformError::Unauthorized { .. } | PlatformError::RateLimited { .. }
    ) && message_of(e).contains("cost not available")
}

/// `true` for a template analytics refusal because template insights are not enabled on
/// the WABA: a Graph error (any code) whose message names `is_enabled_for_insights`, or
/// says insights are not enabled / must be enabled.
fn is_insights_disabled(e: &PlatformError) -> bool {
    if matches!(
        e,
        PlatformError::Unauthorized { .. } | PlatformError::RateLimited { .. } | PlatformError::Transport { .. }
    ) {
        return false;
    }
    let m = message_of(e);
    m.contains("is_enabled_for_insights")
        || (m.contains("insight") && (m.contains("not enabled") || m.contains("enable")))
}

/// `[1,2]` for numeric ids (as Meta's examples send them), a JSON string array otherwise.
fn id_list(ids: &[&str]) -> String {
    if ids
        .iter()
        .all(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()))
    {
        format!("[{}]", ids.join(","))
    } else {
        serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string())
    }
}

/// One analytics field of the WABA node, as [`WhatsAppClient::waba_analytics`] asks it.
struct AnalyticsField {
    /// The field (`analytics`, `conversation_analytics`, `pricing_analytics`), also the
    /// label of its warnings and gaps.
    name: &'static str,
    /// What follows `.start(<unix>).end(<unix>)`: `.granularity(DAY)`, or
    /// `.granularity(DAILY).dimensions([...])`.
    tail: String,
    /// When Meta refuses the cost: the gap's `what` (`conversation_cost`) and the suffix
    /// the repeated call adds (`.metric_types(["CONVERSATION"])`). `None`: no retry.
    cost_fallback: Option<(&'static str, &'static str)>,
}

/// Hands the data points of every group of a `conversation_analytics` /
/// `pricing_analytics` answer to `map`, then warns `paging_incomplete` when Meta says more
/// pages follow (Alcance reads the first page only).
pub(super) fn map_groups(
    groups: Groups,
    field: &str,
    out: &mut InsightsResult,
    map: impl FnOnce(&[Value], &mut InsightsResult),
) {
    let points: Vec<Value> = groups.data.into_iter().flat_map(|g| g.data_points).collect();
    map(&points, out);
    if groups.paging.as_ref().and_then(|p| p.next.as_ref()).is_some() {
        out.warn(
            "paging_incomplete",
            format!("{field} has more pages than Alcance reads; totals may be partial"),
        );
    }
}

impl WhatsAppClient {
    async fn get(
        &self,
        token: &SecretString,
        path: &str,
        params: &[(&str, &str)],
        rec: &Recorder,
    ) -> Result<Answer, PlatformError> {
        meta::get(&self.http, self.base(), path, params, token, rec).await
    }

    /// The WABA node: `GET /{waba-id}?fields=id,name,currency,timezone_id,message_template_namespace`.
    /// Errors: the mapped Graph error (401 / 190 → `Unauthorized`, 100 subcode 33 →
    /// `NotFound`, 10 / 200–299 → `Forbidden`); `Decode` for a body without an id.
    pub async fn waba(&self, token: &SecretString, waba_id: &str, rec: &Recorder) -> Result<Waba, PlatformError> {
        let answer = self
            .get(token, &format!("/{waba_id}"), &[("fields", WABA_FIELDS)], rec)
            .await?;
        let node: WabaNode = decode(&answer, token)?;
        map::waba(node).ok_or_else(|| PlatformError::decode(&answer.endpoint, "the WABA node has no id", &answer.body))
    }

    /// The connect-time check of a pasted system-user token and WABA id: [`WhatsAppClient::waba`]
    /// as a profile (`external_id` = WABA id, `display_name` = `name`). Errors as
    /// [`WhatsAppClient::waba`]: an invalid token is `Unauthorized`.
    pub async fn validate(
        &self,
        token: &SecretString,
        waba_id: &str,
        rec: &Recorder,
    ) -> Result<Profile, PlatformError> {
        self.waba(token, waba_id, rec).await.map(|w| map::waba_profile(&w))
    }

    /// The WABA's business phone numbers:
    /// `GET /{waba-id}/phone_numbers?fields=id,display_phone_number,verified_name,quality_rating,messaging_limit_tier,throughput,name_status`
    /// (cursor paging, loop guard). Items without an id are skipped (warning `decode`).
    /// Errors: the first page's mapped Graph error.
    pub async fn phone_numbers(
        &self,
        token: &SecretString,
        waba_id: &str,
        rec: &Recorder,
    ) -> Result<Listing<PhoneNumber>, PlatformError> {
        let path = format!("/{waba_id}/phone_numbers");
        self.listing(token, &path, &[("fields", PHONE_FIELDS)], rec, |raw| {
            serde_json::from_value::<PhoneNumberNode>(raw)
                .ok()
                .and_then(map::phone_number)
        })
        .await
    }

    /// The WABA's message templates:
    /// `GET /{waba-id}/message_templates?fields=id,name,status,category,language&limit=100`
    /// (cursor paging, loop guard). Errors: the first page's mapped Graph error.
    pub async fn message_templates(
        &self,
        token: &SecretString,
        waba_id: &str,
        rec: &Recorder,
    ) -> Result<Listing<MessageTemplate>, PlatformError> {
        let path = format!("/{waba_id}/message_templates");
        self.listing(
            token,
            &path,
            &[("fields", TEMPLATE_FIELDS), ("limit", TEMPLATE_LIMIT)],
            rec,
            |raw| serde_json::from_value::<TemplateNode>(raw).ok().and_then(map::template),
        )
        .await
    }

    async fn listing<T, F>(
        &self,
        token: &SecretString,
        path: &str,
        params: &[(&str, &str)],
        rec: &Recorder,
        item: F,
    ) -> Result<Listing<T>, PlatformError>
    where
        T: HasId,
        F: Fn(Value) -> Option<T>,
    {
        let mut out: Listing<T> = Listing::default();
        let mut skipped = 0usize;
        let (pages, warnings) =
            meta::list_pages(&self.http, self.base(), path, params, token, rec, MAX_PAGES, |items| {
                let mut verdict = PageVerdict::default();
                for raw in items {
                    let Some(it) = item(raw) else {
                        skipped += 1;
                        continue;
                    };
                    let id = it.id().to_string();
                    if !out.items.iter().any(|o| o.id() == id) {
                        out.items.push(it);
                    }
                    verdict.ids.push(id);
                }
                verdict
            })
            .await?;
        out.pages = pages;
        if skipped > 0 {
            out.warnings.push(warning(
                EventLevel::Warn,
                "decode",
                format!("{path}: skipped {skipped} items without an id"),
            ));
        }
        out.warnings.extend(warnings);
        Ok(out)
    }

    /// Messaging analytics: `GET /{waba-id}?fields=analytics.start(<unix>).end(<unix>).granularity(DAY|MONTH)`
    /// over `window` clamped to the last [`ANALYTICS_LOOKBACK_DAYS`] before `window.until`
    /// → `messages_sent` / `messages_delivered` per data point (`Period::Day` / `Month`,
    /// `[start, end)` UTC). No call when nothing is left of the window. Failures become
    /// warnings / gaps (`permission`), a rate limit sets `halted`. Errors: `Unauthorized`
    /// only.
    pub async fn analytics(
        &self,
        token: &SecretString,
        waba_id: &str,
        window: CollectWindow,
        granularity: Granularity,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let field = AnalyticsField {
            name: "analytics",
            tail: format!(".granularity({})", granularity.messaging()),
            cost_fallback: None,
        };
        self.waba_analytics(token, waba_id, window, field, rec, |a: AnalyticsAnswer, out| {
            if let Some(a) = a.analytics {
                if a.granularity
                    .is_some_and(|g| !g.eq_ignore_ascii_case(granularity.messaging()))
                {
                    out.warn(
                        "unexpected_granularity",
                        format!(
                            "analytics: asked {}, periods follow the data points",
                            granularity.messaging()
                        ),
                    );
                }
                map::message_points(&a.data_points, out);
            }
        })
        .await
    }

    /// Conversation analytics:
    /// `GET /{waba-id}?fields=conversation_analytics.start(<unix>).end(<unix>).granularity(DAILY|MONTHLY).dimensions(["CONVERSATION_CATEGORY","CONVERSATION_DIRECTION","CONVERSATION_TYPE","COUNTRY","PHONE"])`
    /// over `window` clamped to [`ANALYTICS_LOOKBACK_DAYS`] → `conversations` and
    /// `conversation_cost` per bucket (summed over the dimension rows) plus slices per
    /// dimension combination (see the module docs). When Meta refuses the cost ("Cost not
    /// available") the call is repeated with `.metric_types(["CONVERSATION"])` and a
    /// `cost_not_available` gap is recorded; points served without any `cost` give the
    /// same gap (costs stay `None`). Failures and errors as [`WhatsAppClient::analytics`].
    pub async fn conversation_analytics(
        &self,
        token: &SecretString,
        waba_id: &str,
        window: CollectWindow,
        granularity: Granularity,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let field = AnalyticsField {
            name: "conversation_analytics",
            tail: format!(
                ".granularity({}).dimensions({CONVERSATION_DIMENSIONS})",
                granularity.conversation()
            ),
            cost_fallback: Some(("conversation_cost", r#".metric_types(["CONVERSATION"])"#)),
        };
        self.waba_analytics(token, waba_id, window, field, rec, |a: GroupedAnswer, out| {
            let groups = a.conversation_analytics.unwrap_or_default();
            map_groups(groups, "conversation_analytics", out, |points, out| {
                if map::conversation_points(points, out) {
                    out.gap(
                        "conversation_cost",
                        waba_id,
                        "cost_not_available",
                        "conversation_analytics served no cost (Cost not available)",
                    );
                }
            });
        })
        .await
    }

    /// Pricing analytics (per-message pricing):
    /// `GET /{waba-id}?fields=pricing_analytics.start(<unix>).end(<unix>).granularity(DAILY|MONTHLY).dimensions(["PRICING_CATEGORY","PRICING_TYPE","COUNTRY","PHONE"])`
    /// over `window` clamped to [`ANALYTICS_LOOKBACK_DAYS`] → `pricing_volume` and
    /// `pricing_cost` per bucket (summed) plus slices per dimension combination. Failures
    /// and errors as [`WhatsAppClient::analytics`].
    pub async fn pricing_analytics(
        &self,
        token: &SecretString,
        waba_id: &str,
        window: CollectWindow,
        granularity: Granularity,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let field = AnalyticsField {
            name: "pricing_analytics",
            tail: format!(
                ".granularity({}).dimensions({PRICING_DIMENSIONS})",
                granularity.conversation()
            ),
            cost_fallback: None,
        };
        self.waba_analytics(token, waba_id, window, field, rec, |a: GroupedAnswer, out| {
            let groups = a.pricing_analytics.unwrap_or_default();
            map_groups(groups, "pricing_analytics", out, map::pricing_points);
        })
        .await
    }

    /// One analytics field of the WABA node over `window` clamped to the last
    /// [`ANALYTICS_LOOKBACK_DAYS`] before `window.until`:
    /// `GET /{waba-id}?fields=<field.name>.start(<unix>).end(<unix>)<field.tail>`, the
    /// answer decoded as `A` and handed to `on_answer`. No call when nothing is left of the
    /// window (empty result). With `field.cost_fallback` a "Cost not available" refusal
    /// records a `cost_not_available` gap and the call is repeated with the suffix added.
    /// A failed call or an undecodable answer is absorbed under `field.name` (warning,
    /// `permission` / `not_found` gap, or `halted` for a rate limit). Errors:
    /// `Unauthorized` only.
    async fn waba_analytics<A: DeserializeOwned>(
        &self,
        token: &SecretString,
        waba_id: &str,
        window: CollectWindow,
        field: AnalyticsField,
        rec: &Recorder,
        on_answer: impl FnOnce(A, &mut InsightsResult),
    ) -> Result<InsightsResult, PlatformError> {
        let mut out = InsightsResult::default();
        let Some(w) = clamp_window(window, ANALYTICS_LOOKBACK_DAYS) else {
            return Ok(out);
        };
        let fields = format!(
            "{}.start({}).end({}){}",
            field.name,
            w.since.timestamp(),
            w.until.timestamp(),
            field.tail
        );
        let path = format!("/{waba_id}");
        let mut answer = self.get(token, &path, &[("fields", &fields)], rec).await;
        if let (Err(e), Some((what, suffix))) = (&answer, field.cost_fallback) {
            if is_cost_unavailable(e) {
                out.gap(what, waba_id, "cost_not_available", e.to_string());
                let fields = format!("{fields}{suffix}");
                answer = self.get(token, &path, &[("fields", &fields)], rec).await;
            }
        }
        match answer.and_then(|a| decode::<A>(&a, token)) {
            Ok(a) => on_answer(a, &mut out),
            Err(e) => {
                absorb(e, field.name, waba_id, &mut out)?;
            }
        }
        Ok(out.finish())
    }

    /// Template analytics for `template_ids`, in requests of at most [`MAX_TEMPLATE_IDS`]:
    /// `GET /{waba-id}/template_analytics?start=<unix>&end=<unix>&granularity=DAILY&metric_types=["SENT","DELIVERED","READ","CLICKED","COST"]&template_ids=[..][&after=<cursor>]`
    /// over `window` clamped to the last [`TEMPLATE_LOOKBACK_DAYS`] → `template_sent`,
    /// `template_delivered`, `template_read`, `template_clicked`, `template_cost` per day
    /// (summed over templates) plus per-template slices (see the module docs). Follows
    /// `paging.cursors.after` while `paging.next` exists. When Meta says template insights
    /// are not enabled the result is one `template_insights_disabled` gap (no failure); when
    /// it refuses the cost ("Cost not available") COST is dropped from `metric_types`, the
    /// page asked again and a `cost_not_available` gap recorded. No
    /// call without ids or without a window. Other failures and errors as
    /// [`WhatsAppClient::analytics`].
    pub async fn template_analytics(
        &self,
        token: &SecretString,
        waba_id: &str,
        template_ids: &[String],
        window: CollectWindow,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut out = InsightsResult::default();
        let Some(w) = clamp_window(window, TEMPLATE_LOOKBACK_DAYS) else {
            return Ok(out);
        };
        let ids: Vec<&str> = template_ids
            .iter()
            .map(String::as_str)
            .filter(|id| !id.is_empty())
            .collect();
        let path = format!("/{waba_id}/template_analytics");
        let (start, end) = (w.since.timestamp().to_string(), w.until.timestamp().to_string());
        let mut with_cost = true;
        'chunks: for chunk in ids.chunks(MAX_TEMPLATE_IDS) {
            let list = id_list(chunk);
            let mut guard = PageGuard::new(MAX_PAGES);
            let mut after: Option<String> = None;
            let mut points: Vec<Value> = Vec::new();
            loop {
                let mut params: Vec<(&str, &str)> = vec![
                    ("start", &start),
                    ("end", &end),
                    ("granularity", "DAILY"),
                    (
                        "metric_types",
                        if with_cost {
                            TEMPLATE_METRIC_TYPES
                        } else {
                            TEMPLATE_METRIC_TYPES_NO_COST
                        },
                    ),
                    ("template_ids", &list),
                ];
                if let Some(a) = after.as_deref() {
                    params.push(("after", a));
                }
                let page = self
                    .get(token, &path, &params, rec)
                    .await
                    .and_then(|a| decode::<Groups>(&a, token));
                let page = match page {
                    Ok(p) => p,
                    Err(e) if with_cost && is_cost_unavailable(&e) => {
                        out.gap("template_cost", waba_id, "cost_not_available", e.to_string());
                        with_cost = false;
                        continue;
                    }
                    Err(e) if is_insights_disabled(&e) => {
                        out.gap(
                            "template_analytics",
                            waba_id,
                            "template_insights_disabled",
                            e.to_string(),
                        );
                        break 'chunks;
                    }
                    Err(e) => {
                        map::template_points(&points, &mut out);
                        match absorb(e, "template_analytics", waba_id, &mut out)? {
                            Flow::Continue => continue 'chunks,
                            Flow::SkipStep | Flow::Halt => break 'chunks,
                        }
                    }
                };
                let page_points: Vec<Value> = page.data.into_iter().flat_map(|g| g.data_points).collect();
                let keys: Vec<String> = page_points
                    .iter()
                    .map(|p| {
                        format!(
                            "{}@{}",
                            p.get("template_id").unwrap_or(&Value::Null),
                            p.get("start").unwrap_or(&Value::Null)
                        )
                    })
                    .collect();
                points.extend(page_points);
                match guard.advance(keys.iter().map(String::as_str), page.paging.as_ref()) {
                    PageStep::Next(cursor) => after = Some(cursor),
                    PageStep::End => break,
                    PageStep::Stopped(why) => {
                        out.warn(
                            why.code(),
                            format!("{path}: paging stopped after {} pages ({why:?})", guard.pages()),
                        );
                        break;
                    }
                }
            }
            map::template_points(&points, &mut out);
        }
        Ok(out.finish())
    }

    /// Enables template insights on the WABA: `POST /{waba-id}?is_enabled_for_insights=true`
    /// (answer `{"id":"<waba-id>"}`). **Irreversible**: Meta offers no way back, hence the
    /// [`TemplateInsightsConfirmation`]; `collect` never calls it. Errors: the mapped Graph
    /// error (`Unauthorized`, `Forbidden` without `whatsapp_business_management`, ...).
    pub async fn enable_template_insights(
        &self,
        token: &SecretString,
        waba_id: &str,
        confirm: TemplateInsightsConfirmation,
        rec: &Recorder,
    ) -> Result<(), PlatformError> {
        let TemplateInsightsConfirmation { .. } = confirm;
        tracing::info!(waba_id, "enabling template insights (irreversible)");
        meta::post(
            &self.http,
            self.base(),
            &format!("/{waba_id}"),
            &[("is_enabled_for_insights", "true")],
            token,
            rec,
        )
        .await
        .map(|_| ())
    }

    /// The owner of a token: `GET /me?fields=id,name` (for a system-user token, the system
    /// user). Errors: the mapped Graph error; `Decode` without an id.
    pub async fn token_owner(&self, token: &SecretString, rec: &Recorder) -> Result<Profile, PlatformError> {
        let answer = self.get(token, "/me", &[("fields", "id,name")], rec).await?;
        let v: Value = decode(&answer, token)?;
        let id = v
            .get("id")
            .and_then(|i| match i {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .ok_or_else(|| PlatformError::decode(&answer.endpoint, "the /me answer has no id", &answer.body))?;
        Ok(Profile {
            external_id: id,
            username: None,
            display_name: v.get("name").and_then(Value::as_str).map(str::to_string),
            avatar_url: None,
        })
    }
}

/// Items of a listing have an id (de-duplication and the loop guard use it).
trait HasId {
    fn id(&self) -> &str;
}

impl HasId for PhoneNumber {
    fn id(&self) -> &str {
        &self.id
    }
}

impl HasId for MessageTemplate {
    fn id(&self) -> &str {
        &self.id
    }
}

#[async_trait::async_trait]
impl PlatformClient for WhatsAppClient {
    fn platform(&self) -> Platform {
        Platform::Whatsapp
    }

    /// The token's owner (`GET /me?fields=id,name`: the system user), not a WABA: the app
    /// registers the WABA the user pasted after [`WhatsAppClient::validate`].
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError> {
        self.token_owner(token, recorder).await
    }

    /// Collects one WABA (`ctx.account.external_id`) with the system-user token: the WABA
    /// node (an `Err` when it fails: nothing else is collected); phone numbers → quality /
    /// tier slices stamped `window.until`; messaging analytics (`DAY`), conversation
    /// analytics (`DAILY`, all dimensions, cost where served) and pricing analytics
    /// (`DAILY`) over the window clamped to one year; then, when the WABA has templates,
    /// template analytics over the last 90 days of the window (insights not enabled → a
    /// `template_insights_disabled` gap). Never enables template insights. A rate limit or
    /// a dead token stops further calls with an error-level warning, keeping what landed.
    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
        let token = &ctx.token;
        let rec = &ctx.recorder;
        let id = ctx.account.external_id.as_str();
        let window = ctx.window;
        let profile = self.validate(token, id, rec).await?;
        let mut batch = CollectionBatch {
            profile: Some(profile),
            ..CollectionBatch::default()
        };
        let mut halted = false;

        match self.phone_numbers(token, id, rec).await {
            Ok(l) => {
                listing_stopped(&mut batch, &l.warnings, &mut halted);
                batch.warnings.extend(l.warnings);
                batch.audience.extend(phone_number_slices(&l.items, window.until));
            }
            Err(e) => part_failed(&mut batch, "phone numbers", &e, &mut halted),
        }
        for step in ["analytics", "conversation_analytics", "pricing_analytics"] {
            if halted {
                break;
            }
            let r = match step {
                "analytics" => self.analytics(token, id, window, Granularity::Day, rec).await,
                "conversation_analytics" => {
                    self.conversation_analytics(token, id, window, Granularity::Day, rec)
                        .await
                }
                _ => self.pricing_analytics(token, id, window, Granularity::Day, rec).await,
            };
            step_done(&mut batch, step, r, &mut halted);
        }
        if !halted {
            match self.message_templates(token, id, rec).await {
                Ok(l) => {
                    listing_stopped(&mut batch, &l.warnings, &mut halted);
                    batch.warnings.extend(l.warnings);
                    let ids: Vec<String> = l.items.into_iter().map(|t| t.id).collect();
                    if !ids.is_empty() {
                        match self.template_analytics(token, id, &ids, window, rec).await {
                            Ok(r) => merge(&mut batch, r),
                            Err(e) => part_failed(&mut batch, "template analytics", &e, &mut halted),
                        }
                    }
                }
                Err(e) => part_failed(&mut batch, "message templates", &e, &mut halted),
            }
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_ids_are_sent_as_a_list() {
        assert_eq!(
            id_list(&["1421988012088524", "2632273056924580"]),
            "[1421988012088524,2632273056924580]"
        );
        assert_eq!(id_list(&["abc", "1"]), r#"["abc","1"]"#);
    }

    #[test]
    fn disabled_insights_and_missing_cost_are_recognised_by_message() {
        let disabled = PlatformError::Forbidden {
            message: "(#200) Template insights are not enabled for this WhatsApp Business Account".into(),
        };
        assert!(is_insights_disabled(&disabled));
        let other = PlatformError::Api {
            endpoint: "/1/template_analytics".into(),
            status: 400,
            code: Some("meta_100".into()),
            message: "(#100) Invalid parameter".into(),
        };
        assert!(!is_insights_disabled(&other));
        let rate = PlatformError::RateLimited {
            retry_after: None,
            message: "insights not enabled".into(),
        };
        assert!(
            !is_insights_disabled(&rate),
            "a rate limit is never a disabled-insights gap"
        );
        let cost = PlatformError::Api {
            endpoint: "/1".into(),
            status: 400,
            code: Some("meta_100".into()),
            message: "Cost not available for this WABA".into(),
        };
        assert!(is_cost_unavailable(&cost));
        assert!(!is_cost_unavailable(&other));
    }
}
