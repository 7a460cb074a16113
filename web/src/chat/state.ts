// Chat's state in the tab: the person's conversations (with unread and
// mention counts), the loaded slice of each open history, and open threads.
// The event stream keeps all of it current; nothing is polled.

import { api, type Schemas } from '../api/client';
import { me } from '../app/session';
import { Store } from '../lib/store';
import type { ServerEvent } from '../realtime/events';
import { mentions } from './markdown';

export type Channel = Schemas['ChannelView'];
export type Message = Schemas['MessageView'];
export type Entry = Schemas['SidebarView'];
export type Member = Schemas['MemberView'];

/** The loaded part of a conversation's history, oldest first. */
export interface History {
  messages: readonly Message[];
  /** Older messages exist on the server. */
  older: boolean;
  /** Newer messages exist on the server (after jumping back in time). */
  newer: boolean;
}

/** Messages kept per history; scrolling further drops the far end. */
const KEEP = 400;
const PAGE = 50;

export const entries = new Store<readonly Entry[] | null>(null);
export const histories = new Store<Record<number, History>>({});
export const threads = new Store<Record<number, readonly Message[]>>({});
/** The conversation on screen and whether the tab is looked at. */
export const viewing = new Store<{ channel: number | null; visible: boolean }>({
  channel: null,
  visible: document.visibilityState === 'visible',
});
/** Bumped when the public channel list may have changed. */
export const browseVersion = new Store(0);
/** A message that arrived for someone, for notifications. */
export const arrivals = new Store<{ message: Message; entry: Entry } | null>(null);

export async function loadEntries(): Promise<void> {
  entries.set(await api('get', '/channels'));
}

export async function loadLatest(channel: number): Promise<void> {
  const messages = await api('get', '/channels/{id}/messages', { path: { id: channel }, query: { limit: PAGE } });
  setHistory(channel, { messages, older: messages.length === PAGE, newer: false });
}

/** Loads the messages around one (a permalink). */
export async function loadAround(channel: number, message: number): Promise<void> {
  const [before, after] = await Promise.all([
    api('get', '/channels/{id}/messages', { path: { id: channel }, query: { before: message + 1, limit: PAGE / 2 } }),
    api('get', '/channels/{id}/messages', { path: { id: channel }, query: { after: message, limit: PAGE / 2 } }),
  ]);
  setHistory(channel, { messages: [...before, ...after], older: before.length === PAGE / 2, newer: after.length === PAGE / 2 });
}

export async function loadOlder(channel: number): Promise<void> {
  const history = histories.get()[channel];
  if (!history?.older || !history.messages.length) return;
  const page = await api('get', '/channels/{id}/messages', {
    path: { id: channel },
    query: { before: history.messages[0].id, limit: PAGE },
  });
  const current = histories.get()[channel] ?? history;
  const messages = [...page, ...current.messages];
  setHistory(channel, {
    messages: messages.slice(0, KEEP),
    older: page.length === PAGE,
    newer: current.newer || messages.length > KEEP,
  });
}

export async function loadNewer(channel: number): Promise<void> {
  const history = histories.get()[channel];
  if (!history?.newer || !history.messages.length) return;
  const page = await api('get', '/channels/{id}/messages', {
    path: { id: channel },
    query: { after: history.messages[history.messages.length - 1].id, limit: PAGE },
  });
  const current = histories.get()[channel] ?? history;
  const messages = [...current.messages, ...page];
  setHistory(channel, {
    messages: messages.slice(-KEEP),
    older: current.older || messages.length > KEEP,
    newer: page.length === PAGE,
  });
}

export async function loadThread(root: number): Promise<void> {
  const messages = await api('get', '/messages/{id}/thread', { path: { id: root } });
  threads.update((all) => ({ ...all, [root]: messages }));
}

export async function markRead(channel: number, upTo: number): Promise<void> {
  const entry = entries.get()?.find((e) => e.channel.id === channel);
  if (!entry || entry.last_read_id >= upTo) return;
  setEntry(channel, (e) => ({ ...e, last_read_id: upTo, unread: 0, mentions: 0 }));
  await api('post', '/channels/{id}/read', { path: { id: channel }, body: { last_read_id: upTo } });
}

/** After a reconnection that could not replay: load everything on screen again. */
export function resync(): void {
  void loadEntries();
  const open = viewing.get().channel;
  histories.set({});
  threads.set({});
  if (open !== null) void loadLatest(open);
}

