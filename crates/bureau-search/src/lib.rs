//! The Search port: a tantivy index of chat messages that finds French and
//! English word forms ("télétravaillons" finds "télétravail"), the start of
//! a word ("télétr"), and codes ("PLT-3699").
//!
//! The index is a projection: it holds nothing the Store does not, records
//! in each commit the event sequence number it reflects, and can be dropped
//! and rebuilt (`bureau reindex`). It knows no permissions: callers pass the
//! conversations a search may look in.
//!
//! Each text is indexed three ways: French stems, English stems, and plain
//! words (lower case, accents folded, with positions for codes and prefixes).

use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{doc, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Another process holds the index folder (two processes on one data
    /// folder): the caller may keep an index in memory instead.
    #[error("the search index is in use by another bureau process")]
    Locked,
    #[error("search index: {0}")]
    Index(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(err: tantivy::TantivyError) -> SearchError {
        SearchError::Index(err.to_string())
    }
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

/// A message as the index sees it.
#[derive(Clone, Debug)]
pub struct Document {
    pub id: i64,
    pub channel_id: i64,
    pub author_id: i64,
    pub created_at_ms: i64,
    pub has_file: bool,
    pub text: String,
}

pub enum Change {
    /// Adds a message, or replaces it (an edit).
    Put(Document),
    Remove(i64),
}

/// Where a search may look, and what else the hits must be.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    /// The conversations the searcher may read; nothing is found elsewhere.
    pub channels: Vec<i64>,
    pub author: Option<i64>,
    pub after_ms: Option<i64>,
    pub before_ms: Option<i64>,
    pub has_file: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
}

struct Fields {
    id: Field,
    channel: Field,
    author: Field,
    at: Field,
    file: Field,
    fr: Field,
    en: Field,
    plain: Field,
}

pub struct Index {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    indexed_seq: AtomicI64,
}

const FRENCH: &str = "bureau_fr";
const ENGLISH: &str = "bureau_en";
const PLAIN: &str = "bureau_plain";
/// Memory the writer may use before it flushes a segment.
const WRITER_BYTES: usize = 32 * 1024 * 1024;

impl Index {
    /// Opens the index in `dir` (created if missing), or a fresh one in
    /// memory when `dir` is `None`.
    pub fn open(dir: Option<&Path>) -> Result<Index> {
        let (schema, fields) = schema();
        let index = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| SearchError::Index(format!("creating {}: {e}", dir.display())))?;
                let directory = tantivy::directory::MmapDirectory::open(dir)
                    .map_err(|e| SearchError::Index(e.to_string()))?;
                tantivy::Index::open_or_create(directory, schema)?
            }
            None => tantivy::Index::create_in_ram(schema),
        };
        for (name, analyzer) in analyzers() {
            index.tokenizers().register(name, analyzer);
        }
        let writer = index.writer(WRITER_BYTES).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => SearchError::Locked,
            other => other.into(),
        })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let seq = index
            .load_metas()?
            .payload
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        Ok(Index {
            reader,
            writer: Mutex::new(writer),
            fields,
            indexed_seq: AtomicI64::new(seq),
        })
    }

    /// The event sequence number the index reflects.
    pub fn indexed_seq(&self) -> i64 {
        self.indexed_seq.load(Ordering::Acquire)
    }

    pub fn is_empty(&self) -> bool {
        self.reader.searcher().num_docs() == 0
    }

    /// Applies changes and commits them as reflecting event `seq`; searches
    /// see them when this returns.
    pub fn write(&self, changes: Vec<Change>, seq: i64) -> Result<()> {
        let mut writer = self.writer.lock().expect("index writer lock");
        for change in changes {
            match change {
                Change::Put(document) => {
                    writer.delete_term(Term::from_field_i64(self.fields.id, document.id));
                    let f = &self.fields;
                    writer.add_document(doc!(
                        f.id => document.id,
                        f.channel => document.channel_id,
                        f.author => document.author_id,
                        f.at => document.created_at_ms,
                        f.file => i64::from(document.has_file),
                        f.fr => document.text.as_str(),
                        f.en => document.text.as_str(),
                        f.plain => document.text.as_str(),
                    ))?;
                }
                Change::Remove(id) => {
                    writer.delete_term(Term::from_field_i64(self.fields.id, id));
                }
            }
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&seq.to_string());
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        self.indexed_seq.fetch_max(seq, Ordering::AcqRel);
        Ok(())
    }

    /// Forgets everything, before a rebuild.
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer.lock().expect("index writer lock");
        writer.delete_all_documents()?;
        let mut commit = writer.prepare_commit()?;
        commit.set_payload("0");
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        self.indexed_seq.store(0, Ordering::Release);
        Ok(())
    }

    /// The best `limit` messages with every word of `words` (in some form),
    /// within `filters`, best first.
    pub fn search(&self, words: &[String], filters: &Filters, limit: usize) -> Result<Vec<Hit>> {
        if filters.channels.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in words {
            if let Some(query) = self.word_query(word) {
                clauses.push((Occur::Must, query));
            }
        }
        if clauses.is_empty() && !words.is_empty() {
            return Ok(Vec::new()); // Only punctuation: nothing to find.
        }
        let f = &self.fields;
        let channels = filters
            .channels
            .iter()
            .map(|c| Term::from_field_i64(f.channel, *c));
        clauses.push((Occur::Must, Box::new(TermSetQuery::new(channels))));
        if let Some(author) = filters.author {
            clauses.push((Occur::Must, term(f.author, author)));
        }
        if filters.has_file {
            clauses.push((Occur::Must, term(f.file, 1)));
        }
        if filters.after_ms.is_some() || filters.before_ms.is_some() {
            let bound = |value: Option<i64>, inclusive: bool| match value {
                Some(v) if inclusive => Bound::Included(Term::from_field_i64(f.at, v)),
                Some(v) => Bound::Excluded(Term::from_field_i64(f.at, v)),
                None => Bound::Unbounded,
            };
            let range = RangeQuery::new(
                bound(filters.after_ms, true),
                bound(filters.before_ms, false),
            );
            clauses.push((Occur::Must, Box::new(range)));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        if words.is_empty() {
            // Filters alone (from:@alice has:file): the newest first.
            let newest = TopDocs::with_limit(limit).order_by_fast_field::<i64>("id", Order::Desc);
            let top = searcher.search(&query, &newest)?;
            return Ok(top
                .into_iter()
                .map(|(id, _)| Hit { id, score: 0.0 })
                .collect());
        }
        let top = searcher.search(&query, &TopDocs::with_limit(limit))?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let stored: TantivyDocument = searcher.doc(address)?;
            let id = stored
                .get_first(f.id)
                .and_then(|v| v.as_i64())
                .ok_or_else(|| SearchError::Index("a document without an id".into()))?;
            hits.push(Hit { id, score });
        }
        // Equal scores: the newer message first.
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.id.cmp(&a.id)));
        Ok(hits)
    }

    /// Where `words` match in `text`, as byte ranges, in order.
    pub fn highlights(&self, text: &str, words: &[String]) -> Vec<(usize, usize)> {
        let wanted: Vec<Word> = words
            .iter()
            .flat_map(|w| {
                let parts = tokens(&mut plain_analyzer(), w);
                if parts.len() > 1 {
                    parts
                } else {
                    vec![w.clone()]
                }
            })
            .filter_map(|w| Word::of(&w))
            .collect();
        let mut plain = plain_analyzer();
        let mut stream = plain.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            let form = Word::of(&text[token.offset_from..token.offset_to]);
            let hit = form.is_some_and(|form| wanted.iter().any(|w| w.matches(&form)));
            if hit {
                out.push((token.offset_from, token.offset_to));
            }
        }
        out
    }

    fn word_query(&self, word: &str) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let tokens = tokens(&mut plain_analyzer(), word);
        if tokens.len() > 1 {
            // A code or a hyphenated word: its parts in order.
            let terms = tokens
                .iter()
                .map(|t| Term::from_field_text(f.plain, t))
                .collect();
            return Some(Box::new(PhraseQuery::new(terms)));
        }
        let plain = tokens.into_iter().next()?;
        let word = Word::of(word)?;
        let mut any: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Should, boost(text_term(f.fr, &word.french), 2.0)),
            (Occur::Should, boost(text_term(f.en, &word.english), 2.0)),
            (Occur::Should, boost(text_term(f.plain, &plain), 3.0)),
        ];
        if plain.chars().count() >= 2 && plain.chars().all(|c| c.is_ascii_alphanumeric()) {
            // The start of a word; tokens are folded to ASCII letters and digits.
            if let Ok(prefix) = RegexQuery::from_pattern(&format!("{plain}.*"), f.plain) {
                any.push((Occur::Should, Box::new(prefix)));
            }
        }
        if let Some(root) = &word.root {
            // A conjugated verb against its noun: "télétravaillons" has the
            // root "teletravaill", one letter from "teletravail".
            let term = Term::from_field_text(f.plain, root);
            any.push((
                Occur::Should,
                Box::new(FuzzyTermQuery::new_prefix(term, 1, true)),
            ));
        }
        Some(Box::new(BooleanQuery::new(any)))
    }
}

