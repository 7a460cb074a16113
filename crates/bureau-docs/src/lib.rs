//! Docs: the company wiki. Spaces (one per team, plus each person's own)
//! hold a tree of nested pages; a page's content is a Yjs document
//! co-edited live through [`Rooms`], its truth the update log in the
//! Store.
//!
//! **Architecture invariant:** this crate knows nothing of HTTP, WebSocket
//! framing or SQL. Who may read or edit a page is decided in one place,
//! [`Docs::page`] (with [`Docs::space`] for spaces): every read and write
//! of a page, its settings and its content goes through it. A person who
//! may not read a page gets "not found", never "forbidden", so a
//! restricted page's existence is not confirmed.
//!
//! The rules: a team space's members (people or groups) read or write its
//! pages; admins reach every team space; a personal space is its owner's
//! alone. A page shared with someone (or a group) gives them that access
//! to it and to the pages below it, whether or not they are members; this
//! is how guests see anything. A restricted page (and everything below it)
//! is reached only through such shares. A locked page is read-only for
//! everyone until someone who may edit it unlocks it. Archived pages leave
//! the tree and cannot be edited until restored.

mod export;
mod history;
mod import;
mod markdown;
mod search;
mod sync;
mod tables;
mod templates;

use std::collections::HashMap;
use std::sync::Arc;

use bureau_accounts::Ports;
use bureau_core::{Error, GroupId, NewEvent, Principal, Result, Role, Scope, UserId};
use bureau_store::{DocGrantRecord, DocSpaceRecord, NewPage, PageChange, PageRecord, Tx};

pub use export::{ExportEntry, Exported, Links};
pub use history::{
    NewComment, PublicPage, COMMENTS_CHANGED, MAX_ATTACHMENT_BYTES, MAX_COMMENT_CHARS, MENTIONED,
};
pub use markdown::to_markdown;
pub use search::{plain_text, PageHit};
pub use sync::{Outgoing, Rooms, Session, Who, CLOSE_MALFORMED, CLOSE_RETRY, CLOSE_RIGHTS_CHANGED};
pub use tables::{
    Choice, Column, ColumnEdit, ColumnKind, Field, Filter, Named, NewColumn, Op, Row, Sort, Table,
    View, MAX_CSV_ROWS, ROWS_CHANGED,
};
pub use templates::{Template, BUILTIN_TEMPLATES};

/// Longest page title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The event telling a person that a space's tree or settings changed
/// (`{"space_id"}`): their app reads the tree again.
pub const TREE_CHANGED: &str = "docs.tree";
/// Longest space name, in characters.
pub const MAX_SPACE_NAME_CHARS: usize = 80;

/// What a person may do with a page or in a space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
}

impl Access {
    fn of(can_write: bool) -> Access {
        if can_write {
            Access::Write
        } else {
            Access::Read
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
        }
    }

    pub fn parse(text: &str) -> Option<Access> {
        match text {
            "read" => Some(Access::Read),
            "write" => Some(Access::Write),
            _ => None,
        }
    }
}

/// A space as a person sees it.
#[derive(Clone, Debug)]
pub struct SpaceView {
    pub space: DocSpaceRecord,
    /// `None` when the person reaches only pages shared with them there.
    pub access: Option<Access>,
}

/// A page a person may read, and what more they may do with it.
#[derive(Clone, Debug)]
pub struct PageView {
    pub page: PageRecord,
    pub access: Access,
    /// Locked here or above: nobody edits the content.
    pub locked: bool,
    /// Archived here or above.
    pub archived: bool,
    /// The pages above it that the person may read, the top first.
    pub breadcrumbs: Vec<(i64, String, String)>,
}

impl PageView {
    /// Whether the person may change the page's content now.
    pub fn can_edit(&self) -> bool {
        self.access == Access::Write && !self.locked && !self.archived
    }

    fn writable(&self) -> Result<()> {
        match self.access {
            Access::Write => Ok(()),
            Access::Read => Err(Error::Forbidden(
                "you may read this page but not change it".into(),
            )),
        }
    }
}

/// A group or one person, as the target of membership or sharing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grantee {
    User(UserId),
    Group(GroupId),
}