export function forget(): void {
  entries.set(null);
  presence.set({});
  typing.set({});
  histories.set({});
  threads.set({});
}

export function applyChatEvent(event: ServerEvent): void {
  const data = event.data as Record<string, any>;
  const myId = me.get()?.id;
  switch (event.kind) {
    case 'presence.snapshot': {
      const next: Record<number, 'active' | 'away'> = {};
      for (const id of data.active as number[]) next[id] = 'active';
      for (const id of data.away as number[]) next[id] = 'away';
      presence.set(next);
      break;
    }
    case 'presence':
      presence.update((all) => {
        const next = { ...all };
        if (data.state === 'offline') delete next[data.user_id];
        else next[data.user_id] = data.state;
        return next;
      });
      break;
    case 'typing':
      if (data.user_id !== myId) {
        typing.update((all) => ({ ...all, [data.channel_id]: { ...all[data.channel_id], [data.user_id]: Date.now() + TYPING_MS } }));
        setTimeout(expireTyping, TYPING_MS + 50);
      }
      break;
    case 'user.updated':
      people.update((known) =>
        known[data.id] ? { ...known, [data.id]: { ...known[data.id], display_name: data.display_name, has_avatar: data.has_avatar, status: data.status } } : known,
      );
      break;
    case 'channel.created':
      if ((data.members as number[]).includes(myId ?? -1)) void loadEntries();
      browseVersion.update((n) => n + 1);
      break;
    case 'channel.updated':
      setEntry(data.channel.id, (e) => ({ ...e, channel: { ...data.channel } }));
      browseVersion.update((n) => n + 1);
      break;
    case 'channel.member_added':
      if (data.user_id === myId) void loadEntries();
      else setEntry(data.channel.id, (e) => ({ ...e, channel: { ...data.channel } }));
      break;
    case 'channel.member_removed':
      if (data.user_id === myId) entries.update((list) => list && list.filter((e) => e.channel.id !== data.channel_id));
      else setEntry(data.channel_id, (e) => ({ ...e, channel: { ...e.channel, member_count: e.channel.member_count - 1 } }));
      break;
    case 'channel.read':
      setEntry(data.channel_id, (e) =>
        data.last_read_id >= e.channel.last_message_id
          ? { ...e, last_read_id: data.last_read_id, unread: 0, mentions: 0 }
          : { ...e, last_read_id: Math.max(e.last_read_id, data.last_read_id) },
      );
      break;
    case 'channel.preferences':
      setEntry(data.channel_id, (e) => ({ ...e, notify: data.notify }));
      break;
    case 'message.posted':
      posted(data.message as Message);
      break;
    case 'message.updated':
      replaceMessage(data.message.channel_id, data.message.id, () => data.message as Message);
      break;
    case 'message.deleted':
      replaceMessage(data.channel_id, data.id, (m) => ({ ...m, deleted: true, text: '', reactions: [], attachments: [], pinned: false }));
      break;
    case 'reaction.added':
    case 'reaction.removed':
      replaceMessage(data.channel_id, data.message_id, (m) => ({
        ...m,
        reactions: reacted(m.reactions, data.emoji, data.user_id, event.kind === 'reaction.added'),
      }));
      break;
  }
}

function expireTyping(): void {
  const now = Date.now();
  typing.update((all) => {
    const next: Record<number, Record<number, number>> = {};
    for (const [channel, people] of Object.entries(all)) {
      const left = Object.fromEntries(Object.entries(people).filter(([, until]) => until > now));
      if (Object.keys(left).length) next[Number(channel)] = left;
    }
    return next;
  });
}

