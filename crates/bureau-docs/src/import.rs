//! Markdown files as pages: CommonMark with tables, strikethrough and task
//! lists (pulldown-cmark) becomes the editor's blocks, in the shape
//! TipTap writes on y-prosemirror and [`to_markdown`](crate::to_markdown)
//! reads: paragraphs, headings, lists and to-dos, quotes, code blocks,
//! tables, rules and images, with bold, italic, strike, code and links.

use std::collections::HashMap;
use std::sync::Arc;

use bureau_core::{Principal, Result};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use yrs::types::Attrs;
use yrs::{
    Any, Doc, ReadTxn, StateVector, Text, Transact, TransactionMut, Xml, XmlElementPrelim,
    XmlElementRef, XmlFragment, XmlTextPrelim,
};

use crate::sync::CONTENT;
use crate::templates::Start;
use crate::{truncate, Docs, PageView, MAX_TITLE_CHARS};

/// A block or inline node being built.
enum Node {
    Element {
        tag: &'static str,
        attrs: Vec<(&'static str, Any)>,
        children: Vec<Node>,
    },
    /// Runs of text with their marks.
    Text(Vec<(String, Attrs)>),
}

/// An element still open, and whether the Markdown named it (a paragraph
/// made only because a list item held bare text is implicit).
struct Open {
    node: Node,
    implicit: bool,
}

/// Elements whose content is text and inline nodes.
const INLINE_HOLDERS: [&str; 3] = ["paragraph", "heading", "codeBlock"];

struct Builder {
    stack: Vec<Open>,
    marks: Vec<(&'static str, Any)>,
    /// Inside an image: its alt text so far.
    image: Option<(String, String, String)>,
    in_table_head: bool,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            stack: vec![Open {
                node: element("doc", Vec::new()),
                implicit: false,
            }],
            marks: Vec::new(),
            image: None,
            in_table_head: false,
        }
    }

