//! Search over page titles and content: French and English word forms and
//! the start of words, through the same tantivy analysers as chat
//! (`bureau-search`). The index holds each page's title and text under its
//! space; a search looks only in the person's spaces, and every hit passes
//! [`Docs::page`] before it is shown, so restricted pages stay hidden.
//!
//! The index is a projection that follows the Store: every
//! [`INDEX_EVERY`] it reindexes the pages whose content or settings
//! changed since its last pass (with a margin for transactions that
//! committed late), and records that time in its commit. An empty index
//! starts from zero, which reindexes everything.

use std::sync::Arc;
use std::time::Duration;

use bureau_core::{Error, Principal, Result};
use bureau_search::{Change, Document, Filters};
use yrs::types::text::YChange;
use yrs::{Any, Doc, Out, ReadTxn, Text, Transact, Xml, XmlFragment, XmlOut};

use crate::sync::CONTENT;
use crate::{Docs, PageView};

/// How often the index catches up with the Store.
pub const INDEX_EVERY: Duration = Duration::from_secs(2);
/// Changes stored this long before a pass are looked at again, for
/// transactions that committed after the pass read.
const MARGIN_MS: i64 = 5_000;
/// Words in one search, at most.
const MAX_WORDS: usize = 12;
/// Characters of context on each side of a snippet's first match.
const CONTEXT_CHARS: usize = 80;

/// A page found, with where the words matched.
pub struct PageHit {
    pub view: PageView,
    /// A piece of the page's text around the first match.
    pub snippet: String,
    /// Byte ranges of the matches within `snippet`.
    pub highlights: Vec<(usize, usize)>,
}

