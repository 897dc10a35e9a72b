//! Hashtags, mentions and links in a post's text (issue 17 point 2), parsed from the
//! caption Alcance already stores: no API call.
//!
//! The rules, as the platforms apply them to captions:
//!
//! - **Hashtag**: `#` (or the full-width `＃`) not preceded by a letter, digit, `_`, `&` or
//!   another `#` (so `C#`, `&#39;` and `##` are not tags), then letters, digits, marks
//!   (Unicode `General_Category=Mark`: accents, and the vowel signs of Indic scripts, as in
//!   `#नमस्ते`), `_` and the zero-width (non-)joiner inside a word (Persian, Indic), of any
//!   script (`#SãoPaulo`, `#verão`, `#日本`, `#São_Paulo`). A tag ends at anything else: a
//!   space, punctuation, an emoji and its variation selector (`#verão🔥` and `#amor❤️`
//!   are `#verão` and `#amor`); an emoji right before the sign does not stop it
//!   (`🔥#praia` is `#praia`). A tag starts with a letter, digit or `_`, not a mark (the
//!   keycap emoji `#️⃣` is no tag) and needs a letter: `#2026` and `#_` are not hashtags,
//!   as on X.
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
            let mut body: String = chars[i + 1..]
                .iter()
                .map(|&(_, ch)| ch)
                .take_while(|&ch| is_tag_char(ch) || is_joiner(ch))
                .collect();
            let len = body.chars().count();
            // A joiner ends a word only inside it: trailing ones are not the tag's.
            body.truncate(body.trim_end_matches(is_joiner).len());
            let starts_well = body
                .chars()
                .next()
                .is_some_and(|first| !is_mark(first) && !is_joiner(first));
            if starts_well && body.chars().any(char::is_alphabetic) {
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

/// The key of a hashtag the user typed to track (`"São_Paulo"`, `"#Verão"`), when it is
/// one whole hashtag by the rules above: `tag_key`'s form (`"#são_paulo"`). `None` for a
/// mention, an empty or number-only tag, or text that holds more than one word or
/// anything a hashtag cannot hold (`"#a b"`, `"#a-b"`, `"#🔥"`), or more than
/// [`MAX_HASHTAG_CHARS`] characters.
pub fn hashtag_key(input: &str) -> Option<String> {
    let key = tag_key(input);
    if !key.starts_with('#') || key.chars().count() > MAX_HASHTAG_CHARS + 1 {
        return None;
    }
    let parsed = post_tags(&key).hashtags;
    (parsed.len() == 1 && parsed[0] == key).then_some(key)
}

/// Letters, digits and marks of any script, and `_`.
fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_mark(c)
}

/// A Unicode mark (`General_Category=Mark`: combining accents NFC cannot compose, Indic
/// vowel signs and viramas), except the variation selectors, which belong to the emoji
/// before them (`❤️`), and the combining keycap (`#️⃣`).
fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
        && !matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{20E3}')
}

/// The zero-width non-joiner and joiner, part of words in Persian and Indic scripts.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
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
    fn marks_joiners_and_emoji_neighbours() {
        // Devanagari vowel signs and virama are marks inside the word.
        assert_eq!(hashtags("#नमस्ते दोस्तों"), ["#नमस्ते"]);
        // Persian with a zero-width non-joiner inside; a trailing joiner is not kept.
        assert_eq!(hashtags("#می\u{200C}خواهم"), ["#می\u{200C}خواهم"]);
        assert_eq!(hashtags("#praia\u{200D} sol"), ["#praia"]);
        // Emoji on either side, with variation selectors, skin tones and ZWJ sequences.
        assert_eq!(
            hashtags("🔥#praia❤️#amor👍🏽 👨\u{200D}👩\u{200D}👧#família️ #verão\u{FE0F}x"),
            ["#praia", "#amor", "#família", "#verão"]
        );
        // The keycap emoji #️⃣ is not a tag, nor is a sign followed by a lone mark.
        assert!(hashtags("#\u{FE0F}\u{20E3} #\u{0301}a").is_empty());
        // Underscores join words, whatever the script on each side.
        assert_eq!(hashtags("Em #São_Paulo_2026!"), ["#são_paulo_2026"]);
        // Mentions and links beside emoji.
        let t = post_tags("🎉@marca🎉 e https://loja.com/verão🔥 fim");
        assert_eq!(t.mentions, ["@marca"]);
        assert_eq!(t.links, ["https://loja.com/verão🔥"]);
    }

    #[test]
    fn tracked_tags_must_be_one_whole_hashtag() {
        assert_eq!(hashtag_key(" São_Paulo ").as_deref(), Some("#são_paulo"));
        assert_eq!(hashtag_key("#Verão").as_deref(), Some("#verão"));
        assert_eq!(hashtag_key("＃東京").as_deref(), Some("#東京"));
        for bad in ["", "#", "#2026", "@marca", "#a b", "#a-b", "#🔥", "a#b", "##a"] {
            assert_eq!(hashtag_key(bad), None, "{bad:?}");
        }
        assert_eq!(hashtag_key(&"a".repeat(MAX_HASHTAG_CHARS + 1)), None);
        assert!(hashtag_key(&"a".repeat(MAX_HASHTAG_CHARS)).is_some());
    }

    #[test]
    fn typed_tags_become_keys() {
        assert_eq!(tag_key("  #SãoPaulo "), "#sãopaulo");
        assert_eq!(tag_key("Praia"), "#praia");
        assert_eq!(tag_key("@Marca"), "@marca");
        assert_eq!(tag_key("＃東京"), "#東京");
    }
}
