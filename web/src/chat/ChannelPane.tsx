// One open conversation: its header, its history (loaded a page at a time
// as the person scrolls, with a "new messages" line), the composer, and a
// thread beside it.

import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { describe } from '../api/errors';
import { navigate } from '../app/router';
import { me } from '../app/session';
import { useT } from '../i18n';
import { useStore } from '../lib/store';
import { startCall } from '../meetings/Meetings';
import { IconButton } from '../ui/Button';
import { confirm } from '../ui/Dialog';
import { Empty, Loading } from '../ui/Page';
import { toast } from '../ui/Toast';
import { ChannelDetails } from './ChannelDetails';
import { Composer } from './Composer';
import { MessageItem } from './Message';
import {
  dmName,
  entries,
  histories,
  loadAround,
  loadLatest,
  loadMembers,
  loadNewer,
  loadOlder,
  loadThread,
  markRead,
  people,
  threads,
  typing,
  viewing,
  type Channel,
  type Entry,
  type Message,
} from './state';

export function ChannelPane({ channelId, jumpTo, threadId }: { channelId: number; jumpTo: number | null; threadId: number | null }) {
  const t = useT();
  const list = useStore(entries);
  const known = useStore(people);
  const entry = list?.find((e) => e.channel.id === channelId);
  const [missing, setMissing] = useState(false);
  // A public channel one has not joined: shown from its own record.
  const [preview, setPreview] = useState<Channel | null>(null);
  const [pinsOpen, setPinsOpen] = useState(false);
  // Where the "new messages" line goes: the read position when opened.
  const [readAtOpen] = useState(() => entry?.last_read_id ?? null);

  useEffect(() => {
    viewing.update((v) => ({ ...v, channel: channelId }));
    const load = jumpTo ? loadAround(channelId, jumpTo) : loadLatest(channelId);
    load.catch(() => setMissing(true));
    void loadMembers(channelId).catch(() => {});
    void api('get', '/channels/{id}', { path: { id: channelId } }).then(setPreview, () => {});
    return () => viewing.update((v) => ({ ...v, channel: null }));
  }, [channelId, jumpTo]);

  if (missing) return <Empty>{t.chat.notFound}</Empty>;
  const names = (id: number) => known[id]?.display_name ?? `#${id}`;
  const title = entry ? (entry.channel.kind === 'dm' ? dmName(entry, names) : `#${entry.channel.name}`) : preview ? `#${preview.name}` : '';
  const canPost = entry && !entry.channel.archived && (entry.channel.kind !== 'announcement' || entry.poster || me.get()?.role === 'admin');

  return (
    <div class={`channel ${threadId ? 'with-thread' : ''}`}>
      <div class="channel-body">
        <header class="channel-head">
          <IconButton class="back-btn" icon="menu" label={t.chat.conversations} onClick={() => navigate('/chat')} />
          <div class="channel-title">
            <h2>{title || t.common.loading}</h2>
            {entry?.channel.topic && <p class="channel-topic">{entry.channel.topic}</p>}
          </div>
          {entry && <ChannelActions entry={entry} onPins={() => setPinsOpen(!pinsOpen)} />}
        </header>
        {pinsOpen && <Pins channelId={channelId} onClose={() => setPinsOpen(false)} />}
        <History channelId={channelId} entry={entry} readAtOpen={readAtOpen} jumpTo={jumpTo} />
        <TypingLine channelId={channelId} />
        {entry && !entry.channel.archived && !canPost && <p class="composer-note">{t.chat.announcementOnly}</p>}
        {entry?.channel.archived && <p class="composer-note">{t.chat.archivedNote}</p>}
        {!entry && list && <JoinBar channelId={channelId} />}
        {canPost && <Composer channelId={channelId} placeholder={t.chat.messageTo(title)} />}
      </div>
      {threadId && <Thread rootId={threadId} channelId={channelId} canPost={!!canPost} />}
    </div>
  );
}