/// Where a page moves: under `parent` (or to the top of `space`), at
/// `index` among its new siblings (the end when past it).
#[derive(Clone, Copy, Debug)]
pub struct Destination {
    pub space: i64,
    pub parent: Option<i64>,
    pub index: usize,
}

pub struct Docs {
    ports: Ports,
    pub rooms: Arc<Rooms>,
    /// Titles and text of pages, by space (see [`Docs::search`]).
    search: Arc<bureau_search::Index>,
}

impl Docs {
    pub fn new(ports: Ports, search: bureau_search::Index) -> Docs {
        let rooms = Arc::new(Rooms::new(ports.store.clone(), ports.bus.clone()));
        Docs {
            ports,
            rooms,
            search: Arc::new(search),
        }
    }

    /// Tells everyone who sees something of `space` that its tree or
    /// settings changed: one `docs.tree` event each (nobody else learns of
    /// it), in the transaction of the change; their app reads it again.
    pub(crate) async fn tree_changed(&self, tx: &mut Tx, space: i64) -> Result<()> {
        for user in tx.doc_space_audience(space).await? {
            tx.append_event(NewEvent {
                kind: TREE_CHANGED,
                scope: Scope::User(user),
                data: serde_json::json!({ "space_id": space }),
            })
            .await?;
        }
        Ok(())
    }

    // ---- the access gate ---------------------------------------------------

    /// What a person may do in a space through membership: **the rule for
    /// spaces.** Personal spaces are their owner's; admins reach every team
    /// space; others through the space's members.
    async fn space_role(&self, who: &Principal, space: &DocSpaceRecord) -> Result<Option<Access>> {
        if let Some(owner) = space.owner_id {
            return Ok((owner == who.user_id).then_some(Access::Write));
        }
        if who.role == Role::Admin {
            return Ok(Some(Access::Write));
        }
        if who.role == Role::Guest {
            return Ok(None);
        }
        let role = self
            .ports
            .store
            .doc_space_role(space.id, who.user_id)
            .await?;
        Ok(role.map(Access::of))
    }

    /// A space the person belongs to, or reaches pages of.
    pub async fn space(&self, who: &Principal, id: i64) -> Result<SpaceView> {
        let not_found = || Error::NotFound(format!("there is no space {id}"));
        let space = self
            .ports
            .store
            .doc_space(id)
            .await?
            .ok_or_else(not_found)?;
        let access = self.space_role(who, &space).await?;
        if access.is_none()
            && self
                .ports
                .store
                .page_grants_of(who.user_id, Some(space.id))
                .await?
                .is_empty()
        {
            return Err(not_found());
        }
        Ok(SpaceView { space, access })
    }

    /// A page the person may read: **the one place that decides who reads
    /// and edits a page.** Not found for anyone else.
    pub async fn page(&self, who: &Principal, id: i64) -> Result<PageView> {
        let not_found = || Error::NotFound(format!("there is no page {id}"));
        let store = &self.ports.store;
        let chain = store.page_chain(id).await?;
        let Some(page) = chain.first().cloned() else {
            return Err(not_found());
        };
        let space = store
            .doc_space(page.space_id)
            .await?
            .ok_or_else(not_found)?;
        let role = self.space_role(who, &space).await?;
        let grants = store.page_grants_of(who.user_id, Some(space.id)).await?;
        let granted = chain.iter().filter_map(|p| granted_on(&grants, p.id)).max();
        let restricted = chain.iter().any(|p| p.restricted);
        let access = if restricted {
            granted
        } else {
            role.max(granted)
        };
        let Some(access) = access else {
            return Err(not_found());
        };
        // Only pages above that the person may read are named to them.
        let mut breadcrumbs = Vec::new();
        for (i, above) in chain.iter().enumerate().skip(1) {
            let above_granted = chain[i..]
                .iter()
                .filter_map(|p| granted_on(&grants, p.id))
                .max();
            let above_restricted = chain[i..].iter().any(|p| p.restricted);
            let reads = if above_restricted {
                above_granted.is_some()
            } else {
                role.is_some() || above_granted.is_some()
            };
            if !reads {
                break;
            }
            breadcrumbs.push((above.id, above.title.clone(), above.icon.clone()));
        }
        breadcrumbs.reverse();
        Ok(PageView {
            locked: chain.iter().any(|p| p.locked),
            archived: chain.iter().any(|p| p.archived_at.is_some()),
            page,
            access,
            breadcrumbs,
        })
    }

