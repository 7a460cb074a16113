//! Chat: channels, announcement channels, DMs, messages, threads, reactions,
//! pins, read positions, attachments and incoming webhooks.
//!
//! **Architecture invariant:** this crate knows nothing of HTTP or SQL. Who
//! may read a conversation is decided in [`Chat::readable`] (one) and
//! [`Chat::readable_ids`] (all, for search), side by side; who may post, in
//! [`Chat::postable`]. Every other method goes through them.

mod digest;
mod events;
mod rules;
mod search;

use std::collections::HashSet;

use bureau_accounts::{secrets, Ports};
use bureau_core::{
    ChannelId, ChannelKind, Error, MessageId, NotifyLevel, Principal, Result, Role, Scope, UserId,
    Viewer,
};
use bureau_store::{
    AttachmentRecord, ChannelRecord, MemberRecord, MessageRecord, NewChannel, NewMessage, Page,
    SidebarEntry, Tx, UserRecord, WebhookRecord,
};

pub use digest::DigestConfig;
pub use events::{channel_json, message_json};
pub use rules::{MAX_ATTACHMENT_BYTES, MAX_DM_PEOPLE, MAX_MESSAGE_CHARS};
pub use search::{parse_query, SearchHit, SearchQuery, MAX_RESULTS};

/// A new channel, as its creator describes it.
pub struct ChannelSpec<'a> {
    pub name: &'a str,
    pub private: bool,
    pub kind: ChannelKind,
    pub topic: &'a str,
    pub purpose: &'a str,
}

/// Changes to a channel; `None` leaves a field as it is.
#[derive(Default)]
pub struct ChannelChange<'a> {
    pub name: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub purpose: Option<&'a str>,
    pub archived: Option<bool>,
}

/// A message about to be posted.
pub struct Post<'a> {
    pub text: &'a str,
    /// Reply in this thread (its first message).
    pub thread_id: Option<MessageId>,
    /// A reply that also shows in the channel.
    pub also_in_channel: bool,
    /// Uploads (from [`Chat::upload`]) the message carries.
    pub attachments: &'a [i64],
}

/// An upload waiting for the message that carries it.
pub struct Upload<'a> {
    pub name: &'a str,
    pub mime: &'a str,
    pub bytes: Vec<u8>,
}

pub struct Chat {
    ports: Ports,
    search: std::sync::Arc<bureau_search::Index>,
    /// The event sequence number the search index reflects.
    indexed: tokio::sync::watch::Sender<i64>,
}

impl Chat {
    /// Chat over the ports and a search index; [`Chat::follow_events`]
    /// keeps the index current.
    pub fn new(ports: Ports, search: bureau_search::Index) -> Chat {
        let seq = search.indexed_seq();
        Chat {
            ports,
            search: std::sync::Arc::new(search),
            indexed: tokio::sync::watch::channel(seq).0,
        }
    }

    // ---- who sees what -------------------------------------------------

    /// A conversation `who` may read, with their membership if they are in
    /// it. Private channels and DMs exist only for their members; public
    /// channels for every member and admin, and for guests who were added.
    /// Everything else is "not found", whether or not it exists.
    pub async fn readable(
        &self,
        who: &Principal,
        id: ChannelId,
    ) -> Result<(ChannelRecord, Option<MemberRecord>)> {
        let not_found = || Error::NotFound("no such conversation".into());
        let channel = self.ports.store.channel(id).await?.ok_or_else(not_found)?;
        let membership = self.ports.store.membership(id, who.user_id).await?;
        let open_to_all = !channel.private && channel.kind != ChannelKind::Dm;
        if membership.is_none() && !(open_to_all && who.role != Role::Guest) {
            return Err(not_found());
        }
        Ok((channel, membership))
    }

    /// Every conversation `who` may read, by the same rule as
    /// [`Chat::readable`]: theirs, and every public channel unless a guest.
    pub async fn readable_ids(&self, who: &Principal) -> Result<HashSet<ChannelId>> {
        let (mut ids, _) = self.ports.store.channel_ids_of(who.user_id).await?;
        if who.role != Role::Guest {
            ids.extend(self.ports.store.public_channel_ids().await?);
        }
        Ok(ids)
    }

