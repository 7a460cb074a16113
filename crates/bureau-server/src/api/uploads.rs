//! Resumable uploads: the tus 1.0 protocol (core, creation, termination,
//! checksum) at `/api/v1/uploads`. A person uploads with their session
//! (and CSRF token) or an API token; a visitor of a writing or drop-box
//! link with `X-Share-Token` (and `X-Share-Pass` or `X-Share-Password`,
//! percent-encoded).
//!
//! `Upload-Metadata` carries `filename` (or `name`) and `folder` (a path in
//! the uploader's tree, or below the shared folder; `/` by default).

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::Router;
use base64::Engine;
use bureau_core::Error;
use bureau_files::{FilePath, ShareVisit, Tree, UploadSpec, Uploader, MAX_UPLOAD_BYTES};
use bureau_store::UploadRecord;
use futures_util::StreamExt;
use sha1::Digest;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::AppState;

const TUS_VERSION: &str = "1.0.0";
/// tus's status for a chunk whose checksum does not match.
const CHECKSUM_MISMATCH: u16 = 460;

/// The tus routes (mounted without body limit or timeout).
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/uploads",
            on(MethodFilter::OPTIONS, options).post(create),
        )
        .route(
            "/api/v1/uploads/{id}",
            on(MethodFilter::HEAD, status)
                .patch(append)
                .delete(terminate)
                .options(options),
        )
}

/// Who uploads: a person (their tree) or a link's visitor.
enum Who {
    Person(Tree),
    Visitor(ShareVisit),
}

impl Who {
    fn uploader(&self) -> Uploader<'_> {
        match self {
            Who::Person(tree) => Uploader::Person(tree),
            Who::Visitor(visit) => Uploader::Visitor(visit),
        }
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn who(state: &AppState, request: Request) -> Result<(Who, Request), Response> {
    let secret = header_text(request.headers(), "x-share-token");
    if let Some(secret) = secret {
        let password = super::files::share_password(request.headers()).map_err(reply_error)?;
        let pass = header_text(request.headers(), "x-share-pass");
        let visit = state
            .files
            .visit(&secret, password.as_deref(), pass.as_deref())
            .await
            .map_err(reply_error)?;
        return Ok((Who::Visitor(visit), request));
    }
    let (mut parts, body) = request.into_parts();
    let auth = Auth::from_request_parts(&mut parts, state)
        .await
        .map_err(with_tus)?;
    let tree = state
        .files
        .tree(&auth.principal)
        .await
        .map_err(reply_error)?;
    Ok((Who::Person(tree), Request::from_parts(parts, body)))
}

fn with_tus(error: ApiError) -> Response {
    let mut response = error.into_response();
    response.headers_mut().insert(
        HeaderName::from_static("tus-resumable"),
        HeaderValue::from_static(TUS_VERSION),
    );
    response
}

fn reply_error(error: Error) -> Response {
    with_tus(ApiError::from(error))
}

fn bad(status: StatusCode, code: &'static str, message: &str) -> Response {
    with_tus(ApiError::new(status, code, message.to_string()))
}

fn tus_headers(status: StatusCode, extra: &[(&'static str, String)]) -> Response {
    let mut response = status.into_response();
    let headers = response.headers_mut();
    headers.insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    for (name, value) in extra {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(*name, value);
        }
    }
    response
}

/// Every request but OPTIONS must say it speaks tus 1.0.0.
fn check_version(headers: &HeaderMap) -> Result<(), Response> {
    match headers.get("tus-resumable").and_then(|v| v.to_str().ok()) {
        Some(TUS_VERSION) => Ok(()),
        _ => {
            let mut response = bad(
                StatusCode::PRECONDITION_FAILED,
                "tus_version",
                "send `Tus-Resumable: 1.0.0`: this server speaks tus 1.0.0",
            );
            response
                .headers_mut()
                .insert("tus-version", HeaderValue::from_static(TUS_VERSION));
            Err(response)
        }
    }
}

async fn options() -> Response {
    tus_headers(
        StatusCode::NO_CONTENT,
        &[
            ("tus-version", TUS_VERSION.into()),
            ("tus-extension", "creation,termination,checksum".into()),
            ("tus-max-size", MAX_UPLOAD_BYTES.to_string()),
            ("tus-checksum-algorithm", "sha1,sha256".into()),
        ],
    )
}

/// `Upload-Metadata`: comma-separated `key base64(value)` pairs.
fn metadata(headers: &HeaderMap) -> Result<Vec<(String, String)>, Response> {
    let Some(raw) = headers.get("upload-metadata") else {
        return Ok(Vec::new());
    };
    let malformed = || {
        bad(
            StatusCode::BAD_REQUEST,
            "upload_metadata",
            "Upload-Metadata must be comma-separated `key base64value` pairs",
        )
    };
    let raw = raw.to_str().map_err(|_| malformed())?;
    raw.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once(' ').unwrap_or((pair, ""));
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .map_err(|_| malformed())?;
            let value = String::from_utf8(bytes).map_err(|_| malformed())?;
            Ok((key.to_string(), value))
        })
        .collect()
}