    // ---- spaces ------------------------------------------------------------

    /// The spaces a person sees: their own first (made on first use), the
    /// team spaces they belong to, then spaces where only pages were
    /// shared with them.
    pub async fn spaces(&self, who: &Principal) -> Result<Vec<SpaceView>> {
        let store = &self.ports.store;
        let admin = who.role == Role::Admin;
        if who.role != Role::Guest && store.personal_doc_space(who.user_id).await?.is_none() {
            let mut tx = store.begin().await?;
            tx.ensure_personal_doc_space(who.user_id, &who.name).await?;
            tx.commit().await?;
        }
        // Guests belong to no space: they reach only pages shared with them.
        let mut spaces: Vec<SpaceView> = if who.role == Role::Guest {
            Vec::new()
        } else {
            store
                .doc_spaces_of(who.user_id, admin)
                .await?
                .into_iter()
                .map(|(space, write)| SpaceView {
                    space,
                    access: Some(Access::of(write)),
                })
                .collect()
        };
        let grants = store.page_grants_of(who.user_id, None).await?;
        let mut extra: Vec<i64> = Vec::new();
        for grant in &grants {
            if let Some(page) = store.page(grant.on).await? {
                if !spaces.iter().any(|s| s.space.id == page.space_id)
                    && !extra.contains(&page.space_id)
                {
                    extra.push(page.space_id);
                }
            }
        }
        for id in extra {
            if let Some(space) = store.doc_space(id).await? {
                spaces.push(SpaceView {
                    space,
                    access: None,
                });
            }
        }
        Ok(spaces)
    }

    /// A new team space; its creator is its first member, writing.
    pub async fn create_space(&self, who: &Principal, name: &str, icon: &str) -> Result<SpaceView> {
        if who.role == Role::Guest {
            return Err(Error::Forbidden("guests do not create spaces".into()));
        }
        let name = check_space_name(name)?;
        let icon = check_icon(icon)?;
        let mut tx = self.ports.store.begin().await?;
        let id = tx.insert_doc_space(name, icon, who.user_id).await?;
        tx.set_doc_space_member(id, None, Some(who.user_id), Some(true))
            .await?;
        self.tree_changed(&mut tx, id).await?;
        self.ports.commit(tx).await?;
        self.space(who, id).await
    }

    /// Renames a space, changes its icon, archives or restores it.
    pub async fn update_space(
        &self,
        who: &Principal,
        id: i64,
        name: Option<&str>,
        icon: Option<&str>,
        archived: Option<bool>,
    ) -> Result<SpaceView> {
        let view = self.space(who, id).await?;
        if view.access != Some(Access::Write) {
            return Err(Error::Forbidden(
                "only the space's writers change its settings".into(),
            ));
        }
        if view.space.owner_id.is_some() && (name.is_some() || archived.is_some()) {
            return Err(Error::invalid(
                "name",
                "your personal space keeps its name and cannot be archived",
            ));
        }
        let name = name.map(check_space_name).transpose()?;
        let icon = icon.map(check_icon).transpose()?;
        let archived_at = archived.map(|a| a.then(bureau_core::time::now_ms));
        let mut tx = self.ports.store.begin().await?;
        tx.update_doc_space(id, name, icon, archived_at).await?;
        self.tree_changed(&mut tx, id).await?;
        self.ports.commit(tx).await?;
        self.space(who, id).await
    }

    /// A team space's members. Anyone who belongs to the space reads them.
    pub async fn members(&self, who: &Principal, id: i64) -> Result<Vec<DocGrantRecord>> {
        let view = self.space(who, id).await?;
        if view.access.is_none() {
            return Err(Error::Forbidden(
                "only the space's members see who belongs to it".into(),
            ));
        }
        Ok(self.ports.store.doc_space_members(id).await?)
    }