    /// A conversation `who` may post in now.
    pub async fn postable(&self, who: &Principal, id: ChannelId) -> Result<ChannelRecord> {
        let (channel, membership) = self.readable(who, id).await?;
        let Some(membership) = membership else {
            return Err(Error::Forbidden("join this channel to post in it".into()));
        };
        if channel.archived_at.is_some() {
            return Err(Error::conflict(
                "archived",
                "this channel is archived: nothing can be posted in it",
            ));
        }
        if channel.kind == ChannelKind::Announcement && !membership.poster && !who.is_admin() {
            return Err(Error::Forbidden(
                "only admins and the channel's posters may post in an announcement channel".into(),
            ));
        }
        Ok(channel)
    }

    /// What a live event connection of `who` may see, as of now.
    pub async fn viewer(&self, who: &Principal) -> Result<Viewer> {
        let (channels, as_of) = self.ports.store.channel_ids_of(who.user_id).await?;
        Ok(Viewer {
            principal: who.clone(),
            channels,
            as_of,
        })
    }

    // ---- conversations -------------------------------------------------

    pub async fn create_channel(
        &self,
        who: &Principal,
        spec: ChannelSpec<'_>,
    ) -> Result<ChannelRecord> {
        if who.role == Role::Guest {
            return Err(Error::Forbidden("guests cannot create channels".into()));
        }
        if spec.kind == ChannelKind::Dm {
            return Err(Error::invalid(
                "kind",
                "a DM is opened with the people in it, not created as a channel",
            ));
        }
        if spec.kind == ChannelKind::Announcement && !who.is_admin() {
            return Err(Error::Forbidden(
                "only admins create announcement channels".into(),
            ));
        }
        let name = rules::channel_name(spec.name)?;
        let topic = rules::short_text("topic", spec.topic)?;
        let purpose = rules::short_text("purpose", spec.purpose)?;
        let mut tx = self.ports.store.begin().await?;
        let id = tx
            .insert_channel(NewChannel {
                kind: spec.kind,
                name: Some(&name),
                private: spec.private,
                topic: &topic,
                purpose: &purpose,
                dm_key: None,
                created_by: who.user_id,
            })
            .await
            .map_err(|err| match err {
                bureau_store::StoreError::Conflict(_) => Error::conflict(
                    "name_taken",
                    format!("a channel named #{name} exists already"),
                ),
                other => other.into(),
            })?;
        tx.add_member(id, who.user_id, true).await?;
        let channel = tx.channel(id).await?.expect("inserted above");
        events::channel_created(&mut tx, &channel, &[who.user_id]).await?;
        self.ports.commit(tx).await?;
        Ok(channel)
    }

    /// The DM or group conversation between `who` and `others`: the same
    /// people always find the same conversation.
    pub async fn open_dm(&self, who: &Principal, others: &[UserId]) -> Result<ChannelRecord> {
        let mut people: Vec<UserId> = others.to_vec();
        people.push(who.user_id);
        people.sort();
        people.dedup();
        if people.len() > MAX_DM_PEOPLE {
            return Err(Error::invalid(
                "user_ids",
                format!("a group conversation has at most {MAX_DM_PEOPLE} people; make a private channel instead"),
            ));
        }
        for person in &people {
            let user = self.ports.store.user_by_id(*person).await?;
            let Some(user) = user.filter(|u| u.active) else {
                return Err(Error::invalid(
                    "user_ids",
                    format!("no active person has id {person}"),
                ));
            };
            // A guest writes only to people they already meet in a channel.
            let stranger = who.role == Role::Guest
                && user.id != who.user_id
                && !self
                    .ports
                    .store
                    .share_a_conversation(who.user_id, user.id)
                    .await?;
            if stranger {
                return Err(Error::Forbidden(
                    "guests write only to people of the channels they were added to".into(),
                ));
            }
        }
        let key = people
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(",");
        if let Some(existing) = self.ports.store.dm_by_key(&key).await? {
            return Ok(existing);
        }
        let mut tx = self.ports.store.begin().await?;
        let inserted = tx
            .insert_channel(NewChannel {
                kind: ChannelKind::Dm,
                name: None,
                private: true,
                topic: "",
                purpose: "",
                dm_key: Some(&key),
                created_by: who.user_id,
            })
            .await;
        let id = match inserted {
            Ok(id) => id,
            // Someone opened the same conversation at the same moment.
            Err(bureau_store::StoreError::Conflict(_)) => {
                drop(tx);
                return self
                    .ports
                    .store
                    .dm_by_key(&key)
                    .await?
                    .ok_or_else(|| Error::internal("a DM vanished after a conflict"));
            }
            Err(other) => return Err(other.into()),
        };
        for person in &people {
            tx.add_member(id, *person, true).await?;
        }
        let channel = tx.channel(id).await?.expect("inserted above");
        events::channel_created(&mut tx, &channel, &people).await?;
        self.ports.commit(tx).await?;
        Ok(channel)
    }

