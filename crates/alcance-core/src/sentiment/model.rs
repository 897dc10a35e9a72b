//! [`LexiconModel`]: VADER's rules (Hutto & Gilbert, ICWSM 2014), written afresh from the
//! paper's description, over a lexicon per language.

use super::language::guess_language;
use super::lexicon::{Lexicon, BOOST};
use super::text::{tokenize, Token, Tokens};
use super::{Language, Sentiment, SentimentLabel, SentimentModel};
use std::sync::OnceLock;

/// All-caps emphasis of a sentiment word beside lower-case words (VADER's 0.733).
const CAPS_INCREMENT: f64 = 0.733;
/// Emphasis of an elongated sentiment word (`lindoooo`): Alcance's choice, half of caps.
const ELONGATION_INCREMENT: f64 = 0.35;
/// A negation flips and damps the valence of the words it precedes (VADER's −0.74).
const NEGATION_SCALAR: f64 = -0.74;
/// How many words before a sentiment word a negation or booster reaches.
const WINDOW: usize = 3;
/// Per exclamation mark, up to 4 (VADER's 0.292).
const EXCLAMATION_INCREMENT: f64 = 0.292;
/// Per question mark when there are two or three (VADER's 0.18); four or more add 0.96.
const QUESTION_INCREMENT: f64 = 0.18;
/// The normalisation constant of `x / sqrt(x² + α)` (VADER's 15).
const ALPHA: f64 = 15.0;

/// The default model (`lexicon-v1`): a VADER-style lexicon and rule model for Portuguese
/// and English.
///
/// For each sentiment word (lexicon valence −4 to 4): + 0.733 in its direction when it is in
/// capitals among lower-case words, + 0.35 when elongated; + or − 0.293 (× 1, 0.95, 0.9 at
/// distance 1, 2, 3) for each intensifier or dampener in the 3 words before it (and
/// Portuguese `demais` after it); × −0.74 when a negation is among the 3 words before it
/// (once, however many; not in the idioms "no doubt", "not only", "sem dúvida", "não só").
/// Negations and intensifiers do not reach across a clause break (`,` `.` `;` `:` `!`
/// `?`). Words
/// before a contrast word (`but`, `mas`) count half, after it 1.5 times. Emoji, emoticons
/// and laughter have fixed valences. The sum gets + 0.292 per `!` (up to 4) and, with 2 or
/// more `?`, + 0.18 each (up to 3; 0.96 beyond) in its own direction, then
/// `compound = sum / sqrt(sum² + 15)`. Label: positive from `positive_threshold`
/// (default 0.2), negative from `−negative_threshold` (default 0.2), else neutral (VADER
/// suggests 0.05; 0.2 had the best mean macro-F1 of both languages on the dev half,
/// `docs/analytics.md`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LexiconModel {
    /// The compound at or above which a text is positive (0 to 1).
    pub positive_threshold: f64,
    /// The compound at or below whose negation a text is negative (0 to 1).
    pub negative_threshold: f64,
}

impl Default for LexiconModel {
    fn default() -> Self {
        LexiconModel {
            positive_threshold: 0.2,
            negative_threshold: 0.2,
        }
    }
}

impl LexiconModel {
    /// The model's id.
    pub const ID: &'static str = "lexicon-v1";

    /// The shared instance with the default thresholds.
    pub fn shared() -> &'static LexiconModel {
        static MODEL: OnceLock<LexiconModel> = OnceLock::new();
        MODEL.get_or_init(LexiconModel::default)
    }

    /// The compound of `text` with `lexicon`, and how many tokens carried a valence.
    fn compound_with(&self, tokens: &Tokens, lexicon: &Lexicon) -> (f64, usize) {
        let words = &tokens.tokens;
        let mut valences: Vec<f64> = vec![0.0; words.len()];
        let mut hits = 0usize;
        for (i, token) in words.iter().enumerate() {
            if negation_idiom_at(words, i, lexicon) {
                continue; // "doubt" of "no doubt", "dúvida" of "sem dúvida"
            }
            let Some(mut v) = base_valence(token, lexicon) else {
                continue;
            };
            if v == 0.0 {
                continue;
            }
            hits += 1;
            if token.is_word() {
                if token.caps && tokens.mixed_caps {
                    v += CAPS_INCREMENT.copysign(v);
                }
                if token.elongated {
                    v += ELONGATION_INCREMENT.copysign(v);
                }
                for prev_index in in_clause_before(words, i) {
                    let distance = i - prev_index;
                    let Some(prev) = words.get(prev_index) else { break };
                    if let Some(scalar) = lexicon.booster(&prev.key) {
                        // An intensifier adds magnitude in the word's direction, a
                        // dampener takes it away.
                        let mut s = scalar.abs().copysign(v) * scalar.signum();
                        if prev.caps && tokens.mixed_caps {
                            s += CAPS_INCREMENT.copysign(s);
                        }
                        v += s * distance_decay(distance);
                    }
                }
                if let Some(next) = words.get(i + 1) {
                    if lexicon.is_post_booster(&next.key) && !next.clause_start {
                        v += BOOST.copysign(v);
                    }
                }
                // One negation or several, the same: Portuguese negation is concordant
                // ("não gostei nada" is one "not"), and English double negation is rare.
                if in_clause_before(words, i).any(|j| {
                    words.get(j).is_some_and(|p| lexicon.is_negation(&p.key))
                        && !negation_idiom_at(words, j + 1, lexicon)
                }) {
                    v *= NEGATION_SCALAR;
                }
            }
            if let Some(slot) = valences.get_mut(i) {
                *slot = v;
            }
        }
        if let Some(c) = words.iter().position(|t| lexicon.is_contrast(&t.key)) {
            for (i, v) in valences.iter_mut().enumerate() {
                *v *= if i < c { 0.5 } else { 1.5 };
            }
        }
        let sum: f64 = valences.iter().sum();
        (normalize(sum, punctuation_emphasis(tokens)), hits)
    }

    fn label(&self, compound: f64) -> SentimentLabel {
        if compound >= self.positive_threshold {
            SentimentLabel::Positive
        } else if compound <= -self.negative_threshold {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Neutral
        }
    }
}

