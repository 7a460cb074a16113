//! A page's content as Markdown (CommonMark with GitHub's task lists and
//! tables). The web editor keeps a page in the Yjs XML fragment `default`
//! as ProseMirror does: one element per block, named after its node type
//! (`paragraph`, `heading` with `level`, `bulletList`, `taskItem` with
//! `checked`...), and text whose formatting attributes are its marks
//! (`bold`, `italic`, `strike`, `code`, `link` with `href`). Images are
//! `image` (`src`, `alt`), files `fileAttachment` (`href`, `name`), and
//! mentions `mention` (`id`, `label`, `kind`: `person` or `page`).

use yrs::types::text::YChange;
use yrs::types::Attrs;
use yrs::{
    Any, Doc, GetString, Out, ReadTxn, Text, Transact, Xml, XmlElementRef, XmlFragment, XmlOut,
};

/// The name of the XML fragment the editor writes a page into.
pub const FRAGMENT: &str = "default";

/// The page as Markdown, its title first as a level-1 heading.
pub fn to_markdown(title: &str, doc: &Doc) -> String {
    let fragment = doc.get_or_insert_xml_fragment(FRAGMENT);
    let txn = doc.transact();
    let mut out = String::new();
    if !title.is_empty() {
        out.push_str("# ");
        out.push_str(&escape(title));
        out.push_str("\n\n");
    }
    let blocks: Vec<XmlOut> = fragment.children(&txn).collect();
    write_blocks(&txn, &blocks, "", &mut out);
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

fn write_blocks<T: ReadTxn>(txn: &T, blocks: &[XmlOut], indent: &str, out: &mut String) {
    for block in blocks {
        match block {
            XmlOut::Element(element) => write_block(txn, element, indent, out),
            XmlOut::Text(text) => {
                line(out, indent, &inline_text(txn, text));
                out.push('\n');
            }
            XmlOut::Fragment(_) => {}
        }
    }
}

fn write_block<T: ReadTxn>(txn: &T, element: &XmlElementRef, indent: &str, out: &mut String) {
    let children: Vec<XmlOut> = element.children(txn).collect();
    match element.tag().as_ref() {
        "paragraph" => {
            line(out, indent, &inline(txn, &children));
            out.push('\n');
        }
        "heading" => {
            let level = attr(txn, element, "level")
                .and_then(|l| l.parse::<f64>().ok())
                .map_or(1, |l| l.clamp(1.0, 6.0) as usize);
            line(
                out,
                indent,
                &format!("{} {}", "#".repeat(level), inline(txn, &children)),
            );
            out.push('\n');
        }
        "blockquote" | "callout" => {
            let mut inner = String::new();
            if let Some(icon) = attr(txn, element, "icon").filter(|i| !i.is_empty()) {
                inner.push_str(&icon);
                inner.push(' ');
            }
            write_blocks(txn, &children, "", &mut inner);
            for text in inner.trim_end().lines() {
                line(out, indent, &format!("> {text}").trim_end().to_string());
            }
            out.push('\n');
        }
        "bulletList" | "orderedList" | "taskList" => {
            let ordered = element.tag().as_ref() == "orderedList";
            let start = attr(txn, element, "start")
                .and_then(|s| s.parse::<f64>().ok())
                .map_or(1, |s| s as i64);
            for (i, item) in children.iter().enumerate() {
                let XmlOut::Element(item) = item else {
                    continue;
                };
                let marker = if ordered {
                    format!("{}. ", start + i as i64)
                } else if item.tag().as_ref() == "taskItem" {
                    let checked = attr(txn, item, "checked").is_some_and(|c| c == "true");
                    format!("- [{}] ", if checked { 'x' } else { ' ' })
                } else {
                    "- ".to_string()
                };
                let mut inner = String::new();
                let parts: Vec<XmlOut> = item.children(txn).collect();
                write_blocks(txn, &parts, "", &mut inner);
                let pad = " ".repeat(marker.len());
                for (n, text) in inner.trim_end().lines().enumerate() {
                    if n == 0 {
                        line(out, indent, &format!("{marker}{text}"));
                    } else if text.is_empty() {
                        out.push('\n');
                    } else {
                        line(out, indent, &format!("{pad}{text}"));
                    }
                }
            }
            out.push('\n');
        }
        "codeBlock" => {
            let language = attr(txn, element, "language").unwrap_or_default();
            let code: String = children
                .iter()
                .map(|c| match c {
                    XmlOut::Text(text) => text.get_string(txn),
                    _ => String::new(),
                })
                .collect();
            let fence = if code.contains("```") { "~~~~" } else { "```" };
            line(out, indent, &format!("{fence}{language}"));
            for text in code.lines() {
                line(out, indent, text);
            }
            line(out, indent, fence);
            out.push('\n');
        }
        "horizontalRule" => {
            line(out, indent, "---");
            out.push('\n');
        }
        "image" => {
            let src = attr(txn, element, "src").unwrap_or_default();
            let alt = attr(txn, element, "alt").unwrap_or_default();
            line(out, indent, &format!("![{}]({src})", escape(&alt)));
            out.push('\n');
        }
        "fileAttachment" => {
            let href = attr(txn, element, "href").unwrap_or_default();
            let name = attr(txn, element, "name").unwrap_or_default();
            line(out, indent, &format!("[{}]({href})", escape(&name)));
            out.push('\n');
        }
        "table" => write_table(txn, &children, indent, out),
        "details" => {
            // A toggle: its summary in bold, its content below.
            for part in &children {
                let XmlOut::Element(part) = part else {
                    continue;
                };
                let inner: Vec<XmlOut> = part.children(txn).collect();
                if part.tag().as_ref() == "detailsSummary" {
                    line(out, indent, &format!("**{}**", inline(txn, &inner)));
                    out.push('\n');
                } else {
                    write_blocks(txn, &inner, indent, out);
                }
            }
        }
        _ => write_blocks(txn, &children, indent, out),
    }
}

fn write_table<T: ReadTxn>(txn: &T, rows: &[XmlOut], indent: &str, out: &mut String) {
    let mut cells: Vec<Vec<String>> = Vec::new();
    for row in rows {
        let XmlOut::Element(row) = row else { continue };
        let mut texts = Vec::new();
        for cell in row.children(txn) {
            let XmlOut::Element(cell) = cell else {
                continue;
            };
            let mut inner = String::new();
            let parts: Vec<XmlOut> = cell.children(txn).collect();
            write_blocks(txn, &parts, "", &mut inner);
            let text = inner.split_whitespace().collect::<Vec<_>>().join(" ");
            texts.push(text.replace('|', "\\|"));
        }
        cells.push(texts);
    }
    let width = cells.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 {
        return;
    }
    for (i, row) in cells.iter().enumerate() {
        let mut row = row.clone();
        row.resize(width, String::new());
        line(out, indent, &format!("| {} |", row.join(" | ")));
        if i == 0 {
            line(out, indent, &format!("|{}", " --- |".repeat(width)));
        }
    }
    out.push('\n');
}

fn line(out: &mut String, indent: &str, text: &str) {
    out.push_str(indent);
    out.push_str(text);
    out.push('\n');
}

fn attr<T: ReadTxn>(txn: &T, element: &XmlElementRef, name: &str) -> Option<String> {
    element.get_attribute(txn, name).map(|value| match value {
        Out::Any(Any::String(s)) => s.to_string(),
        other => other.to_string(txn),
    })
}

fn inline<T: ReadTxn>(txn: &T, children: &[XmlOut]) -> String {
    let mut out = String::new();
    for child in children {
        match child {
            XmlOut::Text(text) => out.push_str(&inline_text(txn, text)),
            XmlOut::Element(element) => match element.tag().as_ref() {
                "hardBreak" => out.push_str("  \n"),
                "mention" => {
                    let label = attr(txn, element, "label").unwrap_or_default();
                    if attr(txn, element, "kind").is_some_and(|k| k == "page") {
                        let id = attr(txn, element, "id").unwrap_or_default();
                        out.push_str(&format!("[{}](/docs/{id})", escape(&label)));
                    } else {
                        out.push('@');
                        out.push_str(&escape(&label));
                    }
                }
                "image" => {
                    let src = attr(txn, element, "src").unwrap_or_default();
                    let alt = attr(txn, element, "alt").unwrap_or_default();
                    out.push_str(&format!("![{}]({src})", escape(&alt)));
                }
                _ => {
                    let inner: Vec<XmlOut> = element.children(txn).collect();
                    out.push_str(&inline(txn, &inner));
                }
            },
            XmlOut::Fragment(_) => {}
        }
    }
    out
}

fn inline_text<T: ReadTxn>(txn: &T, text: &yrs::XmlTextRef) -> String {
    let mut out = String::new();
    for chunk in text.diff(txn, |_: YChange| ()) {
        let Out::Any(Any::String(s)) = &chunk.insert else {
            continue;
        };
        out.push_str(&marked(s, chunk.attributes.as_deref()));
    }
    out
}

/// A run of text with its marks as Markdown.
fn marked(text: &str, marks: Option<&Attrs>) -> String {
    let Some(marks) = marks else {
        return escape(text);
    };
    if marks.contains_key("code") {
        let ticks = if text.contains('`') { "``" } else { "`" };
        return format!("{ticks}{text}{ticks}");
    }
    let mut out = escape(text);
    for (mark, wrap) in [("bold", "**"), ("italic", "_"), ("strike", "~~")] {
        if marks.contains_key(mark) {
            out = format!("{wrap}{out}{wrap}");
        }
    }
    if let Some(Any::Map(link)) = marks.get("link") {
        if let Some(Any::String(href)) = link.get("href") {
            out = format!("[{out}]({href})");
        }
    }
    out
}

/// Escapes what Markdown would read as markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{XmlElementPrelim, XmlTextPrelim};

    #[test]
    fn blocks_and_marks_become_markdown() {
        let doc = Doc::new();
        let fragment = doc.get_or_insert_xml_fragment(FRAGMENT);
        {
            let mut txn = doc.transact_mut();
            let heading = fragment.push_back(&mut txn, XmlElementPrelim::empty("heading"));
            heading.insert_attribute(&mut txn, "level", "2");
            heading.push_back(&mut txn, XmlTextPrelim::new("Arrivée"));
            let para = fragment.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
            let text = para.push_back(&mut txn, XmlTextPrelim::new("Read the "));
            let mut bold = Attrs::new();
            bold.insert("bold".into(), Any::Map(Default::default()));
            text.insert_with_attributes(&mut txn, 9, "guide", bold);
            let list = fragment.push_back(&mut txn, XmlElementPrelim::empty("taskList"));
            let item = list.push_back(&mut txn, XmlElementPrelim::empty("taskItem"));
            item.insert_attribute(&mut txn, "checked", "true");
            let p = item.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
            p.push_back(&mut txn, XmlTextPrelim::new("Laptop *ready*"));
        }
        let markdown = to_markdown("Onboarding", &doc);
        assert_eq!(
            markdown,
            "# Onboarding\n\n## Arrivée\n\nRead the **guide**\n\n- [x] Laptop \\*ready\\*\n"
        );
    }

    #[test]
    fn images_files_and_mentions_become_markdown() {
        let doc = Doc::new();
        let fragment = doc.get_or_insert_xml_fragment(FRAGMENT);
        {
            let mut txn = doc.transact_mut();
            let image = fragment.push_back(&mut txn, XmlElementPrelim::empty("image"));
            image.insert_attribute(&mut txn, "src", "/api/v1/pages/3/attachments/7");
            image.insert_attribute(&mut txn, "alt", "plan.png");
            let file = fragment.push_back(&mut txn, XmlElementPrelim::empty("fileAttachment"));
            file.insert_attribute(&mut txn, "href", "/api/v1/pages/3/attachments/8");
            file.insert_attribute(&mut txn, "name", "budget_2025.xlsx");
            file.insert_attribute(&mut txn, "size", Any::from(2048.0));
            let para = fragment.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
            para.push_back(&mut txn, XmlTextPrelim::new("Ask "));
            let person = para.push_back(&mut txn, XmlElementPrelim::empty("mention"));
            person.insert_attribute(&mut txn, "id", "2");
            person.insert_attribute(&mut txn, "label", "Léa Dubois");
            person.insert_attribute(&mut txn, "kind", "person");
            para.push_back(&mut txn, XmlTextPrelim::new(" about "));
            let page = para.push_back(&mut txn, XmlElementPrelim::empty("mention"));
            page.insert_attribute(&mut txn, "id", "12");
            page.insert_attribute(&mut txn, "label", "Travel [2025]");
            page.insert_attribute(&mut txn, "kind", "page");
        }
        assert_eq!(
            to_markdown("", &doc),
            "![plan.png](/api/v1/pages/3/attachments/7)\n\n\
             [budget\\_2025.xlsx](/api/v1/pages/3/attachments/8)\n\n\
             Ask @Léa Dubois about [Travel \\[2025\\]](/docs/12)\n"
        );
    }
}
