//! The events chat leaves behind, and their data as clients receive it.
//! `bureau-server`'s views have the same shapes for the HTTP API; a server
//! test checks that an event's message equals the API's.

use bureau_core::{
    kinds, time, ChannelId, MessageId, NewEvent, NotifyLevel, Result, Scope, UserId,
};
use bureau_store::{ChannelRecord, MessageRecord, Tx};
use serde_json::{json, Value};

use crate::about_channel;

pub const MESSAGE_POSTED: &str = "message.posted";
pub const MESSAGE_UPDATED: &str = "message.updated";
pub const MESSAGE_DELETED: &str = "message.deleted";
pub const REACTION_ADDED: &str = "reaction.added";
pub const REACTION_REMOVED: &str = "reaction.removed";
pub const CHANNEL_UPDATED: &str = "channel.updated";
pub const CHANNEL_READ: &str = "channel.read";
pub const CHANNEL_PREFERENCES: &str = "channel.preferences";

pub fn channel_json(channel: &ChannelRecord) -> Value {
    json!({
        "id": channel.id.0,
        "kind": channel.kind.as_str(),
        "name": channel.name,
        "private": channel.private,
        "topic": channel.topic,
        "purpose": channel.purpose,
        "created_by": channel.created_by.0,
        "created_at": time::rfc3339(channel.created_at),
        "archived": channel.archived_at.is_some(),
        "last_message_id": channel.last_message_id.0,
        "member_count": channel.member_count,
    })
}

pub fn message_json(message: &MessageRecord) -> Value {
    json!({
        "id": message.id.0,
        "channel_id": message.channel_id.0,
        "author_id": message.author_id.0,
        "via": message.via,
        "thread_id": message.thread_id.map(|t| t.0),
        "also_in_channel": message.also_in_channel,
        "text": message.text,
        "created_at": time::rfc3339(message.created_at),
        "edited_at": message.edited_at.map(time::rfc3339),
        "deleted": message.deleted_at.is_some(),
        "pinned": message.pinned_at.is_some(),
        "reply_count": message.reply_count,
        "last_reply_at": message.last_reply_at.map(time::rfc3339),
        "reactions": message.reactions.iter().map(|(emoji, users)| json!({
            "emoji": emoji,
            "users": users.iter().map(|u| u.0).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "attachments": message.attachments.iter().map(|a| json!({
            "id": a.id,
            "name": a.name,
            "size": a.size,
            "mime": a.mime,
        })).collect::<Vec<_>>(),
    })
}

pub(crate) async fn channel_created(
    tx: &mut Tx,
    channel: &ChannelRecord,
    members: &[UserId],
) -> Result<()> {
    let data = json!({
        "channel": channel_json(channel),
        "members": members.iter().map(|m| m.0).collect::<Vec<_>>(),
    });
    append(tx, kinds::CHANNEL_CREATED, about_channel(channel), data).await
}

pub(crate) async fn channel_updated(tx: &mut Tx, channel: &ChannelRecord) -> Result<()> {
    let data = json!({ "channel": channel_json(channel) });
    append(tx, CHANNEL_UPDATED, about_channel(channel), data).await
}

pub(crate) async fn member_added(
    tx: &mut Tx,
    channel: &ChannelRecord,
    user: UserId,
    by: UserId,
) -> Result<()> {
    let data = json!({ "channel": channel_json(channel), "user_id": user.0, "by": by.0 });
    append(tx, kinds::MEMBER_ADDED, Scope::Channel(channel.id), data).await
}

pub(crate) async fn member_removed(
    tx: &mut Tx,
    channel: ChannelId,
    user: UserId,
    by: UserId,
) -> Result<()> {
    let data = json!({ "channel_id": channel.0, "user_id": user.0, "by": by.0 });
    append(tx, kinds::MEMBER_REMOVED, Scope::Channel(channel), data).await
}

pub(crate) async fn message_posted(tx: &mut Tx, message: &MessageRecord) -> Result<()> {
    let data = json!({ "message": message_json(message) });
    append(tx, MESSAGE_POSTED, Scope::Channel(message.channel_id), data).await
}

pub(crate) async fn message_updated(tx: &mut Tx, message: &MessageRecord) -> Result<()> {
    let data = json!({ "message": message_json(message) });
    append(
        tx,
        MESSAGE_UPDATED,
        Scope::Channel(message.channel_id),
        data,
    )
    .await
}

pub(crate) async fn message_deleted(tx: &mut Tx, message: &MessageRecord) -> Result<()> {
    let data = json!({
        "id": message.id.0,
        "channel_id": message.channel_id.0,
        "thread_id": message.thread_id.map(|t| t.0),
    });
    append(
        tx,
        MESSAGE_DELETED,
        Scope::Channel(message.channel_id),
        data,
    )
    .await
}

pub(crate) async fn reaction(
    tx: &mut Tx,
    kind: &'static str,
    message: &MessageRecord,
    user: UserId,
    emoji: &str,
) -> Result<()> {
    let data = json!({
        "message_id": message.id.0,
        "channel_id": message.channel_id.0,
        "thread_id": message.thread_id.map(|t| t.0),
        "user_id": user.0,
        "emoji": emoji,
    });
    append(tx, kind, Scope::Channel(message.channel_id), data).await
}

pub(crate) async fn read(
    tx: &mut Tx,
    user: UserId,
    channel: ChannelId,
    position: MessageId,
) -> Result<()> {
    let data = json!({ "channel_id": channel.0, "last_read_id": position.0 });
    append(tx, CHANNEL_READ, Scope::User(user), data).await
}

pub(crate) async fn preferences(
    tx: &mut Tx,
    user: UserId,
    channel: ChannelId,
    level: NotifyLevel,
) -> Result<()> {
    let data = json!({ "channel_id": channel.0, "notify": level.as_str() });
    append(tx, CHANNEL_PREFERENCES, Scope::User(user), data).await
}

async fn append(tx: &mut Tx, kind: &'static str, scope: Scope, data: Value) -> Result<()> {
    tx.append_event(NewEvent { kind, scope, data }).await?;
    Ok(())
}
