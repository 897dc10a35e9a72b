//! The team vault: tokens of a shared (PostgreSQL) workspace live in the database, each
//! sealed with AES-256-GCM under a **workspace key** that never enters the database. Every
//! member's process holds the key (from `ALCANCE_VAULT_KEY`, a key file, or the member's OS
//! keychain: the app decides where, this module only parses and uses it).
//!
//! - A key is 32 random bytes, written as text as `alcance-key-1:<base64url, no padding>`
//!   ([`WorkspaceKey::generate`], [`WorkspaceKey::parse`]).
//! - Its **key id** ([`WorkspaceKey::id`]) is the first 6 bytes of
//!   SHA-256(`"alcance-workspace-key/v1" ‖ key`) in hex (12 characters): stored beside each
//!   sealed entry so a rotation knows what to re-seal and a wrong key is told apart from a
//!   damaged entry. It reveals nothing usable about the key.
//! - Each entry is sealed with a fresh random 12-byte nonce; the AAD is
//!   `alcance-team-vault/v1/{key id}/{entry name}`, so a ciphertext copied to another name
//!   (another account) does not open.
//! - Where the sealed entries are kept is a [`SealedEntries`] backend (the store's
//!   `sealed_tokens` table in a team workspace; [`MemoryEntries`] in tests).
//!
//! Rotation ([`SealedVault::rotate`]): with the old and the new key loaded, every entry is
//! re-sealed under the new key; afterwards the old key can be thrown away.

use super::{check_key, TokenVault, VaultError};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use rand::RngCore;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

/// The text form's prefix: `alcance-key-1:<base64url of the 32 key bytes>`.
pub const KEY_PREFIX: &str = "alcance-key-1:";
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const ID_DOMAIN: &[u8] = b"alcance-workspace-key/v1";
const AAD_PREFIX: &str = "alcance-team-vault/v1";

/// A workspace key: AES-256-GCM key material and its public [key id](WorkspaceKey::id).
/// `Debug` prints the id only.
#[derive(Clone)]
pub struct WorkspaceKey {
    id: String,
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for WorkspaceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkspaceKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl WorkspaceKey {
    /// A new random key and its text form (`alcance-key-1:…`, to hand to the team's
    /// processes through `ALCANCE_VAULT_KEY`, a key file or each member's keychain).
    ///
    /// Errors: [`VaultError::Crypto`] when the system's random source fails.
    pub fn generate() -> Result<(WorkspaceKey, SecretString), VaultError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rand::rngs::OsRng
            .try_fill_bytes(bytes.as_mut())
            .map_err(|e| VaultError::Crypto {
                message: format!("no random bytes for a new key: {e}"),
            })?;
        let text = SecretString::from(format!("{KEY_PREFIX}{}", B64URL.encode(bytes.as_ref())));
        Ok((WorkspaceKey::from_bytes(&bytes), text))
    }

    /// Reads a key's text form (surrounding whitespace ignored).
    ///
    /// Errors: [`VaultError::BadWorkspaceKey`] naming what is wrong (never the key).
    pub fn parse(text: &SecretString) -> Result<WorkspaceKey, VaultError> {
        let text = text.expose_secret().trim();
        let bad = |reason: &str| VaultError::BadWorkspaceKey {
            message: reason.to_string(),
        };
        let encoded = text
            .strip_prefix(KEY_PREFIX)
            .ok_or_else(|| bad("it does not start with alcance-key-1: (make one with `alcance vault new-key`)"))?;
        let bytes = Zeroizing::new(B64URL.decode(encoded).map_err(|_| bad("it is not base64url text"))?);
        let bytes: &[u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| bad("it does not hold 32 bytes"))?;
        Ok(WorkspaceKey::from_bytes(bytes))
    }

