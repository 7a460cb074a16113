//! Which uploaded files a browser may show inline.

/// The type an uploaded file is served with: its claimed type when a
/// browser shows it safely inline (images, PDF, plain text), otherwise
/// `application/octet-stream`, which downloads. HTML or SVG from a user
/// would otherwise run in the site's origin.
pub fn inline_safe(claimed: &str) -> String {
    let claimed = claimed
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let safe = [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
    ];
    if safe.contains(&claimed.as_str()) {
        claimed
    } else {
        "application/octet-stream".to_string()
    }
}