    fn top_tag(&self) -> &'static str {
        match &self.stack.last().expect("the document stays open").node {
            Node::Element { tag, .. } => tag,
            Node::Text(_) => "",
        }
    }

    fn open(&mut self, tag: &'static str, attrs: Vec<(&'static str, Any)>, implicit: bool) {
        if !implicit {
            self.close_implicit();
        }
        self.stack.push(Open {
            node: element(tag, attrs),
            implicit,
        });
    }

    /// Closes the top element into its parent.
    fn close(&mut self) {
        if self.stack.len() < 2 {
            return;
        }
        let open = self.stack.pop().expect("checked");
        let empty_paragraph = matches!(&open.node,
            Node::Element { tag: "paragraph", children, .. } if children.is_empty());
        // A paragraph left empty by an image taken out of it goes away.
        if empty_paragraph && open.implicit {
            return;
        }
        self.push_child(open.node);
    }

    fn close_implicit(&mut self) {
        while self.stack.last().is_some_and(|open| open.implicit) {
            self.close();
        }
    }

    /// Closes up to and including the innermost element named by the
    /// Markdown (implicit paragraphs inside it first).
    fn close_named(&mut self) {
        self.close_implicit();
        self.close();
    }

    fn push_child(&mut self, child: Node) {
        if let Some(Open {
            node: Node::Element { children, .. },
            ..
        }) = self.stack.last_mut()
        {
            children.push(child);
        }
    }

    /// Somewhere inline content may go: a paragraph is opened in a list
    /// item, quote or cell that holds bare text.
    fn inline_target(&mut self) {
        if !INLINE_HOLDERS.contains(&self.top_tag()) {
            self.open("paragraph", Vec::new(), true);
        }
    }

    fn text(&mut self, text: &str) {
        if let Some((alt, _, _)) = &mut self.image {
            alt.push_str(text);
            return;
        }
        if text.is_empty() {
            return;
        }
        self.inline_target();
        let attrs: Attrs = self
            .marks
            .iter()
            .map(|(name, value)| (Arc::from(*name), value.clone()))
            .collect();
        if let Some(Open {
            node: Node::Element { children, .. },
            ..
        }) = self.stack.last_mut()
        {
            if let Some(Node::Text(runs)) = children.last_mut() {
                match runs.last_mut() {
                    Some((last, last_attrs)) if *last_attrs == attrs => last.push_str(text),
                    _ => runs.push((text.to_string(), attrs)),
                }
            } else {
                children.push(Node::Text(vec![(text.to_string(), attrs)]));
            }
        }
    }

    fn inline_element(&mut self, tag: &'static str) {
        self.inline_target();
        self.push_child(element(tag, Vec::new()));
    }

    /// An image is a block of the editor: the paragraph it sat in is
    /// split around it.
    fn image(&mut self, src: String, alt: String, title: String) {
        let image = element(
            "image",
            vec![
                ("src", Any::from(src)),
                ("alt", Any::from(alt)),
                ("title", Any::from(title)),
            ],
        );
        let reopen = match self.stack.last() {
            Some(open) if INLINE_HOLDERS.contains(&self.top_tag()) => {
                let implicit = open.implicit;
                let tag = self.top_tag();
                self.close();
                Some((tag, implicit))
            }
            _ => None,
        };
        self.push_child(image);
        if let Some((tag, _)) = reopen {
            // What follows the image goes into a paragraph of its own, made
            // only if text comes.
            if tag == "paragraph" {
                self.open("paragraph", Vec::new(), true);
            }
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(end) => self.end(end),
            Event::Text(text) => self.text(&text),
            Event::Code(code) => {
                self.marks.push(("code", empty_map()));
                self.text(&code);
                self.marks.pop();
            }
            Event::Html(html) | Event::InlineHtml(html) => self.text(&html),
            Event::InlineMath(math) | Event::DisplayMath(math) => self.text(&math),
            Event::FootnoteReference(name) => self.text(&format!("[^{name}]")),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.inline_element("hardBreak"),
            Event::Rule => {
                self.close_implicit();
                self.push_child(element("horizontalRule", Vec::new()));
            }
            Event::TaskListMarker(checked) => self.task(checked),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                if INLINE_HOLDERS.contains(&self.top_tag()) {
                    return;
                }
                self.open("paragraph", Vec::new(), false)
            }
            Tag::Heading { level, .. } => {
                let level = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H4 => 4,
                    HeadingLevel::H5 => 5,
                    HeadingLevel::H6 => 6,
                };
                self.open("heading", vec![("level", Any::from(level as i64))], false)
            }
            Tag::BlockQuote(_) => self.open("blockquote", Vec::new(), false),
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                let attrs = if language.is_empty() {
                    Vec::new()
                } else {
                    vec![("language", Any::from(language))]
                };
                self.open("codeBlock", attrs, false)
            }
            Tag::List(Some(start)) => self.open(
                "orderedList",
                vec![("start", Any::from(start as i64))],
                false,
            ),
            Tag::List(None) => self.open("bulletList", Vec::new(), false),
            Tag::Item => self.open("listItem", Vec::new(), false),
            Tag::Table(_) => self.open("table", Vec::new(), false),
            Tag::TableHead => {
                self.in_table_head = true;
                self.open("tableRow", Vec::new(), false)
            }
            Tag::TableRow => self.open("tableRow", Vec::new(), false),
            Tag::TableCell => {
                let tag = if self.in_table_head {
                    "tableHeader"
                } else {
                    "tableCell"
                };
                self.open(tag, Vec::new(), false)
            }
            Tag::Emphasis => self.marks.push(("italic", empty_map())),
            Tag::Strong => self.marks.push(("bold", empty_map())),
            Tag::Strikethrough => self.marks.push(("strike", empty_map())),
            Tag::Link { dest_url, .. } => {
                let href = HashMap::from([("href".to_string(), Any::from(dest_url.to_string()))]);
                self.marks.push(("link", Any::Map(Arc::new(href))));
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                self.image = Some((String::new(), dest_url.to_string(), title.to_string()));
            }
            // Anything else (footnotes, definition lists, HTML blocks,
            // metadata): its text goes on in the surrounding block.
            _ => {}
        }
    }

    fn end(&mut self, end: TagEnd) {
        match end {
            TagEnd::Paragraph => {
                if self.top_tag() == "paragraph" {
                    self.close();
                }
            }
            TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::Table
            | TagEnd::TableRow
            | TagEnd::TableCell => self.close_named(),
            TagEnd::TableHead => {
                self.close_named();
                self.in_table_head = false;
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => {
                self.marks.pop();
            }
            TagEnd::Image => {
                if let Some((alt, src, title)) = self.image.take() {
                    self.image(src, alt, title);
                }
            }
            _ => {}
        }
    }

    /// `- [ ]` / `- [x]`: the item is a to-do, its list a to-do list.
    fn task(&mut self, checked: bool) {
        let Some(at) = self.stack.iter().rposition(|open| {
            matches!(
                open.node,
                Node::Element {
                    tag: "listItem" | "taskItem",
                    ..
                }
            )
        }) else {
            return;
        };
        if let Node::Element { tag, attrs, .. } = &mut self.stack[at].node {
            *tag = "taskItem";
            attrs.retain(|(name, _)| *name != "checked");
            attrs.push(("checked", Any::Bool(checked)));
        }
        if at > 0 {
            if let Node::Element { tag, .. } = &mut self.stack[at - 1].node {
                if *tag == "bulletList" || *tag == "orderedList" {
                    *tag = "taskList";
                }
            }
        }
    }

    fn finish(mut self) -> Vec<Node> {
        while self.stack.len() > 1 {
            self.close();
        }
        match self.stack.pop().map(|open| open.node) {
            Some(Node::Element { children, .. }) => children,
            _ => Vec::new(),
        }
    }
}

