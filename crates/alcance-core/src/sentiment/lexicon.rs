//! The word lists of each language: the valence lexicon (token → valence, −4 to 4), negation
//! words, intensifiers and dampeners, contrast words ("but"). The lexicons are shipped in
//! the binary (`lexicons/`, see `lexicons/NOTICE.md` for their sources and licences) and
//! parsed once, on first use.

use super::text::fold;
use super::Language;
use std::collections::HashMap;
use std::sync::OnceLock;

/// VADER 3.3.2's lexicon (C.J. Hutto, MIT), trimmed to `token<TAB>mean valence`.
const VADER_EN: &str = include_str!("lexicons/vader_en.tsv");
/// LeIA's Portuguese lexicon (a translation of VADER's, MIT), trimmed and accent-folded.
const LEIA_PT: &str = include_str!("lexicons/leia_pt.tsv");
/// Alcance's own Portuguese entries (override LeIA's).
const ALCANCE_PT: &str = include_str!("lexicons/alcance_pt.tsv");

/// The increment of an intensifier ("very", "muito") or, negated, of a dampener
/// ("slightly", "pouco"): VADER's empirically derived 0.293.
pub(crate) const BOOST: f64 = 0.293;

/// The word lists of one language.
#[derive(Debug)]
pub(crate) struct Lexicon {
    pub language: Language,
    valence: HashMap<String, f64>,
    negations: &'static [&'static str],
    /// Intensifiers (+) and dampeners (−) before a word, with their sign.
    boosters: &'static [(&'static str, f64)],
    /// Intensifiers after a word (Portuguese "bom demais").
    post_boosters: &'static [&'static str],
    /// Contrast words: what comes after weighs more ("but", "mas").
    contrasts: &'static [&'static str],
    /// Words that, right after a negation, make an idiom that negates nothing: "no doubt",
    /// "not only", "sem dúvida", "não só". The word itself then carries no valence.
    negation_idioms: &'static [&'static str],
}

impl Lexicon {
    /// The lexicon of `language`, parsed on first use.
    pub fn of(language: Language) -> &'static Lexicon {
        static EN: OnceLock<Lexicon> = OnceLock::new();
        static PT: OnceLock<Lexicon> = OnceLock::new();
        match language {
            Language::En => EN.get_or_init(|| Lexicon {
                language,
                valence: parse(&[VADER_EN]),
                negations: EN_NEGATIONS,
                boosters: EN_BOOSTERS,
                post_boosters: &[],
                contrasts: &["but", "however"],
                negation_idioms: &["doubt", "doubts", "only", "just"],
            }),
            Language::Pt => PT.get_or_init(|| Lexicon {
                language,
                valence: parse(&[LEIA_PT, ALCANCE_PT]),
                negations: PT_NEGATIONS,
                boosters: PT_BOOSTERS,
                post_boosters: &["demais", "pacas", "pakas"],
                contrasts: &["mas", "porem", "contudo", "entretanto", "todavia"],
                negation_idioms: &["duvida", "duvidas", "so", "apenas", "somente"],
            }),
        }
    }

    /// The valence of a folded token, `None` when the lexicon does not have it. Function
    /// words that the rules handle (negations, boosters) have none.
    pub fn valence(&self, key: &str) -> Option<f64> {
        if self.is_negation(key) || self.booster(key).is_some() {
            return None;
        }
        self.valence.get(key).copied()
    }

    /// `true` for a negation word (`not`, `never`, `don't`, `não`, `nunca`, `nem`, ...).
    pub fn is_negation(&self, key: &str) -> bool {
        self.negations.contains(&key) || (self.language == Language::En && key.ends_with("n't"))
    }

    /// The signed increment of an intensifier (+) or dampener (−).
    pub fn booster(&self, key: &str) -> Option<f64> {
        self.boosters.iter().find(|(w, _)| *w == key).map(|(_, s)| *s)
    }

    /// `true` for an intensifier that follows its word (`demais`).
    pub fn is_post_booster(&self, key: &str) -> bool {
        self.post_boosters.contains(&key)
    }

    /// `true` for the word of a negation idiom (`doubt` in "no doubt", `duvida` in "sem
    /// dúvida", `only` in "not only").
    pub fn is_negation_idiom(&self, key: &str) -> bool {
        self.negation_idioms.contains(&key)
    }

    /// `true` for a contrast word (`but`, `mas`).
    pub fn is_contrast(&self, key: &str) -> bool {
        self.contrasts.contains(&key)
    }

    /// Entries in the valence table (for tests and docs).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.valence.len()
    }
}

/// Reads `token<TAB>valence` lines (later sources replace earlier ones; `#` lines and lines
/// that do not parse are skipped: the files are ours and checked by a test).
fn parse(sources: &[&str]) -> HashMap<String, f64> {
    let mut map = HashMap::new();
    for source in sources {
        for line in source.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut parts = line.split('\t');
            let (Some(token), Some(value)) = (parts.next(), parts.next()) else {
                continue;
            };
            let Ok(value) = value.trim().parse::<f64>() else {
                continue;
            };
            if token.is_empty() || !value.is_finite() {
                continue;
            }
            map.insert(fold(token), value.clamp(-4.0, 4.0));
        }
    }
    map
}

