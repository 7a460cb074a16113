//! The embedded web app, served for every path outside the API.
//!
//! Files under `/assets/` have hashed names: cached for a year, never
//! revalidated. The rest (`index.html`, `sw.js`, the manifest, icons) are
//! revalidated with an ETag computed at build time. Text files come
//! precompressed (brotli, gzip) from the web build and are sent in the form
//! the client accepts, with `Vary: Accept-Encoding`; the server's dynamic
//! compression leaves a response that has a `Content-Encoding` alone.

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// One embedded file and its precompressed forms.
pub struct Asset {
    pub path: &'static str,
    pub media_type: &'static str,
    /// Content hash and length, computed by `build.rs`; quotes and the
    /// encoding's suffix are added per response.
    pub etag: &'static str,
    pub identity: &'static [u8],
    pub brotli: Option<&'static [u8]>,
    pub gzip: Option<&'static [u8]>,
}

mod embedded {
    use super::Asset;
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Serves an embedded file, or `index.html` for app routes (`/chat/...`).
pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") {
        return crate::error::ApiError::not_found(format!("no API endpoint at {path}"))
            .into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "method not allowed",
        )
            .into_response();
    }
    let asset = match find(path) {
        Some(asset) => asset,
        None if is_file_path(path) => return (StatusCode::NOT_FOUND, "not found").into_response(),
        None => find("/index.html").expect("the web app has an index.html"),
    };
    let (body, encoding) = pick_encoding(asset, &headers);
    let etag = match encoding {
        Some(encoding) => format!("\"{}-{encoding}\"", asset.etag),
        None => format!("\"{}\"", asset.etag),
    };
    let cache = if asset.path.starts_with("/assets/") {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let mut response = if not_modified(&headers, asset.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = body.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.media_type),
        );
        if let Some(encoding) = encoding {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    };
    let out = response.headers_mut();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, value);
    }
    if asset.brotli.is_some() || asset.gzip.is_some() {
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

fn find(path: &str) -> Option<&'static Asset> {
    let path = if path == "/" { "/index.html" } else { path };
    embedded::FILES.iter().find(|asset| asset.path == path)
}

/// Paths that name a file rather than a page of the app: a miss there is a
/// 404, not the app's page.
fn is_file_path(path: &str) -> bool {
    path.starts_with("/assets/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
}

/// The smallest form the client accepts: brotli, then gzip, then as is.
fn pick_encoding(asset: &Asset, headers: &HeaderMap) -> (&'static [u8], Option<&'static str>) {
    let accepted = |coding: &str| accepts(headers, coding);
    match (asset.brotli, asset.gzip) {
        (Some(br), _) if accepted("br") => (br, Some("br")),
        (_, Some(gz)) if accepted("gzip") => (gz, Some("gzip")),
        _ => (asset.identity, None),
    }
}

/// Whether `Accept-Encoding` allows `coding` (by name or `*`, with q > 0).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    let mut named = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if name.eq_ignore_ascii_case(coding) {
                named = Some(quality > 0.0);
            } else if name == "*" {
                any = Some(quality > 0.0);
            }
        }
    }
    named.or(any).unwrap_or(false)
}

/// `If-None-Match` names this file's content, in any of its encodings.
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|tag| {
            tag == "*"
                || tag
                    .strip_prefix(etag)
                    .is_some_and(|rest| matches!(rest, "" | "-br" | "-gzip"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let check = |value: &'static str, coding: &str, expected: bool| {
            assert_eq!(
                accepts(&with(header::ACCEPT_ENCODING, value), coding),
                expected,
                "{value} / {coding}"
            );
        };
        check("gzip, deflate, br, zstd", "br", true);
        check("gzip, deflate", "br", false);
        check("gzip;q=0, br", "gzip", false);
        check("*", "gzip", true);
        check("*;q=0, gzip", "br", false);
        check("BR;q=0.5", "br", true);
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }

    #[test]
    fn an_etag_matches_whatever_encoding_it_was_sent_in() {
        let check = |value: &'static str, expected: bool| {
            assert_eq!(
                not_modified(&with(header::IF_NONE_MATCH, value), "abc-12"),
                expected,
                "{value}"
            );
        };
        check("\"abc-12\"", true);
        check("\"abc-12-br\"", true);
        check("W/\"abc-12-gzip\"", true);
        check("\"other\", \"abc-12-br\"", true);
        check("*", true);
        check("\"abc-123\"", false);
        check("\"abc\"", false);
    }

    #[test]
    fn file_paths_miss_with_a_404_and_app_paths_get_the_page() {
        assert!(is_file_path("/assets/index-x.js"));
        assert!(is_file_path("/favicon.ico"));
        assert!(!is_file_path("/chat/general"));
        assert!(!is_file_path("/settings/profile"));
        assert!(find("/index.html").is_some());
    }
}
