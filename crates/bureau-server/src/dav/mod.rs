//! WebDAV at `/dav/`: the `dav-server` crate speaks the protocol (XML,
//! conditional headers, ranges, multistatus); this module gives it a
//! filesystem and a lock system over `bureau_files::Files`, built per
//! request around the caller's [`Tree`], so every call goes through the
//! access gate. Authentication is HTTP Basic (the password, or an API
//! token as the password), or a Bearer token.

use std::io::SeekFrom;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bureau_core::{Error, Principal};
use bureau_files::{Access, Entry, FilePath, Files, LockSpec, Tree, Writer};
use bureau_store::{LockRecord, NodeRecord, PropRecord};
use bytes::Bytes;
use dav_server::davpath::DavPath;
use dav_server::fs::{
    DavDirEntry, DavFile, DavFileSystem, DavMetaData, DavProp, FsError, FsFuture, FsResult,
    FsStream, OpenOptions, ReadDirMeta,
};
use dav_server::ls::{DavLock, DavLockSystem, LsFuture};
use dav_server::DavHandler;
use futures_util::FutureExt;
use tokio::io::AsyncSeekExt;

use crate::AppState;

mod propfind;

/// Where WebDAV is served.
pub const PREFIX: &str = "/dav";
/// Bytes read from a blob per chunk of a GET.
const READ_CHUNK: usize = 256 * 1024;

/// Serves one WebDAV request.
pub async fn serve(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let who = match authenticate(&state, request.headers(), peer).await {
        Ok(who) => who,
        Err(response) => return response,
    };
    if let Some(slot) = request.extensions().get::<crate::meter::Metered>() {
        slot.set(who.user_id);
    }
    let tree = match state.files.tree(&who).await {
        Ok(tree) => Arc::new(tree),
        Err(err) => return crate::error::ApiError::from(err).into_response(),
    };
    if let Some(refusal) = refuse_read_only(&tree, &request) {
        return refusal;
    }
    if request.method().as_str() == "PROPFIND" {
        return serve_propfind(&state, &tree, request).await;
    }
    let delete_root = (request.method() == Method::DELETE)
        .then(|| request_path(request.uri().path()))
        .flatten();
    let put = (request.method() == Method::PUT)
        .then(|| request_path(request.uri().path()))
        .flatten()
        .map(|path| PutStart {
            path,
            looked: Default::default(),
        });
    let fs = DavFs {
        files: state.files.clone(),
        tree: tree.clone(),
        delete_root,
        put: put.map(Arc::new),
    };
    let locks = DavLocks {
        files: state.files.clone(),
        tree,
    };
    // Partial updates (SabreDAV's PATCH) are not offered: a file's content
    // is replaced whole, which is what versions and blobs rest on.
    let mut methods = dav_server::DavMethodSet::all();
    methods.remove(dav_server::DavMethod::Patch);
    let is_options = request.method() == Method::OPTIONS;
    let handler = DavHandler::builder()
        .strip_prefix(PREFIX)
        .methods(methods)
        .filesystem(Box::new(fs))
        .locksystem(Box::new(locks))
        .principal(who.name.clone())
        .read_buf_size(READ_CHUNK)
        .build_handler();
    let mut response = handler.handle(request).await.map(Body::new);
    if is_options {
        response
            .headers_mut()
            .insert("dav", HeaderValue::from_static("1, 2, 3"));
    }
    response
}

/// Largest PROPFIND body read (a list of property names).
const PROPFIND_BODY_LIMIT: usize = 1024 * 1024;

async fn serve_propfind(state: &AppState, tree: &Tree, request: Request) -> Response {
    let Some(path) = request_path(request.uri().path()) else {
        return crate::error::ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_path",
            "the path is not valid (bad encoding, `..` or a forbidden character)",
        )
        .into_response();
    };
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, PROPFIND_BODY_LIMIT).await {
        Ok(body) => body,
        Err(_) => {
            return crate::error::ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "a PROPFIND body is at most 1 MiB",
            )
            .into_response()
        }
    };
    propfind::propfind(&state.files, tree, &path, &parts.headers, &body).await
}