    /// Adds or changes (`Some`) or removes (`None`) a team space's member.
    pub async fn set_member(
        &self,
        who: &Principal,
        id: i64,
        member: Grantee,
        access: Option<Access>,
    ) -> Result<()> {
        let view = self.space(who, id).await?;
        if view.access != Some(Access::Write) {
            return Err(Error::Forbidden(
                "only the space's writers change who belongs to it".into(),
            ));
        }
        if view.space.owner_id.is_some() {
            return Err(Error::invalid(
                "user_id",
                "a personal space has no members: share a page instead",
            ));
        }
        if self.check_grantee(member).await? == Some(Role::Guest) && access.is_some() {
            return Err(Error::invalid(
                "user_id",
                "guests join no space: share pages with them instead",
            ));
        }
        let (group, user) = split(member);
        let mut tx = self.ports.store.begin().await?;
        // Told before a removal, after an addition: both the people who
        // leave and those who join hear of it.
        if access.is_none() {
            self.tree_changed(&mut tx, id).await?;
        }
        tx.set_doc_space_member(id, group, user, access.map(|a| a == Access::Write))
            .await?;
        if access.is_some() {
            self.tree_changed(&mut tx, id).await?;
        }
        self.ports.commit(tx).await?;
        self.rooms.rights_changed_in_space(id).await;
        Ok(())
    }

    /// Checks that a person or group exists; returns the person's role.
    async fn check_grantee(&self, grantee: Grantee) -> Result<Option<Role>> {
        let store = &self.ports.store;
        match grantee {
            Grantee::User(user) => match store.user_by_id(user).await? {
                Some(record) => Ok(Some(record.role)),
                None => Err(Error::invalid(
                    "user_id",
                    format!("there is no person {}", user.0),
                )),
            },
            Grantee::Group(group) => {
                if !store.groups().await?.iter().any(|g| g.id == group) {
                    return Err(Error::invalid(
                        "group_id",
                        format!("there is no group {}", group.0),
                    ));
                }
                Ok(None)
            }
        }
    }

    // ---- pages -------------------------------------------------------------

    /// The pages of a space the person may read, archived ones left out,
    /// each with its access. A page whose parent the person may not read
    /// shows at the top.
    pub async fn tree(&self, who: &Principal, space: i64) -> Result<Vec<(PageRecord, Access)>> {
        let view = self.space(who, space).await?;
        let store = &self.ports.store;
        let pages = store.pages_of_space(space).await?;
        let grants = store.page_grants_of(who.user_id, Some(space)).await?;
        let by_id: HashMap<i64, &PageRecord> = pages.iter().map(|p| (p.id, p)).collect();
        let mut out = Vec::new();
        for page in &pages {
            // Walk up: archived anywhere above hides it.
            let mut restricted = false;
            let mut granted = None;
            let mut archived = false;
            let mut at = Some(page);
            let mut steps = 0;
            while let Some(p) = at {
                restricted |= p.restricted;
                archived |= p.archived_at.is_some();
                granted = granted.max(granted_on(&grants, p.id));
                at = p.parent_id.and_then(|id| by_id.get(&id).copied());
                steps += 1;
                if steps > 1000 {
                    break;
                }
            }
            if archived || page.template {
                continue;
            }
            let access = if restricted {
                granted
            } else {
                view.access.max(granted)
            };
            if let Some(access) = access {
                out.push((page.clone(), access));
            }
        }
        let visible: Vec<i64> = out.iter().map(|(p, _)| p.id).collect();
        for (page, _) in &mut out {
            if page
                .parent_id
                .is_some_and(|parent| !visible.contains(&parent))
            {
                page.parent_id = None;
            }
        }
        Ok(out)
    }

    /// The archived pages of a space that the person may restore.
    pub async fn archived(&self, who: &Principal, space: i64) -> Result<Vec<PageRecord>> {
        self.space(who, space).await?;
        let mut out = Vec::new();
        for page in self.ports.store.pages_of_space(space).await? {
            if page.archived_at.is_none() {
                continue;
            }
            if let Ok(view) = self.page(who, page.id).await {
                if view.access == Access::Write {
                    out.push(page);
                }
            }
        }
        Ok(out)
    }