const EN_NEGATIONS: &[&str] = &[
    "not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "nowhere", "without", "cannot", "cant",
    "dont", "didnt", "doesnt", "isnt", "wasnt", "arent", "werent", "wont", "wouldnt", "shouldnt", "couldnt", "aint",
    "havent", "hasnt", "hadnt", "mustnt", "neednt", "rarely", "seldom", "despite",
];

const EN_BOOSTERS: &[(&str, f64)] = &[
    ("absolutely", BOOST),
    ("amazingly", BOOST),
    ("awfully", BOOST),
    ("completely", BOOST),
    ("considerably", BOOST),
    ("decidedly", BOOST),
    ("deeply", BOOST),
    ("enormously", BOOST),
    ("entirely", BOOST),
    ("especially", BOOST),
    ("exceptionally", BOOST),
    ("extremely", BOOST),
    ("fabulously", BOOST),
    ("freaking", BOOST),
    ("fucking", BOOST),
    ("greatly", BOOST),
    ("highly", BOOST),
    ("hugely", BOOST),
    ("incredibly", BOOST),
    ("intensely", BOOST),
    ("majorly", BOOST),
    ("more", BOOST),
    ("most", BOOST),
    ("particularly", BOOST),
    ("purely", BOOST),
    ("quite", BOOST),
    ("really", BOOST),
    ("remarkably", BOOST),
    ("so", BOOST),
    ("substantially", BOOST),
    ("super", BOOST),
    ("thoroughly", BOOST),
    ("totally", BOOST),
    ("tremendously", BOOST),
    ("truly", BOOST),
    ("uber", BOOST),
    ("unbelievably", BOOST),
    ("utterly", BOOST),
    ("very", BOOST),
    ("almost", -BOOST),
    ("barely", -BOOST),
    ("hardly", -BOOST),
    ("kinda", -BOOST),
    ("less", -BOOST),
    ("little", -BOOST),
    ("marginally", -BOOST),
    ("occasionally", -BOOST),
    ("partly", -BOOST),
    ("scarcely", -BOOST),
    ("slightly", -BOOST),
    ("somewhat", -BOOST),
    ("sorta", -BOOST),
];

const PT_NEGATIONS: &[&str] = &[
    "nao", "nem", "nunca", "jamais", "ninguem", "nada", "nenhum", "nenhuma", "sem", "tampouco", "n",
];

const PT_BOOSTERS: &[(&str, f64)] = &[
    ("muito", BOOST),
    ("muita", BOOST),
    ("muitos", BOOST),
    ("muitas", BOOST),
    ("mt", BOOST),
    ("mto", BOOST),
    ("mtu", BOOST),
    ("super", BOOST),
    ("mega", BOOST),
    ("hiper", BOOST),
    ("ultra", BOOST),
    ("extremamente", BOOST),
    ("totalmente", BOOST),
    ("completamente", BOOST),
    ("absolutamente", BOOST),
    ("altamente", BOOST),
    ("bastante", BOOST),
    ("bem", BOOST),
    ("tao", BOOST),
    ("mais", BOOST),
    ("sumamente", BOOST),
    ("incrivelmente", BOOST),
    ("realmente", BOOST),
    ("simplesmente", BOOST),
    ("demasiado", BOOST),
    ("pouco", -BOOST),
    ("meio", -BOOST),
    ("quase", -BOOST),
    ("levemente", -BOOST),
    ("ligeiramente", -BOOST),
    ("razoavelmente", -BOOST),
    ("relativamente", -BOOST),
    ("menos", -BOOST),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lexicons_parse_whole() {
        let en = Lexicon::of(Language::En);
        let pt = Lexicon::of(Language::Pt);
        // Every data line of the files is an entry (none was skipped as unparsable).
        let lines = |s: &str| s.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).count();
        assert_eq!(en.len(), lines(VADER_EN));
        assert!(pt.len() >= lines(LEIA_PT) && pt.len() <= lines(LEIA_PT) + lines(ALCANCE_PT));
        assert_eq!(en.valence("good"), Some(1.9));
        assert_eq!(pt.valence("amei"), Some(3.0));
        // Alcance's entry replaces LeIA's ("caro" is "dear" in LeIA).
        assert_eq!(pt.valence("caro"), Some(-1.2));
        // Rule words carry no valence of their own.
        assert_eq!(en.valence("very"), None);
        assert_eq!(pt.valence("nao"), None);
    }

    #[test]
    fn rule_words_are_folded() {
        for lex in [Lexicon::of(Language::En), Lexicon::of(Language::Pt)] {
            for w in lex
                .negations
                .iter()
                .chain(lex.contrasts)
                .chain(lex.post_boosters)
                .chain(lex.negation_idioms)
            {
                assert_eq!(fold(w), *w);
            }
            for (w, _) in lex.boosters {
                assert_eq!(fold(w), *w);
            }
        }
    }
}
