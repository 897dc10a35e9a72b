//! The encrypted file vault: AES-256-GCM under a key derived with Argon2id from the user's
//! passphrase.
//!
//! File format (JSON, version 1):
//! ```json
//! {"version": 1,
//!  "kdf": {"algorithm": "argon2id", "m_cost": 19456, "t_cost": 2, "p_cost": 1},
//!  "salt": "<base64, 16 random bytes>",
//!  "check": {"nonce": "<base64, 12 bytes>", "ciphertext": "<base64>"},
//!  "entries": {"<key>": {"nonce": "<base64, 12 random bytes per write>", "ciphertext": "<base64>"}}}
//! ```
//! `m_cost` is in KiB. Each entry's AAD is `alcance-vault/v1/entry/{key}`, so a ciphertext
//! moved to another key does not decrypt; `check` encrypts a constant (AAD
//! `alcance-vault/v1/check`) so a wrong passphrase is told apart from a damaged entry.

use super::{check_key, TokenVault, VaultError};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::RngCore;
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const VERSION: u32 = 1;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const CHECK_PLAINTEXT: &[u8] = b"alcance-vault-check";
const CHECK_AAD: &[u8] = b"alcance-vault/v1/check";
const ENTRY_AAD_PREFIX: &str = "alcance-vault/v1/entry/";
/// Upper bounds accepted from a file, so a crafted file cannot make us allocate 100 GiB.
const MAX_M_COST_KIB: u32 = 1024 * 1024;
const MAX_T_COST: u32 = 16;
const MAX_P_COST: u32 = 16;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KdfParams {
    algorithm: String,
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sealed {
    nonce: String,
    ciphertext: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct VaultFile {
    version: u32,
    kdf: KdfParams,
    salt: String,
    check: Sealed,
    #[serde(default)]
    entries: BTreeMap<String, Sealed>,
}

/// Secrets in one AES-256-GCM encrypted JSON file (see the module docs for the format).
///
/// The key is Argon2id(passphrase, 16-byte random salt stored in the file) with Argon2's
/// default cost (19 MiB, 2 passes, 1 lane); every write uses a fresh random 12-byte nonce and
/// binds the key name as AAD. Writes are atomic (temporary file in the same directory,
/// `fsync`, rename; mode `0600` on Unix). Every operation re-reads the file, so several
/// instances (the app and the CLI) see each other's writes; there is no cross-process
/// lock, so two simultaneous writers can lose one write.
pub struct EncryptedFileVault {
    path: PathBuf,
    kdf: KdfParams,
    salt: String,
    check: Sealed,
    cipher: Aes256Gcm,
    lock: Mutex<()>,
}

impl std::fmt::Debug for EncryptedFileVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedFileVault")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl EncryptedFileVault {
    /// Opens the vault file at `path` with `passphrase`, creating it (and its directory)
    /// when absent.
    ///
    /// Errors: [`VaultError::Locked`] for an empty passphrase; [`VaultError::WrongPassphrase`]
    /// when the passphrase does not open an existing file; [`VaultError::Corrupt`] when the
    /// file is not a version-1 vault file; [`VaultError::Io`] when it cannot be read or
    /// written; [`VaultError::Crypto`] when key derivation fails.
    pub fn open(path: impl AsRef<Path>, passphrase: &SecretString) -> Result<Self, VaultError> {
        let path = path.as_ref().to_path_buf();
        if passphrase.expose_secret().is_empty() {
            return Err(VaultError::Locked {
                message: "an empty passphrase cannot protect the vault file".into(),
            });
        }
        match fs::read(&path) {
            Ok(bytes) => Self::from_bytes(path, &bytes, |kdf, salt| derive(kdf, passphrase, salt)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::create(path, passphrase),
            Err(source) => Err(VaultError::Io { path, source }),
        }
    }

    /// Opens an existing vault file from its bytes, the key made by `cipher_for` from the
    /// file's KDF parameters and salt (Argon2id in [`EncryptedFileVault::open`]). Errors
    /// as [`EncryptedFileVault::open`].
    fn from_bytes(
        path: PathBuf,
        bytes: &[u8],
        cipher_for: impl FnOnce(&KdfParams, &[u8]) -> Result<Aes256Gcm, VaultError>,
    ) -> Result<Self, VaultError> {
        let file = parse(&path, bytes)?;
        let salt = decode(&path, "salt", &file.salt)?;
        if salt.len() != SALT_LEN {
            return Err(corrupt(
                &path,
                format!("the salt is {} bytes, expected {SALT_LEN}", salt.len()),
            ));
        }
        let cipher = cipher_for(&file.kdf, &salt)?;
        let check = match open_sealed(&path, &cipher, &file.check, CHECK_AAD, "check") {
            Ok(plain) => plain,
            Err(Unseal::Auth) => return Err(VaultError::WrongPassphrase),
            Err(Unseal::Malformed(e)) => return Err(e),
        };
        if check.as_slice() != CHECK_PLAINTEXT {
            return Err(VaultError::WrongPassphrase);
        }
        Ok(Self {
            path,
            kdf: file.kdf,
            salt: file.salt,
            check: file.check,
            cipher,
            lock: Mutex::new(()),
        })
    }

    /// The vault file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn create(path: PathBuf, passphrase: &SecretString) -> Result<Self, VaultError> {
        let mut salt = [0u8; SALT_LEN];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let kdf = KdfParams {
            algorithm: "argon2id".into(),
            m_cost: Params::DEFAULT_M_COST,
            t_cost: Params::DEFAULT_T_COST,
            p_cost: Params::DEFAULT_P_COST,
        };
        let cipher = derive(&kdf, passphrase, &salt)?;
        let check = seal(&cipher, CHECK_PLAINTEXT, CHECK_AAD)?;
        let vault = Self {
            path,
            kdf,
            salt: B64.encode(salt),
            check,
            cipher,
            lock: Mutex::new(()),
        };
        vault.store(&vault.empty_file())?;
        Ok(vault)
    }

    fn empty_file(&self) -> VaultFile {
        VaultFile {
            version: VERSION,
            kdf: self.kdf.clone(),
            salt: self.salt.clone(),
            check: self.check.clone(),
            entries: BTreeMap::new(),
        }
    }

    /// The file as it is on disk now (an empty vault when it was removed meanwhile).
    fn load(&self) -> Result<VaultFile, VaultError> {
        match fs::read(&self.path) {
            Ok(bytes) => {
                let file = parse(&self.path, &bytes)?;
                if file.salt != self.salt {
                    return Err(corrupt(
                        &self.path,
                        "the file was replaced by another vault since it was opened; open it again".into(),
                    ));
                }
                Ok(file)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(self.empty_file()),
            Err(source) => Err(VaultError::Io {
                path: self.path.clone(),
                source,
            }),
        }
    }

    fn store(&self, file: &VaultFile) -> Result<(), VaultError> {
        let bytes = serde_json::to_vec_pretty(file).map_err(|e| VaultError::Crypto {
            message: format!("could not serialize the vault: {e}"),
        })?;
        write_atomic(&self.path, &bytes)
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl TokenVault for EncryptedFileVault {
    fn put(&self, key: &str, secret: &SecretString) -> Result<(), VaultError> {
        check_key(key)?;
        let _guard = self.guard();
        let mut file = self.load()?;
        let sealed = seal(&self.cipher, secret.expose_secret().as_bytes(), &entry_aad(key))?;
        file.entries.insert(key.to_string(), sealed);
        self.store(&file)
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, VaultError> {
        check_key(key)?;
        let _guard = self.guard();
        let file = self.load()?;
        self.unseal_entry(&file, key)
    }

    fn delete(&self, key: &str) -> Result<(), VaultError> {
        check_key(key)?;
        let _guard = self.guard();
        let mut file = self.load()?;
        if file.entries.remove(key).is_some() {
            self.store(&file)?;
        }
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "encrypted-file"
    }
}

impl EncryptedFileVault {
    /// The secret stored under `key` in `file`, decrypted; `None` when absent. Errors:
    /// [`VaultError::Corrupt`] for an entry that is malformed, does not decrypt or is not
    /// UTF-8.
    fn unseal_entry(&self, file: &VaultFile, key: &str) -> Result<Option<SecretString>, VaultError> {
        let Some(sealed) = file.entries.get(key) else {
            return Ok(None);
        };
        let plain = match open_sealed(&self.path, &self.cipher, sealed, &entry_aad(key), key) {
            Ok(plain) => plain,
            Err(Unseal::Malformed(e)) => return Err(e),
            Err(Unseal::Auth) => {
                return Err(corrupt(
                    &self.path,
                    format!("entry {key:?} does not decrypt (damaged or tampered with)"),
                ))
            }
        };
        let text = String::from_utf8(plain.to_vec())
            .map_err(|_| corrupt(&self.path, format!("entry {key:?} is not UTF-8 text")))?;
        Ok(Some(SecretString::from(text)))
    }
}

/// Reads vault-file bytes as [`EncryptedFileVault::open`] then `get` of every entry do,
/// with the AES-256 key given instead of derived from a passphrase (Argon2id takes
/// 19 MiB and tens of milliseconds a call, too slow to fuzz): the `vault_file` fuzz
/// target. Returns how many entries decrypted to text. Errors: as
/// [`EncryptedFileVault::open`] (never `Io`: nothing is read from disk).
pub(crate) fn read_with_key(bytes: &[u8], key: &[u8; 32]) -> Result<usize, VaultError> {
    let path = PathBuf::from("vault.enc");
    let vault = EncryptedFileVault::from_bytes(path.clone(), bytes, |_, _| {
        Aes256Gcm::new_from_slice(key).map_err(|_| VaultError::Crypto {
            message: "bad AES-256 key length".into(),
        })
    })?;
    let file = parse(&path, bytes)?;
    Ok(file
        .entries
        .keys()
        .filter(|k| matches!(vault.unseal_entry(&file, k), Ok(Some(_))))
        .count())
}

fn corrupt(path: &Path, message: String) -> VaultError {
    VaultError::Corrupt {
        path: path.to_path_buf(),
        message,
    }
}

fn parse(path: &Path, bytes: &[u8]) -> Result<VaultFile, VaultError> {
    let file: VaultFile = serde_json::from_slice(bytes).map_err(|e| {
        corrupt(
            path,
            format!(
                "not an Alcance vault file ({:?} error at line {} column {}); restore a backup or delete it and \
                 connect the accounts again",
                e.classify(),
                e.line(),
                e.column()
            ),
        )
    })?;
    if file.version != VERSION {
        return Err(corrupt(path, format!("unsupported vault version {}", file.version)));
    }
    let k = &file.kdf;
    if k.algorithm != "argon2id"
        || k.m_cost == 0
        || k.m_cost > MAX_M_COST_KIB
        || k.t_cost == 0
        || k.t_cost > MAX_T_COST
        || k.p_cost == 0
        || k.p_cost > MAX_P_COST
    {
        return Err(corrupt(path, "unsupported key-derivation parameters".into()));
    }
    Ok(file)
}

fn decode(path: &Path, what: &str, text: &str) -> Result<Vec<u8>, VaultError> {
    B64.decode(text)
        .map_err(|_| corrupt(path, format!("{what} is not valid base64")))
}

fn derive(kdf: &KdfParams, passphrase: &SecretString, salt: &[u8]) -> Result<Aes256Gcm, VaultError> {
    let params = Params::new(kdf.m_cost, kdf.t_cost, kdf.p_cost, Some(32)).map_err(|e| VaultError::Crypto {
        message: format!("bad Argon2 parameters: {e}"),
    })?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.expose_secret().as_bytes(), salt, key.as_mut_slice())
        .map_err(|e| VaultError::Crypto {
            message: format!("Argon2id failed: {e}"),
        })?;
    Aes256Gcm::new_from_slice(key.as_slice()).map_err(|_| VaultError::Crypto {
        message: "bad AES-256 key length".into(),
    })
}

fn entry_aad(key: &str) -> Vec<u8> {
    format!("{ENTRY_AAD_PREFIX}{key}").into_bytes()
}

fn seal(cipher: &Aes256Gcm, plain: &[u8], aad: &[u8]) -> Result<Sealed, VaultError> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
        .map_err(|_| VaultError::Crypto {
            message: "AES-GCM encryption failed".into(),
        })?;
    Ok(Sealed {
        nonce: B64.encode(nonce),
        ciphertext: B64.encode(ciphertext),
    })
}

/// Why a sealed value did not open.
enum Unseal {
    /// The nonce or ciphertext is not even well-formed.
    Malformed(VaultError),
    /// Authentication failed: wrong key, or damaged / tampered ciphertext or AAD.
    Auth,
}

fn open_sealed(
    path: &Path,
    cipher: &Aes256Gcm,
    sealed: &Sealed,
    aad: &[u8],
    what: &str,
) -> Result<Zeroizing<Vec<u8>>, Unseal> {
    let nonce = decode(path, "a nonce", &sealed.nonce).map_err(Unseal::Malformed)?;
    if nonce.len() != NONCE_LEN {
        return Err(Unseal::Malformed(corrupt(
            path,
            format!("the nonce of {what:?} is {} bytes, expected {NONCE_LEN}", nonce.len()),
        )));
    }
    let ciphertext = decode(path, "a ciphertext", &sealed.ciphertext).map_err(Unseal::Malformed)?;
    cipher
        .decrypt(Nonce::from_slice(&nonce), Payload { msg: &ciphertext, aad })
        .map(Zeroizing::new)
        .map_err(|_| Unseal::Auth)
}

/// Writes `bytes` to `path` atomically: a [`tempfile::NamedTempFile`] beside it (mode
/// 0600 on Unix), `fsync`, persisted (renamed) over `path`, then `fsync` the directory
/// (Unix, best effort). The temporary file is removed when any step fails.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| VaultError::Io { path: p, source }
    };
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    let name = path
        .file_name()
        .map_or_else(|| "vault".into(), |n| n.to_string_lossy().into_owned());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp-"))
        .tempfile_in(&dir)
        .map_err(io(&dir))?;
    tmp.write_all(bytes).map_err(io(tmp.path()))?;
    tmp.as_file().sync_all().map_err(io(tmp.path()))?;
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    #[cfg(unix)]
    {
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}