function ChannelActions({ entry, onPins }: { entry: Entry; onPins: () => void }) {
  const t = useT();
  const user = useStore(me);
  const [details, setDetails] = useState(false);
  const setNotify = async (notify: 'all' | 'mentions' | 'mute') => {
    await api('put', '/channels/{id}/notify', { path: { id: entry.channel.id }, body: { notify } });
  };
  const leave = async () => {
    const yes = await confirm({ title: t.chat.leaveTitle(entry.channel.name ?? ''), body: t.chat.leaveBody, confirm: t.chat.leave });
    if (!yes || !user) return;
    await api('delete', '/channels/{id}/members/{user_id}', { path: { id: entry.channel.id, user_id: user.id } });
    navigate('/chat');
  };
  return (
    <div class="channel-actions">
      {entry.channel.kind !== 'dm' && (
        <button type="button" class="link-btn member-count" onClick={() => setDetails(true)}>
          {t.chat.memberCount(entry.channel.member_count)}
        </button>
      )}
      {entry.channel.kind !== 'dm' && !entry.channel.archived && <IconButton icon="people" label={t.chat.details} onClick={() => setDetails(true)} />}
      {details && <ChannelDetails entry={entry} open={details} onClose={() => setDetails(false)} />}
      <label class="visually-hidden" for="notify-level">
        {t.chat.notifications}
      </label>
      <select id="notify-level" class="notify-select" value={entry.notify} onChange={(e) => void setNotify((e.currentTarget as HTMLSelectElement).value as 'all')}>
        <option value="all">{t.chat.notifyAll}</option>
        <option value="mentions">{t.chat.notifyMentions}</option>
        <option value="mute">{t.chat.notifyMute}</option>
      </select>
      {!entry.channel.archived && (
        <IconButton
          icon="meetings"
          label={t.meet.startInChannel}
          onClick={() => void startCall(entry.channel.name ? `#${entry.channel.name}` : t.meet.startCall, entry.channel.id).catch((error: unknown) => toast(describe(t, error).message, 'error'))}
        />
      )}
      <IconButton icon="pin" label={t.chat.pinned} onClick={onPins} />
      {entry.channel.kind !== 'dm' && <IconButton icon="logout" label={t.chat.leave} onClick={() => void leave()} />}
    </div>
  );
}

function TypingLine({ channelId }: { channelId: number }) {
  const t = useT();
  const all = useStore(typing);
  const known = useStore(people);
  const names = Object.keys(all[channelId] ?? {}).map((id) => known[Number(id)]?.display_name ?? `#${id}`);
  return (
    <p class="typing-line" aria-live="polite">
      {names.length > 0 ? t.chat.typing(names) : ''}
    </p>
  );
}

function JoinBar({ channelId }: { channelId: number }) {
  const t = useT();
  const user = useStore(me);
  const join = async () => {
    await api('post', '/channels/{id}/members', { path: { id: channelId }, body: { user_id: user!.id } });
  };
  return (
    <div class="composer-note">
      {t.chat.previewing}{' '}
      <button type="button" class="btn btn-primary btn-small" onClick={() => void join().catch(() => toast(t.errors.unexpected, 'error'))}>
        {t.chat.join}
      </button>
    </div>
  );
}

