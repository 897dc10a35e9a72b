//! The OS keychain through `keyring` (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows).

use super::{check_key, TokenVault, VaultError};
use keyring::credential::CredentialPersistence;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// Secrets in the OS keychain: one entry per key, `keyring::Entry::new(service, key)`.
///
/// On Linux this needs a running, unlocked Secret Service (GNOME Keyring, KWallet's
/// bridge, KeePassXC). A build whose `keyring` has no native store for the target OS falls
/// back to keyring's in-process mock; [`KeyringVault::probe`] refuses that, so
/// [`super::open_vault`] never keeps tokens in a store that forgets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyringVault {
    service: String,
}

impl KeyringVault {
    /// A vault on keychain service `service` (Alcance uses [`super::KEYRING_SERVICE`]).
    /// Nothing is contacted until the first call.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// The keychain service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Checks the keychain works and persists: the default store must keep entries until
    /// deleted, and a random probe entry must survive put / get / delete.
    ///
    /// Errors: [`VaultError::Keyring`] naming what failed.
    pub fn probe(&self) -> Result<(), VaultError> {
        let persistence = match keyring::default::default_credential_builder().persistence() {
            CredentialPersistence::UntilDelete => None,
            CredentialPersistence::EntryOnly => Some("entry only"),
            CredentialPersistence::ProcessOnly => Some("process memory"),
            CredentialPersistence::UntilReboot => Some("until reboot"),
            _ => Some("unknown"),
        };
        if let Some(kind) = persistence {
            return Err(VaultError::Keyring {
                message: format!("this build has no persistent OS keychain (its store keeps secrets: {kind})"),
            });
        }
        let mut nonce = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let key = format!("alcance/probe/{}", hex::encode(nonce));
        let value = SecretString::from(format!("probe-{}", hex::encode(nonce)));
        self.put(&key, &value)?;
        let read = self.get(&key);
        let _ = self.delete(&key);
        match read? {
            Some(v) if v.expose_secret() == value.expose_secret() => Ok(()),
            Some(_) => Err(VaultError::Keyring {
                message: "the keychain returned a different value than stored".into(),
            }),
            None => Err(VaultError::Keyring {
                message: "the keychain did not keep a stored value".into(),
            }),
        }
    }

    /// [`KeyringVault::probe`] on a helper thread, giving up after `timeout` (a locked
    /// keyring may show an unlock prompt; an absent D-Bus service may hang). Returns the
    /// vault when the probe passed.
    pub fn probe_with_timeout(self, timeout: Duration) -> Result<KeyringVault, VaultError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let probe = self.clone();
        std::thread::Builder::new()
            .name("alcance-keyring-probe".into())
            .spawn(move || {
                let _ = tx.send(probe.probe());
            })
            .map_err(|e| VaultError::Keyring {
                message: format!("could not start the keychain probe: {e}"),
            })?;
        match rx.recv_timeout(timeout) {
            Ok(Ok(())) => Ok(self),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(VaultError::Keyring {
                message: format!("the keychain did not answer within {} s", timeout.as_secs()),
            }),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, VaultError> {
        check_key(key)?;
        keyring::Entry::new(&self.service, key).map_err(keyring_error)
    }
}

/// Maps a keyring error without echoing stored bytes.
fn keyring_error(e: keyring::Error) -> VaultError {
    let message = match e {
        keyring::Error::BadEncoding(_) => "the stored value is not UTF-8 text".to_string(),
        keyring::Error::NoStorageAccess(inner) => format!("the keychain is locked or not accessible: {inner}"),
        keyring::Error::PlatformFailure(inner) => format!("the keychain failed: {inner}"),
        keyring::Error::TooLong(what, limit) => format!("{what} is longer than the keychain's limit of {limit}"),
        keyring::Error::Invalid(what, why) => format!("invalid {what}: {why}"),
        keyring::Error::Ambiguous(found) => format!("{} keychain entries match one key", found.len()),
        keyring::Error::NoEntry => "no such entry".to_string(),
        other => other.to_string(),
    };
    VaultError::Keyring { message }
}

impl TokenVault for KeyringVault {
    fn put(&self, key: &str, secret: &SecretString) -> Result<(), VaultError> {
        self.entry(key)?
            .set_password(secret.expose_secret())
            .map_err(keyring_error)
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, VaultError> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn delete(&self, key: &str) -> Result<(), VaultError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn kind(&self) -> &'static str {
        "keyring"
    }
}
