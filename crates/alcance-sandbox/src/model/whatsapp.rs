//! WhatsApp Business in the seeded model: the WABA and its phone number, and each UTC
//! day's messages, conversations, pricing and template volumes (no posts, no followers).

use chrono::{DateTime, Datelike, Utc};
use rand::Rng;

use super::{day_start, rng, Generator, Network, SeededAccount};

/// The seeded WhatsApp Business Account id ("Alcance Atendimento").
pub const WABA_ID: &str = "105000000000001";
/// The WABA's one business phone number id.
pub const WA_PHONE_NUMBER_ID: &str = "106000000000001";
/// Its display form, as `GET /{waba-id}/phone_numbers` answers it.
pub const WA_DISPLAY_PHONE: &str = "+55 11 4000-0001";
/// Its digits, as the analytics `phone_numbers` / `phone_number` fields carry it.
pub const WA_PHONE_DIGITS: &str = "551140000001";
/// The WhatsApp Business Account (index 6). It has no followers and no posts; its
/// `username` in the manifest is the WABA's name.
pub(crate) const WA_OWNED: SeededAccount = SeededAccount {
    network: Network::Whatsapp,
    external_id: WABA_ID,
    username: "Alcance Atendimento",
    name: "Alcance Atendimento",
    owned: true,
    bio: "Atendimento ao cliente da Alcance",
    followers_2024: 0.0,
    growth_per_day: 0.0,
    following_2024: 0,
    created_at: "2022-05-02T12:00:00+0000",
    posts_before_history: 0,
    engagement_rate: 0.0,
    business_since: None,
};

/// Random stream of a WABA day.
const STREAM_WHATSAPP: u64 = 11;

/// WhatsApp message categories (pricing and conversations) with their share of the day's
/// messages sent: marketing 30 %, utility 25 %, authentication 4 %, service the rest.
pub const WA_CATEGORIES: [(&str, f64); 4] = [
    ("MARKETING", 0.30),
    ("UTILITY", 0.25),
    ("AUTHENTICATION", 0.04),
    ("SERVICE", 0.41),
];

/// Recipients' countries with their share of messages (Brazil first).
pub const WA_COUNTRIES: [(&str, f64); 4] = [("BR", 0.92), ("AR", 0.03), ("PT", 0.03), ("US", 0.02)];

/// Price in USD of one paid (`REGULAR`) message or conversation of `category` to `country`
/// (illustrative rates of the Brazilian market; service messages are free).
pub fn wa_rate(category: &str, country: &str) -> f64 {
    match (category, country) {
        ("MARKETING", "BR") => 0.0625,
        ("MARKETING", "AR") => 0.0618,
        ("MARKETING", "PT") => 0.0685,
        ("MARKETING", _) => 0.0250,
        ("UTILITY", "BR") => 0.0068,
        ("UTILITY", "AR") => 0.0260,
        ("UTILITY", "PT") => 0.0200,
        ("UTILITY", _) => 0.0040,
        ("AUTHENTICATION", "BR") => 0.0068,
        ("AUTHENTICATION", "AR") => 0.0260,
        ("AUTHENTICATION", "PT") => 0.0200,
        ("AUTHENTICATION", _) => 0.0135,
        _ => 0.0,
    }
}

/// One pricing-analytics row of a day: messages of a category, pricing type and country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WaPricing {
    /// `pricing_category`.
    pub category: &'static str,
    /// `pricing_type`: `REGULAR`, `FREE_CUSTOMER_SERVICE` or `FREE_ENTRY_POINT`.
    pub pricing_type: &'static str,
    /// Recipient country.
    pub country: &'static str,
    /// Messages (volume).
    pub volume: u64,
}

/// One conversation-analytics row of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WaConversation {
    /// `conversation_category`.
    pub category: &'static str,
    /// `conversation_direction`.
    pub direction: &'static str,
    /// `conversation_type`: `REGULAR`, `FREE_TIER` or `FREE_ENTRY_POINT`.
    pub conversation_type: &'static str,
    /// Recipient country.
    pub country: &'static str,
    /// Conversations opened.
    pub count: u64,
}

/// One template's counts for a day.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct WaTemplateDay {
    /// Messages sent with the template.
    pub sent: u64,
    /// Delivered (≤ sent).
    pub delivered: u64,
    /// Read (≤ delivered).
    pub read: u64,
    /// Button clicks (0 for templates without buttons).
    pub clicked: u64,
    /// USD spent (paid messages of the template's category).
    pub amount_spent: f64,
}

