//! Email for people who are away: mentions and direct messages that stay
//! unread for a while arrive as one digest email, not one per message, and
//! at most one digest per person per quiet period.
//!
//! "Away" is judged by the read position rather than by open connections,
//! so it holds across processes: someone looking at bureau reads the
//! message (and is not emailed); someone away does not.

use std::time::Duration;

use bureau_core::{time, ChannelKind, Locale, Result};
use bureau_mail::{Mail, Mailer};
use bureau_store::PendingNotice;

use crate::Chat;

/// When and how digests go out.
#[derive(Clone, Debug)]
pub struct DigestConfig {
    /// A mention or DM unread this long is emailed.
    pub unread_for: Duration,
    /// At most one digest per person in this period.
    pub quiet_period: Duration,
    /// Messages older than this are never emailed (after a long outage).
    pub max_age: Duration,
    /// How often pending notices are looked for.
    pub every: Duration,
    /// The office's address, for links in the emails.
    pub public_url: String,
}

impl DigestConfig {
    pub fn with_public_url(public_url: String) -> DigestConfig {
        DigestConfig {
            unread_for: Duration::from_secs(5 * 60),
            quiet_period: Duration::from_secs(15 * 60),
            max_age: Duration::from_secs(24 * 3600),
            every: Duration::from_secs(30),
            public_url,
        }
    }
}

/// Messages shown in one email; the rest are counted.
const SHOWN: usize = 10;

impl Chat {
    /// Sends the digests due now; returns how many emails went out.
    pub async fn send_digests(&self, mailer: &Mailer, config: &DigestConfig) -> Result<usize> {
        let now = time::now_ms();
        let ms = |d: Duration| d.as_millis() as i64;
        let pending = self
            .ports
            .store
            .pending_notices(
                now - ms(config.unread_for),
                now - ms(config.max_age),
                now - ms(config.quiet_period),
                now,
            )
            .await?;
        let mut sent = 0;
        for notices in pending.chunk_by(|a, b| a.user_id == b.user_id) {
            let first = &notices[0];
            let last = notices.last().expect("a chunk is never empty").message_id;
            let mut tx = self.ports.store.begin().await?;
            if !tx.claim_digest(first.user_id, last, now).await? {
                continue; // Another process is sending this one.
            }
            tx.commit().await?;
            let mail = digest_mail(notices, &config.public_url);
            match mailer.send(mail).await {
                Ok(()) => sent += 1,
                Err(err) => {
                    tracing::warn!(user = %first.user_id, %err, "a notification email was not sent")
                }
            }
        }
        Ok(sent)
    }

    /// Sends digests for as long as the process runs.
    pub async fn mail_digests(self: std::sync::Arc<Chat>, mailer: Mailer, config: DigestConfig) {
        let mut tick = tokio::time::interval(config.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(err) = self.send_digests(&mailer, &config).await {
                tracing::warn!(%err, "notification emails could not be prepared");
            }
        }
    }
}

fn digest_mail(notices: &[PendingNotice], public_url: &str) -> Mail {
    let person = &notices[0];
    let french = person.locale == Locale::Fr;
    let count = notices.len();
    let subject = match (french, count) {
        (false, 1) => "1 message is waiting for you in bureau".to_string(),
        (false, n) => format!("{n} messages are waiting for you in bureau"),
        (true, 1) => "1 message vous attend dans bureau".to_string(),
        (true, n) => format!("{n} messages vous attendent dans bureau"),
    };
    let mut text = if french {
        format!(
            "Bonjour {},\n\nPendant votre absence :\n\n",
            person.display_name
        )
    } else {
        format!("Hello {},\n\nWhile you were away:\n\n", person.display_name)
    };
    let base = public_url.trim_end_matches('/');
    for notice in notices.iter().take(SHOWN) {
        let author = notice.via.as_deref().unwrap_or(&notice.author_name);
        let place = match (notice.channel_kind, &notice.channel_name, french) {
            (ChannelKind::Dm, _, false) => "in a direct message".to_string(),
            (ChannelKind::Dm, _, true) => "en message direct".to_string(),
            (_, name, false) => format!("in #{}", name.as_deref().unwrap_or_default()),
            (_, name, true) => format!("dans #{}", name.as_deref().unwrap_or_default()),
        };
        let excerpt: String = notice.text.chars().take(300).collect();
        let more = if notice.text.chars().count() > 300 {
            "…"
        } else {
            ""
        };
        text.push_str(&format!(
            "{author}, {place}:\n  {}{more}\n  {base}/chat/{}/{}\n\n",
            excerpt.replace('\n', "\n  "),
            notice.channel_id,
            notice.message_id
        ));
    }
    if count > SHOWN {
        let rest = count - SHOWN;
        text.push_str(&if french {
            format!("… et {rest} de plus.\n\n")
        } else {
            format!("… and {rest} more.\n\n")
        });
    }
    text.push_str(if french {
        "Choisissez quand être prévenu dans chaque conversation (tous les messages, mentions, silencieux).\n"
    } else {
        "Choose when you are told, per conversation (every message, mentions, mute).\n"
    });
    Mail {
        to: person.email.clone(),
        to_name: person.display_name.clone(),
        subject,
        text,
    }
}