/// `OPTIONS /`: Windows' WebDAV client asks the server's root whether it
/// speaks WebDAV before it opens `/dav/`.
pub async fn options_root() -> Response {
    (
        StatusCode::OK,
        [
            ("dav", "1, 2, 3"),
            ("ms-author-via", "DAV"),
            ("allow", "OPTIONS, GET, HEAD"),
        ],
    )
        .into_response()
}

/// Basic (password or API token) or Bearer; anything else is asked for
/// credentials, as WebDAV clients expect.
async fn authenticate(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    peer: SocketAddr,
) -> Result<Principal, Response> {
    let challenge = |message: &str| {
        let mut response = crate::error::ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            message.to_string(),
        )
        .into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"bureau\", charset=\"UTF-8\""),
        );
        response
    };
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(challenge(
            "log in with your name and password (or an API token as the password)",
        ));
    };
    let result = if let Some(token) = value.strip_prefix("Bearer ") {
        state.accounts.authenticate_token(token.trim()).await
    } else if let Some((name, password)) = value
        .strip_prefix("Basic ")
        .and_then(|b| decode_basic(b.trim()))
    {
        let client = bureau_accounts::Client {
            ip: peer.ip().to_string(),
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect(),
        };
        state
            .accounts
            .authenticate_basic(&name, &password, &client)
            .await
    } else {
        return Err(challenge(
            "the Authorization header must be Basic or Bearer",
        ));
    };
    match result {
        Ok(who) => Ok(who),
        Err(Error::RateLimited { retry_after_secs }) => Err(crate::error::ApiError::from(
            Error::RateLimited { retry_after_secs },
        )
        .into_response()),
        Err(Error::Internal(cause)) => {
            Err(crate::error::ApiError::from(Error::Internal(cause)).into_response())
        }
        Err(err) => Err(challenge(&err.to_string())),
    }
}

fn decode_basic(encoded: &str) -> Option<(String, String)> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (name, password) = text.split_once(':')?;
    Some((name.to_string(), password.to_string()))
}