impl SentimentModel for LexiconModel {
    fn id(&self) -> &'static str {
        Self::ID
    }

    fn score(&self, text: &str, language: Option<Language>) -> Sentiment {
        let tokens = tokenize(text);
        if tokens.tokens.is_empty() {
            return Sentiment::neutral(language.or_else(|| guess_language(text)));
        }
        let language = language.or_else(|| guess_language(text));
        let compound = match language {
            Some(l) => self.compound_with(&tokens, Lexicon::of(l)).0,
            None => {
                // Neither language recognised: read with both, keep the reading that found
                // more sentiment words (the stronger one on a tie).
                let (en, en_hits) = self.compound_with(&tokens, Lexicon::of(Language::En));
                let (pt, pt_hits) = self.compound_with(&tokens, Lexicon::of(Language::Pt));
                if pt_hits > en_hits || (pt_hits == en_hits && pt.abs() > en.abs()) {
                    pt
                } else {
                    en
                }
            }
        };
        let compound = if compound.is_finite() {
            compound.clamp(-1.0, 1.0)
        } else {
            0.0
        };
        Sentiment {
            label: self.label(compound),
            compound,
            language,
        }
    }
}

/// The token's own valence: fixed (emoji, emoticon, laughter) or the lexicon's, trying the
/// shortened forms of an elongated word.
fn base_valence(token: &Token, lexicon: &Lexicon) -> Option<f64> {
    if let Some(v) = token.fixed {
        return Some(v);
    }
    lexicon
        .valence(&token.key)
        .or_else(|| token.shortened.iter().find_map(|k| lexicon.valence(k)))
}

/// `true` when token `i` is the word of a negation idiom right after its negation, in the
/// same clause ("no doubt", "not only", "sem dúvida", "não só"): the negation negates
/// nothing and the word carries no valence.
fn negation_idiom_at(words: &[Token], i: usize, lexicon: &Lexicon) -> bool {
    let Some(token) = words.get(i) else { return false };
    let Some(prev) = i.checked_sub(1).and_then(|j| words.get(j)) else {
        return false;
    };
    !token.clause_start && lexicon.is_negation(&prev.key) && lexicon.is_negation_idiom(&token.key)
}

/// The indices of up to [`WINDOW`] tokens before `i`, nearest first, stopping at the start
/// of `i`'s clause.
fn in_clause_before(words: &[Token], i: usize) -> impl Iterator<Item = usize> + '_ {
    let mut stop = false;
    (1..=WINDOW).filter_map(move |distance| {
        if stop {
            return None;
        }
        let j = i.checked_sub(distance)?;
        // Token j + 1 starts a clause: j is in an earlier one.
        if words.get(j + 1).is_none_or(|t| t.clause_start) {
            stop = true;
            return None;
        }
        Some(j)
    })
}

fn distance_decay(distance: usize) -> f64 {
    match distance {
        1 => 1.0,
        2 => 0.95,
        _ => 0.9,
    }
}

/// The emphasis of `!` and `?` (unsigned; added in the direction of the sum).
fn punctuation_emphasis(tokens: &Tokens) -> f64 {
    let exclamation = tokens.exclamations.min(4) as f64 * EXCLAMATION_INCREMENT;
    let question = match tokens.questions {
        0 | 1 => 0.0,
        n @ 2..=3 => n as f64 * QUESTION_INCREMENT,
        _ => 0.96,
    };
    exclamation + question
}

