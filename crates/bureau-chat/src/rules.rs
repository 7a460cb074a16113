//! What valid chat input looks like.

use bureau_core::{Error, Result, UserId};

/// Longest message, in characters (Slack's limit too).
pub const MAX_MESSAGE_CHARS: usize = 40_000;
/// Most people in a DM or group conversation.
pub const MAX_DM_PEOPLE: usize = 10;
/// Largest chat attachment.
pub const MAX_ATTACHMENT_BYTES: usize = 25 * 1024 * 1024;

#[derive(Default)]
pub(crate) struct Mentions {
    pub people: Vec<UserId>,
    pub everyone: bool,
}

/// A channel name: 1 to 80 lowercase letters (accents allowed), digits,
/// `-` and `_`; a leading `#` is dropped, spaces become dashes.
pub(crate) fn channel_name(name: &str) -> Result<String> {
    let name = name
        .trim()
        .trim_start_matches('#')
        .trim()
        .to_lowercase()
        .replace(' ', "-");
    let valid = (1..=80).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(Error::invalid(
            "name",
            "a channel name has 1 to 80 letters, digits, dashes and underscores",
        ));
    }
    Ok(name)
}

/// A topic, purpose or label: at most 250 characters, one line.
pub(crate) fn short_text(field: &'static str, text: &str) -> Result<String> {
    let text = text.trim();
    if text.chars().count() > 250 || text.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("the {field} has at most 250 characters on one line"),
        ));
    }
    Ok(text.to_string())
}

/// A message's text: not empty (unless it carries files), at most
/// [`MAX_MESSAGE_CHARS`], no control characters but newlines and tabs.
pub(crate) fn message_text(text: &str, has_files: bool) -> Result<String> {
    let text = text.trim_end().trim_start_matches(['\n', '\r']);
    if text.trim().is_empty() && !has_files {
        return Err(Error::invalid("text", "a message cannot be empty"));
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(Error::invalid(
            "text",
            format!("a message has at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid(
            "text",
            "a message cannot hold control characters",
        ));
    }
    Ok(text.replace("\r\n", "\n"))
}

/// A reaction: an emoji or a `:short_name:`, up to 32 bytes, no spaces.
pub(crate) fn emoji(text: &str) -> Result<String> {
    let text = text.trim();
    let valid = !text.is_empty()
        && text.len() <= 32
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if !valid {
        return Err(Error::invalid(
            "emoji",
            "a reaction is one emoji or a :short_name:",
        ));
    }
    Ok(text.to_string())
}

/// A file's name as shown: its last path component, 1 to 200 characters.
pub(crate) fn file_name(name: &str) -> Result<String> {
    let name = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let valid = (1..=200).contains(&name.chars().count())
        && !name.chars().any(char::is_control)
        && name != "."
        && name != "..";
    if !valid {
        return Err(Error::invalid(
            "name",
            "a file name has 1 to 200 characters",
        ));
    }
    Ok(name.to_string())
}

/// The names a text mentions with `@name`, outside code spans and blocks.
pub(crate) fn mentioned_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 1 {
                continue; // Inside `code`.
            }
            let mut rest = part;
            while let Some(at) = rest.find('@') {
                let before = rest[..at].chars().next_back();
                let after = &rest[at + 1..];
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c)))
                    .unwrap_or(after.len());
                let name = after[..end]
                    .trim_end_matches(['.', '-', '_'])
                    .to_lowercase();
                if !before.is_some_and(|c| c.is_alphanumeric()) && name.len() >= 2 {
                    names.push(name);
                }
                rest = &after[end..];
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    fn check(text: &str, expected: &[&str]) {
        assert_eq!(super::mentioned_names(text), expected, "{text}");
    }

    #[test]
    fn mentions() {
        check("hi @alice and @bob.", &["alice", "bob"]);
        check("mail me at me@example.com", &[]);
        check("@channel: release at 14:00", &["channel"]);
        check("`@alice` is code", &[]);
        check("```\n@alice\n```\n@bob", &["bob"]);
        check("@a is too short, @jean-paul is fine", &["jean-paul"]);
    }

    #[test]
    fn channel_names() {
        assert_eq!(
            super::channel_name("#Équipe Support").unwrap(),
            "équipe-support"
        );
        assert!(super::channel_name("a/b").is_err());
        assert!(super::channel_name("").is_err());
    }
}