/// A change where the person may only read is refused before the protocol
/// machinery runs: 403, with a sentence.
fn refuse_read_only(tree: &Tree, request: &Request) -> Option<Response> {
    let writes = !matches!(
        request.method().as_str(),
        "GET" | "HEAD" | "OPTIONS" | "PROPFIND"
    );
    if !writes {
        return None;
    }
    let mut targets = vec![request_path(request.uri().path())?];
    if let Some(destination) = request
        .headers()
        .get("destination")
        .and_then(|v| v.to_str().ok())
    {
        let path = destination.find("://").map_or(destination, |at| {
            let rest = &destination[at + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        });
        targets.push(request_path(path)?);
    }
    let read_only = targets
        .iter()
        .any(|path| tree.locate(path).access == Access::Read);
    read_only.then(|| {
        crate::error::ApiError::from(Error::Forbidden(
            "you may read this folder but not change it".into(),
        ))
        .into_response()
    })
}

/// The path of the person's tree that a `/dav/...` URL path names.
fn request_path(url_path: &str) -> Option<FilePath> {
    let inner = url_path.strip_prefix(PREFIX)?;
    let decoded = percent_encoding::percent_decode_str(inner)
        .decode_utf8()
        .ok()?;
    FilePath::parse(&decoded).ok()
}

fn file_path(path: &DavPath) -> FsResult<FilePath> {
    let text = std::str::from_utf8(path.as_bytes()).map_err(|_| FsError::Forbidden)?;
    FilePath::parse(text).map_err(|_| FsError::Forbidden)
}

fn fs_error(err: Error) -> FsError {
    match err {
        Error::NotFound(_) => FsError::NotFound,
        Error::Forbidden(_) | Error::Invalid { .. } => FsError::Forbidden,
        Error::Conflict { code: "exists", .. } => FsError::Exists,
        Error::Conflict {
            code: "no_parent", ..
        } => FsError::NotFound,
        Error::Conflict { .. } => FsError::Forbidden,
        Error::QuotaExceeded(_) => FsError::InsufficientStorage,
        Error::TooLarge(_) => FsError::TooLarge,
        other => {
            tracing::error!(err = %other, "webdav: internal error");
            FsError::GeneralFailure
        }
    }
}

/// The filesystem of one request.
#[derive(Clone)]
struct DavFs {
    files: Arc<Files>,
    tree: Arc<Tree>,
    /// The target of a DELETE: dav-server removes a folder's content one
    /// by one before the folder; the whole tree goes to the trash as one
    /// item when the folder itself is removed, so the removals below it
    /// are skipped.
    delete_root: Option<FilePath>,
    /// The target of a PUT, and what the write found there.
    put: Option<Arc<PutStart>>,
}

/// dav-server asks for a PUT target's state, then opens it for writing;
/// one query answers both: the state of the folder and of the file.
struct PutStart {
    path: FilePath,
    looked: std::sync::Mutex<Option<bureau_files::Looked>>,
}

impl DavFs {
    /// The state of the PUT target `path`, kept for [`DavFs::open`]; `None`
    /// when `path` is not the PUT's target or its folder is missing (the
    /// usual path then answers).
    async fn look_for_put(&self, path: &FilePath) -> Option<FsResult<Box<dyn DavMetaData>>> {
        let put = self.put.as_ref().filter(|put| put.path == *path)?;
        let looked = self.files.look_for_write(&self.tree, path).await.ok()?;
        let meta = looked
            .existing()
            .map(|entry| Box::new(Meta::of(&entry)) as Box<dyn DavMetaData>)
            .ok_or(FsError::NotFound);
        *put.looked.lock().expect("put lock") = Some(looked);
        Some(meta)
    }

    /// The dead properties of the node at `path`. PROPFIND, which asks for
    /// them per entry, is answered by `propfind.rs` from one query; what
    /// is left here (PROPPATCH's answer, COPY) asks for one node.
    async fn props(&self, path: &FilePath) -> FsResult<Vec<PropRecord>> {
        let entry = self.files.stat(&self.tree, path).await.map_err(fs_error)?;
        self.files
            .props_of(&[entry.node.id])
            .await
            .map_err(fs_error)
    }

    fn skipped_removal(&self, path: &FilePath) -> bool {
        self.delete_root
            .as_ref()
            .is_some_and(|root| path != root && path.starts_with(root))
    }
}

impl DavFileSystem for DavFs {
    fn open<'a>(
        &'a self,
        path: &'a DavPath,
        options: OpenOptions,
    ) -> FsFuture<'a, Box<dyn DavFile>> {
        async move {
            let path = file_path(path)?;
            if !options.write {
                let (entry, file) = self.files.open(&self.tree, &path).await.map_err(fs_error)?;
                return Ok(Box::new(ReadFile {
                    meta: Meta::of(&entry),
                    file,
                }) as Box<dyn DavFile>);
            }
            let looked = self
                .put
                .as_ref()
                .filter(|put| put.path == path)
                .and_then(|put| put.looked.lock().expect("put lock").take());
            let writer = match looked {
                Some(looked) => self.files.write_looked(&self.tree, looked).await,
                None => self.files.write(&self.tree, &path).await,
            }
            .map_err(fs_error)?;
            match writer.existing() {
                Some(_) if options.create_new => return Err(FsError::Exists),
                None if !options.create && !options.create_new => return Err(FsError::NotFound),
                // Partial writes (append, Content-Range) are not offered:
                // a file's content is replaced whole.
                Some(_) if options.append || !options.truncate => {
                    return Err(FsError::NotImplemented)
                }
                _ => {}
            }
            Ok(Box::new(WriteFile {
                writer: Some(writer),
                written: None,
            }) as Box<dyn DavFile>)
        }
        .boxed()
    }

    fn read_dir<'a>(
        &'a self,
        path: &'a DavPath,
        _meta: ReadDirMeta,
    ) -> FsFuture<'a, FsStream<Box<dyn DavDirEntry>>> {
        async move {
            let path = file_path(path)?;
            let entries = self.files.list(&self.tree, &path).await.map_err(fs_error)?;
            let items: Vec<FsResult<Box<dyn DavDirEntry>>> = entries
                .iter()
                .map(|entry| {
                    Ok(Box::new(DirEntry {
                        name: entry.name.clone(),
                        meta: Meta::of(entry),
                    }) as Box<dyn DavDirEntry>)
                })
                .collect();
            Ok(Box::pin(futures_util::stream::iter(items)) as FsStream<Box<dyn DavDirEntry>>)
        }
        .boxed()
    }

    fn metadata<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, Box<dyn DavMetaData>> {
        async move {
            let path = file_path(path)?;
            if let Some(meta) = self.look_for_put(&path).await {
                return meta;
            }
            let entry = self.files.stat(&self.tree, &path).await.map_err(fs_error)?;
            Ok(Box::new(Meta::of(&entry)) as Box<dyn DavMetaData>)
        }
        .boxed()
    }

    fn create_dir<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, ()> {
        async move {
            let path = file_path(path)?;
            self.files
                .mkdir(&self.tree, &path)
                .await
                .map_err(fs_error)?;
            Ok(())
        }
        .boxed()
    }

    fn remove_dir<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, ()> {
        self.remove_file(path)
    }

    fn remove_file<'a>(&'a self, path: &'a DavPath) -> FsFuture<'a, ()> {
        async move {
            let path = file_path(path)?;
            if self.skipped_removal(&path) {
                return Ok(());
            }
            self.files.remove(&self.tree, &path).await.map_err(fs_error)
        }
        .boxed()
    }

    fn rename<'a>(&'a self, from: &'a DavPath, to: &'a DavPath) -> FsFuture<'a, ()> {
        async move {
            let (from, to) = (file_path(from)?, file_path(to)?);
            self.files
                .rename(&self.tree, &from, &to, true)
                .await
                .map_err(fs_error)?;
            Ok(())
        }
        .boxed()
    }

    fn copy<'a>(&'a self, from: &'a DavPath, to: &'a DavPath) -> FsFuture<'a, ()> {
        async move {
            let (from, to) = (file_path(from)?, file_path(to)?);
            self.files
                .copy(&self.tree, &from, &to, true)
                .await
                .map_err(fs_error)?;
            Ok(())
        }
        .boxed()
    }

    fn have_props<'a>(
        &'a self,
        _path: &'a DavPath,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        Box::pin(std::future::ready(true))
    }

    fn patch_props<'a>(
        &'a self,
        path: &'a DavPath,
        patch: Vec<(bool, DavProp)>,
    ) -> FsFuture<'a, Vec<(StatusCode, DavProp)>> {
        async move {
            let path = file_path(path)?;
            let records: Vec<(bool, PropRecord)> = patch
                .iter()
                .map(|(set, prop)| {
                    (
                        *set,
                        PropRecord {
                            node_id: 0,
                            namespace: prop.namespace.clone().unwrap_or_default(),
                            name: prop.name.clone(),
                            prefix: prop.prefix.clone(),
                            xml: prop
                                .xml
                                .as_ref()
                                .map(|x| String::from_utf8_lossy(x).into_owned()),
                        },
                    )
                })
                .collect();
            self.files
                .patch_props(&self.tree, &path, &records)
                .await
                .map_err(fs_error)?;
            Ok(patch
                .into_iter()
                .map(|(_, prop)| (StatusCode::OK, prop))
                .collect())
        }
        .boxed()
    }

    fn get_props<'a>(&'a self, path: &'a DavPath, do_content: bool) -> FsFuture<'a, Vec<DavProp>> {
        async move {
            let props = self.props(&file_path(path)?).await?;
            Ok(props.into_iter().map(|p| dav_prop(p, do_content)).collect())
        }
        .boxed()
    }

    fn get_prop<'a>(&'a self, path: &'a DavPath, prop: DavProp) -> FsFuture<'a, Vec<u8>> {
        async move {
            let props = self.props(&file_path(path)?).await?;
            let namespace = prop.namespace.unwrap_or_default();
            props
                .into_iter()
                .find(|p| p.name == prop.name && p.namespace == namespace)
                .and_then(|p| p.xml)
                .map(String::into_bytes)
                .ok_or(FsError::NotFound)
        }
        .boxed()
    }

    fn get_quota(&self) -> FsFuture<'_, (u64, Option<u64>)> {
        async move {
            let usage = Files::usage(&self.tree.home.space);
            Ok((
                usage.used.max(0) as u64,
                usage.quota.map(|q| q.max(0) as u64),
            ))
        }
        .boxed()
    }
}