    /// Reads a key file holding the text form (a `0600` file readable by the team's
    /// processes only).
    ///
    /// Errors: [`VaultError::Io`] when it cannot be read; as [`WorkspaceKey::parse`].
    pub fn from_file(path: &Path) -> Result<WorkspaceKey, VaultError> {
        let text = std::fs::read_to_string(path).map_err(|source| VaultError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        WorkspaceKey::parse(&SecretString::from(text)).map_err(|e| match e {
            VaultError::BadWorkspaceKey { message } => VaultError::BadWorkspaceKey {
                message: format!("{}: {message}", path.display()),
            },
            other => other,
        })
    }

    fn from_bytes(bytes: &[u8; KEY_LEN]) -> WorkspaceKey {
        let mut hash = Sha256::new();
        hash.update(ID_DOMAIN);
        hash.update(bytes);
        let id = hex::encode(&hash.finalize()[..6]);
        WorkspaceKey {
            id,
            cipher: Aes256Gcm::new(bytes.into()),
        }
    }

    /// The key id: 12 lower-case hex characters, stored beside every entry sealed with it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Seals `secret` as the entry `name` with a fresh random nonce.
    ///
    /// Errors: [`VaultError::Crypto`] when the random source or the cipher fails.
    pub fn seal(&self, name: &str, secret: &SecretString) -> Result<SealedSecret, VaultError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|e| VaultError::Crypto {
                message: format!("no random bytes for a nonce: {e}"),
            })?;
        let aad = aad(&self.id, name);
        let ciphertext = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.expose_secret().as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Crypto {
                message: "AES-256-GCM sealing failed".into(),
            })?;
        Ok(SealedSecret {
            key_id: self.id.clone(),
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Opens the entry `name`.
    ///
    /// Errors: [`VaultError::WrongWorkspaceKey`] when it was sealed under another key id;
    /// [`VaultError::InvalidEntry`] when it does not open (damaged, or moved from another
    /// name) or is not UTF-8.
    pub fn open(&self, name: &str, sealed: &SealedSecret) -> Result<SecretString, VaultError> {
        if sealed.key_id != self.id {
            return Err(VaultError::WrongWorkspaceKey {
                entry_key_id: sealed.key_id.clone(),
                loaded: vec![self.id.clone()],
            });
        }
        let damaged = || VaultError::InvalidEntry {
            message: format!("the sealed entry {name:?} does not open: it was damaged or copied from another entry"),
        };
        if sealed.nonce.len() != NONCE_LEN {
            return Err(damaged());
        }
        let aad = aad(&self.id, name);
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(
                    Nonce::from_slice(&sealed.nonce),
                    Payload {
                        msg: &sealed.ciphertext,
                        aad: aad.as_bytes(),
                    },
                )
                .map_err(|_| damaged())?,
        );
        let text = std::str::from_utf8(&plain).map_err(|_| damaged())?;
        Ok(SecretString::from(text.to_string()))
    }
}

fn aad(key_id: &str, name: &str) -> String {
    format!("{AAD_PREFIX}/{key_id}/{name}")
}

/// One sealed entry as stored: the key id it was sealed under, the 12-byte nonce and the
/// AES-256-GCM ciphertext (with its 16-byte tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedSecret {
    /// [`WorkspaceKey::id`] of the sealing key.
    pub key_id: String,
    /// 12 bytes.
    pub nonce: Vec<u8>,
    /// Ciphertext and tag.
    pub ciphertext: Vec<u8>,
}

/// Where sealed entries are kept. Calls block (a database round trip); they hold no
/// secret in clear.
pub trait SealedEntries: Send + Sync {
    /// The entry `name`, if any.
    fn load(&self, name: &str) -> Result<Option<SealedSecret>, VaultError>;
    /// Stores `sealed` as `name`, replacing any previous entry.
    fn save(&self, name: &str, sealed: &SealedSecret) -> Result<(), VaultError>;
    /// Removes `name`; a missing entry is not an error.
    fn remove(&self, name: &str) -> Result<(), VaultError>;
    /// Every entry's name with the key id it is sealed under, by name.
    fn key_ids(&self) -> Result<BTreeMap<String, String>, VaultError>;
}

/// Sealed entries in process memory (tests, dry runs).
#[derive(Debug, Default)]
pub struct MemoryEntries(Mutex<BTreeMap<String, SealedSecret>>);

impl MemoryEntries {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, SealedSecret>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl SealedEntries for MemoryEntries {
    fn load(&self, name: &str) -> Result<Option<SealedSecret>, VaultError> {
        Ok(self.lock().get(name).cloned())
    }