/// Upload-Length, and the file name and folder from Upload-Metadata.
#[allow(clippy::result_large_err)]
fn creation_request(headers: &HeaderMap) -> Result<(i64, String, FilePath), Response> {
    let Some(length) = headers
        .get("upload-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|n| *n >= 0)
    else {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            "upload_length",
            "send Upload-Length: the file's size in bytes (deferred lengths are not supported)",
        ));
    };
    if length > MAX_UPLOAD_BYTES {
        return Err(bad(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!("an upload may be at most {} GiB", MAX_UPLOAD_BYTES >> 30),
        ));
    }
    let meta = metadata(headers)?;
    let find = |key: &str| meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let Some(name) = find("filename").or_else(|| find("name")) else {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            "upload_metadata",
            "Upload-Metadata must name the file: `filename <base64>`",
        ));
    };
    let folder =
        FilePath::parse(&find("folder").unwrap_or_else(|| "/".into())).map_err(reply_error)?;
    Ok((length, name, folder))
}

async fn create(State(state): State<AppState>, request: Request) -> Response {
    if let Err(response) = check_version(request.headers()) {
        return response;
    }
    let (who, request) = match who(&state, request).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let parsed = creation_request(request.headers());
    let (length, name, folder) = match parsed {
        Ok(parsed) => parsed,
        Err(response) => return response,
    };
    let spec = UploadSpec {
        folder: &folder,
        name: &name,
        length,
    };
    let upload = match state.files.create_upload(who.uploader(), spec).await {
        Ok(upload) => upload,
        Err(err) => return reply_error(err),
    };
    if length == 0 {
        if let Err(err) = state.files.finish_upload(who.uploader(), &upload).await {
            return reply_error(err);
        }
    }
    tus_headers(
        StatusCode::CREATED,
        &[
            ("location", format!("/api/v1/uploads/{}", upload.id)),
            ("upload-offset", "0".into()),
        ],
    )
}

async fn find_upload(
    state: &AppState,
    request: Request,
    id: &str,
) -> Result<(Who, UploadRecord, Request), Response> {
    check_version(request.headers())?;
    let (who, request) = who(state, request).await?;
    let upload = state
        .files
        .upload(who.uploader(), id)
        .await
        .map_err(reply_error)?;
    Ok((who, upload, request))
}

async fn status(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    request: Request,
) -> Response {
    match find_upload(&state, request, &id).await {
        Ok((_, upload, _)) => tus_headers(
            StatusCode::OK,
            &[
                ("upload-offset", upload.received.to_string()),
                ("upload-length", upload.length.to_string()),
            ],
        ),
        Err(response) => response,
    }
}

async fn terminate(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    request: Request,
) -> Response {
    match find_upload(&state, request, &id).await {
        Ok((_, upload, _)) => match state.files.cancel_upload(&upload).await {
            Ok(()) => tus_headers(StatusCode::NO_CONTENT, &[]),
            Err(err) => reply_error(err),
        },
        Err(response) => response,
    }
}