fn dav_prop(prop: PropRecord, with_content: bool) -> DavProp {
    DavProp {
        name: prop.name,
        prefix: prop.prefix,
        namespace: (!prop.namespace.is_empty()).then_some(prop.namespace),
        xml: if with_content {
            prop.xml.map(String::into_bytes)
        } else {
            None
        },
    }
}

/// What WebDAV says about a node; answered from the row alone.
#[derive(Clone, Debug)]
struct Meta {
    id: i64,
    is_dir: bool,
    size: u64,
    version: i64,
    created_ms: i64,
    modified_ms: i64,
}

impl Meta {
    fn of(entry: &Entry) -> Meta {
        Meta::of_node(&entry.node)
    }

    fn of_node(node: &NodeRecord) -> Meta {
        Meta {
            id: node.id,
            is_dir: node.is_dir,
            size: node.size.max(0) as u64,
            version: node.version,
            created_ms: node.created_at,
            modified_ms: node.modified_at,
        }
    }
}

/// A file's tag changes with every new content; a folder's with its
/// modification time, which follows what it holds.
fn etag(id: i64, is_dir: bool, version: i64, modified_ms: i64) -> String {
    if is_dir {
        format!("d{id:x}-{modified_ms:x}")
    } else {
        format!("f{id:x}-{version:x}")
    }
}

