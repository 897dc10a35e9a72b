//! The weekly PDF's "Competitors" section (last in the document): own accounts beside the
//! competitors over the week and the share of voice, in English or Brazilian Portuguese.

use super::layout::{columns, Align, Cell, Flow, MUTED};
use super::{PdfWords, H2, SMALL, TABLE};
use crate::competitors::CompetitorReport;
use crate::weekly::competitors::{posts_text, table_rows};
use alcance_core::PdfLanguage;

/// Lays the section out on `f`.
pub(super) fn section(f: &mut Flow, lang: PdfLanguage, c: &CompetitorReport) {
    let l = |en, pt| lang.pick(en, pt);
    f.heading(l("Competitors", "Concorrentes"), H2, 40.0);
    f.paragraph(
        l(
            "Own accounts beside the competitors over the week. Mean engagement per post = interactions ÷ posts. \
             Share of voice = the account's public X posts with the term ÷ all public X posts with it; other \
             platforms give no counts (—).",
            "Contas próprias ao lado dos concorrentes na semana. Engajamento médio por post = interações ÷ posts. \
             Participação na conversa = posts públicos da conta no X com o termo ÷ todos os posts públicos no X \
             com ele; as outras plataformas não dão contagens (—).",
        ),
        SMALL,
        MUTED,
    );
    let cols = columns(&[
        (2.2, Align::Left),
        (1.3, Align::Left),
        (1.1, Align::Right),
        (1.0, Align::Right),
        (0.9, Align::Right),
        (0.9, Align::Right),
        (1.1, Align::Right),
        (0.8, Align::Right),
        (1.0, Align::Right),
    ]);
    let header = [
        Cell::new(l("Account", "Conta")),
        Cell::new(l("Role", "Papel")),
        Cell::new(l("Followers", "Seguidores")),
        Cell::new(l("Growth", "Crescimento")),
        Cell::new(l("Growth %", "Cresc. %")),
        Cell::new(l("Posts / week", "Posts / semana")),
        Cell::new(l("Engagement / post", "Engaj. / post")),
        Cell::new(l("ER", "TE")),
        Cell::new(l("Share of voice", "Part. na conversa")),
    ];
    let rows: Vec<Vec<Cell>> = table_rows(c)
        .into_iter()
        .map(|r| {
            let role = match r[1].split_once(' ') {
                Some((role, set)) => format!("{} {set}", role_word(lang, role)),
                None => role_word(lang, &r[1]),
            };
            vec![
                Cell::new(r[0].as_str()),
                Cell::new(role),
                Cell::new(lang.num(r[2].clone())),
                Cell::new(lang.num(r[3].clone())),
                Cell::new(lang.num(r[4].clone())),
                Cell::new(lang.num(r[5].clone())),
                Cell::new(lang.num(r[6].clone())),
                Cell::new(lang.num(r[7].clone())),
                Cell::new(lang.num(r[10].clone())),
            ]
        })
        .collect();
    f.table(&cols, &header, &rows, TABLE);
    if let Some(v) = &c.share_of_voice {
        f.paragraph(
            &format!(
                "{} {}, {} – {} UTC: {} {}",
                l("Share of voice on", "Participação na conversa sobre"),
                v.term,
                v.first_day,
                v.last_day,
                lang.num(posts_text(v.total_posts)),
                l("public X posts in all.", "posts públicos no X ao todo."),
            ),
            SMALL,
            MUTED,
        );
    }
}

fn role_word(lang: PdfLanguage, role: &str) -> String {
    match role {
        "own" => lang.pick("own", "própria").to_string(),
        "competitor" => lang.pick("competitor", "concorrente").to_string(),
        other => other.to_string(),
    }
}
