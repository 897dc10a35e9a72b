//! One scheduler per workspace folder (ADR 0021): the process that runs a workspace's
//! background collection holds an exclusive advisory lock on `<workspace>/scheduler.lock`.
//! The tray process (`alcance tray`) takes it first; the desktop window, when it finds it
//! held, runs no scheduler and shows no tray icon of its own.
//!
//! The lock is the OS's (`flock` on Unix, `LockFileEx` on Windows, through
//! [`std::fs::File::try_lock`]): it belongs to the open file, so it is released when the
//! [`SchedulerLock`] is dropped and, whatever happens, when the process exits, killed or
//! crashed. The file itself stays (empty, harmless) and is never a signal on its own.

use crate::error::Context;
use crate::AppError;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The lock file's name inside the workspace folder.
pub const LOCK_FILE: &str = "scheduler.lock";

/// The right to run a workspace's scheduler, held until dropped.
#[derive(Debug)]
pub struct SchedulerLock {
    /// The locked file (the lock lives as long as this open file).
    _file: File,
    /// The workspace folder it guards.
    dir: PathBuf,
}

impl SchedulerLock {
    /// Takes the lock of the workspace folder `dir` (created when missing) without
    /// waiting: `Ok(Some(lock))` when this caller now holds it, `Ok(None)` when another
    /// process (or another open of the file in this one) holds it.
    ///
    /// Errors: [`AppError::Io`] (with the path as context) when the folder or the file
    /// cannot be created or opened, or the file system refuses locks altogether.
    pub fn try_acquire(dir: &Path) -> Result<Option<SchedulerLock>, AppError> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(SchedulerLock {
                _file: file,
                dir: dir.to_path_buf(),
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(AppError::from(e).context(format!("locking {}", path.display()))),
        }
    }

    /// Whether another holder has the lock of `dir` right now (a probe: takes it and lets
    /// it go at once when free). Errors as [`SchedulerLock::try_acquire`].
    /// Creates nothing: a folder or lock file that does not exist is not held.
    pub fn is_held_elsewhere(dir: &Path) -> Result<bool, AppError> {
        let path = dir.join(LOCK_FILE);
        let file = match OpenOptions::new().write(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(AppError::from(e).context(format!("opening {}", path.display()))),
        };
        match file.try_lock() {
            Ok(()) => Ok(false),
            Err(TryLockError::WouldBlock) => Ok(true),
            Err(TryLockError::Error(e)) => Err(AppError::from(e).context(format!("locking {}", path.display()))),
        }
    }

    /// The workspace folder this lock guards.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_acquirer_sees_the_lock_held_until_the_first_drops_it() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = dir.path().join("workspace");
        // A probe of a folder nobody locked yet finds it free and creates nothing.
        assert!(!SchedulerLock::is_held_elsewhere(&ws).unwrap_or_else(|e| panic!("{e:#}")));
        assert!(!ws.exists());
        let first = SchedulerLock::try_acquire(&ws)
            .unwrap_or_else(|e| panic!("{e:#}"))
            .unwrap_or_else(|| panic!("a fresh folder's lock is free"));
        assert_eq!(first.dir(), ws.as_path());
        assert!(ws.join(LOCK_FILE).is_file());
        // Another open of the file (as another process would) cannot take it.
        assert!(SchedulerLock::try_acquire(&ws)
            .unwrap_or_else(|e| panic!("{e:#}"))
            .is_none());
        assert!(SchedulerLock::is_held_elsewhere(&ws).unwrap_or_else(|e| panic!("{e:#}")));
        // Another workspace folder has its own lock.
        let other = SchedulerLock::try_acquire(&dir.path().join("demo")).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(other.is_some());
        drop(first);
        // Released on drop: the next acquirer gets it, and the probe leaves it free.
        assert!(!SchedulerLock::is_held_elsewhere(&ws).unwrap_or_else(|e| panic!("{e:#}")));
        let again = SchedulerLock::try_acquire(&ws).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(again.is_some());
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"x").unwrap_or_else(|e| panic!("{e}"));
        assert!(SchedulerLock::try_acquire(&file.join("workspace")).is_err());
    }
}