fn etag_of(node: &NodeRecord) -> String {
    etag(node.id, node.is_dir, node.version, node.modified_at)
}

fn system_time(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64)
}

impl DavMetaData for Meta {
    fn len(&self) -> u64 {
        self.size
    }

    fn modified(&self) -> FsResult<SystemTime> {
        Ok(system_time(self.modified_ms))
    }

    fn created(&self) -> FsResult<SystemTime> {
        Ok(system_time(self.created_ms))
    }

    fn is_dir(&self) -> bool {
        self.is_dir
    }

    fn etag(&self) -> Option<String> {
        Some(etag(self.id, self.is_dir, self.version, self.modified_ms))
    }
}

struct DirEntry {
    name: String,
    meta: Meta,
}

impl DavDirEntry for DirEntry {
    fn name(&self) -> Vec<u8> {
        self.name.as_bytes().to_vec()
    }

    fn metadata(&self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        let meta = self.meta.clone();
        async move { Ok(Box::new(meta) as Box<dyn DavMetaData>) }.boxed()
    }

    fn is_dir(&self) -> FsFuture<'_, bool> {
        let is_dir = self.meta.is_dir;
        async move { Ok(is_dir) }.boxed()
    }
}

/// A file opened for reading: its blob.
#[derive(Debug)]
struct ReadFile {
    meta: Meta,
    file: bureau_store::BlobReader,
}

impl DavFile for ReadFile {
    fn metadata(&mut self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        let meta = self.meta.clone();
        async move { Ok(Box::new(meta) as Box<dyn DavMetaData>) }.boxed()
    }

    fn write_buf(&mut self, _buf: Box<dyn bytes::Buf + Send>) -> FsFuture<'_, ()> {
        async { Err(FsError::Forbidden) }.boxed()
    }

    fn write_bytes(&mut self, _buf: Bytes) -> FsFuture<'_, ()> {
        async { Err(FsError::Forbidden) }.boxed()
    }

    fn read_bytes(&mut self, count: usize) -> FsFuture<'_, Bytes> {
        async move {
            self.file
                .read_chunk(count)
                .await
                .map_err(|_| FsError::GeneralFailure)
        }
        .boxed()
    }

    fn seek(&mut self, pos: SeekFrom) -> FsFuture<'_, u64> {
        async move {
            self.file
                .seek(pos)
                .await
                .map_err(|_| FsError::GeneralFailure)
        }
        .boxed()
    }

    fn flush(&mut self) -> FsFuture<'_, ()> {
        async { Ok(()) }.boxed()
    }
}

/// A file being written: the bytes stream to a blob; `flush` (called once,
/// after the whole body) makes it the file's content.
struct WriteFile {
    writer: Option<Writer>,
    written: Option<NodeRecord>,
}

impl std::fmt::Debug for WriteFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteFile").finish_non_exhaustive()
    }
}

