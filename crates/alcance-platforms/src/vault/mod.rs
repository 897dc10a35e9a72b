//! The token vault: where access and refresh tokens live (never in SQLite, logs or
//! exports). The OS keychain ([`KeyringVault`]) when one works; otherwise an AES-256-GCM
//! encrypted file unlocked by a passphrase ([`EncryptedFileVault`]); [`MemoryVault`] for
//! tests. [`open_vault`] picks one.
//!
//! Values are opaque secrets (Alcance stores [`crate::oauth::TokenSet::to_vault_json`]);
//! keys are [`vault_key`]s. Vault calls are blocking (file I/O, D-Bus, Argon2): from async
//! code call them in `tokio::task::spawn_blocking` when latency matters.

pub(crate) mod file;
mod keychain;
mod memory;
pub mod sealed;

use alcance_core::Platform;
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use file::EncryptedFileVault;
pub use keychain::KeyringVault;
pub use memory::MemoryVault;
pub use sealed::{SealedVault, WorkspaceKey};

/// The encrypted file vault's name inside the data directory.
pub const VAULT_FILE_NAME: &str = "vault.enc";

/// The OS keychain service name Alcance's entries are stored under.
pub const KEYRING_SERVICE: &str = "alcance";

/// How long [`open_vault`] waits for the keychain probe (a locked keyring may prompt).
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// A store of named secrets.
pub trait TokenVault: Send + Sync {
    /// Stores `secret` under `key`, replacing any previous value.
    ///
    /// Errors: [`VaultError::InvalidKey`] for an empty or over-long key (512 bytes) or one
    /// with control characters; backend errors ([`VaultError::Keyring`], [`VaultError::Io`],
    /// [`VaultError::Corrupt`]).
    fn put(&self, key: &str, secret: &SecretString) -> Result<(), VaultError>;

    /// The secret under `key`, or `None` when there is none.
    ///
    /// Errors: as [`TokenVault::put`]; [`VaultError::Corrupt`] when a stored entry does not
    /// decrypt.
    fn get(&self, key: &str) -> Result<Option<SecretString>, VaultError>;

    /// Removes `key`; removing a missing key is not an error.
    ///
    /// Errors: as [`TokenVault::put`].
    fn delete(&self, key: &str) -> Result<(), VaultError>;

    /// The backend, for the UI and logs: `"keyring"`, `"encrypted-file"` or `"memory"`.
    fn kind(&self) -> &'static str;
}

/// What went wrong with the token vault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// No usable vault: the OS keychain is unavailable and no passphrase was given (or an
    /// empty one). The message tells the user what to do.
    #[error("the token vault is locked: {message}")]
    Locked {
        /// What is missing and how to fix it.
        message: String,
    },
    /// The passphrase does not open the encrypted vault file.
    #[error("wrong vault passphrase: the encrypted vault file could not be unlocked with it")]
    WrongPassphrase,
    /// The encrypted vault file is not a vault file, or was damaged or tampered with.
    #[error("the vault file {} is corrupt: {message}", path.display())]
    Corrupt {
        /// The vault file.
        path: PathBuf,
        /// What is wrong (never any secret).
        message: String,
    },
    /// Reading or writing the vault file failed.
    #[error("vault file {}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager) failed.
    #[error("OS keychain: {message}")]
    Keyring {
        /// The keychain's message.
        message: String,
    },
    /// A key name that cannot be stored.
    #[error("invalid vault key {key:?}: {reason}")]
    InvalidKey {
        /// The key.
        key: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A stored value is not what the reader expected (e.g. not a token set).
    #[error("invalid vault entry: {message}")]
    InvalidEntry {
        /// What is wrong (never the value).
        message: String,
    },
    /// The team workspace key given (`ALCANCE_VAULT_KEY`, a key file, the keychain) is not
    /// a workspace key.
    #[error("not an Alcance workspace key: {message}")]
    BadWorkspaceKey {
        /// What is wrong (never the key).
        message: String,
    },
    /// A team vault entry is sealed under a workspace key this process does not hold (the
    /// key was rotated, or this member was given another key).
    #[error(
        "this token is sealed under workspace key {entry_key_id}, but this process holds {}; ask the team \
         for the current key (ALCANCE_VAULT_KEY or the key file)",
        loaded.join(", ")
    )]
    WrongWorkspaceKey {
        /// The key id stored with the entry.
        entry_key_id: String,
        /// The key ids loaded here.
        loaded: Vec<String>,
    },
    /// Where the vault keeps its entries cannot be reached (a team vault's database).
    #[error("the token vault's storage failed: {message}")]
    Storage {
        /// What failed (never a secret).
        message: String,
    },
    /// Deriving the key or encrypting failed (out of memory, bad parameters).
    #[error("vault cryptography failed: {message}")]
    Crypto {
        /// What failed.
        message: String,
    },
}

/// The vault key of an account's tokens: `alcance/{platform}/{external_id}`
/// (`alcance/x/2244994945`).
pub fn vault_key(platform: Platform, external_id: &str) -> String {
    format!("alcance/{}/{external_id}", platform.as_str())
}

