//! Templates: the built-in ones ("Procedure", "Meeting notes",
//! "Onboarding", in English and French) and pages a space keeps as
//! templates. A page made from a template starts with a copy of its
//! content.

use bureau_core::{Error, Principal, Result};
use bureau_store::{NewPage, PageChange, PageRecord};
use yrs::{
    Any, Doc, ReadTxn, StateVector, Text, Transact, TransactionMut, Xml, XmlElementPrelim,
    XmlElementRef, XmlFragment, XmlTextPrelim,
};

use crate::sync::CONTENT;
use crate::{check_title, truncate, Docs, PageView, MAX_TITLE_CHARS};

/// The built-in templates, by key.
pub const BUILTIN_TEMPLATES: [&str; 3] = ["procedure", "meeting-notes", "onboarding"];

/// What a new page starts from.
#[derive(Clone, Copy, Debug)]
pub enum Template<'a> {
    /// A built-in template, in French or English.
    Builtin { key: &'a str, french: bool },
    /// A page kept as a template (or any page the person may read).
    Page(i64),
}

/// A block of a built-in template.
enum Block {
    Heading(&'static str),
    Paragraph(&'static str),
    Bullets(&'static [&'static str]),
    Steps(&'static [&'static str]),
    Todos(&'static [&'static str]),
    Callout(&'static str, &'static str),
}

use Block::*;

const PROCEDURE_EN: &[Block] = &[
    Callout("ℹ️", "What this procedure is for, and when to follow it."),
    Heading("Before you start"),
    Bullets(&["Who may do it", "What you need: access, tools, documents"]),
    Heading("Steps"),
    Steps(&["First step", "Second step", "Check that it worked"]),
    Heading("If something goes wrong"),
    Paragraph("Who to call, and how to undo what was done."),
    Heading("About this procedure"),
    Paragraph("Owner: · Last reviewed:"),
];
const PROCEDURE_FR: &[Block] = &[
    Callout("ℹ️", "À quoi sert cette procédure, et quand la suivre."),
    Heading("Avant de commencer"),
    Bullets(&[
        "Qui peut la suivre",
        "Ce qu’il faut : accès, outils, documents",
    ]),
    Heading("Étapes"),
    Steps(&[
        "Première étape",
        "Deuxième étape",
        "Vérifier que tout a marché",
    ]),
    Heading("En cas de problème"),
    Paragraph("Qui appeler, et comment revenir en arrière."),
    Heading("À propos de cette procédure"),
    Paragraph("Responsable : · Dernière relecture :"),
];
const MEETING_EN: &[Block] = &[
    Paragraph("Date: · Participants:"),
    Heading("Agenda"),
    Bullets(&["Topic"]),
    Heading("Notes"),
    Paragraph(""),
    Heading("Decisions"),
    Bullets(&["Decision"]),
    Heading("Action items"),
    Todos(&["Who does what, by when"]),
];
const MEETING_FR: &[Block] = &[
    Paragraph("Date : · Participants :"),
    Heading("Ordre du jour"),
    Bullets(&["Sujet"]),
    Heading("Notes"),
    Paragraph(""),
    Heading("Décisions"),
    Bullets(&["Décision"]),
    Heading("Actions"),
    Todos(&["Qui fait quoi, pour quand"]),
];
const ONBOARDING_EN: &[Block] = &[
    Callout(
        "👋",
        "Welcome! This page is your checklist for your first days.",
    ),
    Heading("Day one"),
    Todos(&[
        "Set your password and your profile picture",
        "Check your laptop, webcam and connection",
        "Join your team's channels",
    ]),
    Heading("First week"),
    Todos(&[
        "Read the team's procedures",
        "Meet your buddy",
        "Join a team meeting",
    ]),
    Heading("People to meet"),
    Bullets(&["Name, role"]),
    Heading("Useful links"),
    Bullets(&["Link"]),
];
const ONBOARDING_FR: &[Block] = &[
    Callout(
        "👋",
        "Bienvenue ! Cette page est ta liste pour tes premiers jours.",
    ),
    Heading("Premier jour"),
    Todos(&[
        "Choisir ton mot de passe et ta photo de profil",
        "Vérifier ton ordinateur, ta webcam et ta connexion",
        "Rejoindre les canaux de ton équipe",
    ]),
    Heading("Première semaine"),
    Todos(&[
        "Lire les procédures de l’équipe",
        "Rencontrer ton parrain ou ta marraine",
        "Participer à une réunion d’équipe",
    ]),
    Heading("Les personnes à rencontrer"),
    Bullets(&["Nom, rôle"]),
    Heading("Liens utiles"),
    Bullets(&["Lien"]),
];

