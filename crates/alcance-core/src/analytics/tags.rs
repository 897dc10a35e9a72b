//! Hashtags, mentions and links in a post's text (issue 17 point 2), parsed from the
//! caption Alcance already stores: no API call.
//!
//! The rules, as the platforms apply them to captions:
//!
//! - **Hashtag**: `#` (or the full-width `＃`) not preceded by a letter, digit, `_`, `&` or
//!   another `#` (so `C#`, `&#39;` and `##` are not tags), then letters, digits, combining
//!   marks and `_` of any script (`#SãoPaulo`, `#verão`, `#日本`, `#São_Paulo`). A tag
//!   ends at anything else: a space, punctuation, an emoji (`#verão🔥` is `#verão`). A
//!   tag needs a letter: `#2026` and `#_` are not hashtags, as on X.
//! - **Mention**: `@` not preceded by a letter, digit, `_` or `.` (so `ana@loja.com` is
//!   not one), then ASCII letters, digits, `_` and `.` (Instagram handles may hold dots;
//!   a trailing dot is the sentence's). At most 30 characters (Instagram's limit; X's is 15).
//! - **Link**: `http://` or `https://` up to the next white space, trailing punctuation
//!   (`.,;:!?)]}'"`) left out.
//!
//! Tags are returned as keys: NFC-normalised and lower-cased (`#SãoPaulo`, decomposed or
//! not, is `#sãopaulo`), each once per post, in order of first appearance.

use unicode_normalization::UnicodeNormalization;

/// Longest mention kept, characters after the `@` (Instagram's handle limit).
pub const MAX_MENTION_CHARS: usize = 30;

/// Longest hashtag kept, characters after the `#` (longer runs are cut, as X does at 100).
pub const MAX_HASHTAG_CHARS: usize = 100;

/// What a post's text carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostTags {
    /// Hashtag keys with their `#` (`"#verão"`), lower-case NFC, each once.
    pub hashtags: Vec<String>,
    /// Mention keys with their `@` (`"@marca.oficial"`), lower-case, each once.
    pub mentions: Vec<String>,
    /// Links as written (`"https://loja.com/promo"`), each once.
    pub links: Vec<String>,
}

/// The hashtags, mentions and links of `text` (see the module's rules). Never fails: text
/// without any gives empty lists.
pub fn post_tags(text: &str) -> PostTags {
    let text: String = text.nfc().collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = PostTags::default();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let before = i.checked_sub(1).map(|j| chars[j].1);
        if (c == '#' || c == '＃') && !before.is_some_and(|b| is_tag_char(b) || b == '&' || b == '#' || b == '＃') {
            let body: String = chars[i + 1..]
                .iter()
                .map(|&(_, ch)| ch)
                .take_while(|&ch| is_tag_char(ch))
                .collect();
            let len = body.chars().count();
            if body.chars().any(char::is_alphabetic) {
                let body: String = body.chars().take(MAX_HASHTAG_CHARS).collect();
                push_once(&mut out.hashtags, format!("#{}", body.to_lowercase()));
            }
            i += 1 + len;
            continue;
        }
        if c == '@' && !before.is_some_and(|b| b.is_alphanumeric() || b == '_' || b == '.') {
            let body: String = chars[i + 1..]
                .iter()
                .map(|&(_, ch)| ch)
                .take_while(|&ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '.')
                .collect();
            let len = body.chars().count();
            let handle = body.trim_end_matches('.');
            if !handle.is_empty() && handle.len() <= MAX_MENTION_CHARS {
                push_once(&mut out.mentions, format!("@{}", handle.to_ascii_lowercase()));
            }
            i += 1 + len;
            continue;
        }
        if c == 'h' && (text[at..].starts_with("https://") || text[at..].starts_with("http://")) {
            let end = text[at..].find(char::is_whitespace).map_or(text.len(), |n| at + n);
            let link = text[at..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"']);
            if link.len() > "https://".len() {
                push_once(&mut out.links, link.to_string());
            }
            i = chars.partition_point(|&(p, _)| p < end);
            continue;
        }
        i += 1;
    }
    out
}

/// A hashtag or mention as the user typed it, as a key: `#`/`@` kept (added to a bare
/// word as `#`), NFC-normalised, lower-cased, trimmed. `"  #SãoPaulo "` → `"#sãopaulo"`.
pub fn tag_key(tag: &str) -> String {
    let tag: String = tag.trim().nfc().collect::<String>().replace('＃', "#");
    let tag = if tag.starts_with('#') || tag.starts_with('@') {
        tag
    } else {
        format!("#{tag}")
    };
    tag.to_lowercase()
}

/// Letters, digits and combining marks of any script, and `_`.
fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

/// The combining diacritical blocks (what NFC cannot compose stays as marks).
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn push_once(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashtags(text: &str) -> Vec<String> {
        post_tags(text).hashtags
    }

    #[test]
    fn hashtags_of_any_script_end_at_what_is_not_a_letter() {
        assert_eq!(
            hashtags("Verão chegou! #Verão2026 #SãoPaulo🔥#praia, #São_Paulo. #日本 #2026 #_"),
            ["#verão2026", "#sãopaulo", "#praia", "#são_paulo", "#日本"]
        );
        // Decomposed "a" + combining tilde is the same key as the composed "ã".
        assert_eq!(hashtags("#Sa\u{0303}oPaulo"), ["#sãopaulo"]);
        // Once per post, the first spelling's key.
        assert_eq!(hashtags("#Praia #praia #PRAIA"), ["#praia"]);
        // Not tags: C#, an HTML entity, a doubled sign, a bare sign.
        assert!(hashtags("I code C# &#39; ##x # alone").is_empty());
        // The full-width sign of Japanese keyboards.
        assert_eq!(hashtags("＃東京"), ["#東京"]);
        assert_eq!(
            hashtags(&format!("#{}", "a".repeat(150)))[0].chars().count(),
            1 + MAX_HASHTAG_CHARS
        );
    }

    #[test]
    fn mentions_skip_emails_and_trailing_dots_and_links_skip_trailing_punctuation() {
        let t = post_tags(
            "Com @Marca.Oficial e @ana_b. Escreva para ana@loja.com ou veja https://loja.com/promo?x=1). \
             E (http://a.b/c), https:// nada, @",
        );
        assert_eq!(t.mentions, ["@marca.oficial", "@ana_b"]);
        assert_eq!(t.links, ["https://loja.com/promo?x=1", "http://a.b/c"]);
        assert!(t.hashtags.is_empty());
        // A link's fragment is not a hashtag, and its @ is not a mention.
        let t = post_tags("https://site.com/#secao https://x.com/@ana");
        assert!(t.hashtags.is_empty() && t.mentions.is_empty());
        assert_eq!(t.links.len(), 2);
        assert!(post_tags(&format!("@{}", "a".repeat(31))).mentions.is_empty());
    }

    #[test]
    fn nothing_in_odd_text_panics() {
        for text in [
            "",
            "#",
            "@",
            "h",
            "http",
            "https://",
            "＃",
            "#\u{0303}",
            "\u{0303}#a",
            "é#a",
            "a@b",
            "🔥#🔥",
        ] {
            let _ = post_tags(text);
        }
        assert_eq!(hashtags("é#a"), Vec::<String>::new());
    }

    #[test]
    fn typed_tags_become_keys() {
        assert_eq!(tag_key("  #SãoPaulo "), "#sãopaulo");
        assert_eq!(tag_key("Praia"), "#praia");
        assert_eq!(tag_key("@Marca"), "@marca");
        assert_eq!(tag_key("＃東京"), "#東京");
    }
}
