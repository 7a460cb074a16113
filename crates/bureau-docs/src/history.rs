//! Around a page's content: its versions, its comment threads and its
//! public read-only link. Every call goes through [`Docs::page`] first.

use bureau_accounts::secrets;
use bureau_core::{Credential, Error, NewEvent, Principal, Result, Role, Scope, UserId};
use bureau_store::{DocAttachmentRecord, DocCommentRecord, DocVersionRecord, PageRecord};
use serde_json::json;
use yrs::updates::decoder::Decode;
use yrs::{ReadTxn, StateVector, Transact, Update};

use crate::{truncate, Docs, PageView};

/// Longest version name, in characters.
pub const MAX_VERSION_NAME_CHARS: usize = 100;
/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 10_000;
/// Longest quoted selection kept with a thread, in characters.
pub const MAX_QUOTE_CHARS: usize = 500;
/// People one comment may mention.
pub const MAX_MENTIONS: usize = 50;
/// Event sent to a person mentioned in a comment.
pub const MENTIONED: &str = "docs.mentioned";
/// Prefix of a public link's secret.
const PUBLIC_PREFIX: &str = "bpl_";

/// A comment to post: a new thread (on a selection when `quote` is set)
/// or a reply.
pub struct NewComment<'a> {
    pub body: &'a str,
    pub thread: Option<i64>,
    pub quote: Option<&'a str>,
    pub mentions: &'a [UserId],
}

/// The key under which a page's document notes comment changes.
pub const COMMENTS_CHANGED: &str = "comments";

/// Largest image or file in a page, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 50 << 20;

/// A page as someone holding its public link sees it.
pub struct PublicPage {
    pub page: PageRecord,
    /// The page the link was made for, and those between it and this one.
    pub breadcrumbs: Vec<(i64, String, String)>,
    /// The pages right below it, in order.
    pub children: Vec<PageRecord>,
    /// The content, as one Yjs update.
    pub state: Vec<u8>,
}

impl Docs {
    // ---- versions ------------------------------------------------------

    /// A page's versions, newest first.
    pub async fn versions(&self, who: &Principal, page: i64) -> Result<Vec<DocVersionRecord>> {
        self.page(who, page).await?;
        Ok(self.ports.store.doc_versions(page).await?)
    }