fn blocks(key: &str, french: bool) -> Option<&'static [Block]> {
    Some(match (key, french) {
        ("procedure", false) => PROCEDURE_EN,
        ("procedure", true) => PROCEDURE_FR,
        ("meeting-notes", false) => MEETING_EN,
        ("meeting-notes", true) => MEETING_FR,
        ("onboarding", false) => ONBOARDING_EN,
        ("onboarding", true) => ONBOARDING_FR,
        _ => return None,
    })
}

/// A built-in template's content as one Yjs update, in the shape the web
/// editor (TipTap on y-prosemirror) reads.
pub(crate) fn builtin_state(key: &str, french: bool) -> Option<Vec<u8>> {
    let blocks = blocks(key, french)?;
    let doc = Doc::new();
    let root = doc.get_or_insert_xml_fragment(CONTENT);
    {
        let mut txn = doc.transact_mut();
        for block in blocks {
            write_block(&mut txn, &root, block);
        }
    }
    let state = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    Some(state)
}

fn write_block(txn: &mut TransactionMut, into: &impl XmlFragment, block: &Block) {
    match block {
        Heading(text) => {
            let heading = element(txn, into, "heading");
            heading.insert_attribute(txn, "level", Any::from(2_i64));
            paragraph_text(txn, &heading, text);
        }
        Paragraph(text) => {
            let paragraph = element(txn, into, "paragraph");
            paragraph_text(txn, &paragraph, text);
        }
        Callout(icon, text) => {
            let callout = element(txn, into, "callout");
            callout.insert_attribute(txn, "icon", Any::from(*icon));
            let paragraph = element(txn, &callout, "paragraph");
            paragraph_text(txn, &paragraph, text);
        }
        Bullets(items) | Steps(items) => {
            let tag = if matches!(block, Steps(_)) {
                "orderedList"
            } else {
                "bulletList"
            };
            let list = element(txn, into, tag);
            for item in items.iter() {
                let li = element(txn, &list, "listItem");
                let paragraph = element(txn, &li, "paragraph");
                paragraph_text(txn, &paragraph, item);
            }
        }
        Todos(items) => {
            let list = element(txn, into, "taskList");
            for item in items.iter() {
                let li = element(txn, &list, "taskItem");
                li.insert_attribute(txn, "checked", Any::Bool(false));
                let paragraph = element(txn, &li, "paragraph");
                paragraph_text(txn, &paragraph, item);
            }
        }
    }
}

fn element(txn: &mut TransactionMut, into: &impl XmlFragment, tag: &str) -> XmlElementRef {
    let at = into.len(txn);
    into.insert(txn, at, XmlElementPrelim::empty(tag))
}

fn paragraph_text(txn: &mut TransactionMut, into: &XmlElementRef, text: &str) {
    if !text.is_empty() {
        let node = into.insert(txn, 0, XmlTextPrelim::new(""));
        node.insert(txn, 0, text);
    }
}

impl Docs {
    /// A new page in a space, under `parent` or at the top, starting
    /// empty or from a template.
    pub async fn create_page(
        &self,
        who: &Principal,
        space: i64,
        parent: Option<i64>,
        title: &str,
        icon: &str,
        template: Option<Template<'_>>,
    ) -> Result<PageView> {
        let start = match template {
            None => None,
            Some(Template::Builtin { key, french }) => Some(Start::State(
                builtin_state(key, french).ok_or_else(|| {
                    Error::invalid(
                        "template",
                        format!(
                            "there is no template {key:?}; there are {}",
                            BUILTIN_TEMPLATES.join(", ")
                        ),
                    )
                })?,
            )),
            Some(Template::Page(id)) => {
                self.page(who, id).await.map_err(|_| {
                    Error::invalid(
                        "template_id",
                        format!("there is no page {id} you can reach"),
                    )
                })?;
                Some(Start::Copy(id))
            }
        };
        self.create_page_with(who, space, parent, title, icon, start)
            .await
    }