function History({ channelId, entry, readAtOpen, jumpTo }: { channelId: number; entry?: Entry; readAtOpen: number | null; jumpTo: number | null }) {
  const t = useT();
  const all = useStore(histories);
  const view = useStore(viewing);
  const history = all[channelId];
  const scroller = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  const anchor = useRef<{ id: number; offset: number } | null>(null);
  const loading = useRef(false);

  // Keep the view steady when older messages are added above, and follow
  // new ones when the person was at the bottom.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !history) return;
    if (anchor.current) {
      const node = el.querySelector<HTMLElement>(`[data-id="${anchor.current.id}"]`);
      if (node) el.scrollTop = node.offsetTop - anchor.current.offset;
      anchor.current = null;
    } else if (jumpTo && !el.dataset.jumped) {
      el.dataset.jumped = '1';
      el.querySelector<HTMLElement>(`[data-id="${jumpTo}"]`)?.scrollIntoView({ block: 'center' });
      stuck.current = false;
    } else if (stuck.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [history]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new IntersectionObserver(
      (seen) => {
        for (const item of seen) {
          if (item.target === bottom.current) stuck.current = item.isIntersecting;
          if (!item.isIntersecting || loading.current) continue;
          const current = histories.get()[channelId];
          if (!current) continue;
          if (item.target === top.current && current.older) {
            const first = current.messages[0];
            const node = el.querySelector<HTMLElement>(`[data-id="${first.id}"]`);
            anchor.current = { id: first.id, offset: (node?.offsetTop ?? 0) - el.scrollTop };
            loading.current = true;
            void loadOlder(channelId).finally(() => (loading.current = false));
          }
          if (item.target === bottom.current && current.newer) {
            loading.current = true;
            void loadNewer(channelId).finally(() => (loading.current = false));
          }
        }
      },
      { root: el, rootMargin: '600px 0px' },
    );
    if (top.current) observer.observe(top.current);
    if (bottom.current) observer.observe(bottom.current);
    return () => observer.disconnect();
  }, [channelId, !!history]);

  // Read up to the newest message while it is on screen and the tab is seen.
  const newest = history?.messages[history.messages.length - 1]?.id ?? 0;
  useEffect(() => {
    if (!entry || !view.visible || !history || history.newer) return;
    if (newest > entry.last_read_id && stuck.current) void markRead(channelId, newest).catch(() => {});
  }, [newest, view.visible, entry?.last_read_id]);

  if (!history) return <Loading />;
  const user = me.get();
  let lineShown = false;
  return (
    <div class="history" ref={scroller} role="log" aria-label={t.chat.history} tabIndex={0}>
      <div ref={top} class="history-edge">
        {history.older ? <span class="spinner" aria-hidden="true" /> : <p class="history-start">{t.chat.beginning}</p>}
      </div>
      {history.messages.map((message, i) => {
        const previous = history.messages[i - 1];
        const showLine = !lineShown && readAtOpen !== null && message.id > readAtOpen && message.author_id !== user?.id && (previous?.id ?? 0) <= readAtOpen;
        if (showLine) lineShown = true;
        return (
          <>
            {showLine && (
              <div class="new-line" role="separator" key={`line-${message.id}`}>
                <span>{t.chat.newMessages}</span>
              </div>
            )}
            <MessageItem key={message.id} message={message} compact={!showLine && grouped(previous, message)} highlighted={message.id === jumpTo} />
          </>
        );
      })}
      <div ref={bottom} class="history-edge" />
    </div>
  );
}

/** Consecutive messages from one person within five minutes share a header. */
function grouped(previous: Message | undefined, message: Message): boolean {
  if (!previous || previous.author_id !== message.author_id || previous.via !== message.via) return false;
  return Date.parse(message.created_at) - Date.parse(previous.created_at) < 5 * 60_000;
}

function Thread({ rootId, channelId, canPost }: { rootId: number; channelId: number; canPost: boolean }) {
  const t = useT();
  const all = useStore(threads);
  const thread = all[rootId];
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    void loadThread(rootId).catch(() => toast(t.chat.notFound, 'error'));
  }, [rootId]);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [thread?.length]);
  const close = () => navigate(`/chat/${channelId}`);
  return (
    <aside class="thread" aria-label={t.chat.thread}>
      <header class="thread-head">
        <h2>{t.chat.thread}</h2>
        <IconButton icon="close" label={t.chat.closeThread} onClick={close} />
      </header>
      {!thread ? (
        <Loading />
      ) : (
        <div class="thread-body">
          <MessageItem message={thread[0]} compact={false} inThread />
          <div class="thread-count">{t.chat.replies(thread.length - 1)}</div>
          {thread.slice(1).map((m, i) => (
            <MessageItem key={m.id} message={m} compact={grouped(thread[i], m)} inThread />
          ))}
          <div ref={end} />
        </div>
      )}
      {canPost && <Composer channelId={channelId} threadId={rootId} placeholder={t.chat.reply} />}
    </aside>
  );
}

function Pins({ channelId, onClose }: { channelId: number; onClose: () => void }) {
  const t = useT();
  const [pins, setPins] = useState<readonly Message[] | null>(null);
  useEffect(() => {
    void api('get', '/channels/{id}/pins', { path: { id: channelId } }).then(setPins);
  }, [channelId]);
  return (
    <div class="pins" role="region" aria-label={t.chat.pinned}>
      <header>
        <h3>{t.chat.pinned}</h3>
        <IconButton icon="close" label={t.common.close} onClick={onClose} />
      </header>
      {pins === null ? <Loading /> : pins.length === 0 ? <p class="hint">{t.chat.noPins}</p> : pins.map((m) => <MessageItem key={m.id} message={m} compact={false} />)}
    </div>
  );
}
