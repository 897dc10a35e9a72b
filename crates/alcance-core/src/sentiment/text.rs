//! A text cut into the tokens the lexicon model reads: words (lower-cased, accents folded,
//! elongations noted), emoji, emoticons and laughter; links and @mentions dropped; `#` taken
//! off hashtags (`#amei` reads as `amei`); `!` and `?` counted.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// One token of a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// The lookup key: a word lower-cased with accents folded (`Ótimo` → `otimo`), or the
    /// emoji / emoticon itself.
    pub key: String,
    /// The key with letter runs of three or more cut to two and to one, for elongated words
    /// (`lindoooo` → `lindoo`, `lindo`); empty for other tokens.
    pub shortened: Vec<String>,
    /// A valence that does not depend on the language (emoji, emoticons, laughter), on the
    /// lexicon's scale (−4 to 4).
    pub fixed: Option<f64>,
    /// A word of two or more letters, all capitals (`AMEI`).
    pub caps: bool,
    /// A word with a letter repeated three or more times (`lindoooo`, `kkkk` aside).
    pub elongated: bool,
    /// The first token after a clause break (`,` `.` `;` `:` `!` `?`): negations and
    /// intensifiers do not reach across it.
    pub clause_start: bool,
}

impl Token {
    /// A word token (not an emoji, emoticon or laughter).
    pub fn is_word(&self) -> bool {
        self.fixed.is_none()
    }
}

/// A tokenised text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tokens {
    pub tokens: Vec<Token>,
    /// Exclamation marks in the text.
    pub exclamations: usize,
    /// Question marks in the text.
    pub questions: usize,
    /// Some word tokens are all capitals and some are not (all-caps emphasis counts only
    /// then: a text written wholly in capitals is not shouting one word).
    pub mixed_caps: bool,
}

/// Emoticons, whole white-space separated chunks, with their valence (Alcance's values, on
/// the VADER scale −4 to 4). Checked before punctuation is stripped.
const EMOTICONS: &[(&str, f64)] = &[
    (":)", 2.0),
    (":-)", 2.0),
    ("(:", 2.0),
    ("=)", 2.0),
    (":]", 1.8),
    (":d", 2.3),
    (":-d", 2.3),
    ("xd", 2.0),
    (";)", 1.5),
    (";-)", 1.5),
    (";d", 2.0),
    (":p", 1.2),
    (":-p", 1.2),
    (";p", 1.2),
    (":3", 1.5),
    ("<3", 2.2),
    ("<33", 2.4),
    ("^^", 1.5),
    ("^_^", 1.8),
    (":*", 2.0),
    (":(", -2.0),
    (":-(", -2.0),
    ("):", -2.0),
    ("=(", -2.0),
    (":'(", -2.4),
    (":((", -2.4),
    ("d:", -1.6),
    (">:(", -2.6),
    (":@", -2.3),
    (":/", -1.0),
    (":-/", -1.0),
    (":\\", -1.0),
    (":|", -0.4),
    ("</3", -2.4),
    ("-_-", -1.0),
    ("¬¬", -1.2),
];

/// Emoji (after dropping variation selectors, skin tones and zero-width joiners) with their
/// valence: Alcance's own values on the VADER scale, for the emoji common in comments.
const EMOJI: &[(char, f64)] = &[
    ('😍', 3.0),
    ('🥰', 3.0),
    ('😘', 2.6),
    ('😊', 2.4),
    ('☺', 2.2),
    ('🙂', 1.2),
    ('😀', 2.2),
    ('😃', 2.3),
    ('😄', 2.4),
    ('😁', 2.3),
    ('😆', 2.0),
    ('😂', 1.8),
    ('🤣', 1.9),
    ('😅', 0.8),
    ('😉', 1.4),
    ('😎', 1.8),
    ('🤩', 3.0),
    ('😋', 2.0),
    ('🤤', 1.6),
    ('😻', 2.8),
    ('🤗', 2.3),
    ('😇', 2.0),
    ('🥳', 2.8),
    ('🥹', 2.0),
    ('❤', 2.8),
    ('💕', 2.8),
    ('💖', 2.8),
    ('💗', 2.6),
    ('💓', 2.5),
    ('💞', 2.6),
    ('💘', 2.5),
    ('💜', 2.4),
    ('💙', 2.4),
    ('💚', 2.4),
    ('💛', 2.4),
    ('🧡', 2.4),
    ('🖤', 1.5),
    ('🤍', 2.2),
    ('💯', 2.2),
    ('🔥', 2.0),
    ('✨', 1.6),
    ('⭐', 1.6),
    ('🌟', 1.8),
    ('👏', 2.0),
    ('🙌', 2.2),
    ('👍', 1.8),
    ('👌', 1.8),
    ('💪', 1.8),
    ('🙏', 1.6),
    ('🎉', 2.4),
    ('🥂', 1.8),
    ('🏆', 2.0),
    ('✅', 1.2),
    ('🌈', 1.5),
    ('😢', -2.2),
    ('😭', -2.0),
    ('😞', -2.2),
    ('😔', -2.0),
    ('😟', -1.8),
    ('🙁', -1.6),
    ('☹', -2.0),
    ('😕', -1.4),
    ('😩', -2.0),
    ('😫', -2.2),
    ('😖', -2.2),
    ('😣', -1.8),
    ('😤', -2.0),
    ('😠', -2.6),
    ('😡', -3.0),
    ('🤬', -3.2),
    ('👎', -2.2),
    ('💔', -2.6),
    ('🙄', -1.6),
    ('😒', -1.8),
    ('🤮', -2.8),
    ('🤢', -2.4),
    ('😱', -1.5),
    ('😰', -1.8),
    ('😨', -1.8),
    ('🤡', -1.8),
    ('💩', -2.2),
    ('❌', -1.2),
    ('😐', -0.4),
    ('😑', -0.6),
];

