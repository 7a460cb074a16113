//! PROPFIND (RFC 4918 §9.1), answered by bureau itself rather than by
//! dav-server: listings are what WebDAV clients ask for most, and they
//! are answered here from the rows of one listing query, one dead-property
//! query and one lock query, written straight into the body. (dav-server
//! builds an XML tree per property and leaves unknown properties out of
//! the answer instead of reporting them 404.)

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bureau_files::{Entry, FilePath, Files, Tree};
use bureau_store::{LockRecord, PropRecord};

use super::{encode_path, PREFIX};

/// What a PROPFIND asks for.
enum Asked {
    /// Every live property (but the quota ones) and every dead one, plus
    /// the named extra ones (`include`).
    All(Vec<Name>),
    /// Only the names of the properties.
    Names,
    /// These properties.
    Some(Vec<Name>),
}

/// A property's name: its namespace (empty for none) and local name.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Name {
    namespace: String,
    local: String,
}

const DAV: &str = "DAV:";

/// Live properties every resource has, in the order they are written.
const LIVE: &[&str] = &[
    "creationdate",
    "displayname",
    "getcontentlength",
    "getcontenttype",
    "getetag",
    "getlastmodified",
    "lockdiscovery",
    "resourcetype",
    "supportedlock",
];

/// Answers a PROPFIND of `path` with the request `body`.
pub async fn propfind(
    files: &Files,
    tree: &Tree,
    path: &FilePath,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let asked = match parse(body) {
        Ok(asked) => asked,
        Err(why) => return plain(StatusCode::BAD_REQUEST, why),
    };
    let depth = match headers.get("depth").map(|v| v.as_bytes()) {
        Some(b"0") => 0,
        Some(b"1") => 1,
        Some(b"infinity") | None => {
            return dav_error(StatusCode::FORBIDDEN, "<D:propfind-finite-depth/>")
        }
        Some(_) => return plain(StatusCode::BAD_REQUEST, "Depth is 0, 1 or infinity"),
    };
    let top = match files.stat(tree, path).await {
        Ok(entry) => entry,
        Err(err) => return crate::error::ApiError::from(err).into_response(),
    };
    let mut entries = vec![(path.clone(), top)];
    if depth == 1 && entries[0].1.node.is_dir {
        match files.list(tree, path).await {
            Ok(children) => {
                for child in children {
                    let Ok(child_path) = path.join(&child.name) else {
                        continue;
                    };
                    entries.push((child_path, child));
                }
            }
            Err(err) => return crate::error::ApiError::from(err).into_response(),
        }
    }
    let ids: Vec<i64> = entries.iter().map(|(_, e)| e.node.id).collect();
    let mut dead: HashMap<i64, Vec<PropRecord>> = HashMap::new();
    let wants_dead =
        !matches!(&asked, Asked::Some(names) if names.iter().all(|n| n.namespace == DAV));
    if wants_dead {
        match files.props_of(&ids).await {
            Ok(props) => {
                for prop in props {
                    dead.entry(prop.node_id).or_default().push(prop);
                }
            }
            Err(err) => return crate::error::ApiError::from(err).into_response(),
        }
    }
    let wants_locks = match &asked {
        Asked::All(_) => true,
        Asked::Names => false,
        Asked::Some(names) => names
            .iter()
            .any(|n| n.namespace == DAV && n.local == "lockdiscovery"),
    };
    let mut locks: HashMap<i64, Vec<LockRecord>> = HashMap::new();
    let mut usage = None;
    if let Asked::Some(names) = &asked {
        if names
            .iter()
            .any(|n| n.namespace == DAV && n.local.starts_with("quota-"))
        {
            let place = tree.locate(path);
            usage = Some(Files::usage(&place.space));
        }
    }
    let mut out = String::with_capacity(256 + entries.len() * 640);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">");
    for (entry_path, entry) in &entries {
        let reaching = if wants_locks {
            let place = tree.locate(entry_path);
            if let std::collections::hash_map::Entry::Vacant(slot) = locks.entry(place.space.id) {
                slot.insert(files.space_locks(&place.space).await.unwrap_or_default());
            }
            bureau_files::locks_reaching(&locks[&place.space.id], &place.path)
        } else {
            Vec::new()
        };
        let resource = Resource {
            href: href(entry_path, entry.node.is_dir),
            entry,
            dead: dead.get(&entry.node.id).map(Vec::as_slice).unwrap_or(&[]),
            locks: &reaching,
            tree,
            usage,
        };
        resource.write(&asked, &mut out);
    }
    out.push_str("</D:multistatus>\n");
    (
        StatusCode::MULTI_STATUS,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        Body::from(out),
    )
        .into_response()
}

