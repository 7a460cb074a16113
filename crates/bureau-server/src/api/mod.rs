//! The `/api/v1` endpoints, one module per capability.

pub mod accounts;
pub mod chat;
pub mod doc_history;
pub mod doc_tables;
pub mod doc_transfer;
pub mod docs;
pub mod files;
pub mod uploads;
pub mod views;
pub mod zip;

/// A `Content-Disposition` value naming `name` in any language (RFC 6266).
pub fn content_disposition(disposition: &str, name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("{disposition}; filename*=UTF-8''{encoded}")
}