/// A word in its three indexed forms, and its French root when it looks
/// like a conjugated verb.
struct Word {
    plain: String,
    french: String,
    english: String,
    root: Option<String>,
}

impl Word {
    fn of(text: &str) -> Option<Word> {
        Some(Word {
            plain: tokens(&mut plain_analyzer(), text).into_iter().next()?,
            french: tokens(&mut stemming_analyzer(Language::French), text)
                .into_iter()
                .next()?,
            english: tokens(&mut stemming_analyzer(Language::English), text)
                .into_iter()
                .next()?,
            root: tokens(&mut plain_analyzer(), text)
                .into_iter()
                .next()
                .and_then(|plain| french_root(&plain)),
        })
    }

    /// Whether `found` (a word of a text) is a form of this searched word.
    fn matches(&self, found: &Word) -> bool {
        found.plain.starts_with(&self.plain)
            || found.french == self.french
            || found.english == self.english
            || self
                .root
                .as_ref()
                .is_some_and(|root| starts_within_one_edit(&found.plain, root))
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |tokenizer: &str, positions: bool| {
        let record = if positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let fields = Fields {
        id: builder.add_i64_field("id", INDEXED | STORED | FAST),
        channel: builder.add_i64_field("channel", INDEXED),
        author: builder.add_i64_field("author", INDEXED),
        at: builder.add_i64_field("at", INDEXED | FAST),
        file: builder.add_i64_field("file", INDEXED),
        fr: builder.add_text_field("fr", text(FRENCH, false)),
        en: builder.add_text_field("en", text(ENGLISH, false)),
        plain: builder.add_text_field("plain", text(PLAIN, true)),
    };
    (builder.build(), fields)
}

fn analyzers() -> [(&'static str, TextAnalyzer); 3] {
    [
        (FRENCH, stemming_analyzer(Language::French)),
        (ENGLISH, stemming_analyzer(Language::English)),
        (PLAIN, plain_analyzer()),
    ]
}

fn stemming_analyzer(language: Language) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(Stemmer::new(language))
        .filter(AsciiFoldingFilter)
        .build()
}

fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

fn term(field: Field, value: i64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_i64(field, value),
        IndexRecordOption::Basic,
    ))
}