fn element(tag: &'static str, attrs: Vec<(&'static str, Any)>) -> Node {
    Node::Element {
        tag,
        attrs,
        children: Vec::new(),
    }
}

fn empty_map() -> Any {
    Any::Map(Arc::new(HashMap::new()))
}

/// A Markdown text's title (a first `# heading`, taken out of the body)
/// and its content as one Yjs update.
pub fn markdown_to_state(markdown: &str) -> (Option<String>, Vec<u8>) {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut builder = Builder::new();
    for event in Parser::new_ext(markdown, options) {
        builder.event(event);
    }
    let mut blocks = builder.finish();
    let title = match blocks.first() {
        Some(Node::Element {
            tag: "heading",
            attrs,
            children,
        }) if attrs
            .iter()
            .any(|(k, v)| *k == "level" && *v == Any::from(1_i64)) =>
        {
            Some(text_of(children))
        }
        _ => None,
    };
    if title.is_some() {
        blocks.remove(0);
    }
    let doc = Doc::new();
    let root = doc.get_or_insert_xml_fragment(CONTENT);
    {
        let mut txn = doc.transact_mut();
        for block in blocks {
            write(&mut txn, &root, block);
        }
    }
    let state = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    (title, state)
}

fn text_of(children: &[Node]) -> String {
    let mut out = String::new();
    for child in children {
        match child {
            Node::Text(runs) => runs.iter().for_each(|(text, _)| out.push_str(text)),
            Node::Element { children, .. } => out.push_str(&text_of(children)),
        }
    }
    out
}

