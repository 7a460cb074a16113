// The chat screen: the person's conversations on the left, the open one in
// the middle, a thread on the right. Addresses: /chat, /chat/{channel},
// /chat/{channel}/{message} (a permalink) and ?thread={message}.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { navigate, usePlace } from '../app/router';
import { me } from '../app/session';
import { useT } from '../i18n';
import { useStore } from '../lib/store';
import { useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button, IconButton } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { Empty, Loading } from '../ui/Page';
import { ChannelPane } from './ChannelPane';
import { NotificationPrompt } from './notify';
import { PeoplePicker } from './PeoplePicker';
import { browseVersion, dmName, entries, loadDirectory, loadEntries, people, presence, type Channel, type Entry } from './state';
import { PresenceDot } from './StatusDialog';

export function Chat() {
  const t = useT();
  const { path, search } = usePlace();
  const list = useStore(entries);
  const [, , channelPart, messagePart] = path.split('/');
  const channelId = Number(channelPart) || null;
  const messageId = Number(messagePart) || null;
  const threadId = Number(new URLSearchParams(search).get('thread')) || null;
  const [dialog, setDialog] = useState<'channel' | 'browse' | 'dm' | null>(null);

  useEffect(() => {
    void loadEntries();
    void loadDirectory();
  }, []);
  useEffect(() => {
    // /chat opens the conversation with the newest activity.
    if (channelId === null && list?.length) {
      const first = [...list].sort((a, b) => b.channel.last_message_id - a.channel.last_message_id)[0];
      navigate(`/chat/${first.channel.id}`, { replace: true });
    }
  }, [channelId, list]);

  return (
    <div class={`chat ${channelId ? 'chat-has-channel' : ''}`}>
      <nav class="chat-list" aria-label={t.chat.conversations}>
        <div class="chat-list-head">
          <h1>{t.nav.chat}</h1>
          <IconButton icon="plus" label={t.chat.newMessage} onClick={() => setDialog('dm')} />
        </div>
        {list === null ? <Loading /> : <Conversations list={list} current={channelId} onNew={setDialog} />}
      </nav>
      <section class="chat-main">
        <NotificationPrompt />
        {channelId !== null ? (
          <ChannelPane key={channelId} channelId={channelId} jumpTo={messageId} threadId={threadId} />
        ) : (
          list?.length === 0 && (
            <div class="chat-empty">
              <Empty>{t.chat.nothingYet}</Empty>
              <div class="chat-empty-actions">
                <Button kind="primary" icon="plus" onClick={() => setDialog('channel')}>
                  {t.chat.createChannel}
                </Button>
                <Button onClick={() => setDialog('browse')}>{t.chat.browse}</Button>
              </div>
            </div>
          )
        )}
      </section>
      <NewChannelDialog open={dialog === 'channel'} onClose={() => setDialog(null)} />
      <BrowseDialog open={dialog === 'browse'} onClose={() => setDialog(null)} />
      <NewDmDialog open={dialog === 'dm'} onClose={() => setDialog(null)} />
    </div>
  );
}

function Conversations({ list, current, onNew }: { list: readonly Entry[]; current: number | null; onNew: (d: 'channel' | 'browse' | 'dm') => void }) {
  const t = useT();
  const known = useStore(people);
  const here = useStore(presence);
  const user = useStore(me);
  const names = (id: number) => known[id]?.display_name ?? `#${id}`;
  const channels = list.filter((e) => e.channel.kind !== 'dm').sort((a, b) => (a.channel.name ?? '').localeCompare(b.channel.name ?? ''));
  const dms = list.filter((e) => e.channel.kind === 'dm').sort((a, b) => b.channel.last_message_id - a.channel.last_message_id);
  const item = (entry: Entry) => {
    const unread = entry.unread > 0 && entry.notify !== 'mute';
    const label = entry.channel.kind === 'dm' ? dmName(entry, names) : entry.channel.name ?? '';
    return (
      <li key={entry.channel.id}>
        <a
          href={`/chat/${entry.channel.id}`}
          class={`conversation ${unread ? 'unread' : ''} ${entry.notify === 'mute' ? 'muted' : ''}`}
          aria-current={current === entry.channel.id ? 'page' : undefined}
        >
          <span class="conversation-icon" aria-hidden={entry.channel.kind === 'dm' ? undefined : 'true'}>
            {entry.channel.kind === 'dm' ? <DmPresence entry={entry} here={here} me={user?.id} /> : entry.channel.private ? <Icon name="lock" /> : entry.channel.kind === 'announcement' ? '📣' : '#'}
          </span>
          <span class="conversation-name">{label}</span>
          {entry.channel.kind === 'dm' && <DmStatus entry={entry} known={known} me={user?.id} />}
          {entry.mentions > 0 ? (
            <span class="badge badge-mention" aria-label={t.chat.mentionCount(entry.mentions)}>
              {entry.mentions}
            </span>
          ) : (
            unread && <span class="visually-hidden">{t.chat.unreadCount(entry.unread)}</span>
          )}
        </a>
      </li>
    );
  };
  return (
    <>
      <div class="chat-section-head">
        <h2>{t.chat.channels}</h2>
        <IconButton icon="plus" label={t.chat.createChannel} onClick={() => onNew('channel')} />
      </div>
      <ul class="conversations">{channels.map(item)}</ul>
      <button type="button" class="link-btn chat-browse" onClick={() => onNew('browse')}>
        {t.chat.browse}
      </button>
      <div class="chat-section-head">
        <h2>{t.chat.directMessages}</h2>
        <IconButton icon="plus" label={t.chat.newMessage} onClick={() => onNew('dm')} />
      </div>
      <ul class="conversations">{dms.map(item)}</ul>
    </>
  );
}

