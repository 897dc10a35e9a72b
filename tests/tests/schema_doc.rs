//! docs/schema.md documents the database the migrations build: every table and every
//! column of `crates/alcance-store/migrations/*.sql` has its `### table` section and its
//! `` | `column` | `` row, and the page documents no table the migrations do not create.
//! Fails naming what is missing, so a new migration cannot land without its docs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Tables and their columns after applying the migrations' text in order: `CREATE TABLE`
/// (not `TEMP`), `DROP TABLE`, `ALTER TABLE … RENAME TO / ADD COLUMN / DROP COLUMN /
/// RENAME COLUMN`. Comments (`--`) are ignored; other statements do not change the shape.
fn schema_of(migrations: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for sql in migrations {
        let text: String = sql
            .lines()
            .map(|l| l.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        for statement in text.split(';') {
            let words: Vec<&str> = statement.split_whitespace().collect();
            let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
            let up: Vec<&str> = upper.iter().map(String::as_str).collect();
            match up.as_slice() {
                ["CREATE", "TABLE", ..] => {
                    let (name, body) = create_table(statement);
                    tables.insert(name, body);
                }
                ["DROP", "TABLE", ..] => {
                    tables.remove(&ident(words[words.len() - 1]));
                }
                ["ALTER", "TABLE", _, "RENAME", "TO", _] => {
                    if let Some(cols) = tables.remove(&ident(words[2])) {
                        tables.insert(ident(words[5]), cols);
                    }
                }
                ["ALTER", "TABLE", _, "RENAME", "COLUMN", _, "TO", _, ..]
                | ["ALTER", "TABLE", _, "RENAME", _, "TO", _, ..] => {
                    let (from, to) = if up[4] == "COLUMN" {
                        (words[5], words[7])
                    } else {
                        (words[4], words[6])
                    };
                    let cols = tables.entry(ident(words[2])).or_default();
                    cols.remove(&ident(from));
                    cols.insert(ident(to));
                }
                ["ALTER", "TABLE", _, "ADD", "COLUMN", _, ..] => {
                    tables.entry(ident(words[2])).or_default().insert(ident(words[5]));
                }
                ["ALTER", "TABLE", _, "ADD", _, ..] => {
                    tables.entry(ident(words[2])).or_default().insert(ident(words[4]));
                }
                ["ALTER", "TABLE", _, "DROP", "COLUMN", _, ..] => {
                    tables.entry(ident(words[2])).or_default().remove(&ident(words[5]));
                }
                _ => {}
            }
        }
    }
    tables
}

/// A name without quotes or brackets.
fn ident(w: &str) -> String {
    w.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']' | '(' | ')' | ','))
        .to_string()
}

/// Name and columns of a `CREATE TABLE [IF NOT EXISTS] name ( … )` statement: the first
/// word of every top-level item of the parenthesised body that is not a table constraint.
fn create_table(statement: &str) -> (String, BTreeSet<String>) {
    let open = statement.find('(').unwrap_or(statement.len());
    let head: Vec<&str> = statement[..open].split_whitespace().collect();
    let name = ident(head.last().copied().unwrap_or_default());
    let mut columns = BTreeSet::new();
    let mut depth = 0usize;
    let mut item = String::new();
    let mut items = Vec::new();
    for c in statement[open..].chars() {
        match c {
            '(' => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    items.push(std::mem::take(&mut item));
                    break;
                }
            }
            ',' if depth == 1 => {
                items.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        if depth >= 1 {
            item.push(c);
        }
    }
    for it in items {
        let Some(first) = it.split_whitespace().next() else {
            continue;
        };
        let keyword = first.to_ascii_uppercase();
        if !matches!(
            keyword.as_str(),
            "PRIMARY" | "UNIQUE" | "FOREIGN" | "CHECK" | "CONSTRAINT"
        ) {
            columns.insert(ident(first));
        }
    }
    (name, columns)
}

/// The `### name` sections under `## Tables` of docs/schema.md and the backticked names in
/// the first cell of each of their table rows.
fn documented(md: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut in_tables = false;
    let mut current: Option<String> = None;
    for line in md.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            in_tables = h.trim() == "Tables";
            current = None;
        } else if let Some(h) = line.strip_prefix("### ") {
            if in_tables {
                let name = h.trim().trim_matches('`').to_string();
                out.entry(name.clone()).or_default();
                current = Some(name);
            }
        } else if let (Some(table), Some(row)) = (&current, line.strip_prefix('|')) {
            let first = row.split('|').next().unwrap_or("");
            let cols = out.entry(table.clone()).or_default();
            for (i, part) in first.split('`').enumerate() {
                if i % 2 == 1 && !part.is_empty() {
                    cols.insert(part.to_string());
                }
            }
        }
    }
    out
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn schema_md_documents_every_table_and_column_of_the_migrations() {
    let dir = root().join("crates/alcance-store/migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no migrations in {}", dir.display());
    let sql: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    let schema = schema_of(&sql);
    assert!(
        schema.contains_key("accounts") && schema.contains_key("campaigns"),
        "{schema:?}"
    );

    let md_path = root().join("docs/schema.md");
    let md = std::fs::read_to_string(&md_path).unwrap_or_else(|e| panic!("{}: {e}", md_path.display()));
    let docs = documented(&md);

    let mut problems = Vec::new();
    for (table, columns) in &schema {
        match docs.get(table) {
            None => problems.push(format!("table `{table}` has no `### {table}` section")),
            Some(doc_cols) => {
                for c in columns.difference(doc_cols) {
                    problems.push(format!("column `{table}.{c}` is not in the `### {table}` table"));
                }
                for c in doc_cols.difference(columns) {
                    problems.push(format!(
                        "`### {table}` documents `{c}`, which the migrations do not create"
                    ));
                }
            }
        }
    }
    for table in docs.keys() {
        if !schema.contains_key(table) && table != "_sqlx_migrations" {
            problems.push(format!("`### {table}` documents a table the migrations do not create"));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/schema.md is out of date with crates/alcance-store/migrations:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_migration_reader_follows_renames_and_skips_constraints() {
    let sql = vec![
        "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT CHECK (v IN ('x', 'y')), UNIQUE (id, v)) STRICT;\n\
         CREATE TEMP TABLE guard (x INTEGER); -- not a table of the database\n\
         DROP TABLE guard;"
            .to_string(),
        "CREATE TABLE a_new (id INTEGER, w REAL);\nDROP TABLE a;\nALTER TABLE a_new RENAME TO a;\n\
         ALTER TABLE a ADD COLUMN z TEXT;"
            .to_string(),
    ];
    let schema = schema_of(&sql);
    assert_eq!(schema.len(), 1, "{schema:?}");
    let cols: Vec<&str> = schema["a"].iter().map(String::as_str).collect();
    assert_eq!(cols, ["id", "w", "z"]);
}