/// A WhatsApp day of the seeded WABA: every count of the analytics fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WaDay {
    /// Messages sent by the business number (`analytics.sent`).
    pub sent: u64,
    /// Of which delivered (`analytics.delivered`, ≤ sent).
    pub delivered: u64,
    /// Pricing rows; their volumes sum to `sent`.
    pub pricing: Vec<WaPricing>,
    /// Conversation rows (40 % of messages open a conversation).
    pub conversations: Vec<WaConversation>,
    /// Per template of [`WA_TEMPLATES`], in its order.
    pub templates: [WaTemplateDay; 3],
}

/// A message template of the seeded WABA.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaTemplate {
    /// Template id.
    pub id: &'static str,
    /// Template name.
    pub name: &'static str,
    /// `category`: the pricing category of its messages.
    pub category: &'static str,
    /// `language`.
    pub language: &'static str,
    /// Its one button: (`clicked[].type`, `button_content`, click rate per read), if any.
    pub button: Option<(&'static str, &'static str, f64)>,
    /// Share of delivered messages that are read (ratio 0–1).
    pub read_rate: f64,
}

/// The three approved templates of the seeded WABA; each sends all messages of its category.
pub const WA_TEMPLATES: [WaTemplate; 3] = [
    WaTemplate {
        id: "1060000000000101",
        name: "promo_black_friday",
        category: "MARKETING",
        language: "pt_BR",
        button: Some(("url_button", "Ver ofertas", 0.11)),
        read_rate: 0.58,
    },
    WaTemplate {
        id: "1060000000000102",
        name: "boas_vindas",
        category: "UTILITY",
        language: "pt_BR",
        button: Some(("quick_reply_button", "Falar com atendente", 0.18)),
        read_rate: 0.82,
    },
    WaTemplate {
        id: "1060000000000103",
        name: "codigo_verificacao",
        category: "AUTHENTICATION",
        language: "pt_BR",
        button: None,
        read_rate: 0.90,
    },
];

/// Weight of each UTC weekday in WhatsApp volume, Monday first (business days busier).
pub const WA_WEEKDAY: [f64; 7] = [1.10, 1.15, 1.10, 1.15, 1.05, 0.80, 0.65];

/// Splits `total` by `shares` (summing to 1): floors, remainder to the first part.
fn split(total: u64, shares: &[f64]) -> Vec<u64> {
    let mut parts: Vec<u64> = shares.iter().map(|s| (total as f64 * s).floor() as u64).collect();
    let assigned: u64 = parts.iter().sum();
    if let Some(first) = parts.first_mut() {
        *first += total.saturating_sub(assigned);
    }
    parts
}

