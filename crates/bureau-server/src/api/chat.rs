//! `/api/v1` endpoints of chat, and the Slack-compatible incoming webhook
//! at `/hooks/{token}`.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json as Reply;
use bureau_chat::{ChannelChange, ChannelSpec, Post, Upload, MAX_ATTACHMENT_BYTES};
use bureau_core::{ChannelId, MessageId, UserId};
use bureau_store::Page;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::views::*;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sidebar, create_channel))
        .routes(routes!(browse))
        .routes(routes!(channel, update_channel))
        .routes(routes!(members, add_member, remove_member_by_body))
        .routes(routes!(remove_member, set_member))
        .routes(routes!(mark_read))
        .routes(routes!(set_notify))
        .routes(routes!(history, post))
        .routes(routes!(pins))
        .routes(routes!(upload))
        .routes(routes!(download))
        .routes(routes!(open_dm))
        .routes(routes!(message, edit, delete))
        .routes(routes!(thread))
        .routes(routes!(pin, unpin))
        .routes(routes!(react, unreact))
        .routes(routes!(webhooks, create_webhook))
        .routes(routes!(revoke_webhook))
        .routes(routes!(search))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQueryParams {
    /// Words (French and English forms, starts of words, codes like
    /// PLT-3699) and filters: `in:#channel`, `from:@name`,
    /// `before:YYYY-MM-DD`, `after:YYYY-MM-DD`, `on:YYYY-MM-DD`, `has:file`.
    pub q: String,
    /// 1 to 100; 20 when absent.
    pub limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResultView {
    pub message: MessageView,
    pub channel: ChannelView,
    /// Where the searched words are in `message.text`, as `[start, end)`
    /// pairs of UTF-16 offsets (JavaScript string indices).
    pub highlights: Vec<[usize; 2]>,
}

/// Searches the messages the person may read, best first.
#[utoipa::path(get, path = "/search", tag = "chat", params(SearchQueryParams),
    responses((status = 200, body = Vec<SearchResultView>), (status = 422, body = ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    auth: Auth,
    Query(query): Query<SearchQueryParams>,
) -> ApiResult<Reply<Vec<SearchResultView>>> {
    let hits = state
        .chat
        .search(&auth.principal, &query.q, query.limit.unwrap_or(20))
        .await?;
    let utf16 = |text: &str, byte: usize| text[..byte].encode_utf16().count();
    Ok(Reply(
        hits.iter()
            .map(|hit| SearchResultView {
                message: MessageView::from(&hit.message),
                channel: ChannelView::from(&hit.channel),
                highlights: hit
                    .highlights
                    .iter()
                    .map(|(a, b)| [utf16(&hit.message.text, *a), utf16(&hit.message.text, *b)])
                    .collect(),
            })
            .collect(),
    ))
}

/// The person's conversations, with unread and mention counts.
#[utoipa::path(get, path = "/channels", tag = "chat",
    responses((status = 200, body = Vec<SidebarView>)))]
async fn sidebar(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<Vec<SidebarView>>> {
    let entries = state.chat.sidebar(&auth.principal).await?;
    Ok(Reply(entries.iter().map(SidebarView::from).collect()))
}

/// Every public channel, for the channel browser.
#[utoipa::path(get, path = "/channels/browse", tag = "chat",
    responses((status = 200, body = Vec<ChannelView>)))]
