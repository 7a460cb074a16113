//! The mail port: sends plain-text emails through an SMTP server.
//!
//! The server is named by a URL, as lettre reads it: `smtp://host:25`
//! (no TLS, a local relay), `smtp://user:pass@host:587?tls=required`
//! (STARTTLS), `smtps://user:pass@host:465` (TLS from the start).

use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The URL or an address is malformed; the text says which.
    #[error("{0}")]
    Config(String),
    /// The SMTP server refused or could not be reached.
    #[error("sending mail: {0}")]
    Send(String),
}

/// An email to one person.
pub struct Mail {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
}

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for the SMTP server at `url`, sending as `from`
    /// (`bureau <bureau@example.com>` or a bare address).
    pub fn new(url: &str, from: &str) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Config(format!("the SMTP URL is not valid: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from.parse().map_err(|e| {
            MailError::Config(format!("the sender address `{from}` is not valid: {e}"))
        })?;
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let to = Mailbox::new(
            Some(mail.to_name),
            mail.to.parse().map_err(|e| {
                MailError::Config(format!("the address `{}` is not valid: {e}", mail.to))
            })?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text)
            .map_err(|e| MailError::Config(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailError::Send(e.to_string()))?;
        Ok(())
    }
}
