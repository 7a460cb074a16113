//! The `/api/v1` endpoints, one module per capability.

pub mod accounts;
pub mod chat;
pub mod doc_history;
pub mod doc_tables;
pub mod doc_transfer;
pub mod docs;
pub mod files;
pub mod meetings;
pub mod office;
pub mod office_meter;
pub mod office_tools;
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

/// A request's whole body, up to `limit` bytes; past it, 413 saying
/// `too_large` (what is at most how big).
pub(crate) async fn whole_body(
    request: axum::extract::Request,
    limit: usize,
    too_large: &str,
) -> Result<bytes::Bytes, crate::error::ApiError> {
    axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| {
            crate::error::ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                too_large,
            )
        })
}

/// The request's `Content-Type`, or `application/octet-stream`.
pub(crate) fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string()
}