/// The full UTC day `day` of WABA `account`.
fn wa_full_day(g: &Generator, account: usize, day: i64) -> WaDay {
    let mut r = rng(g.seed(), account, day, STREAM_WHATSAPP);
    let weekday = day_start(day).weekday().num_days_from_monday() as usize % 7;
    let volume = 120.0 * (0.0012 * day as f64).exp() * WA_WEEKDAY[weekday] * r.gen_range(0.85..1.15);
    let sent = volume.round().max(0.0) as u64;
    let delivered = (sent as f64 * r.gen_range(0.93..0.985)).floor() as u64;
    let shares: Vec<f64> = WA_CATEGORIES.iter().map(|(_, s)| *s).collect();
    let per_category = split(sent, &shares);
    let country_shares: Vec<f64> = WA_COUNTRIES.iter().map(|(_, s)| *s).collect();
    let mut pricing = Vec::new();
    let mut conversations = Vec::new();
    for ((category, _), n) in WA_CATEGORIES.iter().zip(&per_category) {
        for ((country, _), v) in WA_COUNTRIES.iter().zip(split(*n, &country_shares)) {
            if v == 0 {
                continue;
            }
            let types: &[(&'static str, f64)] = match *category {
                "MARKETING" => &[("REGULAR", 0.90), ("FREE_ENTRY_POINT", 0.10)],
                "UTILITY" => &[("REGULAR", 0.70), ("FREE_CUSTOMER_SERVICE", 0.30)],
                "SERVICE" => &[("FREE_CUSTOMER_SERVICE", 1.0)],
                _ => &[("REGULAR", 1.0)],
            };
            let type_shares: Vec<f64> = types.iter().map(|(_, s)| *s).collect();
            for ((pricing_type, _), volume) in types.iter().zip(split(v, &type_shares)) {
                if volume == 0 {
                    continue;
                }
                pricing.push(WaPricing {
                    category,
                    pricing_type,
                    country,
                    volume,
                });
                let count = (volume as f64 * 0.4).round() as u64;
                if count == 0 {
                    continue;
                }
                let (direction, conversation_type) = match (*category, *pricing_type) {
                    ("SERVICE", _) => ("USER_INITIATED", "FREE_TIER"),
                    (_, "FREE_ENTRY_POINT") => ("USER_INITIATED", "FREE_ENTRY_POINT"),
                    (_, "FREE_CUSTOMER_SERVICE") => ("USER_INITIATED", "REGULAR"),
                    _ => ("BUSINESS_INITIATED", "REGULAR"),
                };
                conversations.push(WaConversation {
                    category,
                    direction,
                    conversation_type,
                    country,
                    count,
                });
            }
        }
    }
    let delivered_ratio = if sent == 0 { 0.0 } else { delivered as f64 / sent as f64 };
    let templates = std::array::from_fn(|i| {
        let t = &WA_TEMPLATES[i];
        let sent: u64 = pricing
            .iter()
            .filter(|p| p.category == t.category)
            .map(|p| p.volume)
            .sum();
        let delivered = (sent as f64 * delivered_ratio).floor() as u64;
        let read = (delivered as f64 * t.read_rate * r.gen_range(0.92..1.05))
            .floor()
            .min(delivered as f64) as u64;
        let clicked = t
            .button
            .map(|(_, _, rate)| (read as f64 * rate * r.gen_range(0.85..1.15)).floor() as u64)
            .unwrap_or(0);
        let amount_spent = pricing
            .iter()
            .filter(|p| p.category == t.category && p.pricing_type == "REGULAR")
            .map(|p| p.volume as f64 * wa_rate(p.category, p.country))
            .sum();
        WaTemplateDay {
            sent,
            delivered,
            read,
            clicked,
            amount_spent,
        }
    });
    WaDay {
        sent,
        delivered,
        pricing,
        conversations,
        templates,
    }
}

fn scale(v: u64, f: f64) -> u64 {
    (v as f64 * f).floor() as u64
}

/// WABA `account`'s UTC day `day` as of `now`: the full day once it is over, a share of it
/// (the elapsed fraction, floored) while it runs, nothing before 2024 or after `now`.
pub(crate) fn wa_day(g: &Generator, account: usize, day: i64, now: DateTime<Utc>) -> Option<WaDay> {
    let start = day_start(day);
    if day < 0 || start >= now {
        return None;
    }
    let full = wa_full_day(g, account, day);
    let elapsed = (now - start).num_seconds();
    if elapsed >= 86_400 {
        return Some(full);
    }
    let f = elapsed as f64 / 86_400.0;
    let pricing: Vec<WaPricing> = full
        .pricing
        .iter()
        .map(|p| WaPricing {
            volume: scale(p.volume, f),
            ..p.clone()
        })
        .filter(|p| p.volume > 0)
        .collect();
    let conversations = full
        .conversations
        .iter()
        .map(|c| WaConversation {
            count: scale(c.count, f),
            ..c.clone()
        })
        .filter(|c| c.count > 0)
        .collect();
    let templates = full.templates.map(|t| WaTemplateDay {
        sent: scale(t.sent, f),
        delivered: scale(t.delivered, f),
        read: scale(t.read, f),
        clicked: scale(t.clicked, f),
        amount_spent: t.amount_spent * f,
    });
    Some(WaDay {
        sent: pricing.iter().map(|p| p.volume).sum(),
        delivered: scale(full.delivered, f).min(pricing.iter().map(|p| p.volume).sum()),
        pricing,
        conversations,
        templates,
    })
}

/// The messaging limit tier of the seeded phone number at `t`: `TIER_1K` until 2025,
/// `TIER_10K` after.
pub(crate) fn wa_messaging_tier(t: DateTime<Utc>) -> &'static str {
    if t.year() >= 2025 {
        "TIER_10K"
    } else {
        "TIER_1K"
    }
}
