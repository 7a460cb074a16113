//! What valid input looks like, and password hashing.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use bureau_core::{Error, Result};
use bureau_store::InvitationRecord;

use crate::NewAccount;

/// A login name: 2 to 32 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn validate_name(name: &str) -> Result<String> {
    let name = name.trim().to_lowercase();
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
    let starts_well = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    if !(2..=32).contains(&name.len()) || !name.chars().all(allowed) || !starts_well {
        return Err(Error::invalid(
            "name",
            "a name has 2 to 32 characters among a-z, 0-9, dot, dash and underscore, and starts with a letter or digit",
        ));
    }
    Ok(name)
}

pub fn validate_display_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "display_name",
            "a display name has 1 to 80 characters and no control characters",
        ));
    }
    Ok(name.to_string())
}

pub fn validate_password(password: &str) -> Result<()> {
    let length = password.chars().count();
    if !(8..=256).contains(&length) {
        return Err(Error::invalid(
            "password",
            "a password has 8 to 256 characters",
        ));
    }
    Ok(())
}

pub(crate) fn validate_email(email: Option<&str>) -> Result<Option<String>> {
    let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let well_formed = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !well_formed {
        return Err(Error::invalid("email", "this is not an email address"));
    }
    Ok(Some(email.to_string()))
}

/// A short label (token or group name): 1 to 80 characters.
pub(crate) fn validate_label(field: &'static str, label: &str) -> Result<String> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 80 || label.chars().any(char::is_control) {
        return Err(Error::invalid(field, "a name has 1 to 80 characters"));
    }
    Ok(label.to_string())
}

pub(crate) fn validate_note(note: &str) -> Result<String> {
    let note = note.trim();
    if note.chars().count() > 200 {
        return Err(Error::invalid("note", "a note has at most 200 characters"));
    }
    Ok(note.to_string())
}

pub(crate) fn check_open(invitation: &InvitationRecord, now: i64) -> Result<()> {
    let closed =
        |code, why: &str| Err(Error::conflict(code, format!("this invitation link {why}")));
    if invitation.revoked_at.is_some() {
        return closed("invitation_revoked", "was withdrawn");
    }
    if invitation.used_at.is_some() {
        return closed("invitation_used", "was used already");
    }
    if invitation.expires_at <= now {
        return closed("invitation_expired", "has expired");
    }
    Ok(())
}

/// Checks the whole new account before the slow password hash.
pub(crate) async fn checked_password_hash(account: &NewAccount<'_>) -> Result<String> {
    validate_name(account.name)?;
    validate_display_name(account.display_name)?;
    validate_email(account.email)?;
    validate_password(account.password)?;
    hash_password(account.password).await
}

/// argon2id with the crate's defaults (19 MiB, 2 passes), off the async
/// threads.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::getrandom(&mut salt).map_err(Error::internal)?;
        let salt = SaltString::encode_b64(&salt).map_err(Error::internal)?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(Error::internal)
    })
    .await
    .map_err(Error::internal)?
}

/// Verifies a password; with no stored hash it still spends the same time,
/// so response times do not tell which names exist.
pub async fn verify_password(password: &str, hash: Option<String>) -> bool {
    const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Q3ffp7u9M7UqvVqWyGzHcE9W+0fNxDTl7b8PnnXwNM8";
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let stored = hash.as_deref().unwrap_or(DECOY);
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && hash.is_some()
    })
    .await
    .unwrap_or(false)
}

/// The media type of an image, judged by its first bytes.
pub(crate) fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names() {
        let check = |input: &str, expected: Option<&str>| {
            assert_eq!(
                super::validate_name(input).ok().as_deref(),
                expected,
                "{input}"
            );
        };
        check("Alice", Some("alice"));
        check(" bob.smith ", Some("bob.smith"));
        check("a", None);
        check("-alice", None);
        check("al ice", None);
        check("élodie", None);
        check(&"x".repeat(33), None);
    }
}