/// Laughter written out, any language: `kkkk`, `rsrs`, `haha`, `hehe`, `huahua`, `lol`,
/// `lmao`, `lmfao`.
const LAUGHTER_VALENCE: f64 = 1.6;

fn is_laughter(key: &str) -> bool {
    if matches!(key, "lol" | "lool" | "lmao" | "lmfao" | "rofl" | "kk") {
        return true;
    }
    let chars: Vec<char> = key.chars().collect();
    if chars.len() >= 3 && chars.iter().all(|c| *c == 'k') {
        return true;
    }
    // Repeated syllables: rs rs, ha ha, he he, hi hi, hua hua, ah ah (at least two, the
    // last possibly cut: "hahah", "rsrsr").
    for unit in ["rs", "ha", "he", "hi", "hua", "ah", "ja"] {
        if repeats(key, unit) {
            return true;
        }
    }
    false
}

fn repeats(key: &str, unit: &str) -> bool {
    let ulen = unit.len();
    if key.len() < 2 * ulen || !key.is_ascii() {
        return false;
    }
    let whole = key.len() / ulen;
    let body_ok = (0..whole).all(|i| key.get(i * ulen..(i + 1) * ulen) == Some(unit));
    let rest = key.get(whole * ulen..).unwrap_or("");
    body_ok && unit.starts_with(rest)
}

fn emoticon(chunk: &str) -> Option<f64> {
    let lower = chunk.to_lowercase();
    EMOTICONS.iter().find(|(e, _)| *e == lower).map(|(_, v)| *v)
}

fn emoji(c: char) -> Option<f64> {
    EMOJI.iter().find(|(e, _)| *e == c).map(|(_, v)| *v)
}

/// Characters an emoji sequence carries that are not the emoji: variation selectors, skin
/// tones, zero-width joiner, combining keycap.
fn is_emoji_modifier(c: char) -> bool {
    matches!(
        c,
        '\u{FE0E}' | '\u{FE0F}' | '\u{200D}' | '\u{20E3}' | '\u{1F3FB}'..='\u{1F3FF}'
    )
}

/// Lower-cases and folds accents: `ÓTIMO` → `otimo`, `não` → `nao`, `ç` → `c`.
pub(crate) fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Cuts runs of three or more equal letters to `keep` letters.
fn squeeze(word: &str, keep: usize) -> String {
    let mut out = String::with_capacity(word.len());
    let mut last: Option<char> = None;
    let mut run = 0usize;
    for c in word.chars() {
        if Some(c) == last {
            run += 1;
        } else {
            last = Some(c);
            run = 1;
        }
        if run <= keep {
            out.push(c);
        }
    }
    out
}

fn has_run_of_three(word: &str) -> bool {
    let mut last: Option<char> = None;
    let mut run = 0usize;
    for c in word.chars() {
        if Some(c) == last {
            run += 1;
            if run >= 3 && c.is_alphabetic() {
                return true;
            }
        } else {
            last = Some(c);
            run = 1;
        }
    }
    false
}

fn is_link(chunk: &str) -> bool {
    let lower = chunk.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.")
}

fn word_token(raw: &str) -> Option<Token> {
    // Apostrophes inside a word stay (`don't`); typographic ones become ASCII.
    let raw: String = raw.chars().map(|c| if c == '’' { '\'' } else { c }).collect();
    let raw = raw.trim_matches(|c: char| c == '\'' || c == '-');
    if raw.is_empty() {
        return None;
    }
    let letters = raw.chars().filter(|c| c.is_alphabetic()).count();
    let caps = letters >= 2 && raw.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
    let key = fold(raw);
    if key.is_empty() {
        return None;
    }
    if is_laughter(&key) || is_laughter(&squeeze(&key, 2)) {
        return Some(Token {
            key,
            shortened: Vec::new(),
            fixed: Some(LAUGHTER_VALENCE),
            caps,
            elongated: false,
            clause_start: false,
        });
    }
    let elongated = has_run_of_three(&key);
    let shortened = if elongated {
        let two = squeeze(&key, 2);
        let one = squeeze(&key, 1);
        if two == one {
            vec![two]
        } else {
            vec![two, one]
        }
    } else {
        Vec::new()
    };
    Some(Token {
        key,
        shortened,
        fixed: None,
        caps,
        elongated,
        clause_start: false,
    })
}

