//! Where the recorded exchanges live, for every fixture-driven test of the workspace.
//!
//! The recordings (format of `shared/fixtures/README.md`) are not part of the repository:
//! they sit in `../shared/fixtures` beside it, or wherever `ALCANCE_FIXTURES_DIR` points.
//! On a developer's machine without them a fixture test prints `skipped: …` and passes; on
//! CI (the environment variable `CI` set, as every CI service does) a missing folder is a
//! failure, so a broken checkout cannot turn forty tests into silent passes.
//!
//! ```no_run
//! // In a test:
//! let Some(dir) = alcance_sandbox::replay::fixtures_dir() else { return };
//! # let _ = dir;
//! ```

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The environment variable that moves the fixtures folder (the `fixtures` folder itself,
/// holding `x/`, `instagram/`, …). Empty means unset.
pub const FIXTURES_DIR_VAR: &str = "ALCANCE_FIXTURES_DIR";

/// `<repository>/../shared/fixtures`, the default folder (the repository is the workspace
/// root this crate was built in).
pub fn default_fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
}

/// The recorded fixtures folder is missing where a test must have it (on CI).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "recorded fixtures not found at {} and CI is set: fixture tests must not skip on CI \
     (lay shared/fixtures beside the repository or set {FIXTURES_DIR_VAR})",
    looked_in.display()
)]
pub struct FixturesMissing {
    /// The folder that was looked for.
    pub looked_in: PathBuf,
}

/// `true` when the environment says this is CI: `CI` is set to anything but an empty
/// string, `0` or `false`.
pub fn on_ci() -> bool {
    ci_flag(std::env::var_os("CI"))
}

fn ci_flag(value: Option<OsString>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// The pure rule behind [`fixtures_dir`]: the folder is `override_dir` when set and not
/// empty, else `default`. `Ok(Some(folder))` when it exists, `Ok(None)` when it does not
/// and `ci` is false (the caller skips).
///
/// # Errors
/// [`FixturesMissing`] when the folder does not exist and `ci` is true.
pub fn locate_fixtures(
    override_dir: Option<OsString>,
    default: &Path,
    ci: bool,
) -> Result<Option<PathBuf>, FixturesMissing> {
    let dir = match override_dir {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => default.to_path_buf(),
    };
    if dir.is_dir() {
        Ok(Some(dir))
    } else if ci {
        Err(FixturesMissing { looked_in: dir })
    } else {
        Ok(None)
    }
}

/// The recorded fixtures folder for a test: `$ALCANCE_FIXTURES_DIR`, else
/// [`default_fixtures_dir`]. `None` (after printing `skipped: recorded fixtures not found
/// at …`) when it is absent; the test then returns without checking anything.
///
/// # Panics
/// When the folder is absent and [`on_ci`]: the test fails with the [`FixturesMissing`]
/// message instead of passing silently. Meant for tests only.
pub fn fixtures_dir() -> Option<PathBuf> {
    match locate_fixtures(std::env::var_os(FIXTURES_DIR_VAR), &default_fixtures_dir(), on_ci()) {
        Ok(Some(dir)) => Some(dir),
        Ok(None) => {
            println!(
                "skipped: recorded fixtures not found at {} (see shared/fixtures/README.md; set {FIXTURES_DIR_VAR} to move it)",
                default_fixtures_dir().display()
            );
            None
        }
        Err(missing) => panic!("{missing}"),
    }
}

/// `<fixtures_dir>/<platform>` (`x`, `instagram`, …) when it exists. `None` when the
/// fixtures folder is absent (as [`fixtures_dir`]: a failure on CI) or has no folder for
/// that platform (printing `skipped: …`: not every platform has recordings).
///
/// # Panics
/// As [`fixtures_dir`].
pub fn platform_fixtures_dir(platform: &str) -> Option<PathBuf> {
    let dir = fixtures_dir()?.join(platform);
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: no recorded {platform} exchanges at {}", dir.display());
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_skips_locally_and_fails_on_ci() {
        let gone = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let missing = gone.path().join("no-fixtures-here");
        assert_eq!(locate_fixtures(None, &missing, false), Ok(None));
        let err = locate_fixtures(None, &missing, true).unwrap_err();
        assert_eq!(err.looked_in, missing);
        let text = err.to_string();
        assert!(
            text.contains("no-fixtures-here") && text.contains("CI is set"),
            "{text}"
        );
        // The override wins over the default, and an empty override is no override.
        assert_eq!(
            locate_fixtures(Some(missing.clone().into_os_string()), gone.path(), true),
            Err(FixturesMissing {
                looked_in: missing.clone()
            })
        );
        assert_eq!(
            locate_fixtures(Some(OsString::new()), gone.path(), true),
            Ok(Some(gone.path().to_path_buf()))
        );
    }

    #[test]
    fn a_present_folder_is_found_on_ci_too() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        assert_eq!(
            locate_fixtures(None, dir.path(), true),
            Ok(Some(dir.path().to_path_buf()))
        );
    }

    #[test]
    fn ci_is_any_value_but_empty_zero_or_false() {
        assert!(ci_flag(Some("true".into())) && ci_flag(Some("1".into())));
        assert!(!ci_flag(None) && !ci_flag(Some("".into())));
        assert!(!ci_flag(Some("0".into())) && !ci_flag(Some("FALSE".into())));
    }
}