/// A chunk's expected checksum, from `Upload-Checksum: <algorithm> <base64>`.
enum Checksum {
    Sha1(sha1::Sha1, Vec<u8>),
    Sha256(sha2::Sha256, Vec<u8>),
}

impl Checksum {
    fn parse(headers: &HeaderMap) -> Result<Option<Checksum>, Response> {
        let Some(raw) = headers.get("upload-checksum") else {
            return Ok(None);
        };
        let malformed = || {
            bad(
                StatusCode::BAD_REQUEST,
                "upload_checksum",
                "Upload-Checksum must be `sha1 <base64>` or `sha256 <base64>`",
            )
        };
        let raw = raw.to_str().map_err(|_| malformed())?;
        let (algorithm, value) = raw.split_once(' ').ok_or_else(malformed)?;
        let expected = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .map_err(|_| malformed())?;
        match algorithm {
            "sha1" => Ok(Some(Checksum::Sha1(sha1::Sha1::new(), expected))),
            "sha256" => Ok(Some(Checksum::Sha256(sha2::Sha256::new(), expected))),
            _ => Err(malformed()),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Checksum::Sha1(hasher, _) => hasher.update(bytes),
            Checksum::Sha256(hasher, _) => hasher.update(bytes),
        }
    }

    fn matches(self) -> bool {
        match self {
            Checksum::Sha1(hasher, expected) => hasher.finalize().as_slice() == expected,
            Checksum::Sha256(hasher, expected) => hasher.finalize().as_slice() == expected,
        }
    }
}

/// Upload-Offset and Upload-Checksum of a PATCH, checked.
#[allow(clippy::result_large_err)]
fn chunk_request(headers: &HeaderMap) -> Result<(i64, Option<Checksum>), Response> {
    if headers.get("content-type").and_then(|v| v.to_str().ok())
        != Some("application/offset+octet-stream")
    {
        return Err(bad(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
            "a PATCH must be `Content-Type: application/offset+octet-stream`",
        ));
    }
    let Some(offset) = headers
        .get("upload-offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
    else {
        return Err(bad(
            StatusCode::BAD_REQUEST,
            "upload_offset",
            "send Upload-Offset: the byte the chunk starts at",
        ));
    };
    Ok((offset, Checksum::parse(headers)?))
}

async fn append(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    request: Request,
) -> Response {
    let (who, upload, request) = match find_upload(&state, request, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let parsed = chunk_request(request.headers());
    let (offset, mut checksum) = match parsed {
        Ok(parsed) => parsed,
        Err(response) => return response,
    };
    let mut appender = match state.files.append(upload, offset).await {
        Ok(appender) => appender,
        Err(err) => return reply_error(err),
    };
    let mut body = Body::into_data_stream(request.into_body());
    let mut cut = false;
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            // The connection broke: keep what arrived (tus resumes there),
            // unless a checksum must vouch for the whole chunk.
            cut = true;
            break;
        };
        if let Some(checksum) = checksum.as_mut() {
            checksum.update(&chunk);
        }
        if let Err(err) = appender.write(&chunk).await {
            return reply_error(err);
        }
    }
    if let Some(checksum) = checksum {
        if cut || !checksum.matches() {
            // Nothing of this chunk is acknowledged; the next PATCH cuts it.
            return bad(
                StatusCode::from_u16(CHECKSUM_MISMATCH).expect("460 is a status"),
                "checksum_mismatch",
                "the chunk does not match its Upload-Checksum; send it again",
            );
        }
    }
    let upload = match state.files.commit_append(appender).await {
        Ok(upload) => upload,
        Err(err) => return reply_error(err),
    };
    let mut extra = vec![("upload-offset", upload.received.to_string())];
    if upload.received == upload.length {
        match state.files.finish_upload(who.uploader(), &upload).await {
            Ok(node) => extra.push(("x-file-id", node.id.to_string())),
            Err(err) => return reply_error(err),
        }
    }
    tus_headers(StatusCode::NO_CONTENT, &extra)
}