/// The `href` of a path of the tree: `/dav/a%20b/`, folders with a slash.
pub fn href(path: &FilePath, is_dir: bool) -> String {
    let mut href = format!("{PREFIX}{}", encode_path(&path.to_slash_path()));
    if is_dir && !href.ends_with('/') {
        href.push('/');
    }
    href
}

fn parse(body: &[u8]) -> Result<Asked, &'static str> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Asked::All(Vec::new()));
    }
    let root = xmltree::Element::parse(body).map_err(|_| "the body is not well-formed XML")?;
    if root.name != "propfind" || root.namespace.as_deref() != Some(DAV) {
        return Err("the body must be a DAV: propfind element");
    }
    let children: Vec<&xmltree::Element> = root
        .children
        .iter()
        .filter_map(|c| c.as_element())
        .collect();
    let names_in = |element: &xmltree::Element| -> Vec<Name> {
        element
            .children
            .iter()
            .filter_map(|c| c.as_element())
            .map(|e| Name {
                namespace: e.namespace.clone().unwrap_or_default(),
                local: e.name.clone(),
            })
            .collect()
    };
    let is =
        |e: &&xmltree::Element, name: &str| e.name == name && e.namespace.as_deref() == Some(DAV);
    if let Some(prop) = children.iter().find(|e| is(e, "prop")) {
        return Ok(Asked::Some(names_in(prop)));
    }
    if children.iter().any(|e| is(e, "propname")) {
        return Ok(Asked::Names);
    }
    if children.iter().any(|e| is(e, "allprop")) {
        let include = children
            .iter()
            .find(|e| is(e, "include"))
            .map(|e| names_in(e))
            .unwrap_or_default();
        return Ok(Asked::All(include));
    }
    Err("a propfind holds prop, propname or allprop")
}

struct Resource<'a> {
    href: String,
    entry: &'a Entry,
    dead: &'a [PropRecord],
    locks: &'a [LockRecord],
    tree: &'a Tree,
    usage: Option<bureau_files::Usage>,
}