impl Docs {
    /// Pages the person may read whose title or text has every word of
    /// `query` (in some form), best first; within one space if given.
    pub async fn search(
        &self,
        who: &Principal,
        query: &str,
        space: Option<i64>,
        limit: usize,
    ) -> Result<Vec<PageHit>> {
        let words: Vec<String> = query
            .split_whitespace()
            .take(MAX_WORDS)
            .map(str::to_string)
            .collect();
        if words.is_empty() {
            return Err(Error::invalid("q", "type at least one word to search for"));
        }
        let spaces: Vec<i64> = match space {
            Some(id) => vec![self.space(who, id).await?.space.id],
            None => self
                .spaces(who)
                .await?
                .into_iter()
                .map(|s| s.space.id)
                .collect(),
        };
        let index = self.search.clone();
        let filters = Filters {
            channels: spaces,
            ..Filters::default()
        };
        let wanted = words.clone();
        // Some hits may be pages the person may not read: ask for more.
        let hits = tokio::task::spawn_blocking(move || index.search(&wanted, &filters, limit * 4))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        let mut out = Vec::new();
        for hit in hits {
            let Ok(view) = self.page(who, hit.id).await else {
                continue;
            };
            if view.archived || view.page.template {
                continue;
            }
            let doc = self.rooms.snapshot(view.page.id).await?;
            let text = format!("{}\n{}", view.page.title, plain_text(&doc));
            let (snippet, highlights) = self.snippet(&text, &words);
            out.push(PageHit {
                view,
                snippet,
                highlights,
            });
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }

    fn snippet(&self, text: &str, words: &[String]) -> (String, Vec<(usize, usize)>) {
        let all = self.search.highlights(text, words);
        let first = all.first().map_or(0, |(start, _)| *start);
        let start = back_chars(text, first, CONTEXT_CHARS);
        let end = forward_chars(text, first, CONTEXT_CHARS * 2);
        let piece = &text[start..end];
        // Line breaks read as spaces in one line of context; same length.
        let snippet = piece.replace('\n', " ");
        let highlights = all
            .into_iter()
            .filter(|(s, e)| *s >= start && *e <= end)
            .map(|(s, e)| (s - start, e - start))
            .collect();
        (snippet, highlights)
    }

    /// Keeps the search index following the Store. Runs for the life of
    /// the process.
    pub async fn follow_content(self: Arc<Docs>) {
        let mut tick = tokio::time::interval(INDEX_EVERY);
        loop {
            tick.tick().await;
            if let Err(err) = self.index_changes().await {
                tracing::warn!(%err, "docs: the search index did not catch up; retrying");
            }
        }
    }

    /// One pass: reindexes the pages changed since the last one.
    pub async fn index_changes(&self) -> Result<usize> {
        let started = bureau_core::time::now_ms();
        let since = self.search.indexed_seq();
        let store = &self.ports.store;
        let changed = store.pages_changed_since(since).await?;
        let mut changes = Vec::with_capacity(changed.len());
        for id in &changed {
            let chain = store.page_chain(*id).await?;
            let Some(page) = chain.first() else {
                changes.push(Change::Remove(*id));
                continue;
            };
            if page.template || chain.iter().any(|p| p.archived_at.is_some()) {
                changes.push(Change::Remove(*id));
                continue;
            }
            let doc = self.rooms.snapshot(*id).await?;
            changes.push(Change::Put(Document {
                id: page.id,
                channel_id: page.space_id,
                author_id: page.updated_by.map_or(0, |u| u.0),
                created_at_ms: page.updated_at,
                has_file: false,
                // The title twice: a word in it weighs more.
                text: format!("{}\n{}\n{}", page.title, page.title, plain_text(&doc)),
            }));
        }
        let count = changes.len();
        let cursor = (started - MARGIN_MS).max(since);
        if count == 0 && cursor == since {
            return Ok(0);
        }
        let index = self.search.clone();
        tokio::task::spawn_blocking(move || index.write(changes, cursor))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        Ok(count)
    }
}

/// A page's text, one line per block, without formatting.
pub fn plain_text(doc: &Doc) -> String {
    let root = doc.get_or_insert_xml_fragment(CONTENT);
    let txn = doc.transact();
    let mut out = String::new();
    for child in root.children(&txn) {
        collect(&txn, child, &mut out);
    }
    out.trim_end().to_string()
}

fn collect<T: ReadTxn>(txn: &T, node: XmlOut, out: &mut String) {
    match node {
        XmlOut::Element(element) => {
            match element.tag().as_ref() {
                "hardBreak" => out.push('\n'),
                "mention" => {
                    if let Some(Out::Any(Any::String(label))) = element.get_attribute(txn, "label")
                    {
                        out.push('@');
                        out.push_str(&label);
                    }
                }
                _ => {}
            }
            for child in element.children(txn) {
                collect(txn, child, out);
            }
            let block = !matches!(element.tag().as_ref(), "mention" | "hardBreak");
            if block && !out.ends_with('\n') && !out.is_empty() {
                out.push('\n');
            }
        }
        XmlOut::Text(text) => {
            for chunk in text.diff(txn, YChange::identity) {
                if let Out::Any(Any::String(piece)) = chunk.insert {
                    out.push_str(&piece);
                }
            }
        }
        XmlOut::Fragment(fragment) => {
            for child in fragment.children(txn) {
                collect(txn, child, out);
            }
        }
    }
}

/// The byte index `chars` characters before `at` (at most), on a word
/// start when one is near.
fn back_chars(text: &str, at: usize, chars: usize) -> usize {
    let mut start = at;
    for (i, _) in text[..at].char_indices().rev().take(chars) {
        start = i;
    }
    if start == 0 {
        return 0;
    }
    match text[start..at].find(char::is_whitespace) {
        Some(space) => start + space + 1,
        None => start,
    }
}

/// The byte index `chars` characters after `from` (at most).
fn forward_chars(text: &str, from: usize, chars: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{XmlElementPrelim, XmlTextPrelim};

    #[test]
    fn plain_text_has_one_line_per_block() {
        let doc = Doc::new();
        let root = doc.get_or_insert_xml_fragment(CONTENT);
        {
            let mut txn = doc.transact_mut();
            for words in ["Télétravail", "Le VPN se lance avant Teams."] {
                let p = root.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
                let text = p.push_back(&mut txn, XmlTextPrelim::new(""));
                let bold =
                    yrs::types::Attrs::from([(Arc::from("bold"), Any::Map(Default::default()))]);
                text.insert_with_attributes(&mut txn, 0, words, bold);
            }
        }
        assert_eq!(
            plain_text(&doc),
            "Télétravail\nLe VPN se lance avant Teams."
        );
    }

    #[test]
    fn context_stays_on_character_boundaries() {
        let text = "é".repeat(200) + " mot " + &"à".repeat(200);
        let at = text.find("mot").unwrap();
        let start = back_chars(&text, at, 10);
        let end = forward_chars(&text, at, 10);
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        assert!(text[start..end].contains("mot"));
    }
}