impl DavFile for WriteFile {
    fn metadata(&mut self) -> FsFuture<'_, Box<dyn DavMetaData>> {
        async move {
            let node = self.written.as_ref().ok_or(FsError::NotFound)?;
            Ok(Box::new(Meta::of_node(node)) as Box<dyn DavMetaData>)
        }
        .boxed()
    }

    fn write_buf(&mut self, mut buf: Box<dyn bytes::Buf + Send>) -> FsFuture<'_, ()> {
        async move {
            let writer = self.writer.as_mut().ok_or(FsError::GeneralFailure)?;
            while buf.has_remaining() {
                let chunk = buf.chunk();
                let n = chunk.len();
                writer.write(chunk).await.map_err(fs_error)?;
                buf.advance(n);
            }
            Ok(())
        }
        .boxed()
    }

    fn write_bytes(&mut self, buf: Bytes) -> FsFuture<'_, ()> {
        async move {
            let writer = self.writer.as_mut().ok_or(FsError::GeneralFailure)?;
            writer.write(&buf).await.map_err(fs_error)
        }
        .boxed()
    }

    fn read_bytes(&mut self, _count: usize) -> FsFuture<'_, Bytes> {
        async { Err(FsError::Forbidden) }.boxed()
    }

    fn seek(&mut self, pos: SeekFrom) -> FsFuture<'_, u64> {
        async move {
            match pos {
                SeekFrom::Start(0) => Ok(0),
                _ => Err(FsError::NotImplemented),
            }
        }
        .boxed()
    }

    fn flush(&mut self) -> FsFuture<'_, ()> {
        async move {
            if let Some(writer) = self.writer.take() {
                self.written = Some(writer.finish().await.map_err(fs_error)?);
            }
            Ok(())
        }
        .boxed()
    }
}

/// The lock system of one request: locks are rows, shared by everyone.
#[derive(Clone)]
struct DavLocks {
    files: Arc<Files>,
    tree: Arc<Tree>,
}

impl std::fmt::Debug for DavLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DavLocks").finish_non_exhaustive()
    }
}

impl DavLocks {
    fn to_dav(&self, lock: &LockRecord) -> DavLock {
        let tree_path = self
            .tree
            .path_of(lock.space_id, &lock.path)
            .unwrap_or_else(|| "/".into());
        let encoded = encode_path(&tree_path);
        let mut path = DavPath::new(&format!("{PREFIX}{encoded}"))
            .unwrap_or_else(|_| DavPath::new("/").expect("the root is a path"));
        let _ = path.set_prefix(PREFIX);
        DavLock {
            token: lock.token.clone(),
            path: Box::new(path),
            principal: Some(self.tree.who.name.clone())
                .filter(|_| lock.user_id == self.tree.who.user_id),
            owner: lock
                .owner_xml
                .as_deref()
                .and_then(|xml| xmltree::Element::parse(xml.as_bytes()).ok())
                .map(Box::new),
            timeout_at: lock.expires_at.map(system_time),
            timeout: lock
                .timeout_secs
                .map(|s| Duration::from_secs(s.max(0) as u64)),
            shared: lock.shared,
            deep: lock.deep,
        }
    }

    /// A refusal shaped as a conflicting lock, for errors the trait has no
    /// other way to report (the request ends in 423 Locked).
    fn refusal(&self, path: &DavPath) -> DavLock {
        DavLock {
            token: String::new(),
            path: Box::new(path.clone()),
            principal: None,
            owner: None,
            timeout_at: None,
            timeout: None,
            shared: false,
            deep: false,
        }
    }
}