/** The other person's presence, in a one-to-one DM; a group shows a count. */
function DmPresence({ entry, here, me: myId }: { entry: Entry; here: Record<number, 'active' | 'away'>; me?: number }) {
  const others = entry.dm_members.filter((id) => id !== myId);
  if (others.length !== 1) return <span aria-hidden="true">{others.length}</span>;
  return <PresenceDot state={here[others[0]]} />;
}

function DmStatus({ entry, known, me: myId }: { entry: Entry; known: Record<number, { status?: { emoji: string; text: string } | null }>; me?: number }) {
  const others = entry.dm_members.filter((id) => id !== myId);
  const status = others.length === 1 ? known[others[0]]?.status : null;
  if (!status) return null;
  return (
    <span class="conversation-status" title={status.text}>
      {status.emoji || '💬'}
    </span>
  );
}

function NewChannelDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const user = useStore(me);
  const [name, setName] = useState('');
  const [purpose, setPurpose] = useState('');
  const [kind, setKind] = useState<'public' | 'private' | 'announcement'>('public');
  const action = useAction({ conflict: t.chat.nameTaken });
  useEffect(() => {
    if (open) {
      setName('');
      setPurpose('');
      setKind('public');
    }
  }, [open]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const created = await action.run(() =>
      api('post', '/channels', {
        body: { name, purpose, private: kind === 'private', kind: kind === 'announcement' ? 'announcement' : 'channel', topic: '' },
      }),
    );
    if (created) {
      onClose();
      await loadEntries();
      navigate(`/chat/${created.id}`);
    }
  };
  return (
    <Dialog open={open} title={t.chat.createChannel} onClose={onClose}>
      <form onSubmit={submit} class="stack">
        <ProblemAlert problem={action.problem} />
        <TextField label={t.chat.channelName} value={name} onValue={setName} required maxLength={80} hint={t.chat.channelNameHint} />
        <TextField label={t.chat.purpose} value={purpose} onValue={setPurpose} maxLength={250} />
        <fieldset class="choices">
          <legend>{t.chat.visibility}</legend>
          <label>
            <input type="radio" name="kind" checked={kind === 'public'} onChange={() => setKind('public')} /> {t.chat.public}
            <small>{t.chat.publicHint}</small>
          </label>
          <label>
            <input type="radio" name="kind" checked={kind === 'private'} onChange={() => setKind('private')} /> {t.chat.private}
            <small>{t.chat.privateHint}</small>
          </label>
          {user?.role === 'admin' && (
            <label>
              <input type="radio" name="kind" checked={kind === 'announcement'} onChange={() => setKind('announcement')} /> {t.chat.announcement}
              <small>{t.chat.announcementHint}</small>
            </label>
          )}
        </fieldset>
        <div class="dialog-actions">
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button kind="primary" type="submit" busy={action.busy}>
            {t.chat.create}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function BrowseDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const version = useStore(browseVersion);
  const mine = useStore(entries);
  const user = useStore(me);
  const [channels, setChannels] = useState<readonly Channel[] | null>(null);
  const [filter, setFilter] = useState('');
  const action = useAction();
  useEffect(() => {
    if (open) void api('get', '/channels/browse').then(setChannels);
  }, [open, version]);
  const joined = new Set(mine?.map((e) => e.channel.id));
  const shown = (channels ?? []).filter((c) => !c.archived && (c.name ?? '').includes(filter.trim().toLowerCase()));
  const join = async (channel: Channel) => {
    if (!joined.has(channel.id)) {
      const done = await action.run(() => api('post', '/channels/{id}/members', { path: { id: channel.id }, body: { user_id: user!.id } }));
      if (done === undefined && action.problem) return;
      await loadEntries();
    }
    onClose();
    navigate(`/chat/${channel.id}`);
  };
  return (
    <Dialog open={open} title={t.chat.browse} onClose={onClose} class="dialog-wide">
      <ProblemAlert problem={action.problem} />
      <TextField label={t.chat.findChannel} value={filter} onValue={setFilter} />
      {channels === null ? (
        <Loading />
      ) : shown.length === 0 ? (
        <Empty>{t.chat.noChannels}</Empty>
      ) : (
        <ul class="browse-list">
          {shown.map((c) => (
            <li key={c.id}>
              <div>
                <strong>#{c.name}</strong>
                {c.purpose && <p>{c.purpose}</p>}
                <small>{t.chat.memberCount(c.member_count)}</small>
              </div>
              <Button size="small" kind={joined.has(c.id) ? 'secondary' : 'primary'} onClick={() => void join(c)}>
                {joined.has(c.id) ? t.chat.open : t.chat.join}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <div class="dialog-actions">
        <Button onClick={onClose}>{t.common.close}</Button>
      </div>
    </Dialog>
  );
}

function NewDmDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const [chosen, setChosen] = useState<number[]>([]);
  const action = useAction();
  useEffect(() => {
    if (open) setChosen([]);
  }, [open]);
  const start = async () => {
    const channel = await action.run(() => api('post', '/dms', { body: { user_ids: chosen } }));
    if (channel) {
      onClose();
      await loadEntries();
      navigate(`/chat/${channel.id}`);
    }
  };
  return (
    <Dialog open={open} title={t.chat.newMessage} onClose={onClose} class="dialog-wide">
      <ProblemAlert problem={action.problem} />
      <p class="hint">{t.chat.dmHint}</p>
      {open && <PeoplePicker chosen={chosen} onChange={setChosen} max={9} />}
      <div class="dialog-actions">
        <Button onClick={onClose}>{t.common.cancel}</Button>
        <Button kind="primary" disabled={chosen.length === 0} busy={action.busy} onClick={() => void start()}>
          {t.chat.startConversation}
        </Button>
      </div>
    </Dialog>
  );
}
