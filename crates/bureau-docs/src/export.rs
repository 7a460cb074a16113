//! A space, or a page with the pages below it, as a folder of Markdown
//! files with their images and files beside them: what the person may
//! read, laid out like the tree (a page's sub-pages in a folder named
//! after it), links to images rewritten to the archive's own copies.

use std::collections::{HashMap, HashSet};

use bureau_core::{Principal, Result};
use bureau_store::PageRecord;

use crate::{to_markdown, Docs};

/// The folder inside the archive where images and files go.
pub const FILES_FOLDER: &str = "_files";

/// One entry of an export, in archive order.
pub struct ExportEntry {
    /// Its path in the archive; folders end with `/`.
    pub path: String,
    pub modified_ms: i64,
    pub what: Exported,
}

pub enum Exported {
    Folder,
    /// A page as Markdown ([`Docs::export_page`]).
    Page(i64),
    /// A database's rows as CSV ([`Docs::table_csv`]).
    Table(i64),
    /// An image or file of a page.
    File {
        page: i64,
        id: i64,
    },
}

/// Where each exported image or file sits in the archive, by
/// `(page, attachment)`.
pub type Links = HashMap<(i64, i64), String>;

impl Docs {
    /// The entries of an export of `space`, or of `page` and what is below
    /// it, with the name of the archive's top folder.
    pub async fn export_plan(
        &self,
        who: &Principal,
        space: i64,
        page: Option<i64>,
    ) -> Result<(String, Vec<ExportEntry>, Links)> {
        let view = self.space(who, space).await?;
        let tree: Vec<PageRecord> = self
            .tree(who, space)
            .await?
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        let (top, roots): (String, Vec<&PageRecord>) = match page {
            Some(id) => {
                let root = self.page(who, id).await?;
                let found: Vec<&PageRecord> = tree.iter().filter(|p| p.id == id).collect();
                (file_name(&root.page.title), found)
            }
            None => (
                file_name(&view.space.name),
                tree.iter().filter(|p| p.parent_id.is_none()).collect(),
            ),
        };
        let mut entries = vec![ExportEntry {
            path: format!("{top}/"),
            modified_ms: view.space.created_at,
            what: Exported::Folder,
        }];
        let mut pages = Vec::new();
        let mut queue: Vec<(String, Vec<&PageRecord>)> = vec![(top.clone(), roots)];
        while let Some((folder, siblings)) = queue.pop() {
            let mut taken = HashSet::new();
            for page in sort(siblings) {
                let name = unique(&mut taken, &file_name(&page.title));
                entries.push(ExportEntry {
                    path: format!("{folder}/{name}.md"),
                    modified_ms: page.updated_at,
                    what: Exported::Page(page.id),
                });
                pages.push(page.id);
                if page.database {
                    entries.push(ExportEntry {
                        path: format!("{folder}/{name}.csv"),
                        modified_ms: page.updated_at,
                        what: Exported::Table(page.id),
                    });
                }
                let children: Vec<&PageRecord> = tree
                    .iter()
                    .filter(|p| p.parent_id == Some(page.id))
                    .collect();
                if !children.is_empty() {
                    let sub = format!("{folder}/{name}");
                    entries.push(ExportEntry {
                        path: format!("{sub}/"),
                        modified_ms: page.updated_at,
                        what: Exported::Folder,
                    });
                    queue.push((sub, children));
                }
            }
        }
        let mut links = Links::new();
        let mut files = Vec::new();
        for page in pages {
            for file in self.ports.store.doc_attachments(page).await? {
                let path = format!("{FILES_FOLDER}/{}-{}", file.id, file_name(&file.name));
                links.insert((page, file.id), path.clone());
                files.push(ExportEntry {
                    path: format!("{top}/{path}"),
                    modified_ms: file.created_at,
                    what: Exported::File { page, id: file.id },
                });
            }
        }
        if !files.is_empty() {
            entries.push(ExportEntry {
                path: format!("{top}/{FILES_FOLDER}/"),
                modified_ms: view.space.created_at,
                what: Exported::Folder,
            });
            entries.extend(files);
        }
        Ok((top, entries, links))
    }

