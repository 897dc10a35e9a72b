//! An in-process vault for tests.

use super::{check_key, TokenVault, VaultError};
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::Mutex;

/// Secrets in process memory, gone when dropped. For tests and throw-away sessions.
#[derive(Debug, Default)]
pub struct MemoryVault {
    entries: Mutex<HashMap<String, SecretString>>,
}

impl MemoryVault {
    /// An empty vault.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// `true` when no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SecretString>> {
        // A panic while holding the lock cannot leave the map half-updated: keep using it.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl TokenVault for MemoryVault {
    fn put(&self, key: &str, secret: &SecretString) -> Result<(), VaultError> {
        check_key(key)?;
        self.lock().insert(key.to_string(), secret.clone());
        Ok(())
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, VaultError> {
        check_key(key)?;
        Ok(self.lock().get(key).cloned())
    }

    fn delete(&self, key: &str) -> Result<(), VaultError> {
        check_key(key)?;
        self.lock().remove(key);
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn put_get_delete() {
        let v = MemoryVault::new();
        assert!(v.get("a").expect("get").is_none());
        v.put("a", &SecretString::from("1".to_string())).expect("put");
        v.put("a", &SecretString::from("2".to_string())).expect("overwrite");
        assert_eq!(
            v.get("a").expect("get").map(|s| s.expose_secret().to_string()),
            Some("2".into())
        );
        assert_eq!(v.len(), 1);
        v.delete("a").expect("delete");
        v.delete("a").expect("delete twice");
        assert!(v.is_empty());
        assert!(v.put("", &SecretString::from("x".to_string())).is_err());
    }
}
