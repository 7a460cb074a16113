// Where a message is written: Enter sends, Shift+Enter starts a new line,
// files go up first and travel with the message.

import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, uploadFile, type Schemas } from '../api/client';
import { describe } from '../api/errors';
import { useT } from '../i18n';
import { Icon } from '../ui/icons';
import { sendSignal } from '../realtime/events';
import { useStore } from '../lib/store';
import { members, people } from './state';

type Attachment = Schemas['AttachmentView'];

export function Composer({ channelId, threadId, placeholder }: { channelId: number; threadId?: number; placeholder: string }) {
  const t = useT();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Attachment[]>([]);
  const [alsoInChannel, setAlsoInChannel] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [mention, setMention] = useState<{ query: string; at: number; index: number } | null>(null);
  const known = useStore(people);
  const inside = useStore(members)[channelId];
  const picker = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const id = `composer-${channelId}-${threadId ?? 'main'}`;
  const lastTyping = useRef(0);
  const typed = () => {
    // Others see "is typing" for a few seconds; say it again every 3 s.
    if (Date.now() - lastTyping.current < 3000) return;
    lastTyping.current = Date.now();
    sendSignal({ type: 'typing', channel_id: channelId, thread_id: threadId ?? null });
  };

  const send = async () => {
    if (busy || (!text.trim() && files.length === 0)) return;
    setBusy(true);
    setProblem(null);
    try {
      await api('post', '/channels/{id}/messages', {
        path: { id: channelId },
        body: { text, thread_id: threadId ?? null, also_in_channel: alsoInChannel, attachment_ids: files.map((f) => f.id) },
      });
      setText('');
      lastTyping.current = 0;
      setFiles([]);
      setAlsoInChannel(false);
      box.current?.focus();
    } catch (error) {
      setProblem(describe(t, error).message);
    } finally {
      setBusy(false);
    }
  };
  // Who an "@..." being typed may mean: the conversation's members first.
  const suggestions = (() => {
    if (!mention) return [];
    const q = mention.query.toLowerCase();
    const memberIds = new Set((inside ?? []).map((m) => m.user_id));
    const found = Object.values(known)
      .filter((p) => p.name.startsWith(q) || p.display_name.toLowerCase().includes(q))
      .sort((a, b) => Number(memberIds.has(b.id)) - Number(memberIds.has(a.id)) || a.name.localeCompare(b.name))
      .slice(0, 6)
      .map((p) => ({ name: p.name, label: p.display_name }));
    if ('channel'.startsWith(q)) found.push({ name: 'channel', label: t.chat.everyone });
    return found;
  })();
  const follow = (el: HTMLTextAreaElement) => {
    const before = el.value.slice(0, el.selectionStart ?? el.value.length);
    const match = /(?:^|[^\p{L}\p{N}@])@([\p{L}\p{N}._-]{0,32})$/iu.exec(before);
    setMention(match ? { query: match[1], at: before.length - match[1].length, index: 0 } : null);
  };
  const complete = (name: string) => {
    if (!mention || !box.current) return;
    const el = box.current;
    const end = el.selectionStart ?? text.length;
    const next = `${text.slice(0, mention.at)}${name} ${text.slice(end)}`;
    setText(next);
    setMention(null);
    pendingCaret.current = mention.at + name.length + 1;
    el.focus();
  };
  // The caret goes after a completed name as soon as the new text is in the
  // box, before anything else is typed.
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (pendingCaret.current !== null && box.current) {
      box.current.setSelectionRange(pendingCaret.current, pendingCaret.current);
      pendingCaret.current = null;
    }
  }, [text]);
  const attach = async (list: FileList | null) => {
    if (!list) return;
    setProblem(null);
    for (const file of Array.from(list)) {
      try {
        const uploaded = await uploadFile(channelId, file);
        setFiles((current) => [...current, uploaded]);
      } catch (error) {
        setProblem(describe(t, error).message);
      }
    }
    if (picker.current) picker.current.value = '';
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      {problem && (
        <p class="composer-problem" role="alert">
          {problem}
        </p>
      )}
      {files.length > 0 && (
        <ul class="composer-files">
          {files.map((f) => (
            <li key={f.id}>
              📄 {f.name}
              <button type="button" class="link-btn" aria-label={t.chat.removeFile(f.name)} onClick={() => setFiles(files.filter((x) => x !== f))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {mention && suggestions.length > 0 && (
        <ul class="mention-list" role="listbox" aria-label={t.chat.mentionSuggestions}>
          {suggestions.map((s, i) => (
            <li
              key={s.name}
              role="option"
              aria-selected={i === mention.index}
              class={i === mention.index ? 'selected' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                complete(s.name);
              }}
            >
              <strong>@{s.name}</strong> <span>{s.label}</span>
            </li>
          ))}
        </ul>
      )}
      <div class="composer-row">
        <label class="visually-hidden" for={id}>
          {placeholder}
        </label>
        <textarea
          id={id}
          ref={box}
          value={text}
          rows={1}
          placeholder={placeholder}
          maxLength={40000}
          onInput={(e) => {
            const el = e.currentTarget as HTMLTextAreaElement;
            setText(el.value);
            follow(el);
            if (el.value) typed();
            el.style.height = 'auto';
            el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
          }}
          onKeyDown={(e) => {
            if (mention && suggestions.length) {
              const pick = suggestions[Math.min(mention.index, suggestions.length - 1)];
              if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault();
                const step = e.key === 'ArrowDown' ? 1 : suggestions.length - 1;
                setMention({ ...mention, index: (mention.index + step) % suggestions.length });
                return;
              }
              if (e.key === 'Enter' || e.key === 'Tab') {
                e.preventDefault();
                complete(pick.name);
                return;
              }
              if (e.key === 'Escape') {
                setMention(null);
                return;
              }
            }
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <input ref={picker} type="file" multiple hidden onChange={(e) => void attach((e.currentTarget as HTMLInputElement).files)} />
        <button type="button" class="icon-btn" aria-label={t.chat.attach} title={t.chat.attach} onClick={() => picker.current?.click()}>
          <Icon name="attach" />
        </button>
        <button type="submit" class="icon-btn send-btn" aria-label={t.chat.send} title={t.chat.send} disabled={busy}>
          <Icon name="send" />
        </button>
      </div>
      {threadId !== undefined && (
        <label class="also-channel">
          <input type="checkbox" checked={alsoInChannel} onChange={(e) => setAlsoInChannel((e.currentTarget as HTMLInputElement).checked)} /> {t.chat.alsoSendToChannel}
        </label>
      )}
      <p class="composer-hint">{t.chat.composerHint}</p>
    </form>
  );
}