/// Cuts `text` into tokens.
pub(crate) fn tokenize(text: &str) -> Tokens {
    let mut out = Tokens {
        exclamations: text.chars().filter(|c| *c == '!' || *c == '¡').count(),
        questions: text.chars().filter(|c| *c == '?' || *c == '¿').count(),
        ..Tokens::default()
    };
    // A clause break seen since the last token.
    let mut pending_break = false;
    let push = |tokens: &mut Vec<Token>, mut t: Token, pending_break: &mut bool| {
        t.clause_start = std::mem::take(pending_break);
        tokens.push(t);
    };
    for chunk in text.split_whitespace() {
        if is_link(chunk) || chunk.starts_with('@') || chunk.starts_with('＠') {
            continue;
        }
        if let Some(v) = emoticon(chunk.trim_end_matches(['.', ',', '!', '?'])) {
            let t = Token {
                key: chunk.to_lowercase(),
                shortened: Vec::new(),
                fixed: Some(v),
                caps: false,
                elongated: false,
                clause_start: false,
            };
            push(&mut out.tokens, t, &mut pending_break);
            continue;
        }
        let mut word = String::new();
        for c in chunk.chars() {
            if is_emoji_modifier(c) {
                continue;
            }
            if c.is_alphanumeric() || is_combining_mark(c) || ((c == '\'' || c == '’' || c == '-') && !word.is_empty())
            {
                word.push(c);
                continue;
            }
            if let Some(t) = word_token(&word) {
                push(&mut out.tokens, t, &mut pending_break);
            }
            word.clear();
            if matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | '¡' | '¿' | '…') {
                pending_break = true;
            } else if let Some(v) = emoji(c) {
                let t = Token {
                    key: c.to_string(),
                    shortened: Vec::new(),
                    fixed: Some(v),
                    caps: false,
                    elongated: false,
                    clause_start: false,
                };
                push(&mut out.tokens, t, &mut pending_break);
            }
        }
        if let Some(t) = word_token(&word) {
            push(&mut out.tokens, t, &mut pending_break);
        }
    }
    let words = out
        .tokens
        .iter()
        .filter(|t| t.is_word() && t.key.chars().any(char::is_alphabetic));
    let (mut caps, mut lower) = (0usize, 0usize);
    for t in words {
        if t.caps {
            caps += 1;
        } else {
            lower += 1;
        }
    }
    out.mixed_caps = caps > 0 && lower > 0;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        tokenize(text).tokens.into_iter().map(|t| t.key).collect()
    }

    #[test]
    fn links_mentions_and_hashtag_marks_go_and_accents_fold() {
        assert_eq!(
            keys("@maria Ótimo #amei https://x.co/abc www.site.com.br NÃO"),
            vec!["otimo", "amei", "nao"]
        );
    }

    #[test]
    fn emoji_glued_to_words_and_modifiers_are_split_off() {
        let t = tokenize("lindo😍😍 👍🏽 ❤️!!");
        let k: Vec<&str> = t.tokens.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(k, vec!["lindo", "😍", "😍", "👍", "❤"]);
        assert_eq!(t.exclamations, 2);
    }

    #[test]
    fn laughter_emoticons_and_elongations() {
        let t = tokenize("kkkkkk rsrsrs hahaha :) :( lindoooo");
        let fixed: Vec<Option<f64>> = t.tokens.iter().map(|t| t.fixed).collect();
        assert_eq!(
            fixed,
            vec![
                Some(LAUGHTER_VALENCE),
                Some(LAUGHTER_VALENCE),
                Some(LAUGHTER_VALENCE),
                Some(2.0),
                Some(-2.0),
                None
            ]
        );
        let last = t.tokens.last().cloned().unwrap_or_else(|| panic!("no token"));
        assert!(last.elongated);
        assert_eq!(last.shortened, vec!["lindoo".to_string(), "lindo".to_string()]);
    }

    #[test]
    fn caps_are_emphasis_only_beside_lower_case() {
        assert!(tokenize("this is AWESOME").mixed_caps);
        assert!(!tokenize("MELHOR MARCA DO BRASIL").mixed_caps);
        assert!(tokenize("I LOVE it").tokens.iter().any(|t| t.caps && t.key == "love"));
    }

    #[test]
    fn punctuation_starts_a_clause() {
        let t = tokenize("sem estoque, desisto. ok");
        let starts: Vec<bool> = t.tokens.iter().map(|t| t.clause_start).collect();
        assert_eq!(starts, vec![false, false, true, true]);
    }

    #[test]
    fn apostrophes_stay_inside_words() {
        assert_eq!(keys("don’t 'quoted'"), vec!["don't", "quoted"]);
    }
}
