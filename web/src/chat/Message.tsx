// One message: who wrote it and when, its Markdown, files, reactions and
// thread summary, and the actions a person may take on it.

import { useState } from 'preact/hooks';
import { api, API } from '../api/client';
import { navigate } from '../app/router';
import { me } from '../app/session';
import { formatDateTime, useT } from '../i18n';
import { useStore } from '../lib/store';
import { Avatar } from '../ui/Avatar';
import { IconButton } from '../ui/Button';
import { copyText } from '../ui/copy';
import { confirm } from '../ui/Dialog';
import { toast } from '../ui/Toast';
import { Markdown } from './markdown';
import { people, type Message } from './state';

/** The reactions offered first; any emoji can be typed in the picker. */
const QUICK = ['👍', '❤️', '😂', '🎉', '👀', '🙏', '✅', '🚀'];

export function MessageItem({ message, compact, highlighted, inThread }: { message: Message; compact: boolean; highlighted?: boolean; inThread?: boolean }) {
  const t = useT();
  const user = useStore(me);
  const known = useStore(people);
  const [editing, setEditing] = useState(false);
  const [picking, setPicking] = useState(false);
  const author = known[message.author_id];
  const name = message.via ?? author?.display_name ?? `#${message.author_id}`;
  const mine = message.author_id === user?.id;
  const mayChange = (mine || user?.role === 'admin') && !message.deleted;
  const time = new Date(message.created_at);
  const fail = () => toast(t.errors.unexpected, 'error');

  const react = (emoji: string) => {
    setPicking(false);
    const has = message.reactions.some((r) => r.emoji === emoji && r.users.includes(user?.id ?? -1));
    const call = has
      ? api('delete', '/messages/{id}/reactions/{emoji}', { path: { id: message.id, emoji } })
      : api('put', '/messages/{id}/reactions/{emoji}', { path: { id: message.id, emoji } });
    void call.catch(fail);
  };
  const remove = async () => {
    if (await confirm({ title: t.chat.deleteTitle, body: t.chat.deleteBody, confirm: t.chat.delete, danger: true })) {
      await api('delete', '/messages/{id}', { path: { id: message.id } }).catch(fail);
    }
  };
  const pin = () =>
    void (message.pinned
      ? api('delete', '/messages/{id}/pin', { path: { id: message.id } })
      : api('put', '/messages/{id}/pin', { path: { id: message.id } })
    ).catch(fail);
  const link = async () => {
    const url = `${location.origin}/chat/${message.channel_id}/${message.id}`;
    if (await copyText(url)) toast(t.chat.linkCopied);
  };

  if (message.deleted) {
    return (
      <article class={`message ${compact ? 'compact' : ''}`} data-id={message.id}>
        <div class="message-gutter" />
        <p class="message-deleted">{t.chat.deleted}</p>
      </article>
    );
  }
  return (
    <article class={`message ${compact ? 'compact' : ''} ${highlighted ? 'highlighted' : ''}`} data-id={message.id} aria-label={t.chat.messageFrom(name)}>
      <div class="message-gutter">{!compact && (author ? <Avatar user={author} size="small" /> : <span class="avatar avatar-small">🤖</span>)}</div>
      <div class="message-main">
        {!compact && (
          <header class="message-head">
            <strong class="message-author">{name}</strong>
            {!message.via && author?.status && (
              <span class="author-status" title={author.status.text}>
                {author.status.emoji || '💬'}
              </span>
            )}
            {message.via && <span class="tag">{t.chat.app}</span>}
            <time dateTime={message.created_at} title={formatDateTime(message.created_at)}>
              {time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
            </time>
            {message.pinned && <span class="tag">📌 {t.chat.pinnedTag}</span>}
          </header>
        )}
        {editing ? (
          <EditBox message={message} onDone={() => setEditing(false)} />
        ) : (
          <div class="message-text">
            <Markdown text={message.text} context={{ me: user?.name ?? '' }} />
            {message.edited_at && <span class="edited">{t.chat.edited}</span>}
          </div>
        )}
        {message.attachments.length > 0 && (
          <ul class="attachments">
            {message.attachments.map((a) => (
              <li key={a.id}>
                {a.mime.startsWith('image/') ? (
                  <a href={`${API}/attachments/${a.id}`} target="_blank" rel="noopener">
                    <img src={`${API}/attachments/${a.id}`} alt={a.name} loading="lazy" />
                  </a>
                ) : (
                  <a href={`${API}/attachments/${a.id}`} target="_blank" rel="noopener" class="file-chip">
                    📄 {a.name} <small>{Math.max(1, Math.round(a.size / 1024))} KB</small>
                  </a>
                )}
              </li>
            ))}
          </ul>
        )}
        {message.reactions.length > 0 && (
          <div class="reactions">
            {message.reactions.map((r) => {
              const own = r.users.includes(user?.id ?? -1);
              const who = r.users.map((id) => known[id]?.display_name ?? `#${id}`).join(', ');
              return (
                <button key={r.emoji} type="button" class={`reaction ${own ? 'own' : ''}`} aria-pressed={own} title={who} onClick={() => react(r.emoji)}>
                  <span>{r.emoji}</span> <span>{r.users.length}</span>
                </button>
              );
            })}
          </div>
        )}
        {!inThread && message.thread_id == null && message.reply_count > 0 && (
          <button type="button" class="thread-link" onClick={() => navigate(`/chat/${message.channel_id}?thread=${message.id}`)}>
            {t.chat.replies(message.reply_count)}
          </button>
        )}
        {message.also_in_channel && !inThread && <p class="hint">{t.chat.repliedInThread}</p>}
      </div>
      <div class="message-actions" role="toolbar" aria-label={t.common.actions}>
        <IconButton icon="smile" label={t.chat.react} onClick={() => setPicking(!picking)} />
        {!inThread && message.thread_id == null && (
          <IconButton icon="reply" label={t.chat.replyInThread} onClick={() => navigate(`/chat/${message.channel_id}?thread=${message.id}`)} />
        )}
        <IconButton icon="link" label={t.chat.copyLink} onClick={() => void link()} />
        <IconButton icon="pin" label={message.pinned ? t.chat.unpin : t.chat.pin} onClick={pin} />
        {mine && <IconButton icon="edit" label={t.chat.edit} onClick={() => setEditing(true)} />}
        {mayChange && <IconButton icon="trash" label={t.chat.delete} onClick={() => void remove()} />}
      </div>
      {picking && (
        <div class="emoji-picker" role="group" aria-label={t.chat.react}>
          {QUICK.map((emoji) => (
            <button key={emoji} type="button" onClick={() => react(emoji)} aria-label={emoji}>
              {emoji}
            </button>
          ))}
          <input
            class="emoji-other"
            aria-label={t.chat.otherEmoji}
            placeholder={t.chat.otherEmojiHint}
            maxLength={16}
            onKeyDown={(e) => {
              const value = (e.currentTarget as HTMLInputElement).value.trim();
              if (e.key === 'Enter' && value) {
                e.preventDefault();
                react(value);
              }
              if (e.key === 'Escape') setPicking(false);
            }}
          />
        </div>
      )}
    </article>
  );
}

function EditBox({ message, onDone }: { message: Message; onDone: () => void }) {
  const t = useT();
  const [text, setText] = useState(message.text);
  const save = async () => {
    try {
      await api('patch', '/messages/{id}', { path: { id: message.id }, body: { text } });
      onDone();
    } catch {
      toast(t.errors.unexpected, 'error');
    }
  };
  return (
    <div class="edit-box">
      <label class="visually-hidden" for={`edit-${message.id}`}>
        {t.chat.edit}
      </label>
      <textarea
        id={`edit-${message.id}`}
        value={text}
        rows={3}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone();
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            void save();
          }
        }}
        autoFocus
      />
      <div class="edit-actions">
        <button type="button" class="btn btn-secondary btn-small" onClick={onDone}>
          {t.common.cancel}
        </button>
        <button type="button" class="btn btn-primary btn-small" onClick={() => void save()}>
          {t.common.save}
        </button>
      </div>
    </div>
  );
}