async fn browse(State(state): State<AppState>, auth: Auth) -> ApiResult<Reply<Vec<ChannelView>>> {
    let channels = state.chat.browse(&auth.principal).await?;
    Ok(Reply(channels.iter().map(ChannelView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChannelRequest {
    pub name: String,
    #[serde(default)]
    pub private: bool,
    /// `channel` (the default) or `announcement` (admins only).
    #[serde(default)]
    pub kind: Option<ChannelKindDto>,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub purpose: String,
}

#[utoipa::path(post, path = "/channels", tag = "chat", request_body = NewChannelRequest,
    responses((status = 201, body = ChannelView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_channel(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewChannelRequest>,
) -> ApiResult<(StatusCode, Reply<ChannelView>)> {
    let spec = ChannelSpec {
        name: &body.name,
        private: body.private,
        kind: body.kind.unwrap_or(ChannelKindDto::Channel).into(),
        topic: &body.topic,
        purpose: &body.purpose,
    };
    let channel = state.chat.create_channel(&auth.principal, spec).await?;
    Ok((StatusCode::CREATED, Reply(ChannelView::from(&channel))))
}

#[utoipa::path(get, path = "/channels/{id}", tag = "chat", params(("id" = i64, Path)),
    responses((status = 200, body = ChannelView), (status = 404, body = ErrorBody)))]
async fn channel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<ChannelView>> {
    let channel = state.chat.channel(&auth.principal, ChannelId(id)).await?;
    Ok(Reply(ChannelView::from(&channel)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelChangeRequest {
    pub name: Option<String>,
    pub topic: Option<String>,
    pub purpose: Option<String>,
    pub archived: Option<bool>,
}

/// Changes a channel's topic or purpose (members), name or archive (its
/// creator or an admin).
#[utoipa::path(patch, path = "/channels/{id}", tag = "chat", params(("id" = i64, Path)),
    request_body = ChannelChangeRequest,
    responses((status = 200, body = ChannelView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update_channel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<ChannelChangeRequest>,
) -> ApiResult<Reply<ChannelView>> {
    let change = ChannelChange {
        name: body.name.as_deref(),
        topic: body.topic.as_deref(),
        purpose: body.purpose.as_deref(),
        archived: body.archived,
    };
    let channel = state
        .chat
        .update_channel(&auth.principal, ChannelId(id), change)
        .await?;
    Ok(Reply(ChannelView::from(&channel)))
}

#[utoipa::path(get, path = "/channels/{id}/members", tag = "chat", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MemberView>), (status = 404, body = ErrorBody)))]
async fn members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<Vec<MemberView>>> {
    let members = state.chat.members(&auth.principal, ChannelId(id)).await?;
    Ok(Reply(members.iter().map(MemberView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    pub user_id: i64,
}

/// Adds someone to a channel; a person joins a public channel by adding
/// themselves.
#[utoipa::path(post, path = "/channels/{id}/members", tag = "chat", params(("id" = i64, Path)),
    request_body = MemberRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_member(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<MemberRequest>,
) -> ApiResult<StatusCode> {
    state
        .chat
        .add_member(&auth.principal, ChannelId(id), UserId(body.user_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes someone from a channel, named in the body.
#[utoipa::path(delete, path = "/channels/{id}/members", tag = "chat", params(("id" = i64, Path)),
    request_body = MemberRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_member_by_body(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<MemberRequest>,
) -> ApiResult<StatusCode> {
    state
        .chat
        .remove_member(&auth.principal, ChannelId(id), UserId(body.user_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes someone from a channel (themselves: leaving it).
#[utoipa::path(delete, path = "/channels/{id}/members/{user_id}", tag = "chat",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, user)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state
        .chat
        .remove_member(&auth.principal, ChannelId(id), UserId(user))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberChangeRequest {
    /// May post in this announcement channel (admins decide).
    pub poster: bool,
}

#[utoipa::path(patch, path = "/channels/{id}/members/{user_id}", tag = "chat",
    params(("id" = i64, Path), ("user_id" = i64, Path)), request_body = MemberChangeRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn set_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, user)): Path<(i64, i64)>,
    Json(body): Json<MemberChangeRequest>,
) -> ApiResult<StatusCode> {
    state
        .chat
        .set_poster(&auth.principal, ChannelId(id), UserId(user), body.poster)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadPosition {
    pub last_read_id: i64,
}

/// Moves the person's read position forward (never back).
#[utoipa::path(post, path = "/channels/{id}/read", tag = "chat", params(("id" = i64, Path)),
    request_body = ReadPosition,
    responses((status = 200, body = ReadPosition), (status = 404, body = ErrorBody)))]
async fn mark_read(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<ReadPosition>,
) -> ApiResult<Reply<ReadPosition>> {
    let position = state
        .chat
        .mark_read(&auth.principal, ChannelId(id), MessageId(body.last_read_id))
        .await?;
    Ok(Reply(ReadPosition {
        last_read_id: position.0,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyRequest {
    pub notify: NotifyDto,
}

/// When the person is notified of this conversation: all, mentions, mute.
#[utoipa::path(put, path = "/channels/{id}/notify", tag = "chat", params(("id" = i64, Path)),
    request_body = NotifyRequest,
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn set_notify(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<NotifyRequest>,
) -> ApiResult<StatusCode> {
    state
        .chat
        .set_notify(&auth.principal, ChannelId(id), body.notify.into())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Messages older than this id.
    pub before: Option<i64>,
    /// Messages newer than this id.
    pub after: Option<i64>,
    /// 1 to 200; 50 when absent.
    pub limit: Option<i64>,
}

/// A page of a channel's history, oldest first: the newest messages, or
/// those `before` or `after` a message id.
#[utoipa::path(get, path = "/channels/{id}/messages", tag = "chat",
    params(("id" = i64, Path), HistoryQuery),
    responses((status = 200, body = Vec<MessageView>), (status = 404, body = ErrorBody)))]
async fn history(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(query): Query<HistoryQuery>,
) -> ApiResult<Reply<Vec<MessageView>>> {
    let page = match (query.before, query.after) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request("give `before` or `after`, not both"))
        }
        (Some(before), None) => Page::Before(MessageId(before)),
        (None, Some(after)) => Page::After(MessageId(after)),
        (None, None) => Page::Latest,
    };
    let messages = state
        .chat
        .history(
            &auth.principal,
            ChannelId(id),
            page,
            query.limit.unwrap_or(50),
        )
        .await?;
    Ok(Reply(messages.iter().map(MessageView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostRequest {
    /// Markdown, 1 to 40,000 characters (may be empty with attachments).
    pub text: String,
    /// Reply in this thread.
    pub thread_id: Option<i64>,
    /// A reply that also shows in the channel.
    #[serde(default)]
    pub also_in_channel: bool,
    /// Files uploaded with `POST /channels/{id}/files`.
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

#[utoipa::path(post, path = "/channels/{id}/messages", tag = "chat", params(("id" = i64, Path)),
    request_body = PostRequest,
    responses((status = 201, body = MessageView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<PostRequest>,
) -> ApiResult<(StatusCode, Reply<MessageView>)> {
    let post = Post {
        text: &body.text,
        thread_id: body.thread_id.map(MessageId),
        also_in_channel: body.also_in_channel,
        attachments: &body.attachment_ids,
    };
    let message = state
        .chat
        .post(&auth.principal, ChannelId(id), post)
        .await?;
    Ok((StatusCode::CREATED, Reply(MessageView::from(&message))))
}

#[utoipa::path(get, path = "/channels/{id}/pins", tag = "chat", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MessageView>), (status = 404, body = ErrorBody)))]
async fn pins(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<Vec<MessageView>>> {
    let messages = state.chat.pinned(&auth.principal, ChannelId(id)).await?;
    Ok(Reply(messages.iter().map(MessageView::from).collect()))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name.
    pub name: String,
}

/// Uploads a file (the raw bytes, up to 25 MiB) for a message about to be
/// posted in this channel; post it with `attachment_ids`.
#[utoipa::path(post, path = "/channels/{id}/files", tag = "chat",
    params(("id" = i64, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentView), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    request: Request,
) -> ApiResult<(StatusCode, Reply<AttachmentView>)> {
    let mime = super::content_type(&headers);
    let bytes = super::whole_body(
        request,
        MAX_ATTACHMENT_BYTES,
        "a chat attachment is at most 25 MiB; share larger files through Files",
    )
    .await?;
    let upload = Upload {
        name: &query.name,
        mime: &mime,
        bytes: bytes.to_vec(),
    };
    let attachment = state
        .chat
        .upload(&auth.principal, ChannelId(id), upload)
        .await?;
    Ok((
        StatusCode::CREATED,
        Reply(AttachmentView::from(&attachment)),
    ))
}

/// A file attached to a message. Images, PDFs and plain text show inline;
/// anything else downloads.
#[utoipa::path(get, path = "/attachments/{id}", tag = "chat", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody)))]
async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (attachment, bytes) = state.chat.download(&auth.principal, id).await?;
    let disposition = if attachment.mime == "application/octet-stream" {
        "attachment"
    } else {
        "inline"
    };
    Ok((
        [
            (header::CONTENT_TYPE, attachment.mime.clone()),
            (
                header::CONTENT_DISPOSITION,
                super::content_disposition(disposition, &attachment.name),
            ),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DmRequest {
    /// The other people (1 to 9); the caller is added.
    pub user_ids: Vec<i64>,
}

/// The DM or group conversation with these people: the same people always
/// get the same conversation.
#[utoipa::path(post, path = "/dms", tag = "chat", request_body = DmRequest,
    responses((status = 200, body = ChannelView), (status = 422, body = ErrorBody)))]
async fn open_dm(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<DmRequest>,
) -> ApiResult<Reply<ChannelView>> {
    let people: Vec<UserId> = body.user_ids.iter().copied().map(UserId).collect();
    let channel = state.chat.open_dm(&auth.principal, &people).await?;
    Ok(Reply(ChannelView::from(&channel)))
}

/// One message, for a permalink.
#[utoipa::path(get, path = "/messages/{id}", tag = "chat", params(("id" = i64, Path)),
    responses((status = 200, body = MessageView), (status = 404, body = ErrorBody)))]
async fn message(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<MessageView>> {
    let message = state.chat.message(&auth.principal, MessageId(id)).await?;
    Ok(Reply(MessageView::from(&message)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    pub text: String,
}

/// Edits a message (its author or an admin); it shows as edited.
#[utoipa::path(patch, path = "/messages/{id}", tag = "chat", params(("id" = i64, Path)),
    request_body = EditRequest,
    responses((status = 200, body = MessageView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<EditRequest>,
) -> ApiResult<Reply<MessageView>> {
    let message = state
        .chat
        .edit(&auth.principal, MessageId(id), &body.text)
        .await?;
    Ok(Reply(MessageView::from(&message)))
}

/// Deletes a message (its author or an admin).
#[utoipa::path(delete, path = "/messages/{id}", tag = "chat", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state.chat.delete(&auth.principal, MessageId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A thread: its first message, then the replies, oldest first.
#[utoipa::path(get, path = "/messages/{id}/thread", tag = "chat", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MessageView>), (status = 404, body = ErrorBody)))]
async fn thread(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<Vec<MessageView>>> {
    let messages = state.chat.thread(&auth.principal, MessageId(id)).await?;
    Ok(Reply(messages.iter().map(MessageView::from).collect()))
}

#[utoipa::path(put, path = "/messages/{id}/pin", tag = "chat", params(("id" = i64, Path)),
    responses((status = 200, body = MessageView), (status = 404, body = ErrorBody)))]
async fn pin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<MessageView>> {
    let message = state.chat.pin(&auth.principal, MessageId(id), true).await?;
    Ok(Reply(MessageView::from(&message)))
}

#[utoipa::path(delete, path = "/messages/{id}/pin", tag = "chat", params(("id" = i64, Path)),
    responses((status = 200, body = MessageView), (status = 404, body = ErrorBody)))]
async fn unpin(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<MessageView>> {
    let message = state
        .chat
        .pin(&auth.principal, MessageId(id), false)
        .await?;
    Ok(Reply(MessageView::from(&message)))
}

/// Adds the person's reaction (an emoji, URL-encoded, or `:short_name:`).
#[utoipa::path(put, path = "/messages/{id}/reactions/{emoji}", tag = "chat",
    params(("id" = i64, Path), ("emoji" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn react(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, emoji)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    state
        .chat
        .react(&auth.principal, MessageId(id), &emoji)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/messages/{id}/reactions/{emoji}", tag = "chat",
    params(("id" = i64, Path), ("emoji" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn unreact(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, emoji)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    state
        .chat
        .unreact(&auth.principal, MessageId(id), &emoji)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/channels/{id}/webhooks", tag = "chat", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<WebhookView>), (status = 404, body = ErrorBody)))]
async fn webhooks(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> ApiResult<Reply<Vec<WebhookView>>> {
    let hooks = state.chat.webhooks(&auth.principal, ChannelId(id)).await?;
    Ok(Reply(hooks.iter().map(WebhookView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookRequest {
    /// Shown as the author of what it posts.
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct NewWebhookResponse {
    pub webhook: WebhookView,
    /// Where tools POST Slack's `{"text": ...}`; shown only in this response.
    pub url: String,
}

/// Creates a Slack-compatible incoming webhook for this channel.
#[utoipa::path(post, path = "/channels/{id}/webhooks", tag = "chat", params(("id" = i64, Path)),
    request_body = NewWebhookRequest,
    responses((status = 201, body = NewWebhookResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_webhook(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<NewWebhookRequest>,
) -> ApiResult<(StatusCode, Reply<NewWebhookResponse>)> {
    let (hook, secret) = state
        .chat
        .create_webhook(&auth.principal, ChannelId(id), &body.name)
        .await?;
    let url = format!(
        "{}/hooks/{secret}",
        state.config.public_url.trim_end_matches('/')
    );
    Ok((
        StatusCode::CREATED,
        Reply(NewWebhookResponse {
            webhook: WebhookView::from(&hook),
            url,
        }),
    ))
}

#[utoipa::path(delete, path = "/channels/{id}/webhooks/{hook_id}", tag = "chat",
    params(("id" = i64, Path), ("hook_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_webhook(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, hook)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    state
        .chat
        .revoke_webhook(&auth.principal, ChannelId(id), hook)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Slack's incoming webhook payload; other fields Slack knows (`blocks`,
/// `attachments`, `icon_emoji`, ...) are accepted and ignored.
#[derive(Deserialize)]
struct SlackPayload {
    text: Option<String>,
    username: Option<String>,
}

/// `POST /hooks/{token}`: Slack's incoming webhook, so tools that post to
/// Slack post here unchanged. Takes JSON, or a form with a `payload` field;
/// answers `ok` like Slack.
pub async fn incoming_webhook(
    State(state): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> ApiResult<Response> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let json = if is_form {
        form_payload(&body)
            .ok_or_else(|| ApiError::bad_request("a form post carries the JSON in `payload`"))?
    } else {
        body.to_vec()
    };
    let payload: SlackPayload = serde_json::from_slice(&json)
        .map_err(|e| ApiError::bad_request(format!("the body is not Slack's JSON payload: {e}")))?;
    let text = payload
        .text
        .ok_or_else(|| ApiError::bad_request("the payload has no `text`"))?;
    state
        .chat
        .post_by_webhook(&token, &text, payload.username.as_deref())
        .await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "ok").into_response())
}

/// The `payload` field of a URL-encoded form, decoded.
fn form_payload(body: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?;
    let value = text
        .split('&')
        .find_map(|pair| pair.strip_prefix("payload="))?;
    let mut out = Vec::with_capacity(value.len());
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    Some(out)
}