fn normalize(sum: f64, emphasis: f64) -> f64 {
    if sum == 0.0 || !sum.is_finite() {
        return 0.0;
    }
    let s = sum + emphasis.copysign(sum);
    s / (s * s + ALPHA).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(text: &str, l: Option<Language>) -> f64 {
        LexiconModel::default().score(text, l).compound
    }

    fn label(text: &str) -> SentimentLabel {
        LexiconModel::default().score(text, None).label
    }

    #[test]
    fn plain_words_in_each_language() {
        assert_eq!(label("I love this"), SentimentLabel::Positive);
        assert_eq!(label("this is terrible"), SentimentLabel::Negative);
        assert_eq!(label("Qual o prazo de entrega?"), SentimentLabel::Neutral);
        assert_eq!(label("amei esse produto"), SentimentLabel::Positive);
        assert_eq!(label("péssimo atendimento"), SentimentLabel::Negative);
    }

    #[test]
    fn negation_flips_and_damps() {
        let en = Some(Language::En);
        let pt = Some(Language::Pt);
        assert!(c("it is good", en) > 0.0 && c("it is not good", en) < 0.0);
        assert!(c("it isn't good", en) < 0.0);
        assert!(c("gostei", pt) > 0.0 && c("não gostei", pt) < 0.0);
        assert!(c("nunca gostei", pt) < 0.0);
        assert!(c("nada mal", pt) > 0.0);
        assert!(c("not good", en).abs() < c("good", en).abs());
        // Concordant negation: one "not".
        assert_eq!(c("não gostei nada", pt), c("não gostei", pt));
        // Idioms whose negation negates nothing.
        assert!(c("sem dúvida o melhor", pt) > 0.0);
        assert_eq!(c("sem dúvida o melhor", pt), c("o melhor", pt));
        assert!(c("no doubt the best", en) > 0.0);
        assert!(c("not only good", en) > 0.0);
        assert!(c("não só bonito", pt) > 0.0);
        // A negation does not reach across a comma.
        assert!(c("sem estoque, desisto", pt) < 0.0);
    }

    #[test]
    fn intensifiers_caps_elongation_and_exclamations_add_emphasis() {
        let pt = Some(Language::Pt);
        let en = Some(Language::En);
        let base = c("bom", pt);
        assert!(c("muito bom", pt) > base);
        assert!(c("bom demais", pt) > base);
        assert!(c("pouco bom", pt) < base);
        assert!(c("lindooooo", pt) > c("lindo", pt));
        assert!(c("bom!!!", pt) > base);
        assert!(c("this is GREAT", en) > c("this is great", en));
        assert!(c("super ruim", pt) < c("ruim", pt));
    }

    #[test]
    fn but_weighs_what_follows() {
        let pt = Some(Language::Pt);
        assert!(c("bonito mas péssimo", pt) < 0.0);
        assert!(c("péssimo mas bonito", pt) > 0.0);
        assert!(c("caro mas lindo", pt) > 0.0);
        assert!(c("it was slow but the result is great", Some(Language::En)) > 0.0);
    }

    #[test]
    fn emoji_emoticons_and_laughter_count_in_any_language() {
        assert_eq!(label("😍😍"), SentimentLabel::Positive);
        assert_eq!(label("😡"), SentimentLabel::Negative);
        assert_eq!(label(":("), SentimentLabel::Negative);
        assert_eq!(label("kkkkkkk"), SentimentLabel::Positive);
        assert_eq!(label("rsrs"), SentimentLabel::Positive);
    }

    #[test]
    fn links_mentions_and_nothing_are_neutral() {
        for text in ["", "   ", "https://example.com/great-awesome", "@love_you_all", "#"] {
            let s = LexiconModel::default().score(text, None);
            assert_eq!((s.label, s.compound), (SentimentLabel::Neutral, 0.0), "{text:?}");
        }
        // A hashtag's word counts.
        assert_eq!(label("#amei"), SentimentLabel::Positive);
    }

    #[test]
    fn the_language_given_wins_over_the_guess() {
        let s = LexiconModel::default().score("the best", Some(Language::Pt));
        assert_eq!(s.language, Some(Language::Pt));
        let s = LexiconModel::default().score("the best", None);
        assert_eq!(s.language, Some(Language::En));
    }

    #[test]
    fn thresholds_move_the_label_not_the_compound() {
        let strict = LexiconModel {
            positive_threshold: 0.9,
            negative_threshold: 0.9,
        };
        let s = strict.score("good", Some(Language::En));
        assert_eq!(s.label, SentimentLabel::Neutral);
        assert_eq!(s.compound, c("good", Some(Language::En)));
    }
}
