//! Connecting Facebook Pages, WhatsApp Business and TikTok accounts: each platform's own
//! documented flow (platform-apis.md §2.2, §5, §6.1), ending like every connect: the
//! token in the vault, the account in the store.

use super::Workspace;
use alcance_core::{AccountRef, Platform};
use alcance_platforms::facebook::FacebookClient;
use alcance_platforms::oauth::{self, BrowserOpener, OAuthApp, Provider, TokenSet};
use alcance_platforms::tiktok::BusinessTokens;
use alcance_platforms::vault::{vault_key, TokenVault};
use alcance_platforms::whatsapp::WhatsAppClient;
use alcance_platforms::{Http, Recorder};
use alcance_store::AccountRow;
use anyhow::{anyhow, Context, Result};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

/// The vault entry holding a TikTok account's API-for-Business token, beside its Display
/// API token (`vault_key(Tiktok, open_id)`).
pub fn tiktok_business_key(open_id: &str) -> String {
    format!("{}/business", vault_key(Platform::Tiktok, open_id))
}

/// TikTok Business tokens read from the workspace vault (see [`tiktok_business_key`]).
pub struct VaultBusinessTokens(pub Arc<dyn TokenVault>);

impl BusinessTokens for VaultBusinessTokens {
    fn business_token(&self, account: &AccountRef) -> Option<SecretString> {
        let json = self.0.get(&tiktok_business_key(&account.external_id)).ok()??;
        TokenSet::from_vault_json(&json).ok().map(|t| t.access_token)
    }
}

impl Workspace {
    /// Connects the Facebook Pages a user manages: Facebook Login (authorization code,
    /// loopback redirect), the long-lived user-token exchange (needs the app secret), then
    /// `me/accounts` for the page tokens. Every page comes back as an owned account whose
    /// page token (which does not expire) is in the vault; pages without the `ANALYZE`
    /// task are connected too and collect their public counts with a `permission` gap.
    ///
    /// Errors: consent denied or timed out, no app secret, the platform refused the code,
    /// the user manages no page.
    pub async fn connect_facebook(
        &self,
        app: &OAuthApp,
        browser: &dyn BrowserOpener,
        timeout: Duration,
    ) -> Result<Vec<AccountRow>> {
        let provider = Provider::facebook_login(&self.endpoints);
        let short = oauth::authorize(app, &provider, browser, timeout)
            .await
            .context("connecting Facebook")?;
        let user = oauth::exchange_facebook_long_lived(app, &provider, &short.access_token)
            .await
            .context("exchanging the Facebook token for a long-lived one (needs the app secret)")?;
        let client = FacebookClient::new(Http::new()?, self.endpoints.clone());
        let rec = Recorder::new();
        let me = client
            .me(&user.access_token, &rec)
            .await
            .context("reading the Facebook user")?;
        self.vault
            .put(
                &vault_key(Platform::Facebook, &format!("user-{}", me.external_id)),
                &user.to_vault_json(),
            )
            .context("saving the Facebook user token in the vault")?;
        let pages = client
            .pages(&user.access_token, &rec)
            .await
            .context("listing the user's Pages")?;
        if pages.is_empty() {
            return Err(anyhow!("this Facebook user manages no Page Alcance can read"));
        }
        let mut rows = Vec::with_capacity(pages.len());
        for page in pages {
            let key = vault_key(Platform::Facebook, &page.id);
            let tokens = TokenSet {
                access_token: page.token.clone(),
                refresh_token: None,
                expires_at: None,
                scope: None,
                user_id: Some(page.id.clone()),
            };
            self.vault
                .put(&key, &tokens.to_vault_json())
                .context("saving the Page token in the vault")?;
            let account = AccountRef {
                platform: Platform::Facebook,
                external_id: page.id.clone(),
                username: None,
                owned: true,
            };
            let id = self
                .store
                .upsert_account(&account, page.name.as_deref(), Some(&key))
                .await?;
            self.store.set_account_status(id, "active").await?;
            rows.push(self.account(id).await?);
        }
        Ok(rows)
    }

    /// Connects a WhatsApp Business Account with a system-user token the user pasted
    /// (Business Manager → System users), validated by a call before it is stored.
    ///
    /// Errors: the token is refused (`unauthorized`), the WABA id is unknown or not
    /// readable with that token.
    pub async fn connect_whatsapp(&self, token: SecretString, waba_id: &str) -> Result<AccountRow> {
        let waba_id = waba_id.trim();
        if waba_id.is_empty() || !waba_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(anyhow!(
                "a WhatsApp Business Account id is a number (Business Manager → WhatsApp accounts)"
            ));
        }
        let client = WhatsAppClient::new(Http::new()?, self.endpoints.clone());
        let profile = client
            .validate(&token, waba_id, &Recorder::new())
            .await
            .context("checking the token against the WhatsApp Business Account")?;
        let key = vault_key(Platform::Whatsapp, waba_id);
        let tokens = TokenSet {
            access_token: token,
            refresh_token: None,
            expires_at: None,
            scope: None,
            user_id: Some(waba_id.to_string()),
        };
        self.vault
            .put(&key, &tokens.to_vault_json())
            .context("saving the token in the vault")?;
        let account = AccountRef {
            platform: Platform::Whatsapp,
            external_id: waba_id.to_string(),
            username: profile.username.clone(),
            owned: true,
        };
        let id = self
            .store
            .upsert_account(&account, profile.display_name.as_deref(), Some(&key))
            .await?;
        self.store.set_account_status(id, "active").await?;
        self.account(id).await
    }

    /// Stores a TikTok API-for-Business token for a connected TikTok account, so its
    /// collections add daily account metrics, audience and per-video reach / watch time.
    pub fn set_tiktok_business_token(&self, open_id: &str, tokens: &TokenSet) -> Result<()> {
        self.vault
            .put(&tiktok_business_key(open_id), &tokens.to_vault_json())
            .context("saving the TikTok Business token in the vault")
    }

    /// Uses a TikTok account's Display API token for its API-for-Business calls too. Only
    /// for the sandbox (the demo), whose Business API accepts that token; a real account
    /// connects Business through TikTok's own `tt_user` authorization.
    pub fn use_display_token_for_tiktok_business(&self, account: &AccountRow) -> Result<()> {
        let key = account
            .vault_key
            .as_deref()
            .ok_or_else(|| anyhow!("the TikTok account has no token"))?;
        let json = self
            .vault
            .get(key)?
            .ok_or_else(|| anyhow!("the TikTok token is not in the vault"))?;
        self.vault
            .put(&tiktok_business_key(&account.account.external_id), &json)?;
        Ok(())
    }

    /// Checks that a client exists for every platform (used by tests and the UI).
    pub fn supports(&self, platform: Platform) -> bool {
        self.clients
            .get(platform)
            .map(|c| c.platform() == platform)
            .unwrap_or(false)
    }
}