/// Checks a key: non-empty, at most 512 bytes, no control characters.
pub(crate) fn check_key(key: &str) -> Result<(), VaultError> {
    let reason = if key.is_empty() {
        "it is empty"
    } else if key.len() > 512 {
        "it is longer than 512 bytes"
    } else if key.chars().any(char::is_control) {
        "it contains control characters"
    } else {
        return Ok(());
    };
    Err(VaultError::InvalidKey {
        key: key.chars().take(80).collect(),
        reason: reason.into(),
    })
}

/// Opens the vault for the data directory `data_dir`:
/// 1. when `data_dir/vault.enc` exists and `passphrase` is given, that file (the user chose
///    it earlier; its tokens are not in the keychain);
/// 2. else the OS keychain ([`KeyringVault`], service [`KEYRING_SERVICE`]) if a probe
///    (put / get / delete of a random key, 10 s limit) succeeds and the keychain persists
///    across restarts;
/// 3. else the encrypted file `data_dir/vault.enc` with `passphrase` (created if absent);
/// 4. else [`VaultError::Locked`], telling the user to unlock or install a keychain or set a
///    passphrase. The caller reads `ALCANCE_VAULT_PASSPHRASE`; this function reads no
///    environment.
///
/// Errors: [`VaultError::Locked`]; [`VaultError::WrongPassphrase`] / [`VaultError::Corrupt`]
/// / [`VaultError::Io`] from the file vault.
pub fn open_vault(data_dir: &Path, passphrase: Option<&SecretString>) -> Result<Box<dyn TokenVault>, VaultError> {
    open_vault_with(data_dir, passphrase, || {
        KeyringVault::new(KEYRING_SERVICE).probe_with_timeout(PROBE_TIMEOUT)
    })
}

/// [`open_vault`] with the keychain probe injected (tests).
fn open_vault_with(
    data_dir: &Path,
    passphrase: Option<&SecretString>,
    probe: impl FnOnce() -> Result<KeyringVault, VaultError>,
) -> Result<Box<dyn TokenVault>, VaultError> {
    let file = data_dir.join(VAULT_FILE_NAME);
    if let Some(pass) = passphrase {
        if file.exists() {
            return Ok(Box::new(EncryptedFileVault::open(&file, pass)?));
        }
    }
    let why = match probe() {
        Ok(keyring) => {
            if file.exists() {
                tracing::warn!(
                    path = %file.display(),
                    "an encrypted vault file exists but no passphrase was given; using the OS keychain"
                );
            }
            return Ok(Box::new(keyring));
        }
        Err(e) => e.to_string(),
    };
    tracing::info!(reason = %why, "OS keychain unavailable; using the encrypted vault file");
    match passphrase {
        Some(pass) => Ok(Box::new(EncryptedFileVault::open(&file, pass)?)),
        None => Err(VaultError::Locked {
            message: format!(
                "no OS keychain is available ({why}) and no vault passphrase was given. Unlock or install a \
                 keychain (on Linux a Secret Service such as GNOME Keyring or KeePassXC), or set \
                 ALCANCE_VAULT_PASSPHRASE to keep tokens in the encrypted file {}",
                file.display()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn no_keyring() -> Result<KeyringVault, VaultError> {
        Err(VaultError::Keyring {
            message: "org.freedesktop.secrets was not provided".into(),
        })
    }

    #[test]
    fn key_format_and_checks() {
        assert_eq!(vault_key(Platform::Instagram, "1784"), "alcance/instagram/1784");
        assert!(check_key("alcance/x/1").is_ok());
        assert!(matches!(check_key(""), Err(VaultError::InvalidKey { .. })));
        assert!(check_key("a\nb").is_err());
        assert!(check_key(&"k".repeat(513)).is_err());
    }

    #[test]
    fn falls_back_to_the_file_vault_with_a_passphrase() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pass = SecretString::from("correct horse".to_string());
        let vault = open_vault_with(dir.path(), Some(&pass), no_keyring).expect("file vault");
        assert_eq!(vault.kind(), "encrypted-file");
        vault.put("k", &SecretString::from("v".to_string())).expect("put");
        assert!(dir.path().join(VAULT_FILE_NAME).exists());
        // Once the file exists it is used even when a keychain is available.
        let again = open_vault_with(dir.path(), Some(&pass), || Ok(KeyringVault::new("never-probed")))
            .expect("file vault again");
        assert_eq!(again.kind(), "encrypted-file");
        assert_eq!(
            again.get("k").expect("get").map(|s| s.expose_secret().to_string()),
            Some("v".into())
        );
    }

    #[test]
    fn locked_without_keyring_or_passphrase() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = match open_vault_with(dir.path(), None, no_keyring) {
            Err(e) => e,
            Ok(v) => panic!("expected Locked, got a {} vault", v.kind()),
        };
        let text = err.to_string();
        assert!(matches!(err, VaultError::Locked { .. }), "{text}");
        assert!(
            text.contains("ALCANCE_VAULT_PASSPHRASE") && text.contains("Secret Service"),
            "{text}"
        );
    }

    #[test]
    fn prefers_a_working_keyring() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pass = SecretString::from("p".to_string());
        let vault = open_vault_with(dir.path(), Some(&pass), || Ok(KeyringVault::new("test"))).expect("keyring");
        assert_eq!(vault.kind(), "keyring");
        assert!(!dir.path().join(VAULT_FILE_NAME).exists());
    }
}