    /// The conversations `who` is in, with unread and mention counts.
    pub async fn sidebar(&self, who: &Principal) -> Result<Vec<SidebarEntry>> {
        Ok(self.ports.store.sidebar(who.user_id).await?)
    }

    /// Public channels, for the channel browser. Guests see none.
    pub async fn browse(&self, who: &Principal) -> Result<Vec<ChannelRecord>> {
        if who.role == Role::Guest {
            return Ok(Vec::new());
        }
        Ok(self.ports.store.public_channels().await?)
    }

    pub async fn channel(&self, who: &Principal, id: ChannelId) -> Result<ChannelRecord> {
        Ok(self.readable(who, id).await?.0)
    }

    /// A conversation's members, with their accounts (so guests, who see
    /// no directory, still know who they talk to).
    pub async fn members(
        &self,
        who: &Principal,
        id: ChannelId,
    ) -> Result<Vec<(MemberRecord, UserRecord)>> {
        self.readable(who, id).await?;
        Ok(self.ports.store.member_users(id).await?)
    }

    /// Topic and purpose: any member. Name and archive: the creator or an
    /// admin. DMs have none of these.
    pub async fn update_channel(
        &self,
        who: &Principal,
        id: ChannelId,
        change: ChannelChange<'_>,
    ) -> Result<ChannelRecord> {
        let (channel, membership) = self.readable(who, id).await?;
        if channel.kind == ChannelKind::Dm {
            return Err(Error::invalid(
                "channel",
                "a DM has no name, topic or archive",
            ));
        }
        if membership.is_none() && !who.is_admin() {
            return Err(Error::Forbidden("join this channel to change it".into()));
        }
        let owner = channel.created_by == who.user_id || who.is_admin();
        if (change.name.is_some() || change.archived.is_some()) && !owner {
            return Err(Error::Forbidden(
                "only the channel's creator or an admin may rename or archive it".into(),
            ));
        }
        if channel.archived_at.is_some() && change.archived != Some(false) {
            return Err(Error::conflict(
                "archived",
                "this channel is archived: unarchive it first",
            ));
        }
        let name = change.name.map(rules::channel_name).transpose()?;
        let topic = change
            .topic
            .map(|t| rules::short_text("topic", t))
            .transpose()?;
        let purpose = change
            .purpose
            .map(|p| rules::short_text("purpose", p))
            .transpose()?;
        let archived_at = change
            .archived
            .map(|archived| archived.then(bureau_core::time::now_ms));
        let mut tx = self.ports.store.begin().await?;
        tx.update_channel(
            id,
            name.as_deref(),
            topic.as_deref(),
            purpose.as_deref(),
            archived_at,
        )
        .await
        .map_err(|err| match err {
            bureau_store::StoreError::Conflict(_) => {
                Error::conflict("name_taken", "a channel with this name exists already")
            }
            other => other.into(),
        })?;
        let channel = tx.channel(id).await?.expect("it was read above");
        events::channel_updated(&mut tx, &channel).await?;
        self.ports.commit(tx).await?;
        Ok(channel)
    }

