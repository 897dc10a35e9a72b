//! The encrypted file vault on disk, and the OS keychain vault when a test keychain is
//! available (`ALCANCE_TEST_KEYRING=1`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::Platform;
use alcance_platforms::oauth::TokenSet;
use alcance_platforms::vault::{vault_key, EncryptedFileVault, KeyringVault, TokenVault, VaultError};
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

fn read(vault: &dyn TokenVault, key: &str) -> Option<String> {
    vault.get(key).expect("get").map(|s| s.expose_secret().to_string())
}

fn open(path: &Path, pass: &str) -> Result<EncryptedFileVault, VaultError> {
    EncryptedFileVault::open(path, &secret(pass))
}

#[test]
fn round_trip_across_instances() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested").join("vault.enc");
    let key = vault_key(Platform::X, "2244994945");
    {
        let v = open(&path, "pass phrase").expect("create");
        assert_eq!(v.kind(), "encrypted-file");
        assert_eq!(v.path(), path.as_path());
        v.put(&key, &secret("token-one")).expect("put");
        v.put("alcance/instagram/1", &secret("ig ✓ unicode")).expect("put");
        v.put(&key, &secret("token-two")).expect("overwrite");
    }
    let again = open(&path, "pass phrase").expect("reopen");
    assert_eq!(read(&again, &key).as_deref(), Some("token-two"));
    assert_eq!(read(&again, "alcance/instagram/1").as_deref(), Some("ig ✓ unicode"));
    assert_eq!(read(&again, "alcance/x/missing"), None);

    // Two live instances see each other's writes (every call re-reads the file).
    let first = open(&path, "pass phrase").expect("first");
    let second = open(&path, "pass phrase").expect("second");
    first.put("alcance/tiktok/o1", &secret("tt")).expect("put");
    assert_eq!(read(&second, "alcance/tiktok/o1").as_deref(), Some("tt"));
    second.put("alcance/facebook/p1", &secret("fb")).expect("put");
    assert_eq!(read(&first, "alcance/facebook/p1").as_deref(), Some("fb"));
    assert_eq!(read(&first, "alcance/tiktok/o1").as_deref(), Some("tt"));
}

#[test]
fn token_sets_survive_the_vault() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v = open(&dir.path().join("vault.enc"), "p").expect("create");
    let tokens = TokenSet {
        access_token: secret("at-123"),
        refresh_token: Some(secret("rt-456")),
        expires_at: chrono::DateTime::from_timestamp(1_800_000_000, 0),
        scope: Some("tweet.read".into()),
        user_id: None,
        binding: None,
    };
    v.put("alcance/x/1", &tokens.to_vault_json()).expect("put");
    let back = TokenSet::from_vault_json(&v.get("alcance/x/1").expect("get").expect("present")).expect("parse");
    assert_eq!(back.access_token.expose_secret(), "at-123");
    assert_eq!(back.refresh_token.as_ref().map(|t| t.expose_secret()), Some("rt-456"));
    assert_eq!(back.expires_at, tokens.expires_at);
}

#[test]
fn wrong_passphrase_is_told_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.enc");
    open(&path, "right")
        .expect("create")
        .put("k", &secret("v"))
        .expect("put");
    let err = open(&path, "wrong").expect_err("wrong passphrase");
    assert!(matches!(err, VaultError::WrongPassphrase), "{err:?}");
    assert!(matches!(open(&path, ""), Err(VaultError::Locked { .. })));
    // The file is untouched by the failed attempt.
    assert_eq!(read(&open(&path, "right").expect("reopen"), "k").as_deref(), Some("v"));
}