    fn save(&self, name: &str, sealed: &SealedSecret) -> Result<(), VaultError> {
        self.lock().insert(name.to_string(), sealed.clone());
        Ok(())
    }

    fn remove(&self, name: &str) -> Result<(), VaultError> {
        self.lock().remove(name);
        Ok(())
    }

    fn key_ids(&self) -> Result<BTreeMap<String, String>, VaultError> {
        Ok(self.lock().iter().map(|(k, v)| (k.clone(), v.key_id.clone())).collect())
    }
}

/// A [`TokenVault`] over sealed entries: writes seal under the current key, reads open with
/// whichever loaded key the entry names.
pub struct SealedVault {
    current: WorkspaceKey,
    previous: Vec<WorkspaceKey>,
    entries: Arc<dyn SealedEntries>,
}

/// What [`SealedVault::rotate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Entries re-sealed under the new key.
    pub resealed: usize,
    /// Entries already under the new key.
    pub unchanged: usize,
}

impl SealedVault {
    /// A vault sealing with `current`, over `entries`.
    pub fn new(current: WorkspaceKey, entries: Arc<dyn SealedEntries>) -> SealedVault {
        SealedVault {
            current,
            previous: Vec::new(),
            entries,
        }
    }

    /// Also opens entries sealed under `older` (during a rotation).
    pub fn with_previous(mut self, older: WorkspaceKey) -> SealedVault {
        self.previous.push(older);
        self
    }

    /// The key id new entries are sealed under.
    pub fn key_id(&self) -> &str {
        self.current.id()
    }

    /// Re-seals every entry not under `new` (each must open with a loaded key), then makes
    /// `new` the current key and keeps the old current key for reading. Entry by entry: an
    /// interrupted rotation leaves every entry readable with the old or the new key, and
    /// running it again finishes the job.
    ///
    /// Errors: [`VaultError::WrongWorkspaceKey`] for an entry under a key that is not
    /// loaded (nothing after it is touched); the backend's errors.
    pub fn rotate(&mut self, new: WorkspaceKey) -> Result<Rotation, VaultError> {
        let mut done = Rotation {
            resealed: 0,
            unchanged: 0,
        };
        for (name, key_id) in self.entries.key_ids()? {
            if key_id == new.id() {
                done.unchanged += 1;
                continue;
            }
            let Some(sealed) = self.entries.load(&name)? else {
                continue; // removed meanwhile
            };
            let secret = self.open(&name, &sealed)?;
            self.entries.save(&name, &new.seal(&name, &secret)?)?;
            done.resealed += 1;
        }
        let old = std::mem::replace(&mut self.current, new);
        self.previous.push(old);
        Ok(done)
    }

    fn open(&self, name: &str, sealed: &SealedSecret) -> Result<SecretString, VaultError> {
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id() == sealed.key_id)
            .ok_or_else(|| VaultError::WrongWorkspaceKey {
                entry_key_id: sealed.key_id.clone(),
                loaded: std::iter::once(&self.current)
                    .chain(&self.previous)
                    .map(|k| k.id().to_string())
                    .collect(),
            })?;
        key.open(name, sealed)
    }
}