    /// A page as Markdown for an archive where it sits at `path`: links to
    /// its images and files point to their copies in the archive.
    pub async fn export_page(
        &self,
        who: &Principal,
        page: i64,
        path: &str,
        links: &Links,
    ) -> Result<String> {
        let view = self.page(who, page).await?;
        let doc = self.rooms.snapshot(page).await?;
        let mut text = to_markdown(&view.page.title, &doc);
        self.append_table(who, &view, &mut text).await?;
        let up = "../".repeat(path.matches('/').count().saturating_sub(1));
        Ok(rewrite_links(&text, |p, a| {
            links.get(&(p, a)).map(|to| format!("{up}{to}"))
        }))
    }

    /// An exported image or file's bytes.
    pub async fn export_file(&self, who: &Principal, page: i64, id: i64) -> Result<Vec<u8>> {
        Ok(self.attachment(who, page, id).await?.1)
    }
}

/// Pages in tree order.
fn sort(mut pages: Vec<&PageRecord>) -> Vec<&PageRecord> {
    pages.sort_by(|a, b| a.position.total_cmp(&b.position).then(a.id.cmp(&b.id)));
    pages
}

/// A title as a file name on every system: no separators or reserved
/// characters, not empty, not too long.
fn file_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').trim();
    if cleaned.is_empty() {
        "Untitled".to_string()
    } else {
        cleaned.to_string()
    }
}

/// `name`, or `name (2)`, `name (3)`... when a sibling took it.
fn unique(taken: &mut HashSet<String>, name: &str) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        candidate = format!("{name} ({n})");
        n += 1;
    }
    candidate
}

/// Replaces links to `/api/v1/pages/{page}/attachments/{id}` that `to`
/// knows.
fn rewrite_links(text: &str, to: impl Fn(i64, i64) -> Option<String>) -> String {
    const PREFIX: &str = "/api/v1/pages/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at]);
        let after = &rest[at + PREFIX.len()..];
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let page_len = digits(after);
        let tail = &after[page_len..];
        let parsed = tail.strip_prefix("/attachments/").and_then(|t| {
            let id_len = digits(t);
            let page = after[..page_len].parse().ok()?;
            let id = t[..id_len].parse().ok()?;
            Some((
                page,
                id,
                PREFIX.len() + page_len + "/attachments/".len() + id_len,
            ))
        });
        match parsed.and_then(|(page, id, len)| to(page, id).map(|link| (link, len))) {
            Some((link, len)) => {
                out.push_str(&link);
                rest = &rest[at + len..];
            }
            None => {
                out.push_str(PREFIX);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_known_files_are_rewritten() {
        let text = "![a](/api/v1/pages/3/attachments/12) [b](/api/v1/pages/3/attachments/1) \
                    [c](/api/v1/pages/4/attachments/12) /api/v1/pages/x";
        let out = rewrite_links(text, |p, a| match (p, a) {
            (3, 12) => Some("../_files/12-a.png".into()),
            (3, 1) => Some("_files/1-b.pdf".into()),
            _ => None,
        });
        assert_eq!(
            out,
            "![a](../_files/12-a.png) [b](_files/1-b.pdf) \
             [c](/api/v1/pages/4/attachments/12) /api/v1/pages/x"
        );
    }

    #[test]
    fn titles_become_safe_unique_names() {
        assert_eq!(file_name("Q3/Q4: plans?"), "Q3-Q4- plans-");
        assert_eq!(file_name(" .. "), "Untitled");
        let mut taken = HashSet::new();
        assert_eq!(unique(&mut taken, "Notes"), "Notes");
        assert_eq!(unique(&mut taken, "notes"), "notes (2)");
    }
}