fn text_term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boost(query: Box<dyn Query>, factor: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, factor))
}

/// French verb endings, longest first, as folded to ASCII.
const VERB_ENDINGS: &[&str] = &[
    "issions", "assions", "erions", "issiez", "issons", "issent", "eriez", "erons", "eront",
    "erais", "erait", "aient", "erez", "ions", "iez", "ons", "ent", "ait", "ais", "ant", "era",
    "ez", "er", "ees", "ee", "es",
];

/// The root of what looks like a conjugated French verb (an ending from
/// [`VERB_ENDINGS`] and at least five letters before it).
fn french_root(plain: &str) -> Option<String> {
    VERB_ENDINGS.iter().find_map(|ending| {
        let root = plain.strip_suffix(ending)?;
        (root.len() >= 5).then(|| root.to_string())
    })
}

/// Whether `word` starts with something one edit or less from `root`.
fn starts_within_one_edit(word: &str, root: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    let n = root.chars().count();
    (n.saturating_sub(1)..=n + 1)
        .filter(|&len| len <= chars.len())
        .any(|len| within_one_edit(&chars[..len].iter().collect::<String>(), root))
}

fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (mut i, mut j, mut edits) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        match a.len().cmp(&b.len()) {
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    edits + (a.len() - i) + (b.len() - j) <= 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(texts: &[&str]) -> Index {
        let index = Index::open(None).unwrap();
        let changes = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                Change::Put(Document {
                    id: i as i64 + 1,
                    channel_id: 1,
                    author_id: 1,
                    created_at_ms: i as i64,
                    has_file: false,
                    text: text.to_string(),
                })
            })
            .collect();
        index.write(changes, 7).unwrap();
        index
    }

    fn check(index: &Index, query: &str, expected: &[i64]) {
        let words: Vec<String> = query.split_whitespace().map(String::from).collect();
        let filters = Filters {
            channels: vec![1],
            ..Filters::default()
        };
        let mut found: Vec<i64> = index
            .search(&words, &filters, 10)
            .unwrap()
            .iter()
            .map(|h| h.id)
            .collect();
        found.sort();
        assert_eq!(found, expected, "{query}");
    }

    #[test]
    fn word_forms_prefixes_and_codes() {
        let index = index(&[
            "Le télétravail commence lundi",
            "We are working from home on Fridays",
            "Incident PLT-3699 is fixed",
            "PLT and 3699 apart",
            "Réunion à Lyon",
        ]);
        check(&index, "télétravaillons", &[1]);
        check(&index, "teletravail", &[1]);
        check(&index, "télétr", &[1]);
        check(&index, "works", &[2]);
        check(&index, "friday", &[2]);
        check(&index, "PLT-3699", &[3]);
        check(&index, "plt-3699", &[3]);
        check(&index, "reunion lyon", &[5]);
        check(&index, "lyon paris", &[]);
        assert_eq!(index.indexed_seq(), 7);
    }

    #[test]
    fn removed_and_replaced_messages() {
        let index = index(&["first draft", "second"]);
        index
            .write(
                vec![
                    Change::Remove(2),
                    Change::Put(Document {
                        id: 1,
                        channel_id: 1,
                        author_id: 1,
                        created_at_ms: 0,
                        has_file: false,
                        text: "final version".into(),
                    }),
                ],
                9,
            )
            .unwrap();
        check(&index, "draft", &[]);
        check(&index, "second", &[]);
        check(&index, "final", &[1]);
    }

    #[test]
    fn highlights_name_the_matching_words() {
        let index = Index::open(None).unwrap();
        let text = "Le télétravail et PLT-3699";
        let words = vec!["télétravaillons".to_string(), "plt-3699".to_string()];
        let ranges = index.highlights(text, &words);
        let marked: Vec<&str> = ranges.iter().map(|(a, b)| &text[*a..*b]).collect();
        assert_eq!(marked, ["télétravail", "PLT", "3699"]);
    }
}