    /// Checks that the person may add pages under `parent` in `space`.
    async fn writable_destination(
        &self,
        who: &Principal,
        space: i64,
        parent: Option<i64>,
    ) -> Result<()> {
        match parent {
            Some(parent) => {
                let view = self.page(who, parent).await.map_err(|_| {
                    Error::invalid(
                        "parent_id",
                        format!("there is no page {parent} you can reach"),
                    )
                })?;
                if view.page.space_id != space {
                    return Err(Error::invalid(
                        "parent_id",
                        "the parent page belongs to another space",
                    ));
                }
                if view.archived {
                    return Err(Error::invalid("parent_id", "the parent page is archived"));
                }
                view.writable()
            }
            None => {
                let view = self.space(who, space).await.map_err(|_| {
                    Error::invalid(
                        "space_id",
                        format!("there is no space {space} you can reach"),
                    )
                })?;
                if view.access != Some(Access::Write) {
                    return Err(Error::Forbidden(
                        "you may not add pages at the top of this space".into(),
                    ));
                }
                if view.space.archived_at.is_some() {
                    return Err(Error::invalid("space_id", "this space is archived"));
                }
                Ok(())
            }
        }
    }

    /// Renames a page, changes its icon, restricts, locks or unlocks it.
    pub async fn update_page(
        &self,
        who: &Principal,
        id: i64,
        change: PageChange<'_>,
    ) -> Result<PageView> {
        let view = self.page(who, id).await?;
        view.writable()?;
        if change.parent_id.is_some() || change.space_id.is_some() || change.archived_at.is_some() {
            return Err(Error::internal("moves and archiving have their own calls"));
        }
        let title = change.title.map(check_title).transpose()?;
        let icon = change.icon.map(check_icon).transpose()?;
        let rights_change = change.restricted.is_some() || change.locked.is_some();
        let change = PageChange {
            title,
            icon,
            ..change
        };
        let mut tx = self.ports.store.begin().await?;
        tx.update_page(id, &change, who.user_id).await?;
        if change.restricted == Some(true) {
            // Whoever restricts a page keeps it: they are its first share.
            tx.set_page_grant(id, None, Some(who.user_id), Some(true))
                .await?;
        }
        self.tree_changed(&mut tx, view.page.space_id).await?;
        self.ports.commit(tx).await?;
        if rights_change {
            self.rooms.rights_changed_below(&self.ports.store, id).await;
        }
        self.row_changed(&view.page).await;
        self.page(who, id).await
    }

    /// Moves a page (with the pages below it) under another page, to the
    /// top of a space, or among its siblings.
    pub async fn move_page(&self, who: &Principal, id: i64, to: Destination) -> Result<PageView> {
        let view = self.page(who, id).await?;
        view.writable()?;
        if let Some(parent) = to.parent {
            let chain = self.ports.store.page_chain(parent).await?;
            if chain.iter().any(|p| p.id == id) {
                return Err(Error::invalid(
                    "parent_id",
                    "a page cannot move into itself or a page below it",
                ));
            }
        }
        self.writable_destination(who, to.space, to.parent).await?;
        let siblings: Vec<PageRecord> = self
            .ports
            .store
            .pages_of_space(to.space)
            .await?
            .into_iter()
            .filter(|p| p.parent_id == to.parent && p.id != id && p.archived_at.is_none())
            .collect();
        let position = position_at(&siblings, to.index);
        let mut tx = self.ports.store.begin().await?;
        tx.update_page(
            id,
            &PageChange {
                parent_id: Some(to.parent),
                space_id: (to.space != view.page.space_id).then_some(to.space),
                position: Some(position),
                ..PageChange::default()
            },
            who.user_id,
        )
        .await?;
        if to.space != view.page.space_id {
            self.tree_changed(&mut tx, view.page.space_id).await?;
            tx.move_subtree_to_space(id, to.space).await?;
        }
        self.tree_changed(&mut tx, to.space).await?;
        self.ports.commit(tx).await?;
        self.rooms.rights_changed_below(&self.ports.store, id).await;
        self.page(who, id).await
    }