fn write(txn: &mut TransactionMut, into: &impl XmlFragment, node: Node) {
    let at = into.len(txn);
    match node {
        Node::Element {
            tag,
            attrs,
            children,
        } => {
            let element: XmlElementRef = into.insert(txn, at, XmlElementPrelim::empty(tag));
            for (name, value) in attrs {
                element.insert_attribute(txn, name, value);
            }
            let last = children.len();
            for (i, child) in children.into_iter().enumerate() {
                // A code block's text ends without the fence's newline.
                let child = match child {
                    Node::Text(mut runs) if tag == "codeBlock" && i + 1 == last => {
                        if let Some((text, _)) = runs.last_mut() {
                            while text.ends_with('\n') {
                                text.pop();
                            }
                        }
                        Node::Text(runs)
                    }
                    other => other,
                };
                write(txn, &element, child);
            }
        }
        Node::Text(runs) => {
            let text = into.insert(txn, at, XmlTextPrelim::new(""));
            // Text typed after a mark carries it on unless told not to:
            // every mark met so far is named, null where it stops.
            let mut met: Vec<Arc<str>> = Vec::new();
            for (piece, mut attrs) in runs {
                for name in &met {
                    attrs.entry(name.clone()).or_insert(Any::Null);
                }
                for name in attrs.keys() {
                    if !met.contains(name) {
                        met.push(name.clone());
                    }
                }
                let end = text.len(txn);
                text.insert_with_attributes(txn, end, &piece, attrs);
            }
        }
    }
}

impl Docs {
    /// A page made from a Markdown file, at the top of `space` or under
    /// `parent`. Its title is the file's first `# heading`, else the file's
    /// name without `.md`.
    pub async fn import_markdown(
        &self,
        who: &Principal,
        space: i64,
        parent: Option<i64>,
        file_name: &str,
        markdown: &str,
    ) -> Result<PageView> {
        let (heading, state) = markdown_to_state(markdown);
        let from_name = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(file_name)
            .trim_end_matches(".markdown")
            .trim_end_matches(".md")
            .trim_end_matches(".txt");
        let title = heading.unwrap_or_else(|| from_name.to_string());
        let title = truncate(title.replace(char::is_control, " ").trim(), MAX_TITLE_CHARS);
        self.create_page_with(who, space, parent, &title, "", Some(Start::State(state)))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::updates::decoder::Decode;

    fn round_trip(markdown: &str) -> (Option<String>, String) {
        let (title, state) = markdown_to_state(markdown);
        let doc = Doc::new();
        doc.transact_mut()
            .apply_update(yrs::Update::decode_v1(&state).unwrap())
            .unwrap();
        (title, crate::to_markdown("T", &doc))
    }

    /// What the export writes, the import reads back to the same blocks.
    #[test]
    fn markdown_comes_back_as_blocks() {
        let source = "# Returns\n\nIntro with **bold**, *italic*, ~~gone~~, `code` and \
                      [a link](https://example.com).\n\n## Steps\n\n1. First\n2. Second\n\n\
                      - [ ] To do\n- [x] Done\n\n- plain\n  - nested\n\n> Quoted\n\n\
                      ```rust\nfn main() {}\n```\n\n---\n\n| A | B |\n| --- | --- |\n| 1 | 2 |\n\n\
                      ![Screen](/api/v1/pages/1/attachments/2)\n";
        let (title, out) = round_trip(source);
        assert_eq!(title.as_deref(), Some("Returns"));
        for expected in [
            "Intro with **bold**, _italic_, ~~gone~~, `code` and [a link](https://example.com).",
            "## Steps",
            "1. First",
            "2. Second",
            "- [ ] To do",
            "- [x] Done",
            "- plain",
            "  - nested",
            "> Quoted",
            "```rust\nfn main() {}\n```",
            "---",
            "| A | B |",
            "| 1 | 2 |",
            "![Screen](/api/v1/pages/1/attachments/2)",
        ] {
            assert!(out.contains(expected), "{expected:?} missing from:\n{out}");
        }
        assert!(!out.contains("# Returns"), "{out}");
    }

    #[test]
    fn a_file_without_a_heading_has_no_title() {
        let (title, out) = round_trip("Just a line.\nAnd another.");
        assert_eq!(title, None);
        assert!(out.contains("Just a line. And another."), "{out}");
        let (_, empty) = markdown_to_state("");
        assert!(!empty.is_empty());
    }
}
