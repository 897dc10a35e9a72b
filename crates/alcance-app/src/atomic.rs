//! Atomic file writes: every file the app writes (exports, charts, settings, backups) goes
//! through a temporary file in the same folder (`tempfile`) that is flushed, synced to disk and then
//! renamed over the target, so a crash or a full disk never leaves half a file at the
//! target path (the old file, if any, stays until the new one is complete).

use crate::error::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::{NamedTempFile, TempPath};

/// A new temporary file beside `path`, named `.<file name>.<random>.partial` so a leftover
/// one (after a power cut) is recognizable, in `path`'s folder (created if missing).
fn temp_file_beside(path: &Path) -> Result<NamedTempFile> {
    let dir = folder_of(path);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = path
        .file_name()
        .map_or_else(|| "file".to_string(), |n| n.to_string_lossy().into_owned());
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(&dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))
}

/// The folder `path` lives in (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `path` atomically: `write` fills a buffered temporary file in the same folder
/// (created if missing), which is flushed, `fsync`ed and renamed into place. On any error
/// the temporary file is removed and `path` is untouched. Returns what `write` returned.
///
/// Errors: the folder cannot be created, `write` failed, the disk is full, the rename
/// failed (each with the path in its context).
pub fn write_atomically<T>(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
    let mut tmp = temp_file_beside(path)?;
    let value = {
        let mut buf = std::io::BufWriter::with_capacity(256 * 1024, tmp.as_file_mut());
        let value = write(&mut buf).with_context(|| format!("writing {}", path.display()))?;
        buf.flush().with_context(|| format!("writing {}", path.display()))?;
        value
    };
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("syncing {} to disk", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("moving {} into place", path.display()))?;
    Ok(value)
}

/// Writes `bytes` to `path` atomically (see [`write_atomically`]).
///
/// Errors: as [`write_atomically`].
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically(path, |w| Ok(w.write_all(bytes)?))
}

/// An empty temporary file in `path`'s folder (created if missing), for writers that need
/// a path rather than a stream (SQLite's `VACUUM INTO`). Fill it, then call [`persist`];
/// dropping it removes the file.
///
/// Errors: the folder or the file cannot be created.
pub fn temp_path_beside(path: &Path) -> Result<TempPath> {
    Ok(temp_file_beside(path)?.into_temp_path())
}

/// Syncs the filled temporary file `tmp` to disk and renames it to `path`.
///
/// Errors: the file cannot be synced or renamed (it is removed then).
pub fn persist(tmp: TempPath, path: &Path) -> Result<()> {
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("syncing {} to disk", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("moving {} into place", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_the_target_and_failures_leave_it_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.txt");
        write_bytes_atomically(&path, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let failed = write_atomically(&path, |w| -> Result<()> {
            w.write_all(b"half")?;
            crate::bail_app!("disk full")
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let files = std::fs::read_dir(dir.path().join("sub")).unwrap().count();
        assert_eq!(files, 1, "the temporary file is removed");
        write_bytes_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
    }

    #[test]
    fn a_temp_path_is_persisted_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backup.db");
        let tmp = temp_path_beside(&path).unwrap();
        std::fs::write(&tmp, b"db").unwrap();
        persist(tmp, &path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"db");
        let tmp = temp_path_beside(&path).unwrap();
        let tmp_file = tmp.to_path_buf();
        drop(tmp);
        assert!(!tmp_file.exists());
    }
}