impl Resource<'_> {
    fn write(&self, asked: &Asked, out: &mut String) {
        let _ = write!(out, "<D:response><D:href>{}</D:href>", self.href);
        let mut found = String::new();
        let mut missing = String::new();
        match asked {
            Asked::Names => {
                for live in LIVE {
                    if *live == "getcontentlength" && self.entry.node.is_dir {
                        continue;
                    }
                    let _ = write!(found, "<D:{live}/>");
                }
                for prop in self.dead {
                    empty_element(&mut found, &prop.namespace, &prop.name);
                }
            }
            Asked::All(include) => {
                for live in LIVE {
                    self.live(live, &mut found);
                }
                for prop in self.dead {
                    found.push_str(dead_xml(prop));
                }
                for name in include {
                    if name.namespace == DAV && !LIVE.contains(&name.local.as_str()) {
                        self.named(name, &mut found, &mut missing);
                    }
                }
            }
            Asked::Some(names) => {
                for name in names {
                    self.named(name, &mut found, &mut missing);
                }
            }
        }
        if !found.is_empty() {
            let _ = write!(
                out,
                "<D:propstat><D:prop>{found}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
            );
        }
        if !missing.is_empty() {
            let _ = write!(
                out,
                "<D:propstat><D:prop>{missing}</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>"
            );
        }
        out.push_str("</D:response>");
    }

    /// One asked-for property: into `found` with its value, or `missing`.
    fn named(&self, name: &Name, found: &mut String, missing: &mut String) {
        if name.namespace == DAV && self.live(&name.local, found) {
            return;
        }
        if let Some(prop) = self
            .dead
            .iter()
            .find(|p| p.namespace == name.namespace && p.name == name.local)
        {
            found.push_str(dead_xml(prop));
            return;
        }
        empty_element(missing, &name.namespace, &name.local);
    }

    /// Writes a live property; false when the resource has no such one.
    fn live(&self, local: &str, out: &mut String) -> bool {
        let node = &self.entry.node;
        match local {
            "creationdate" => {
                let _ = write!(
                    out,
                    "<D:creationdate>{}</D:creationdate>",
                    bureau_core::time::rfc3339(node.created_at)
                );
            }
            "displayname" => {
                let _ = write!(
                    out,
                    "<D:displayname>{}</D:displayname>",
                    escape(&self.entry.name)
                );
            }
            "getcontentlength" => {
                if node.is_dir {
                    return false;
                }
                let _ = write!(out, "<D:getcontentlength>{}</D:getcontentlength>", node.size);
            }
            "getcontenttype" => {
                let mime = if node.is_dir {
                    "httpd/unix-directory"
                } else {
                    node.mime.as_str()
                };
                let _ = write!(out, "<D:getcontenttype>{}</D:getcontenttype>", escape(mime));
            }
            "getetag" => {
                let _ = write!(out, "<D:getetag>\"{}\"</D:getetag>", super::etag_of(node));
            }
            "getlastmodified" => {
                let _ = write!(
                    out,
                    "<D:getlastmodified>{}</D:getlastmodified>",
                    httpdate::fmt_http_date(super::system_time(node.modified_at))
                );
            }
            "resourcetype" => {
                out.push_str(if node.is_dir {
                    "<D:resourcetype><D:collection/></D:resourcetype>"
                } else {
                    "<D:resourcetype/>"
                });
            }
            "supportedlock" => out.push_str(
                "<D:supportedlock>\
                 <D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>\
                 <D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>\
                 </D:supportedlock>",
            ),
            "lockdiscovery" => {
                out.push_str("<D:lockdiscovery>");
                for lock in self.locks {
                    self.activelock(lock, out);
                }
                out.push_str("</D:lockdiscovery>");
            }
            "quota-used-bytes" => match self.usage {
                Some(usage) => {
                    let _ = write!(out, "<D:quota-used-bytes>{}</D:quota-used-bytes>", usage.used);
                }
                None => return false,
            },
            "quota-available-bytes" => match self.usage.and_then(|u| u.quota.map(|q| (q - u.used).max(0))) {
                Some(left) => {
                    let _ = write!(out, "<D:quota-available-bytes>{left}</D:quota-available-bytes>");
                }
                None => return false,
            },
            _ => return false,
        }
        true
    }

    fn activelock(&self, lock: &LockRecord, out: &mut String) {
        let scope = if lock.shared { "shared" } else { "exclusive" };
        let depth = if lock.deep { "infinity" } else { "0" };
        let timeout = match lock.timeout_secs {
            Some(secs) => format!("Second-{secs}"),
            None => "Infinite".into(),
        };
        let root = self
            .tree
            .path_of(lock.space_id, &lock.path)
            .and_then(|p| FilePath::parse(&p).ok())
            .map(|p| href(&p, false))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:{scope}/></D:lockscope>\
             <D:depth>{depth}</D:depth>{}<D:timeout>{timeout}</D:timeout>\
             <D:locktoken><D:href>{}</D:href></D:locktoken><D:lockroot><D:href>{root}</D:href></D:lockroot></D:activelock>",
            lock.owner_xml.as_deref().map(strip_declaration).unwrap_or_default(),
            escape(&lock.token),
        );
    }
}

/// A stored dead property, as the XML element it was set with.
fn dead_xml(prop: &PropRecord) -> &str {
    prop.xml
        .as_deref()
        .map(strip_declaration)
        .unwrap_or_default()
}

fn strip_declaration(xml: &str) -> &str {
    match xml.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(xml, |(_, after)| after.trim_start()),
        None => xml,
    }
}

/// `<ns0:name xmlns:ns0="namespace"/>` (or without a namespace).
fn empty_element(out: &mut String, namespace: &str, local: &str) {
    if namespace == DAV {
        let _ = write!(out, "<D:{local}/>");
    } else if namespace.is_empty() {
        let _ = write!(out, "<{local} xmlns=\"\"/>");
    } else {
        let _ = write!(out, "<ns0:{local} xmlns:ns0=\"{}\"/>", escape(namespace));
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn plain(status: StatusCode, message: &'static str) -> Response {
    crate::error::ApiError::new(status, "bad_request", message).into_response()
}

fn dav_error(status: StatusCode, condition: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\">{condition}</D:error>\n"),
    )
        .into_response()
}
