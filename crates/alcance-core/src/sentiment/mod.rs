//! Sentiment of a comment, reply or post text, computed on the machine (no text leaves it).
//!
//! - [`SentimentModel`] is the extension point: a model scores one text into a
//!   [`Sentiment`] (a [`SentimentLabel`] and a compound score in [-1, 1]). Models are listed
//!   once, in [`MODELS`]; [`default_model`] is the one Alcance uses.
//! - [`LexiconModel`] (`lexicon-v1`, the default) is a VADER-style lexicon and rule model:
//!   the VADER lexicon for English, the LeIA lexicon for Portuguese (both MIT, shipped in the
//!   binary) plus Alcance's own Portuguese additions, with negation, intensifiers, "but",
//!   emoji, emoticons, laughter, elongations, all-caps and exclamation marks
//!   (`docs/analytics.md`, "Sentiment").
//! - [`guess_language`] tells Portuguese from English (or neither) by counting function
//!   words.
//! - [`share`] aggregates scored texts (counts and ratios 0–1, per week); [`eval`] measures
//!   a model against labelled texts (accuracy, macro-F1, confusion matrix).
//!
//! Pure: no I/O, no clock. Nothing here panics on any input text.

#![deny(missing_docs)]

pub mod eval;
mod language;
mod lexicon;
mod model;
pub mod share;
mod text;

pub use language::guess_language;
pub use model::LexiconModel;
pub use share::{share_by, weekly_share, SentimentShare, WeekShare};

use crate::text_enum::text_enum;
use serde::{Deserialize, Serialize};

/// The language of a text, for choosing a lexicon: ISO 639-1 keys `pt` (Portuguese, any
/// variety) and `en`. "Unknown" is `None` wherever a language is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Language {
    /// Portuguese (`pt`).
    Pt,
    /// English (`en`).
    En,
}

text_enum!(Language, "language", [
    Pt => "pt",
    En => "en",
]);

/// The polarity class of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SentimentLabel {
    /// Favourable: praise, thanks, joy, laughter.
    Positive,
    /// No clear attitude: questions, information, balanced mixes.
    Neutral,
    /// Unfavourable: complaints, anger, sadness, insults.
    Negative,
}

text_enum!(SentimentLabel, "sentiment label", [
    Positive => "positive",
    Neutral => "neutral",
    Negative => "negative",
]);

/// The sentiment of one text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sentiment {
    /// The class: from `compound` and the model's thresholds.
    pub label: SentimentLabel,
    /// Overall polarity, −1 (most negative) to 1 (most positive), 0 for none; always finite.
    pub compound: f64,
    /// The lexicon used: the language given, else the one guessed; `None` when neither
    /// language was recognised (the model then reads the text with both lexicons).
    pub language: Option<Language>,
}

impl Sentiment {
    /// A neutral result with compound 0 (an empty text, or one without any sentiment word).
    pub fn neutral(language: Option<Language>) -> Self {
        Sentiment {
            label: SentimentLabel::Neutral,
            compound: 0.0,
            language,
        }
    }
}

/// A sentiment model: scores one text. Implementations never panic, whatever the text
/// (any length, any Unicode), and return a finite `compound` in [-1, 1].
pub trait SentimentModel: Send + Sync {
    /// The model's stable id (`lexicon-v1`), stored beside each score so scores made by
    /// different models (or versions) are never mixed unknowingly.
    fn id(&self) -> &'static str;

    /// Scores `text`. `language`: the text's language when known (a platform's `lang`
    /// field, the account's setting); `None` lets the model guess ([`guess_language`]).
    fn score(&self, text: &str, language: Option<Language>) -> Sentiment;
}

/// A registered model: its id and how to get the shared instance.
#[derive(Clone, Copy)]
pub struct ModelEntry {
    /// The model's id ([`SentimentModel::id`]).
    pub id: &'static str,
    /// The shared instance (built once, on first use).
    pub get: fn() -> &'static dyn SentimentModel,
}

impl std::fmt::Debug for ModelEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelEntry").field("id", &self.id).finish()
    }
}

/// Every sentiment model Alcance has, the default first. Add a model here (one entry) and
/// everything that picks a model by id finds it.
pub const MODELS: &[ModelEntry] = &[ModelEntry {
    id: LexiconModel::ID,
    get: || LexiconModel::shared(),
}];

/// The model Alcance scores with unless told otherwise (the first of [`MODELS`]).
pub fn default_model() -> &'static dyn SentimentModel {
    LexiconModel::shared()
}

/// The registered model with this id; `None` for an unknown id.
pub fn model(id: &str) -> Option<&'static dyn SentimentModel> {
    MODELS.iter().find(|m| m.id == id).map(|m| (m.get)())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_finds_the_default_model_by_its_id() {
        let first = MODELS.first().map(|m| m.id);
        assert_eq!(first, Some(default_model().id()));
        assert_eq!(model("lexicon-v1").map(|m| m.id()), Some("lexicon-v1"));
        assert!(model("nope").is_none());
    }

    #[test]
    fn keys_round_trip() {
        for l in SentimentLabel::ALL {
            assert_eq!(l.as_str().parse::<SentimentLabel>(), Ok(*l));
        }
        assert_eq!("pt".parse::<Language>(), Ok(Language::Pt));
        assert!("pt-BR".parse::<Language>().is_err());
        assert_eq!(
            serde_json::to_string(&SentimentLabel::Negative).ok().as_deref(),
            Some("\"negative\"")
        );
    }
}
