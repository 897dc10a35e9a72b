//! Test support (cargo feature `testing`, for dev-dependencies): a workspace on either store
//! engine. On SQLite it is the usual `alcance.db` in the folder ([`Workspace::open`], the
//! solo path unchanged); on PostgreSQL a throwaway database from
//! [`alcance_store::testing::store`] ([`Workspace::open_on`]), dropped with the
//! [`TestWorkspace`].

use crate::{Workspace, WorkspaceOptions};
use alcance_store::testing::{self, TestStore};
use std::ops::Deref;
use std::path::{Path, PathBuf};

pub use alcance_store::both_engines;
/// The store engine a test runs on (the argument of the functions [`both_engines!`] runs).
pub use alcance_store::Engine;

/// A workspace for one test; derefs to [`Workspace`]. Holds the PostgreSQL test database
/// (if any) so it lives as long as the workspace.
pub struct TestWorkspace {
    ws: Workspace,
    _database: Option<TestStore>,
}

impl Deref for TestWorkspace {
    type Target = Workspace;

    fn deref(&self) -> &Workspace {
        &self.ws
    }
}

impl TestWorkspace {
    /// The workspace (also reachable through `Deref`).
    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }

    /// Closes the workspace ([`Workspace::close`]), then drops its test database.
    pub async fn close(self) {
        self.ws.close().await;
    }
}

/// Opens a workspace in `dir` on `engine`; `None` when the engine is skipped (see
/// [`alcance_store::testing::store`]).
///
/// # Panics
/// When the workspace cannot be opened.
pub async fn open_workspace(engine: Engine, dir: &Path, options: WorkspaceOptions) -> Option<TestWorkspace> {
    match engine {
        Engine::Postgres => {
            let store = testing::store(Engine::Postgres).await?;
            let ws = Workspace::open_on(dir, store.store().clone(), options)
                .await
                .unwrap_or_else(|e| panic!("workspace on PostgreSQL: {e:#}"));
            Some(TestWorkspace {
                ws,
                _database: Some(store),
            })
        }
        _ => Some(TestWorkspace {
            ws: Workspace::open(dir, options)
                .await
                .unwrap_or_else(|e| panic!("workspace: {e:#}")),
            _database: None,
        }),
    }
}

/// Synthetic data at scale for benchmarks: a year of accounts by a bulk path, and where a
/// bench store lives (an SQLite file or a fresh PostgreSQL database).
pub use alcance_store::synthetic;
/// An empty PostgreSQL database on the test server, for tests of team workspaces (see
/// [`alcance_store::testing::empty_database`]).
pub use alcance_store::testing::{empty_database, EmptyDatabase};

/// A workspace in `dir` over an opened `store` (either engine) with the real platform hosts
/// (never called) and an empty in-memory vault: for benches that serve or read data built
/// with [`synthetic`].
///
/// Errors: as [`Workspace::open_on`].
pub async fn workspace_on(dir: &Path, store: alcance_store::Store) -> crate::error::Result<Workspace> {
    let options = WorkspaceOptions {
        endpoints: alcance_platforms::Endpoints::real(),
        vault: Box::new(alcance_platforms::vault::MemoryVault::new()),
    };
    Workspace::open_on(dir, store, options).await
}

/// Keeps `png` as the picture of post `post` (`posts.id`) the way the media step would
/// ([`crate::media`]): the post is saved again in a manual run with a picture URL (a
/// closed 127.0.0.1 port, never fetched), the file written to `<workspace>/media/`, and the
/// `post_media` row marked `kept`. When the post already has a kept picture (a
/// collection's media step got there first) its row is left as it is, and `png` is written
/// under that row's file name when `<workspace>/media/` lacks the file (the step's row can
/// name a file this workspace's folder does not hold), so the picture is served either way.
///
/// Errors: a store error, a file that cannot be written, or the post missing from
/// [`crate::views::posts`].
pub async fn keep_picture(ws: &Workspace, post: alcance_core::PostId, png: &[u8]) -> crate::error::Result<()> {
    use alcance_core::{CollectionBatch, ContentType, MediaKind, PostMedia, PostRecord};
    let store = ws.store();
    if let Some(kept) = store.kept_pictures(&[post.get()]).await?.get(&post.get()) {
        let dir = crate::media::media_dir(ws.dir());
        if !dir.join(&kept.file_name).exists() {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join(&kept.file_name), png)?;
        }
        return Ok(());
    }
    let posts = crate::views::posts(ws, &Default::default()).await?;
    let Some(view) = posts.iter().find(|p| p.id == post) else {
        return Err(crate::AppError::NotFound(format!("post {}", post.get())));
    };
    let now = chrono::Utc::now();
    let run = store.start_run("manual", now).await?;
    let batch = CollectionBatch {
        posts: vec![PostRecord {
            external_id: view.post_id.clone(),
            published_at: view.published_at,
            content_type: ContentType::from_key(&view.content_type),
            permalink: view.permalink.clone(),
            caption: view.caption.clone(),
        }],
        media: PostMedia::new(
            &view.post_id,
            MediaKind::Thumbnail,
            Some("http://127.0.0.1:9/picture.png"),
        )
        .into_iter()
        .collect(),
        ..Default::default()
    };
    store.save_batch(run, view.account_id.get(), now, &batch, &[]).await?;
    let due = store.media_due(now, 0, 10_000).await?;
    let Some(row) = due.iter().find(|d| d.post_id == post.get()) else {
        return Err(crate::AppError::NotFound(format!("post {} picture row", post.get())));
    };
    let dir = crate::media::media_dir(ws.dir());
    std::fs::create_dir_all(&dir)?;
    let name = format!("{}.png", "ab".repeat(32));
    let file = dir.join(&name);
    std::fs::write(&file, png)?;
    store
        .media_kept(row.id, &row.source_url, &name, png.len() as u64, "image/png", now)
        .await?;
    Ok(())
}

/// The local SMTP sink the test command starts (`scripts/smtp-sink.sh`): its address
/// (`ALCANCE_TEST_SMTP`, `host:port`) and the maildir it writes each message to
/// (`ALCANCE_TEST_MAILDIR`). `None` outside CI without one (the caller skips, saying so);
/// on CI (`CI` set) a missing sink panics, so mail tests cannot pass by not running.
pub fn smtp_sink() -> Option<(String, PathBuf)> {
    match (
        std::env::var("ALCANCE_TEST_SMTP"),
        std::env::var("ALCANCE_TEST_MAILDIR"),
    ) {
        (Ok(addr), Ok(dir)) => Some((addr, PathBuf::from(dir))),
        _ if std::env::var_os("CI").is_some() => {
            panic!("no SMTP sink: run the tests through scripts/smtp-sink.sh (scripts/test.sh does)")
        }
        _ => {
            eprintln!("skipped: no SMTP sink (run through scripts/smtp-sink.sh)");
            None
        }
    }
}