impl TokenVault for SealedVault {
    fn put(&self, key: &str, secret: &SecretString) -> Result<(), VaultError> {
        check_key(key)?;
        self.entries.save(key, &self.current.seal(key, secret)?)
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, VaultError> {
        check_key(key)?;
        match self.entries.load(key)? {
            Some(sealed) => self.open(key, &sealed).map(Some),
            None => Ok(None),
        }
    }

    fn delete(&self, key: &str) -> Result<(), VaultError> {
        check_key(key)?;
        self.entries.remove(key)
    }

    fn kind(&self) -> &'static str {
        "team"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_string())
    }

    fn key() -> WorkspaceKey {
        WorkspaceKey::generate()
            .map(|(k, _)| k)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_key_round_trips_through_its_text_form_and_debug_hides_it() {
        let (k, text) = WorkspaceKey::generate().unwrap_or_else(|e| panic!("{e}"));
        assert!(text.expose_secret().starts_with(KEY_PREFIX));
        let again = WorkspaceKey::parse(&secret(&format!("  {}\n", text.expose_secret()))).expect("parse");
        assert_eq!(again.id(), k.id());
        assert_eq!(k.id().len(), 12);
        let debug = format!("{k:?}");
        assert!(debug.contains(k.id()) && !debug.contains(&text.expose_secret()[KEY_PREFIX.len()..]));
        for bad in [
            "",
            "alcance-key-1:",
            "alcance-key-1:!!!",
            "alcance-key-1:AAAA",
            "some-password",
        ] {
            let e = WorkspaceKey::parse(&secret(bad)).err();
            assert!(matches!(e, Some(VaultError::BadWorkspaceKey { .. })), "{bad:?}: {e:?}");
        }
    }

    #[test]
    fn sealed_entries_open_with_their_key_only_and_only_under_their_name() {
        let entries = Arc::new(MemoryEntries::default());
        let vault = SealedVault::new(key(), entries.clone());
        vault.put("alcance/x/1", &secret("tok-1")).expect("put");
        let stored = entries.load("alcance/x/1").expect("load").expect("stored");
        assert!(!String::from_utf8_lossy(&stored.ciphertext).contains("tok-1"));
        assert_eq!(stored.key_id, vault.key_id());
        let got = vault
            .get("alcance/x/1")
            .expect("get")
            .map(|s| s.expose_secret().to_string());
        assert_eq!(got.as_deref(), Some("tok-1"));

        // Copied to another account's name: does not open.
        entries.save("alcance/x/2", &stored).expect("save");
        assert!(matches!(vault.get("alcance/x/2"), Err(VaultError::InvalidEntry { .. })));

        // Another member with a different key: a clear error naming both key ids.
        let other = SealedVault::new(key(), entries.clone());
        let err = other
            .get("alcance/x/1")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(vault.key_id()) && err.contains(other.key_id()), "{err}");
        assert!(!err.contains("tok-1"));

        vault.delete("alcance/x/1").expect("delete");
        assert!(vault.get("alcance/x/1").expect("get").is_none());
    }

    #[test]
    fn rotation_reseals_every_entry_and_old_keys_stop_working() {
        let entries = Arc::new(MemoryEntries::default());
        let old = key();
        let mut vault = SealedVault::new(old.clone(), entries.clone());
        for i in 0..5 {
            vault
                .put(&format!("alcance/x/{i}"), &secret(&format!("tok-{i}")))
                .expect("put");
        }
        let new = key();
        let done = vault.rotate(new.clone()).expect("rotate");
        assert_eq!(
            done,
            Rotation {
                resealed: 5,
                unchanged: 0
            }
        );
        assert_eq!(vault.key_id(), new.id());
        let ids = entries.key_ids().expect("ids");
        assert!(ids.values().all(|id| id == new.id()), "{ids:?}");

        // Only the new key is needed now; the old one alone opens nothing.
        let fresh = SealedVault::new(new.clone(), entries.clone());
        for i in 0..5 {
            let got = fresh.get(&format!("alcance/x/{i}")).expect("get");
            assert_eq!(got.map(|s| s.expose_secret().to_string()), Some(format!("tok-{i}")));
        }
        let stale = SealedVault::new(old, entries.clone());
        assert!(matches!(
            stale.get("alcance/x/0"),
            Err(VaultError::WrongWorkspaceKey { .. })
        ));

        // Running it again changes nothing.
        let mut again = SealedVault::new(new.clone(), entries);
        assert_eq!(
            again.rotate(new).expect("again"),
            Rotation {
                resealed: 0,
                unchanged: 5
            }
        );
    }

    #[test]
    fn a_key_file_is_read_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (k, text) = WorkspaceKey::generate().expect("key");
        let path = dir.path().join("team.key");
        std::fs::write(&path, format!("{}\n", text.expose_secret())).expect("write");
        assert_eq!(WorkspaceKey::from_file(&path).expect("read").id(), k.id());
        std::fs::write(&path, "hunter2").expect("write");
        let err = WorkspaceKey::from_file(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("team.key") && !err.contains("hunter2"), "{err}");
        assert!(matches!(
            WorkspaceKey::from_file(&dir.path().join("missing.key")),
            Err(VaultError::Io { .. })
        ));
    }
}
