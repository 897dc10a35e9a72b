//! Email over SMTP: the invitation and password-reset messages of a team server
//! (`alcance serve --smtp-url …`), with their one-time links.
//!
//! The SMTP server is given as a URL without its password:
//! `smtp://user@mail.example.com:587?tls=required` (STARTTLS, port 587 by default),
//! `smtps://user@mail.example.com` (TLS from the first byte, port 465) or
//! `smtp://127.0.0.1:2525` (plain, for a relay or sink on the same machine). The password
//! comes from elsewhere ([`MailConfig::password`]; the CLI reads `ALCANCE_SMTP_PASSWORD`), so
//! it is never in a command line, a log or the database. Messages are plain text, in
//! Portuguese then English.

use crate::error::{AppError, Result};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use url::Url;

/// Longest an SMTP exchange may take (connect, TLS, authentication, send).
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// How to reach the SMTP server and what the messages say.
#[derive(Clone)]
pub struct MailConfig {
    /// `smtp://[user@]host[:port][?tls=required|opportunistic]` or
    /// `smtps://[user@]host[:port]`, without a password.
    pub url: String,
    /// The SMTP password of the URL's user; `None` to send without authentication.
    pub password: Option<String>,
    /// The sender, `Alcance <alcance@agency.example>` or a bare address.
    pub from: String,
    /// The address people open the web UI at (`https://alcance.agency.example`); the
    /// links of the messages start with it.
    pub public_url: String,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("url", &self.url)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// A message to send: subject and plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Subject line.
    pub subject: String,
    /// Plain text, lines ending in `\n`.
    pub body: String,
}

/// Sends Alcance's messages through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: Url,
    /// `host:port (tls mode)` for logs, never the credentials.
    server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Checks the configuration and builds the mailer (nothing is sent or connected yet).
    ///
    /// Errors (invalid input): a URL that is not `smtp://` / `smtps://` with a host, a URL
    /// with a password in it, an unknown `tls=` mode, a sender that is not an address, a
    /// public URL that is not http(s).
    pub fn new(config: &MailConfig) -> Result<Mailer> {
        let mut url = Url::parse(config.url.trim())
            .map_err(|e| AppError::InvalidInput(format!("the SMTP URL is not a URL: {e}")))?;
        if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none_or(str::is_empty) {
            return Err(AppError::InvalidInput(
                "the SMTP URL must be smtp://[user@]host[:port][?tls=required] or smtps://[user@]host[:port]".into(),
            ));
        }
        if url.password().is_some() {
            return Err(AppError::InvalidInput(
                "the SMTP URL must not carry the password: set ALCANCE_SMTP_PASSWORD instead".into(),
            ));
        }
        let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.to_string());
        let mode = match (url.scheme(), tls.as_deref()) {
            ("smtps", _) => "TLS",
            ("smtp", Some("required")) => "STARTTLS",
            ("smtp", Some("opportunistic")) => "STARTTLS when offered",
            ("smtp", None) => "plain",
            (_, Some(other)) => {
                return Err(AppError::InvalidInput(format!(
                    "SMTP tls={other:?}: expected required or opportunistic"
                )))
            }
            _ => "plain",
        };
        let server = format!(
            "{}:{} ({mode})",
            url.host_str().unwrap_or_default(),
            url.port().map_or_else(|| "default port".into(), |p| p.to_string())
        );
        let has_user = !url.username().is_empty();
        if let (true, Some(password)) = (has_user, &config.password) {
            url.set_password(Some(password))
                .map_err(|()| AppError::InvalidInput("the SMTP URL cannot take a password".into()))?;
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
            .map_err(|e| AppError::InvalidInput(format!("the SMTP URL: {e}")))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from: Mailbox = config.from.trim().parse().map_err(|e| {
            AppError::InvalidInput(format!("the sender {:?} is not an email address: {e}", config.from))
        })?;
        let public_url = Url::parse(config.public_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                AppError::InvalidInput(format!(
                    "the public URL {:?} is not an http(s) address (the links of the emails start with it)",
                    config.public_url
                ))
            })?;
        Ok(Mailer {
            transport,
            from,
            public_url,
            server,
        })
    }

    /// `host:port (TLS mode)` of the SMTP server, for logs and the start-up line.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The web UI's "choose your password" link for a one-time token (an invitation or a
    /// password reset): `<public URL>/#set-password=<token>`.
    pub fn set_password_link(&self, token: &str) -> String {
        let mut base = self.public_url.to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        format!("{base}#set-password={token}")
    }

    /// Sends `email` to `to`. Errors: a bad recipient (invalid input); the SMTP server
    /// unreachable, refusing or too slow ([`SMTP_TIMEOUT`]) (an internal error carrying the
    /// server's answer).
    pub async fn send(&self, to: &str, email: &Email) -> Result<()> {
        let to: Mailbox = to
            .trim()
            .parse()
            .map_err(|e| AppError::InvalidInput(format!("{to:?} is not an email address: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| AppError::InvalidInput(format!("building the email: {e}")))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| AppError::Other(anyhow::anyhow!("sending the email through {}: {e}", self.server)))?;
        Ok(())
    }
}

/// A file attached to an [`HtmlEmail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name the recipient sees (`alcance-weekly-2026-11-23.pdf`).
    pub filename: String,
    /// Its MIME type (`application/pdf`).
    pub content_type: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// A message with an HTML body, its plain-text alternative and attachments (the scheduled
/// reports of [`crate::delivery`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlEmail {
    /// Subject line.
    pub subject: String,
    /// Plain text, lines ending in `\n`, for clients that do not show HTML.
    pub text: String,
    /// One HTML document.
    pub html: String,
    /// The attached files, in order.
    pub attachments: Vec<Attachment>,
}

impl Mailer {
    /// Sends `email` to every address of `to` in one message, with `message_id` (`<…@…>`)
    /// as its `Message-ID` header. Errors: no recipient or a bad one, a bad attachment type
    /// (invalid input); the SMTP server unreachable, refusing or too slow ([`SMTP_TIMEOUT`])
    /// (an internal error carrying the server's answer, never the password).
    pub async fn send_html(&self, to: &[String], message_id: &str, email: &HtmlEmail) -> Result<()> {
        use lettre::message::{header, MultiPart, SinglePart};
        if to.is_empty() {
            return Err(AppError::InvalidInput("the message has no recipient".into()));
        }
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(email.subject.clone())
            .message_id(Some(message_id.to_string()));
        for address in to {
            let mailbox: Mailbox = address
                .trim()
                .parse()
                .map_err(|e| AppError::InvalidInput(format!("{address:?} is not an email address: {e}")))?;
            builder = builder.to(mailbox);
        }
        let mut body = MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            email.html.clone(),
        ));
        for file in &email.attachments {
            let kind = header::ContentType::parse(&file.content_type)
                .map_err(|e| AppError::InvalidInput(format!("attachment type {:?}: {e}", file.content_type)))?;
            body = body.singlepart(
                SinglePart::builder()
                    .header(kind)
                    .header(header::ContentDisposition::attachment(&file.filename))
                    .header(header::ContentTransferEncoding::Base64)
                    .body(file.bytes.clone()),
            );
        }
        let message = builder
            .multipart(body)
            .map_err(|e| AppError::InvalidInput(format!("building the email: {e}")))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| AppError::Other(anyhow::anyhow!("sending the email through {}: {e}", self.server)))?;
        Ok(())
    }
}