    /// Stores the page's content as it stands as a named version.
    pub async fn save_version(
        &self,
        who: &Principal,
        page: i64,
        name: &str,
    ) -> Result<DocVersionRecord> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_VERSION_NAME_CHARS {
            return Err(Error::invalid(
                "name",
                format!("a version's name has 1 to {MAX_VERSION_NAME_CHARS} characters"),
            ));
        }
        self.page(who, page).await?.writable()?;
        let state = self.stored_state(page).await?;
        Ok(self
            .ports
            .store
            .insert_doc_version(page, Some(name), Some(who.user_id), &state)
            .await?)
    }

    /// One version and its content (a Yjs update holding the whole state).
    pub async fn version(
        &self,
        who: &Principal,
        page: i64,
        id: i64,
    ) -> Result<(DocVersionRecord, Vec<u8>)> {
        self.page(who, page).await?;
        self.ports
            .store
            .doc_version(page, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("page {page} has no version {id}")))
    }

    /// One version's content as Markdown.
    pub async fn version_markdown(&self, who: &Principal, page: i64, id: i64) -> Result<String> {
        let view = self.page(who, page).await?;
        let (_, state) = self.version(who, page, id).await?;
        let doc = yrs::Doc::new();
        let update = Update::decode_v1(&state).map_err(Error::internal)?;
        doc.transact_mut()
            .apply_update(update)
            .map_err(Error::internal)?;
        Ok(crate::to_markdown(&view.page.title, &doc))
    }

    /// Makes a version the page's content again, live for everyone on the
    /// page. The content it replaces is kept as an automatic version first,
    /// so a restore can itself be undone.
    pub async fn restore_version(&self, who: &Principal, page: i64, id: i64) -> Result<PageView> {
        let view = self.page(who, page).await?;
        view.writable()?;
        if !view.can_edit() {
            return Err(Error::Forbidden(
                "this page is locked or archived: unlock or restore it first".into(),
            ));
        }
        let (_, state) = self.version(who, page, id).await?;
        let current = self.stored_state(page).await?;
        self.ports
            .store
            .insert_doc_version(page, None, Some(who.user_id), &current)
            .await?;
        self.rooms.restore(page, view.page.space_id, state).await?;
        Ok(view)
    }

    async fn stored_state(&self, page: i64) -> Result<Vec<u8>> {
        let doc = self.rooms.snapshot(page).await?;
        let state = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        Ok(state)
    }

    // ---- images and files ---------------------------------------------

    /// Stores an image or file for a page's content; whoever may edit the
    /// content may add one.
    pub async fn attach(
        &self,
        who: &Principal,
        page: i64,
        name: &str,
        mime: &str,
        bytes: Vec<u8>,
    ) -> Result<DocAttachmentRecord> {
        let view = self.page(who, page).await?;
        if !view.can_edit() {
            view.writable()?;
            return Err(Error::Forbidden(
                "this page is locked or archived: unlock or restore it first".into(),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 255 || name.contains(['/', '\\', '\0']) {
            return Err(Error::invalid(
                "name",
                "a file name has 1 to 255 characters and no slash",
            ));
        }
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(Error::TooLarge(format!(
                "an image or file in a page is at most {} MiB; share larger files through Files",
                MAX_ATTACHMENT_BYTES >> 20
            )));
        }
        let mime = bureau_core::mime::inline_safe(mime);
        let size = bytes.len() as i64;
        let blob = self.ports.blobs.put(bytes).await?;
        Ok(self
            .ports
            .store
            .insert_doc_attachment(page, blob.as_str(), name, &mime, size, who.user_id)
            .await?)
    }

    /// An image or file of a page the person may read, with its bytes.
    pub async fn attachment(
        &self,
        who: &Principal,
        page: i64,
        id: i64,
    ) -> Result<(DocAttachmentRecord, Vec<u8>)> {
        self.page(who, page).await?;
        self.attachment_bytes(page, id).await
    }

    async fn attachment_bytes(&self, page: i64, id: i64) -> Result<(DocAttachmentRecord, Vec<u8>)> {
        let missing = || Error::NotFound(format!("page {page} has no file {id}"));
        let record = self
            .ports
            .store
            .doc_attachment(page, id)
            .await?
            .ok_or_else(missing)?;
        let blob = bureau_store::BlobId::parse(&record.blob_id).ok_or_else(missing)?;
        let bytes = self.ports.blobs.get(&blob).await?.ok_or_else(missing)?;
        Ok((record, bytes))
    }

    /// An image or file of a page a public link reaches.
    pub async fn public_attachment(
        &self,
        secret: &str,
        page: Option<i64>,
        id: i64,
    ) -> Result<(DocAttachmentRecord, Vec<u8>)> {
        let (page, _) = self.public_target(secret, page).await?;
        self.attachment_bytes(page.id, id).await
    }

    // ---- comments ------------------------------------------------------

    /// A page's comments, threads in the order started, each followed by
    /// its replies.
    pub async fn comments(&self, who: &Principal, page: i64) -> Result<Vec<DocCommentRecord>> {
        self.page(who, page).await?;
        Ok(self.ports.store.doc_comments(page).await?)
    }

    /// Posts a comment. Whoever may read a page may comment on it. The
    /// people mentioned who may read the page are notified; mentioning
    /// someone who may not is refused, so nobody learns of a page through
    /// a notification they cannot open.
    pub async fn comment(
        &self,
        who: &Principal,
        page: i64,
        new: NewComment<'_>,
    ) -> Result<DocCommentRecord> {
        let view = self.page(who, page).await?;
        let body = check_comment(new.body)?;
        if let Some(thread) = new.thread {
            let first = self.thread(page, thread).await?;
            if first.thread_id.is_some() {
                return Err(Error::invalid(
                    "thread_id",
                    "replies go to the thread's first comment",
                ));
            }
        }
        let quote = match (new.thread, new.quote) {
            (None, Some(quote)) if !quote.trim().is_empty() => {
                Some(truncate(quote.trim(), MAX_QUOTE_CHARS))
            }
            _ => None,
        };
        if new.mentions.len() > MAX_MENTIONS {
            return Err(Error::invalid(
                "mentions",
                format!("a comment mentions at most {MAX_MENTIONS} people"),
            ));
        }
        let mut notify = Vec::new();
        for &user in new.mentions {
            if user == who.user_id || notify.contains(&user) {
                continue;
            }
            if !self.reads(user, page).await? {
                return Err(Error::invalid(
                    "mentions",
                    format!("person {user} cannot open this page: share it with them first"),
                ));
            }
            notify.push(user);
        }
        let mut tx = self.ports.store.begin().await?;
        let comment = tx
            .insert_doc_comment(page, new.thread, who.user_id, body, quote.as_deref())
            .await?;
        for user in notify {
            tx.append_event(NewEvent {
                kind: MENTIONED,
                scope: Scope::User(user),
                data: json!({
                    "page_id": page,
                    "title": view.page.title,
                    "comment_id": comment.id,
                    "thread_id": comment.thread_id.unwrap_or(comment.id),
                    "by": { "id": who.user_id.0, "name": who.name },
                    "excerpt": truncate(body, 140),
                }),
            })
            .await?;
        }
        self.ports.commit(tx).await?;
        self.comments_changed(page).await;
        Ok(comment)
    }

    /// Changes one's own comment.
    pub async fn edit_comment(
        &self,
        who: &Principal,
        page: i64,
        id: i64,
        body: &str,
    ) -> Result<DocCommentRecord> {
        self.page(who, page).await?;
        let body = check_comment(body)?;
        let comment = self.thread(page, id).await?;
        if comment.author_id != who.user_id {
            return Err(Error::Forbidden(
                "only its author may change a comment".into(),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        let comment = tx.edit_doc_comment(id, body).await?;
        tx.commit().await?;
        self.comments_changed(page).await;
        Ok(comment)
    }

    /// Resolves a thread, or reopens it. Whoever may comment may resolve.
    pub async fn resolve_thread(
        &self,
        who: &Principal,
        page: i64,
        id: i64,
        resolved: bool,
    ) -> Result<DocCommentRecord> {
        self.page(who, page).await?;
        let first = self.thread(page, id).await?;
        if first.thread_id.is_some() {
            return Err(Error::invalid(
                "id",
                "a thread is resolved through its first comment",
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        let comment = tx
            .resolve_doc_thread(id, resolved.then_some(who.user_id))
            .await?;
        tx.commit().await?;
        self.comments_changed(page).await;
        Ok(comment)
    }

    /// Deletes a comment (a thread's first comment takes its replies with
    /// it): its author may, and so may whoever edits the page.
    pub async fn delete_comment(&self, who: &Principal, page: i64, id: i64) -> Result<()> {
        let view = self.page(who, page).await?;
        let comment = self.thread(page, id).await?;
        if comment.author_id != who.user_id && view.writable().is_err() {
            return Err(Error::Forbidden(
                "only its author or an editor of the page may delete a comment".into(),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        tx.delete_doc_comment(id).await?;
        tx.commit().await?;
        self.comments_changed(page).await;
        Ok(())
    }

    /// Tells the people on the page that its comments changed (see
    /// [`crate::Rooms::touch`]): their comment panels read them again.
    async fn comments_changed(&self, page: i64) {
        if let Ok(Some(record)) = self.ports.store.page(page).await {
            self.rooms.touch(page, record.space_id, COMMENTS_CHANGED);
        }
    }

    async fn thread(&self, page: i64, id: i64) -> Result<DocCommentRecord> {
        self.ports
            .store
            .doc_comment(page, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("page {page} has no comment {id}")))
    }

    /// Whether an active person may read a page.
    async fn reads(&self, user: UserId, page: i64) -> Result<bool> {
        let Some(record) = self.ports.store.user_by_id(user).await? else {
            return Ok(false);
        };
        if !record.active {
            return Ok(false);
        }
        let them = Principal {
            user_id: record.id,
            name: record.display_name,
            role: record.role,
            credential: Credential::Password,
        };
        Ok(self.page(&them, page).await.is_ok())
    }

    // ---- the public link -------------------------------------------------

    /// Makes a new public link to a page, for anyone to read it and the
    /// pages below it without an account; an earlier link stops working.
    /// Returns the link's secret, shown this once.
    pub async fn create_public_link(&self, who: &Principal, page: i64) -> Result<String> {
        let view = self.page(who, page).await?;
        view.writable()?;
        if who.role == Role::Guest {
            return Err(Error::Forbidden(
                "guests may not publish pages outside the company".into(),
            ));
        }
        let secret = secrets::new_secret(PUBLIC_PREFIX);
        let mut tx = self.ports.store.begin().await?;
        tx.set_doc_public_link(page, &secrets::hash(&secret), who.user_id)
            .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// When the page's public link was made and by whom, if it has one.
    pub async fn public_link(
        &self,
        who: &Principal,
        page: i64,
    ) -> Result<Option<(i64, Option<UserId>)>> {
        self.page(who, page).await?;
        Ok(self.ports.store.doc_public_link_of(page).await?)
    }

    /// Stops the page's public link.
    pub async fn revoke_public_link(&self, who: &Principal, page: i64) -> Result<()> {
        self.page(who, page).await?.writable()?;
        let mut tx = self.ports.store.begin().await?;
        let removed = tx.delete_doc_public_link(page).await?;
        tx.commit().await?;
        if !removed {
            return Err(Error::NotFound("this page has no public link".into()));
        }
        Ok(())
    }

    /// What a public link shows: the linked page, or `target` below it.
    pub async fn public_page(&self, secret: &str, target: Option<i64>) -> Result<PublicPage> {
        let (page, breadcrumbs) = self.public_target(secret, target).await?;
        let children = self
            .ports
            .store
            .pages_of_space(page.space_id)
            .await?
            .into_iter()
            .filter(|p| {
                p.parent_id == Some(page.id)
                    && p.archived_at.is_none()
                    && !p.restricted
                    && !p.template
            })
            .collect();
        let state = self.stored_state(page.id).await?;
        Ok(PublicPage {
            page,
            breadcrumbs,
            children,
            state,
        })
    }

    /// **The one rule for people without an account:** the link must be
    /// live, the page the linked one or below it, and none of them
    /// archived; a restricted page below the linked one stays private.
    async fn public_target(
        &self,
        secret: &str,
        target: Option<i64>,
    ) -> Result<(PageRecord, Vec<(i64, String, String)>)> {
        let gone = || Error::NotFound("this link does not exist or was turned off".into());
        let store = &self.ports.store;
        let linked = store
            .doc_public_link_page(&secrets::hash(secret))
            .await?
            .ok_or_else(gone)?;
        let id = target.unwrap_or(linked);
        let chain = store.page_chain(id).await?;
        let Some(at) = chain.iter().position(|p| p.id == linked) else {
            return Err(Error::NotFound(format!("there is no page {id} here")));
        };
        if chain[..=at].iter().any(|p| p.archived_at.is_some())
            || chain[..at].iter().any(|p| p.restricted || p.template)
        {
            return Err(Error::NotFound(format!("there is no page {id} here")));
        }
        let breadcrumbs = chain[1..=at]
            .iter()
            .rev()
            .map(|p| (p.id, p.title.clone(), p.icon.clone()))
            .collect();
        Ok((chain[0].clone(), breadcrumbs))
    }
}

fn check_comment(body: &str) -> Result<&str> {
    let body = body.trim();
    if body.is_empty() {
        return Err(Error::invalid("body", "a comment cannot be empty"));
    }
    if body.chars().count() > MAX_COMMENT_CHARS {
        return Err(Error::invalid(
            "body",
            format!("a comment has at most {MAX_COMMENT_CHARS} characters"),
        ));
    }
    Ok(body)
}