    /// A new page starting with `start`'s content. The title and icon are
    /// checked here; the template, if any, was checked by the caller.
    pub(crate) async fn create_page_with(
        &self,
        who: &Principal,
        space: i64,
        parent: Option<i64>,
        title: &str,
        icon: &str,
        start: Option<Start>,
    ) -> Result<PageView> {
        let title = check_title(title)?;
        let icon = crate::check_icon(icon)?;
        self.writable_destination(who, space, parent).await?;
        let mut tx = self.ports.store.begin().await?;
        let page = tx
            .insert_page(NewPage {
                space_id: space,
                parent_id: parent,
                title,
                icon,
                by: who.user_id,
            })
            .await?;
        match start {
            None => {}
            Some(Start::State(state)) => tx.append_doc_update(page.id, &state).await?,
            Some(Start::Copy(from)) => tx.copy_doc_updates(from, page.id).await?,
            Some(Start::Database) => tx.make_database(page.id).await?,
        }
        self.tree_changed(&mut tx, space).await?;
        self.ports.commit(tx).await?;
        self.page(who, page.id).await
    }

    /// Keeps a copy of a page as a template of its space.
    pub async fn save_as_template(
        &self,
        who: &Principal,
        page: i64,
        title: Option<&str>,
    ) -> Result<PageView> {
        let view = self.page(who, page).await?;
        let space = view.page.space_id;
        self.writable_destination(who, space, None).await?;
        let title = match title {
            Some(title) => check_title(title)?.to_string(),
            None => truncate(&view.page.title, MAX_TITLE_CHARS),
        };
        let mut tx = self.ports.store.begin().await?;
        let copy = tx
            .insert_page(NewPage {
                space_id: space,
                parent_id: None,
                title: &title,
                icon: &view.page.icon,
                by: who.user_id,
            })
            .await?;
        tx.update_page(
            copy.id,
            &PageChange {
                template: Some(true),
                ..PageChange::default()
            },
            who.user_id,
        )
        .await?;
        tx.copy_doc_updates(page, copy.id).await?;
        tx.commit().await?;
        self.page(who, copy.id).await
    }

    /// The templates a space keeps that the person may read.
    pub async fn templates(&self, who: &Principal, space: i64) -> Result<Vec<PageRecord>> {
        self.space(who, space).await?;
        let mut out = Vec::new();
        for page in self.ports.store.pages_of_space(space).await? {
            if !page.template || page.archived_at.is_some() {
                continue;
            }
            if self.page(who, page.id).await.is_ok() {
                out.push(page);
            }
        }
        Ok(out)
    }
}

pub(crate) enum Start {
    State(Vec<u8>),
    Copy(i64),
    /// An empty database.
    Database,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in template exists in both languages and exports to
    /// Markdown with its headings and to-dos.
    #[test]
    fn builtin_templates_read_as_markdown() {
        for key in BUILTIN_TEMPLATES {
            for french in [false, true] {
                let state = builtin_state(key, french).expect("the template exists");
                let doc = Doc::new();
                let update = <yrs::Update as yrs::updates::decoder::Decode>::decode_v1(&state)
                    .expect("decodes");
                doc.transact_mut().apply_update(update).expect("applies");
                let markdown = crate::to_markdown("T", &doc);
                assert!(markdown.contains("\n## "), "{key} has headings: {markdown}");
                if key != "procedure" {
                    assert!(markdown.contains("- [ ] "), "{key} has to-dos: {markdown}");
                }
            }
        }
        assert!(builtin_state("nope", false).is_none());
    }
}