/// The invitation: who invited, the role, the link (good for `days` days).
pub fn invitation_email(inviter: &str, role: &str, link: &str, days: u32) -> Email {
    Email {
        subject: "Convite para o Alcance / Invitation to Alcance".into(),
        body: format!(
            "{inviter} convidou você para o Alcance com o papel {role}.\n\
             Escolha sua senha neste link (uso único, válido por {days} dias):\n\n{link}\n\n\
             ---\n\n\
             {inviter} invited you to Alcance with the role {role}.\n\
             Choose your password at this link (one use, good for {days} days):\n\n{link}\n"
        ),
    }
}

/// The password reset: the link (good for `minutes` minutes) and what to do when it was
/// not asked for.
pub fn password_reset_email(link: &str, minutes: u32) -> Email {
    Email {
        subject: "Redefinir sua senha do Alcance / Reset your Alcance password".into(),
        body: format!(
            "Alguém pediu para redefinir a sua senha do Alcance.\n\
             Escolha uma nova senha neste link (uso único, válido por {minutes} minutos):\n\n{link}\n\n\
             Se não foi você, ignore este email: a senha atual continua valendo.\n\n\
             ---\n\n\
             Someone asked to reset your Alcance password.\n\
             Choose a new password at this link (one use, good for {minutes} minutes):\n\n{link}\n\n\
             If it was not you, ignore this email: your current password still works.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> MailConfig {
        MailConfig {
            url: url.into(),
            password: Some("s3cret".into()),
            from: "Alcance <alcance@agency.example>".into(),
            public_url: "https://alcance.agency.example".into(),
        }
    }

    #[test]
    fn configurations_are_checked_before_anything_is_sent() {
        for good in [
            "smtp://127.0.0.1:2525",
            "smtp://bot@mail.agency.example?tls=required",
            "smtps://bot@mail.agency.example",
        ] {
            assert!(Mailer::new(&config(good)).is_ok(), "{good}");
        }
        for (bad, words) in [
            ("smtp://bot:pw@mail.agency.example", "ALCANCE_SMTP_PASSWORD"),
            ("http://mail.agency.example", "smtp://"),
            ("smtp://mail.agency.example?tls=sometimes", "tls="),
            ("not a url", "not a URL"),
        ] {
            let e = Mailer::new(&config(bad)).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidInput, "{bad}");
            assert!(e.message().contains(words), "{bad}: {}", e.message());
        }
        let mut no_sender = config("smtp://127.0.0.1:2525");
        no_sender.from = "nobody".into();
        assert!(Mailer::new(&no_sender).is_err());
        let mut no_link = config("smtp://127.0.0.1:2525");
        no_link.public_url = "ftp://x".into();
        assert!(Mailer::new(&no_link).is_err());
    }

    #[test]
    fn the_password_stays_out_of_debug_output() {
        let c = config("smtps://bot@mail.agency.example");
        assert!(!format!("{c:?}").contains("s3cret"));
        let m = Mailer::new(&c).unwrap();
        assert!(!format!("{m:?}").contains("s3cret"));
        assert_eq!(m.server(), "mail.agency.example:default port (TLS)");
    }

    #[test]
    fn links_point_at_the_set_password_page() {
        let m = Mailer::new(&config("smtp://127.0.0.1:2525")).unwrap();
        assert_eq!(
            m.set_password_link("tok"),
            "https://alcance.agency.example/#set-password=tok"
        );
        let e = invitation_email("ana@agency.example", "manager", &m.set_password_link("tok"), 7);
        assert!(e.body.contains("https://alcance.agency.example/#set-password=tok"));
        assert!(e.body.contains("7 dias") && e.body.contains("7 days") && e.body.contains("manager"));
        let r = password_reset_email("L", 60);
        assert!(r.body.contains("60 minutos") && r.body.contains("60 minutes"));
    }
}