#[test]
fn corrupt_files_are_reported_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.enc");

    for garbage in [
        &b"not json at all"[..],
        b"",
        b"{\"version\":1,\"salt\":",
        b"[1,2,3]",
        b"\xff\xfe\x00",
    ] {
        std::fs::write(&path, garbage).expect("write");
        let err = open(&path, "p").expect_err("garbage");
        assert!(matches!(err, VaultError::Corrupt { .. }), "{garbage:?}: {err:?}");
        assert!(err.to_string().contains("vault.enc"), "{err}");
    }
    std::fs::remove_file(&path).expect("rm");

    // A good file whose entry ciphertext is altered: the vault opens, the entry reports corrupt.
    open(&path, "p")
        .expect("create")
        .put("alcance/x/1", &secret("token"))
        .expect("put");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    let ct = doc["entries"]["alcance/x/1"]["ciphertext"]
        .as_str()
        .expect("ciphertext")
        .to_string();
    let flipped = match ct.strip_prefix('A') {
        Some(rest) => format!("B{rest}"),
        None => format!("A{}", ct.get(1..).expect("non-empty ciphertext")),
    };
    doc["entries"]["alcance/x/1"]["ciphertext"] = serde_json::Value::String(flipped);
    // An entry moved under another key must not decrypt either (the key is the AAD).
    doc["entries"]["alcance/x/2"] = doc["entries"]["alcance/x/1"].clone();
    std::fs::write(&path, serde_json::to_vec(&doc).expect("ser")).expect("write");
    let v = open(&path, "p").expect("header still fine");
    for key in ["alcance/x/1", "alcance/x/2"] {
        let err = v.get(key).expect_err("tampered");
        assert!(matches!(err, VaultError::Corrupt { .. }), "{err:?}");
    }

    // Bad base64 in the check is corruption, not a wrong passphrase.
    doc["check"]["nonce"] = serde_json::Value::String("***".into());
    std::fs::write(&path, serde_json::to_vec(&doc).expect("ser")).expect("write");
    assert!(matches!(open(&path, "p"), Err(VaultError::Corrupt { .. })));

    // Absurd KDF parameters are refused before any allocation.
    doc["kdf"]["m_cost"] = serde_json::json!(4_000_000_000u64);
    std::fs::write(&path, serde_json::to_vec(&doc).expect("ser")).expect("write");
    assert!(matches!(open(&path, "p"), Err(VaultError::Corrupt { .. })));
}

#[test]
fn plaintext_never_reaches_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.enc");
    let token = "EAAB-very-secret-token-0123456789";
    let passphrase = "my passphrase 42";
    let v = open(&path, passphrase).expect("create");
    v.put("alcance/facebook/9", &secret(token)).expect("put");
    v.put("alcance/facebook/10", &secret(token)).expect("put same value");
    let bytes = std::fs::read(&path).expect("read");
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(token), "token in plaintext");
    assert!(!text.contains(passphrase), "passphrase in the file");
    assert!(!text.contains("very-secret"), "token fragment in plaintext");
    // Fresh nonces: the same value never encrypts the same way twice.
    let doc: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_ne!(
        doc["entries"]["alcance/facebook/9"],
        doc["entries"]["alcance/facebook/10"]
    );
    assert_eq!(doc["version"], 1);
    // No stray temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["vault.enc".to_string()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "vault file mode {mode:o}");
    }
    assert!(!format!("{v:?}").contains(passphrase));
}

#[test]
fn delete_removes_only_that_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("vault.enc");
    let v = open(&path, "p").expect("create");
    v.put("a", &secret("1")).expect("put");
    v.put("b", &secret("2")).expect("put");
    v.delete("a").expect("delete");
    v.delete("a").expect("deleting a missing key is fine");
    assert_eq!(read(&v, "a"), None);
    let reopened = open(&path, "p").expect("reopen");
    assert_eq!(read(&reopened, "a"), None);
    assert_eq!(read(&reopened, "b").as_deref(), Some("2"));
    assert!(matches!(v.delete(""), Err(VaultError::InvalidKey { .. })));
}

/// Runs against the real OS keychain only when asked: CI machines have no unlocked
/// Secret Service.
#[test]
fn keyring_vault_when_available() {
    if std::env::var("ALCANCE_TEST_KEYRING").as_deref() != Ok("1") {
        println!(
            "skipped: set ALCANCE_TEST_KEYRING=1 to test the OS keychain (needs an unlocked Secret Service on Linux)"
        );
        return;
    }
    let v = KeyringVault::new("alcance-test");
    v.probe().expect("keychain probe");
    let key = format!("alcance/test/{}", std::process::id());
    v.put(&key, &secret("kr-secret")).expect("put");
    assert_eq!(read(&v, &key).as_deref(), Some("kr-secret"));
    v.delete(&key).expect("delete");
    assert_eq!(read(&v, &key), None);
    assert_eq!(v.kind(), "keyring");
}