impl DavLockSystem for DavLocks {
    fn lock(
        &self,
        path: &DavPath,
        _principal: Option<&str>,
        owner: Option<&xmltree::Element>,
        timeout: Option<Duration>,
        shared: bool,
        deep: bool,
    ) -> LsFuture<'_, Result<DavLock, DavLock>> {
        let path = path.clone();
        let owner_xml = owner.and_then(|element| {
            // The request declared `D` on an outer element; the stored
            // owner must stand alone.
            let mut element = element.clone();
            let mut namespaces = element
                .namespaces
                .clone()
                .unwrap_or_else(xmltree::Namespace::empty);
            namespaces.force_put("D", "DAV:");
            element.namespaces = Some(namespaces);
            let mut out = Vec::new();
            let config = xmltree::EmitterConfig::new().write_document_declaration(false);
            element.write_with_config(&mut out, config).ok()?;
            String::from_utf8(out).ok()
        });
        async move {
            let Ok(file) = file_path(&path) else {
                return Err(self.refusal(&path));
            };
            let spec = LockSpec {
                owner_xml: owner_xml.as_deref(),
                timeout_secs: timeout.map(|t| t.as_secs() as i64),
                shared,
                deep,
            };
            match self.files.lock(&self.tree, &file, spec).await {
                Ok(Ok(lock)) => Ok(self.to_dav(&lock)),
                Ok(Err(conflict)) => Err(self.to_dav(&conflict)),
                Err(err) => {
                    tracing::warn!(%err, "webdav: lock refused");
                    Err(self.refusal(&path))
                }
            }
        }
        .boxed()
    }

    fn unlock(&self, path: &DavPath, token: &str) -> LsFuture<'_, Result<(), ()>> {
        let (path, token) = (path.clone(), token.to_string());
        async move {
            let file = file_path(&path).map_err(|_| ())?;
            match self.files.unlock(&self.tree, &file, &token).await {
                Ok(true) => Ok(()),
                _ => Err(()),
            }
        }
        .boxed()
    }

    fn refresh(
        &self,
        path: &DavPath,
        token: &str,
        timeout: Option<Duration>,
    ) -> LsFuture<'_, Result<DavLock, ()>> {
        let (path, token) = (path.clone(), token.to_string());
        async move {
            let file = file_path(&path).map_err(|_| ())?;
            let secs = timeout.map(|t| t.as_secs() as i64);
            match self
                .files
                .refresh_lock(&self.tree, &file, &token, secs)
                .await
            {
                Ok(Some(lock)) => Ok(self.to_dav(&lock)),
                _ => Err(()),
            }
        }
        .boxed()
    }

    /// Called without a principal, this evaluates a state token of an `If`
    /// header (dav-server's only such call): RFC 4918 §10.4 says it holds
    /// only when it names a lock on the resource, so an unknown token on an
    /// unlocked resource fails the condition (412), which a plain "nothing
    /// is in the way" check would let through.
    fn check(
        &self,
        path: &DavPath,
        principal: Option<&str>,
        ignore_principal: bool,
        deep: bool,
        submitted_tokens: &[String],
    ) -> LsFuture<'_, Result<(), DavLock>> {
        let path = path.clone();
        let tokens = submitted_tokens.to_vec();
        let evaluating_if = principal.is_none();
        async move {
            let Ok(file) = file_path(&path) else {
                return Ok(());
            };
            if evaluating_if {
                return match self.files.discover_locks(&self.tree, &file).await {
                    Ok(locks) if locks.iter().any(|l| tokens.contains(&l.token)) => Ok(()),
                    _ => Err(self.refusal(&path)),
                };
            }
            match self
                .files
                .check_locks(&self.tree, &file, ignore_principal, deep, &tokens)
                .await
            {
                Ok(Ok(())) => Ok(()),
                Ok(Err(lock)) => Err(self.to_dav(&lock)),
                Err(err) => {
                    tracing::warn!(%err, "webdav: lock check failed");
                    Err(self.refusal(&path))
                }
            }
        }
        .boxed()
    }

    fn discover(&self, path: &DavPath) -> LsFuture<'_, Vec<DavLock>> {
        let path = path.clone();
        async move {
            let Ok(file) = file_path(&path) else {
                return Vec::new();
            };
            let place = self.tree.locate(&file);
            let locks = match self.files.space_locks(&place.space).await {
                Ok(locks) => locks,
                Err(err) => {
                    tracing::warn!(%err, "webdav: lock discovery failed");
                    Vec::new()
                }
            };
            bureau_files::locks_reaching(&locks, &place.path)
                .iter()
                .map(|lock| self.to_dav(lock))
                .collect()
        }
        .boxed()
    }

    fn delete(&self, path: &DavPath) -> LsFuture<'_, Result<(), ()>> {
        let path = path.clone();
        async move {
            let file = file_path(&path).map_err(|_| ())?;
            self.files
                .drop_locks(&self.tree, &file)
                .await
                .map_err(|_| ())
        }
        .boxed()
    }
}

/// Percent-encodes a `/a/b` path name by name.
pub fn encode_path(path: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    path.split('/')
        .map(|name| percent_encoding::utf8_percent_encode(name, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}
