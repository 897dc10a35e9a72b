//! Portuguese or English? A count of function words (and of Portuguese accented letters),
//! which is all a sentiment lexicon needs and works on the short texts of comments, where
//! trigram detectors covering 70 languages are least sure (`docs/analytics.md` says why no
//! library).

use super::text::tokenize;
use super::Language;

/// Portuguese function words and chat spellings, accents folded. Words that are also common
/// in English (`a`, `as`, `no`, `do`, `me`, `so`, `to`) are left out of both lists.
const PT_WORDS: &[&str] = &[
    "de", "que", "nao", "e", "o", "os", "um", "uma", "para", "pra", "pro", "com", "por", "mais", "muito", "muita",
    "voce", "vc", "vcs", "voces", "eu", "meu", "minha", "isso", "esse", "essa", "este", "esta", "ta", "foi", "sao",
    "tem", "ja", "mas", "tambem", "quando", "como", "onde", "qual", "porque", "pq", "da", "dos", "das", "na", "nos",
    "nas", "ao", "aos", "ele", "ela", "ser", "ter", "vai", "vou", "hoje", "aqui", "tudo", "nada", "bem", "sim",
    "ainda", "agora", "gente", "nem", "nunca", "sempre", "ate", "sem", "seu", "sua", "obrigado", "obrigada", "estou",
    "tava", "fiz", "fica", "ficou", "pelo", "pela", "entao", "aquele", "aquela", "demais", "tao", "cade", "tb", "tbm",
    "q", "mt", "mto", "ne", "num", "numa", "comprei", "chegou",
];

/// English function words, lower case.
const EN_WORDS: &[&str] = &[
    "the", "and", "is", "are", "was", "were", "you", "your", "i", "i'm", "im", "it", "it's", "this", "that", "of",
    "for", "with", "on", "in", "at", "be", "have", "has", "had", "my", "we", "they", "not", "don't", "dont", "just",
    "what", "how", "why", "will", "can", "but", "if", "he", "she", "our", "us", "from", "about", "there", "their",
    "been", "would", "could", "should", "all", "get", "got", "out", "up", "an", "or", "when", "who", "which", "can't",
    "didn't", "doesn't", "isn't", "you're", "thanks", "thank", "really", "very", "much", "some",
];

/// Guesses whether `text` is Portuguese or English. `None` when neither is recognised (no
/// function word of either, or as many of each).
///
/// Each Portuguese function word or word with a Portuguese accent (`ã`, `õ`, `ç`, `é`, …)
/// counts one for Portuguese; each English function word one for English; the larger count
/// wins.
pub fn guess_language(text: &str) -> Option<Language> {
    let tokens = tokenize(text);
    let (mut pt, mut en) = (0usize, 0usize);
    let raw_words = text.split_whitespace();
    for w in raw_words {
        if w.chars().any(|c| {
            matches!(
                c,
                'ã' | 'õ' | 'ç' | 'á' | 'é' | 'í' | 'ó' | 'ú' | 'â' | 'ê' | 'ô' | 'Ã' | 'Õ' | 'Ç' | 'É' | 'Á'
            )
        }) {
            pt += 1;
        }
    }
    for t in tokens.tokens.iter().filter(|t| t.is_word()) {
        let k = t.key.as_str();
        if PT_WORDS.contains(&k) {
            pt += 1;
        }
        if EN_WORDS.contains(&k) {
            en += 1;
        }
    }
    match pt.cmp(&en) {
        std::cmp::Ordering::Greater => Some(Language::Pt),
        std::cmp::Ordering::Less => Some(Language::En),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::fold;
    use super::*;

    fn folded(word: &str) -> bool {
        fold(word) == word
    }

    #[test]
    fn short_comments_in_each_language() {
        assert_eq!(
            guess_language("Qual o prazo de entrega para Curitiba?"),
            Some(Language::Pt)
        );
        assert_eq!(guess_language("amei demais, vcs são incríveis"), Some(Language::Pt));
        assert_eq!(guess_language("I love this, thanks for the tip"), Some(Language::En));
        assert_eq!(guess_language("Happy July 4th! 🇺🇸"), None);
        assert_eq!(guess_language(""), None);
        assert_eq!(guess_language("😍😍😍"), None);
    }

    #[test]
    fn word_lists_are_folded_and_do_not_overlap() {
        for w in PT_WORDS.iter().chain(EN_WORDS) {
            assert!(folded(w), "{w} is not folded");
        }
        for w in PT_WORDS {
            assert!(!EN_WORDS.contains(w), "{w} is in both lists");
        }
    }
}