function posted(message: Message): void {
  // A message ends its author's typing there.
  typing.update((all) => {
    const here = all[message.channel_id];
    if (!here?.[message.author_id]) return all;
    const { [message.author_id]: _, ...rest } = here;
    return { ...all, [message.channel_id]: rest };
  });
  const me_ = me.get();
  const inChannel = message.thread_id == null || message.also_in_channel;
  if (inChannel) {
    const history = histories.get()[message.channel_id];
    if (history && !history.newer && !history.messages.some((m) => m.id === message.id)) {
      setHistory(message.channel_id, { ...history, messages: [...history.messages, message].slice(-KEEP) });
    }
  }
  if (message.thread_id != null) {
    const root = message.thread_id;
    replaceMessage(message.channel_id, root, (m) => ({ ...m, reply_count: m.reply_count + 1, last_reply_at: message.created_at }));
    const thread = threads.get()[root];
    if (thread && !thread.some((m) => m.id === message.id)) threads.update((all) => ({ ...all, [root]: [...thread, message] }));
  }
  const mine = message.author_id === me_?.id;
  let entry: Entry | undefined;
  setEntry(message.channel_id, (e) => {
    const counts = inChannel && !mine && message.id > e.last_read_id;
    const mentioned = !mine && mentions(message.text, me_?.name ?? '');
    entry = {
      ...e,
      channel: inChannel ? { ...e.channel, last_message_id: Math.max(e.channel.last_message_id, message.id) } : e.channel,
      last_read_id: mine ? Math.max(e.last_read_id, message.id) : e.last_read_id,
      unread: e.unread + (counts ? 1 : 0),
      mentions: e.mentions + (mentioned && message.id > e.last_read_id ? 1 : 0),
    };
    return entry;
  });
  if (!entry) {
    // A conversation this tab has not listed yet (a new DM).
    void loadEntries();
    return;
  }
  if (!mine) arrivals.set({ message, entry });
}

function reacted(list: Message['reactions'], emoji: string, user: number, added: boolean): Message['reactions'] {
  const found = list.find((r) => r.emoji === emoji);
  if (added) {
    if (found?.users.includes(user)) return list;
    return found ? list.map((r) => (r === found ? { ...r, users: [...r.users, user] } : r)) : [...list, { emoji, users: [user] }];
  }
  if (!found) return list;
  const users = found.users.filter((u) => u !== user);
  return users.length ? list.map((r) => (r === found ? { ...r, users } : r)) : list.filter((r) => r !== found);
}

function replaceMessage(channel: number, id: number, change: (m: Message) => Message): void {
  const history = histories.get()[channel];
  if (history?.messages.some((m) => m.id === id)) {
    setHistory(channel, { ...history, messages: history.messages.map((m) => (m.id === id ? change(m) : m)) });
  }
  const all = threads.get();
  for (const [root, thread] of Object.entries(all)) {
    if (thread.some((m) => m.id === id)) {
      threads.update((current) => ({ ...current, [root]: thread.map((m) => (m.id === id ? change(m) : m)) }));
    }
  }
}

function setHistory(channel: number, history: History): void {
  histories.update((all) => ({ ...all, [channel]: history }));
}

function setEntry(channel: number, change: (entry: Entry) => Entry): void {
  entries.update((list) => list && list.map((e) => (e.channel.id === channel ? change(e) : e)));
}

/** A DM's name: the other people in it, by display name. */
export function dmName(entry: Entry, names: (id: number) => string): string {
  const myId = me.get()?.id;
  const others = entry.dm_members.filter((id) => id !== myId);
  return (others.length ? others : entry.dm_members).map(names).join(', ');
}

export type Status = Schemas['StatusView'];
export type Person = Pick<Member, 'name' | 'display_name' | 'has_avatar'> & { id: number; status?: Status | null };

/** Who is here: people not listed are offline. */
export const presence = new Store<Record<number, 'active' | 'away'>>({});
/** Who is typing where: channel -> person -> until when (ms). */
export const typing = new Store<Record<number, Record<number, number>>>({});
/** A typing signal lasts this long unless renewed. */
const TYPING_MS = 6000;
/** Everyone this tab knows a name for: the directory, and the members of
 * conversations opened (guests see no directory). */
export const people = new Store<Record<number, Person>>({});
export const members = new Store<Record<number, readonly Member[]>>({});

export async function loadDirectory(): Promise<void> {
  if (me.get()?.role === 'guest') return;
  const users = await api('get', '/users');
  people.update((known) => {
    const next = { ...known };
    for (const u of users) next[u.id] = { id: u.id, name: u.name, display_name: u.display_name, has_avatar: u.has_avatar, status: u.status };
    return next;
  });
}

export async function loadMembers(channel: number): Promise<void> {
  const list = await api('get', '/channels/{id}/members', { path: { id: channel } });
  members.update((all) => ({ ...all, [channel]: list }));
  people.update((known) => {
    const next = { ...known };
    for (const m of list) next[m.user_id] = { id: m.user_id, name: m.name, display_name: m.display_name, has_avatar: m.has_avatar };
    return next;
  });
}