    /// Archives a page and the pages below it, or restores them.
    pub async fn set_archived(&self, who: &Principal, id: i64, archived: bool) -> Result<PageView> {
        let view = self.page(who, id).await?;
        view.writable()?;
        if !archived && view.page.archived_at.is_none() {
            return Err(Error::invalid(
                "archived",
                "this page is not archived itself: restore the archived page above it",
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        tx.update_page(
            id,
            &PageChange {
                archived_at: Some(archived.then(bureau_core::time::now_ms)),
                ..PageChange::default()
            },
            who.user_id,
        )
        .await?;
        self.tree_changed(&mut tx, view.page.space_id).await?;
        self.ports.commit(tx).await?;
        self.rooms.rights_changed_below(&self.ports.store, id).await;
        self.row_changed(&view.page).await;
        self.page(who, id).await
    }

    /// Copies a page with its content and the pages below it, next to it.
    pub async fn duplicate(&self, who: &Principal, id: i64, copy_title: &str) -> Result<PageView> {
        let view = self.page(who, id).await?;
        self.writable_destination(who, view.page.space_id, view.page.parent_id)
            .await?;
        let tree = self.tree(who, view.page.space_id).await?;
        let mut tx = self.ports.store.begin().await?;
        let top = tx
            .insert_page(NewPage {
                space_id: view.page.space_id,
                parent_id: view.page.parent_id,
                title: &truncate(
                    &format!("{} {copy_title}", view.page.title),
                    MAX_TITLE_CHARS,
                ),
                icon: &view.page.icon,
                by: who.user_id,
            })
            .await?;
        tx.copy_doc_updates(id, top.id).await?;
        let mut copies = HashMap::from([(id, top.id)]);
        let mut databases = Vec::new();
        if view.page.database {
            databases.push(id);
        }
        let mut queue = vec![(id, top.id)];
        while let Some((from, to)) = queue.pop() {
            for (child, _) in tree.iter().filter(|(p, _)| p.parent_id == Some(from)) {
                let copy = tx
                    .insert_page(NewPage {
                        space_id: view.page.space_id,
                        parent_id: Some(to),
                        title: &child.title,
                        icon: &child.icon,
                        by: who.user_id,
                    })
                    .await?;
                tx.copy_doc_updates(child.id, copy.id).await?;
                copies.insert(child.id, copy.id);
                if child.database {
                    databases.push(child.id);
                }
                queue.push((child.id, copy.id));
            }
        }
        for database in databases {
            self.copy_table(&mut tx, database, &copies).await?;
        }
        self.tree_changed(&mut tx, view.page.space_id).await?;
        self.ports.commit(tx).await?;
        self.page(who, top.id).await
    }

    /// Who a page was shared with.
    pub async fn page_grants(&self, who: &Principal, id: i64) -> Result<Vec<DocGrantRecord>> {
        self.page(who, id).await?;
        Ok(self.ports.store.page_grants(id).await?)
    }

    /// Shares a page (and what is below it) with a person or group, or
    /// stops sharing it (`None`).
    pub async fn share_page(
        &self,
        who: &Principal,
        id: i64,
        with: Grantee,
        access: Option<Access>,
    ) -> Result<()> {
        let view = self.page(who, id).await?;
        view.writable()?;
        self.check_grantee(with).await?;
        let (group, user) = split(with);
        let mut tx = self.ports.store.begin().await?;
        if access.is_none() {
            self.tree_changed(&mut tx, view.page.space_id).await?;
        }
        tx.set_page_grant(id, group, user, access.map(|a| a == Access::Write))
            .await?;
        if access.is_some() {
            self.tree_changed(&mut tx, view.page.space_id).await?;
        }
        self.ports.commit(tx).await?;
        self.rooms.rights_changed_below(&self.ports.store, id).await;
        Ok(())
    }

    /// Records that the person opened a page, for "recently viewed".
    pub async fn viewed(&self, who: &Principal, id: i64) -> Result<()> {
        Ok(self.ports.store.record_page_view(who.user_id, id).await?)
    }

    /// The pages the person opened lately and may still read, latest first.
    pub async fn recent(&self, who: &Principal, limit: usize) -> Result<Vec<PageView>> {
        let mut out = Vec::new();
        for (id, _) in self
            .ports
            .store
            .recent_pages(who.user_id, limit as i64 * 2)
            .await?
        {
            if let Ok(view) = self.page(who, id).await {
                if !view.archived {
                    out.push(view);
                }
            }
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }

    /// The person's favourite pages that they may still read.
    pub async fn favourites(&self, who: &Principal) -> Result<Vec<PageView>> {
        let mut out = Vec::new();
        for id in self.ports.store.favourite_pages(who.user_id).await? {
            if let Ok(view) = self.page(who, id).await {
                if !view.archived {
                    out.push(view);
                }
            }
        }
        Ok(out)
    }

    pub async fn set_favourite(&self, who: &Principal, id: i64, favourite: bool) -> Result<()> {
        self.page(who, id).await?;
        Ok(self
            .ports
            .store
            .set_favourite(who.user_id, id, favourite)
            .await?)
    }

    /// The page's content as it stands (open in a room or not), as
    /// Markdown.
    pub async fn export_markdown(&self, who: &Principal, id: i64) -> Result<(PageView, String)> {
        let view = self.page(who, id).await?;
        let doc = self.rooms.snapshot(id).await?;
        let mut text = to_markdown(&view.page.title, &doc);
        self.append_table(who, &view, &mut text).await?;
        Ok((view, text))
    }
}

fn granted_on(grants: &[DocGrantRecord], page: i64) -> Option<Access> {
    grants
        .iter()
        .filter(|g| g.on == page)
        .map(|g| Access::of(g.can_write))
        .max()
}

fn split(grantee: Grantee) -> (Option<i64>, Option<UserId>) {
    match grantee {
        Grantee::User(user) => (None, Some(user)),
        Grantee::Group(group) => (Some(group.0), None),
    }
}

/// A position that puts a page at `index` among `siblings` (in order).
fn position_at(siblings: &[PageRecord], index: usize) -> f64 {
    let index = index.min(siblings.len());
    match (
        index.checked_sub(1).and_then(|i| siblings.get(i)),
        siblings.get(index),
    ) {
        (None, None) => 1.0,
        (None, Some(next)) => next.position - 1.0,
        (Some(before), None) => before.position.floor() + 1.0,
        (Some(before), Some(next)) => (before.position + next.position) / 2.0,
    }
}

fn truncate(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

fn check_title(title: &str) -> Result<&str> {
    let title = title.trim();
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(Error::invalid(
            "title",
            format!("a title has at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(Error::invalid("title", "a title is one line of text"));
    }
    Ok(title)
}

fn check_space_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "a space needs a name"));
    }
    if name.chars().count() > MAX_SPACE_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            format!("a space's name has at most {MAX_SPACE_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid("name", "a space's name is one line of text"));
    }
    Ok(name)
}

fn check_icon(icon: &str) -> Result<&str> {
    if icon.chars().count() > 8 || icon.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid("icon", "an icon is one emoji"));
    }
    Ok(icon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(id: i64, position: f64) -> PageRecord {
        PageRecord {
            id,
            space_id: 1,
            parent_id: None,
            position,
            title: String::new(),
            icon: String::new(),
            restricted: false,
            locked: false,
            created_by: None,
            created_at: 0,
            updated_by: None,
            updated_at: 0,
            archived_at: None,
            template: false,
            database: false,
        }
    }

    #[test]
    fn positions_fall_between_neighbours() {
        let siblings = [page(1, 1.0), page(2, 2.0), page(3, 3.0)];
        let check = |index, expected: f64| assert_eq!(position_at(&siblings, index), expected);
        check(0, 0.0);
        check(1, 1.5);
        check(2, 2.5);
        check(3, 4.0);
        check(9, 4.0);
        assert_eq!(position_at(&[], 0), 1.0);
    }

    #[test]
    fn names_and_titles_are_checked() {
        assert!(check_title("Procédure d'arrivée").is_ok());
        assert!(check_title("two\nlines").is_err());
        assert!(check_title(&"x".repeat(201)).is_err());
        assert!(check_space_name("  ").is_err());
        assert!(check_icon("📘").is_ok());
        assert!(check_icon("not an icon").is_err());
    }
}
