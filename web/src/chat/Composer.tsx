// Where a message is written: Enter sends, Shift+Enter starts a new line,
// files go up first and travel with the message.

import { useRef, useState } from 'preact/hooks';
import { api, uploadFile, type Schemas } from '../api/client';
import { describe } from '../api/errors';
import { useT } from '../i18n';
import { Icon } from '../ui/icons';
import { sendSignal } from '../realtime/events';

type Attachment = Schemas['AttachmentView'];

export function Composer({ channelId, threadId, placeholder }: { channelId: number; threadId?: number; placeholder: string }) {
  const t = useT();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Attachment[]>([]);
  const [alsoInChannel, setAlsoInChannel] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
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
            if (el.value) typed();
            el.style.height = 'auto';
            el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
          }}
          onKeyDown={(e) => {
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