    /// Adds `user` to a channel. Anyone may join a public channel (guests
    /// excepted); members add others. DMs keep the people they started with.
    pub async fn add_member(&self, who: &Principal, id: ChannelId, user: UserId) -> Result<()> {
        let (channel, membership) = self.readable(who, id).await?;
        if channel.kind == ChannelKind::Dm {
            return Err(Error::invalid(
                "channel",
                "a DM keeps its people; open a new conversation with everyone instead",
            ));
        }
        if channel.archived_at.is_some() {
            return Err(Error::conflict("archived", "this channel is archived"));
        }
        let joining_self = user == who.user_id;
        if membership.is_none() && !joining_self && !who.is_admin() {
            return Err(Error::Forbidden(
                "join this channel to add people to it".into(),
            ));
        }
        let person = self.ports.store.user_by_id(user).await?;
        if !person.is_some_and(|p| p.active) {
            return Err(Error::invalid(
                "user_id",
                format!("no active person has id {user}"),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        if tx.add_member(id, user, false).await? {
            let channel = tx.channel(id).await?.expect("it was read above");
            events::member_added(&mut tx, &channel, user, who.user_id).await?;
        }
        self.ports.commit(tx).await?;
        Ok(())
    }

    /// Removes `user` from a channel: themselves, or anyone for the
    /// channel's creator and admins.
    pub async fn remove_member(&self, who: &Principal, id: ChannelId, user: UserId) -> Result<()> {
        let (channel, _) = self.readable(who, id).await?;
        if channel.kind == ChannelKind::Dm {
            return Err(Error::invalid(
                "channel",
                "nobody leaves a DM; mute it instead",
            ));
        }
        let allowed = user == who.user_id || channel.created_by == who.user_id || who.is_admin();
        if !allowed {
            return Err(Error::Forbidden(
                "only the channel's creator or an admin may remove someone else".into(),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        if !tx.remove_member(id, user).await? {
            return Err(Error::NotFound("this person is not in this channel".into()));
        }
        events::member_removed(&mut tx, id, user, who.user_id).await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    /// Lets `user` post in an announcement channel (adding them to it), or
    /// stops them. Admins only.
    pub async fn set_poster(
        &self,
        who: &Principal,
        id: ChannelId,
        user: UserId,
        poster: bool,
    ) -> Result<()> {
        let (channel, _) = self.readable(who, id).await?;
        if channel.kind != ChannelKind::Announcement {
            return Err(Error::invalid(
                "channel",
                "only announcement channels have posters",
            ));
        }
        if !who.is_admin() {
            return Err(Error::Forbidden(
                "only admins choose who posts announcements".into(),
            ));
        }
        let person = self.ports.store.user_by_id(user).await?;
        if !person.is_some_and(|p| p.active) {
            return Err(Error::invalid(
                "user_id",
                format!("no active person has id {user}"),
            ));
        }
        // A poster who was not in the channel joins it.
        let mut tx = self.ports.store.begin().await?;
        if !tx.add_member(id, user, poster).await? {
            tx.set_poster(id, user, poster).await?;
        }
        let channel = tx.channel(id).await?.expect("it was read above");
        events::member_added(&mut tx, &channel, user, who.user_id).await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    /// Moves `who`'s read position forward; every device of theirs follows.
    pub async fn mark_read(
        &self,
        who: &Principal,
        id: ChannelId,
        up_to: MessageId,
    ) -> Result<MessageId> {
        let (_, membership) = self.readable(who, id).await?;
        if membership.is_none() {
            return Err(Error::Forbidden(
                "join this channel to keep a read position".into(),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        let position = tx.mark_read(id, who.user_id, up_to).await?;
        events::read(&mut tx, who.user_id, id, position).await?;
        self.ports.commit(tx).await?;
        Ok(position)
    }

    pub async fn set_notify(
        &self,
        who: &Principal,
        id: ChannelId,
        level: NotifyLevel,
    ) -> Result<()> {
        let (_, membership) = self.readable(who, id).await?;
        if membership.is_none() {
            return Err(Error::Forbidden(
                "join this channel to choose its notifications".into(),
            ));
        }
        let mut tx = self.ports.store.begin().await?;
        tx.set_notify(id, who.user_id, level).await?;
        events::preferences(&mut tx, who.user_id, id, level).await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    // ---- messages --------------------------------------------------------

    pub async fn post(
        &self,
        who: &Principal,
        id: ChannelId,
        post: Post<'_>,
    ) -> Result<MessageRecord> {
        let channel = self.postable(who, id).await?;
        self.insert_post(&channel, who.user_id, None, post).await
    }

    pub async fn history(
        &self,
        who: &Principal,
        id: ChannelId,
        page: Page,
        limit: i64,
    ) -> Result<Vec<MessageRecord>> {
        self.readable(who, id).await?;
        if !(1..=200).contains(&limit) {
            return Err(Error::invalid("limit", "a page holds 1 to 200 messages"));
        }
        Ok(self.ports.store.messages(id, page, limit).await?)
    }

    /// One message, for a permalink.
    pub async fn message(&self, who: &Principal, id: MessageId) -> Result<MessageRecord> {
        let message = self
            .ports
            .store
            .message(id)
            .await?
            .ok_or_else(|| Error::NotFound("no such message".into()))?;
        self.readable(who, message.channel_id)
            .await
            .map_err(|_| Error::NotFound("no such message".into()))?;
        Ok(message)
    }

    /// A thread: its first message, then the replies.
    pub async fn thread(&self, who: &Principal, root: MessageId) -> Result<Vec<MessageRecord>> {
        let message = self.message(who, root).await?;
        let root = message.thread_id.unwrap_or(message.id);
        Ok(self.ports.store.thread(root).await?)
    }

    pub async fn pinned(&self, who: &Principal, id: ChannelId) -> Result<Vec<MessageRecord>> {
        self.readable(who, id).await?;
        Ok(self.ports.store.pinned(id).await?)
    }

    /// Edits a message: its author, or an admin.
    pub async fn edit(&self, who: &Principal, id: MessageId, text: &str) -> Result<MessageRecord> {
        let message = self.changeable(who, id).await?;
        let text = rules::message_text(text, !message.attachments.is_empty())?;
        let mentions = self.mentions_in(&text, message.channel_id).await?;
        let mut tx = self.ports.store.begin().await?;
        tx.edit_message(id, &text, mentions.everyone).await?;
        tx.insert_mentions(id, message.channel_id, &mentions.people)
            .await?;
        self.finish_update(tx, id).await
    }

    /// Deletes a message's content: its author, or an admin.
    pub async fn delete(&self, who: &Principal, id: MessageId) -> Result<()> {
        let message = self.changeable(who, id).await?;
        let mut tx = self.ports.store.begin().await?;
        tx.delete_message(id).await?;
        events::message_deleted(&mut tx, &message).await?;
        self.ports.commit(tx).await?;
        Ok(())
    }

    /// Pins or unpins a message: any member of its channel.
    pub async fn pin(&self, who: &Principal, id: MessageId, pinned: bool) -> Result<MessageRecord> {
        let message = self.message(who, id).await?;
        self.postable(who, message.channel_id).await?;
        if message.deleted_at.is_some() {
            return Err(Error::NotFound("this message was deleted".into()));
        }
        let mut tx = self.ports.store.begin().await?;
        tx.set_pinned(id, pinned).await?;
        self.finish_update(tx, id).await
    }

    pub async fn react(&self, who: &Principal, id: MessageId, emoji: &str) -> Result<()> {
        let message = self.reactable(who, id).await?;
        let emoji = rules::emoji(emoji)?;
        let mut tx = self.ports.store.begin().await?;
        if tx.add_reaction(&message, who.user_id, &emoji).await? {
            events::reaction(
                &mut tx,
                events::REACTION_ADDED,
                &message,
                who.user_id,
                &emoji,
            )
            .await?;
        }
        self.ports.commit(tx).await?;
        Ok(())
    }

    pub async fn unreact(&self, who: &Principal, id: MessageId, emoji: &str) -> Result<()> {
        let message = self.reactable(who, id).await?;
        let mut tx = self.ports.store.begin().await?;
        if tx.remove_reaction(id, who.user_id, emoji).await? {
            events::reaction(
                &mut tx,
                events::REACTION_REMOVED,
                &message,
                who.user_id,
                emoji,
            )
            .await?;
        }
        self.ports.commit(tx).await?;
        Ok(())
    }

    // ---- attachments -----------------------------------------------------

    /// Stores a file for a message `who` is about to post in `id`.
    pub async fn upload(
        &self,
        who: &Principal,
        id: ChannelId,
        upload: Upload<'_>,
    ) -> Result<AttachmentRecord> {
        self.postable(who, id).await?;
        let name = rules::file_name(upload.name)?;
        if upload.bytes.is_empty() || upload.bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(Error::invalid(
                "file",
                format!("a file has 1 byte to {} MiB", MAX_ATTACHMENT_BYTES >> 20),
            ));
        }
        let mime = bureau_core::mime::inline_safe(upload.mime);
        let size = upload.bytes.len() as i64;
        let blob = self.ports.blobs.put(upload.bytes).await?;
        let mut tx = self.ports.store.begin().await?;
        let attachment = tx
            .insert_attachment(id, who.user_id, blob.as_str(), &name, size, &mime)
            .await?;
        tx.commit().await?;
        Ok(AttachmentRecord {
            id: attachment,
            channel_id: id,
            message_id: None,
            uploaded_by: who.user_id,
            blob_id: blob.as_str().to_string(),
            name,
            size,
            mime,
        })
    }

    /// A file attached to a message `who` may read, and its bytes.
    pub async fn download(&self, who: &Principal, id: i64) -> Result<(AttachmentRecord, Vec<u8>)> {
        let not_found = || Error::NotFound("no such file".into());
        let attachment = self
            .ports
            .store
            .attachment(id)
            .await?
            .ok_or_else(not_found)?;
        self.readable(who, attachment.channel_id)
            .await
            .map_err(|_| not_found())?;
        // A file not yet posted belongs to its uploader alone.
        if attachment.message_id.is_none() && attachment.uploaded_by != who.user_id {
            return Err(not_found());
        }
        let blob = bureau_store::BlobId::parse(&attachment.blob_id)
            .ok_or_else(|| Error::internal("a stored attachment names a malformed blob"))?;
        let bytes = self.ports.blobs.get(&blob).await?.ok_or_else(not_found)?;
        Ok((attachment, bytes))
    }

    // ---- incoming webhooks ---------------------------------------------

    /// Makes a Slack-compatible incoming webhook posting into a channel;
    /// returns it and its secret (shown once).
    pub async fn create_webhook(
        &self,
        who: &Principal,
        id: ChannelId,
        name: &str,
    ) -> Result<(WebhookRecord, String)> {
        let channel = self.postable(who, id).await?;
        if who.role == Role::Guest {
            return Err(Error::Forbidden("guests cannot create webhooks".into()));
        }
        let name = rules::short_text("name", name)?;
        if name.is_empty() {
            return Err(Error::invalid(
                "name",
                "a webhook needs a name, shown on its messages",
            ));
        }
        let secret = secrets::new_secret("hook_");
        let mut tx = self.ports.store.begin().await?;
        let hook = tx
            .insert_webhook(channel.id, &name, &secrets::hash(&secret), who.user_id)
            .await?;
        tx.commit().await?;
        let record = WebhookRecord {
            id: hook,
            channel_id: channel.id,
            name,
            created_by: who.user_id,
            created_at: bureau_core::time::now_ms(),
        };
        Ok((record, secret))
    }

    pub async fn webhooks(&self, who: &Principal, id: ChannelId) -> Result<Vec<WebhookRecord>> {
        self.postable(who, id).await?;
        Ok(self.ports.store.webhooks(id).await?)
    }

    pub async fn revoke_webhook(&self, who: &Principal, id: ChannelId, hook: i64) -> Result<()> {
        self.postable(who, id).await?;
        let mut tx = self.ports.store.begin().await?;
        if !tx.revoke_webhook(id, hook).await? {
            return Err(Error::NotFound("no such webhook".into()));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Posts through a webhook's secret, as its creator, under its name (or
    /// the `username` the caller gives, as Slack allows).
    pub async fn post_by_webhook(
        &self,
        secret: &str,
        text: &str,
        username: Option<&str>,
    ) -> Result<MessageRecord> {
        let hook = self
            .ports
            .store
            .webhook_by_hash(&secrets::hash(secret))
            .await?
            .ok_or_else(|| Error::NotFound("no such webhook; it may have been revoked".into()))?;
        let creator = self
            .ports
            .store
            .user_by_id(hook.created_by)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| Error::Forbidden("the person who made this webhook left".into()))?;
        let principal = Principal {
            user_id: creator.id,
            name: creator.name,
            role: creator.role,
            credential: bureau_core::Credential::Token(bureau_core::TokenId(0)),
        };
        let channel = self.postable(&principal, hook.channel_id).await?;
        let via = match username.map(str::trim).filter(|u| !u.is_empty()) {
            Some(name) => rules::short_text("username", name)?,
            None => hook.name,
        };
        let post = Post {
            text,
            thread_id: None,
            also_in_channel: false,
            attachments: &[],
        };
        self.insert_post(&channel, principal.user_id, Some(&via), post)
            .await
    }

    // ---- helpers -------------------------------------------------------

    async fn insert_post(
        &self,
        channel: &ChannelRecord,
        author: UserId,
        via: Option<&str>,
        post: Post<'_>,
    ) -> Result<MessageRecord> {
        let text = rules::message_text(post.text, !post.attachments.is_empty())?;
        if post.attachments.len() > 10 {
            return Err(Error::invalid(
                "attachments",
                "a message carries at most 10 files",
            ));
        }
        if let Some(root) = post.thread_id {
            let parent = self.ports.store.message(root).await?;
            let valid = parent.as_ref().is_some_and(|p| {
                p.channel_id == channel.id && p.thread_id.is_none() && p.deleted_at.is_none()
            });
            if !valid {
                return Err(Error::invalid(
                    "thread_id",
                    "replies go to a message of this channel that is not itself a reply",
                ));
            }
        }
        let mentions = self.mentions_in(&text, channel.id).await?;
        let mut tx = self.ports.store.begin().await?;
        let id = tx
            .insert_message(NewMessage {
                channel_id: channel.id,
                author_id: author,
                via,
                thread_id: post.thread_id,
                also_in_channel: post.thread_id.is_some() && post.also_in_channel,
                text: &text,
                mentions_all: mentions.everyone,
                has_file: !post.attachments.is_empty(),
            })
            .await?;
        tx.insert_mentions(id, channel.id, &mentions.people).await?;
        let attached = tx.attach(id, channel.id, author, post.attachments).await?;
        if attached != post.attachments.len() {
            return Err(Error::invalid(
                "attachments",
                "an attachment is unknown, someone else's, or already posted",
            ));
        }
        tx.mark_read(channel.id, author, id).await?;
        let message = self.finish_post(tx, id).await?;
        Ok(message)
    }

    async fn finish_post(&self, mut tx: Tx, id: MessageId) -> Result<MessageRecord> {
        let message = tx.message(id).await?.expect("inserted in this transaction");
        events::message_posted(&mut tx, &message).await?;
        self.ports.commit(tx).await?;
        Ok(message)
    }

    async fn finish_update(&self, mut tx: Tx, id: MessageId) -> Result<MessageRecord> {
        let message = tx.message(id).await?.expect("read before this transaction");
        events::message_updated(&mut tx, &message).await?;
        self.ports.commit(tx).await?;
        Ok(message)
    }

    /// A message `who` may edit or delete: theirs, or any for an admin.
    async fn changeable(&self, who: &Principal, id: MessageId) -> Result<MessageRecord> {
        let message = self.message(who, id).await?;
        if message.deleted_at.is_some() {
            return Err(Error::NotFound("this message was deleted".into()));
        }
        if message.author_id != who.user_id && !who.is_admin() {
            return Err(Error::Forbidden(
                "only its author or an admin may change a message".into(),
            ));
        }
        let channel = self.ports.store.channel(message.channel_id).await?;
        if channel.is_some_and(|c| c.archived_at.is_some()) {
            return Err(Error::conflict("archived", "this channel is archived"));
        }
        Ok(message)
    }

    /// A message `who` may react to: in a conversation they are in.
    async fn reactable(&self, who: &Principal, id: MessageId) -> Result<MessageRecord> {
        let message = self.message(who, id).await?;
        let (channel, membership) = self.readable(who, message.channel_id).await?;
        if membership.is_none() {
            return Err(Error::Forbidden("join this channel to react in it".into()));
        }
        if channel.archived_at.is_some() {
            return Err(Error::conflict("archived", "this channel is archived"));
        }
        if message.deleted_at.is_some() {
            return Err(Error::NotFound("this message was deleted".into()));
        }
        Ok(message)
    }

    /// The people a text mentions who are in the conversation, and whether
    /// it calls everyone (`@channel`, `@here`, `@everyone`).
    async fn mentions_in(&self, text: &str, channel: ChannelId) -> Result<rules::Mentions> {
        let mut mentions = rules::Mentions::default();
        for name in rules::mentioned_names(text) {
            if matches!(name.as_str(), "channel" | "here" | "everyone") {
                mentions.everyone = true;
                continue;
            }
            let Some(user) = self.ports.store.user_by_name(&name).await? else {
                continue;
            };
            if self
                .ports
                .store
                .membership(channel, user.id)
                .await?
                .is_some()
                && !mentions.people.contains(&user.id)
            {
                mentions.people.push(user.id);
            }
        }
        Ok(mentions)
    }
}

/// Where an event about a conversation goes: a public channel's existence
/// is every member's business; everything else only its members'.
fn about_channel(channel: &ChannelRecord) -> Scope {
    if channel.private || channel.kind == ChannelKind::Dm {
        Scope::Channel(channel.id)
    } else {
        Scope::Members
    }
}
