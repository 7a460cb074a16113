// A channel's details: its topic and purpose, who is in it, adding people
// (private channels live by this), and for its creator or an admin,
// removing them or archiving the channel.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { me } from '../app/session';
import { useT } from '../i18n';
import { useStore } from '../lib/store';
import { useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { CopyField } from '../ui/copy';
import { loadDirectory, loadMembers, members, people, type Entry } from './state';

export function ChannelDetails({ entry, open, onClose }: { entry: Entry; open: boolean; onClose: () => void }) {
  const t = useT();
  const user = useStore(me);
  const all = useStore(members);
  const known = useStore(people);
  const channel = entry.channel;
  const [topic, setTopic] = useState(channel.topic);
  const [purpose, setPurpose] = useState(channel.purpose);
  const [filter, setFilter] = useState('');
  const action = useAction();
  const inside = all[channel.id] ?? [];
  const owner = user?.role === 'admin' || channel.created_by === user?.id;
  useEffect(() => {
    if (!open) return;
    setTopic(channel.topic);
    setPurpose(channel.purpose);
    setFilter('');
    void loadMembers(channel.id);
    void loadDirectory();
  }, [open]);
  const candidates = useMemo(() => {
    const ids = new Set(inside.map((m) => m.user_id));
    const needle = filter.trim().toLowerCase();
    if (!needle) return [];
    return Object.values(known)
      .filter((p) => !ids.has(p.id) && (p.display_name.toLowerCase().includes(needle) || p.name.includes(needle)))
      .slice(0, 8);
  }, [known, inside, filter]);
  const save = async (e: Event) => {
    e.preventDefault();
    const done = await action.run(() => api('patch', '/channels/{id}', { path: { id: channel.id }, body: { topic, purpose } }));
    if (done) onClose();
  };
  const add = async (id: number) => {
    await action.run(() => api('post', '/channels/{id}/members', { path: { id: channel.id }, body: { user_id: id } }));
    setFilter('');
    await loadMembers(channel.id);
  };
  const remove = async (id: number) => {
    await action.run(() => api('delete', '/channels/{id}/members/{user_id}', { path: { id: channel.id, user_id: id } }));
    await loadMembers(channel.id);
  };
  const setPoster = async (id: number, poster: boolean) => {
    await action.run(() => api('patch', '/channels/{id}/members/{user_id}', { path: { id: channel.id, user_id: id }, body: { poster } }));
    await loadMembers(channel.id);
  };
  const archive = async () => {
    const done = await action.run(() => api('patch', '/channels/{id}', { path: { id: channel.id }, body: { archived: true } }));
    if (done) onClose();
  };
  return (
    <Dialog open={open} title={t.chat.detailsTitle(channel.name ?? '')} onClose={onClose} class="dialog-wide">
      <form class="stack" onSubmit={save}>
        <ProblemAlert problem={action.problem} />
        <TextField label={t.chat.topic} value={topic} onValue={setTopic} maxLength={250} />
        <TextField label={t.chat.purpose} value={purpose} onValue={setPurpose} maxLength={250} />
        <h3>{t.chat.memberCount(inside.length)}</h3>
        <TextField label={t.chat.addPeople} value={filter} onValue={setFilter} placeholder={t.chat.findPeople} />
        {candidates.length > 0 && (
          <ul class="people-picker">
            {candidates.map((p) => (
              <li key={p.id}>
                <span>
                  {p.display_name} <small>@{p.name}</small>
                </span>{' '}
                <Button size="small" kind="primary" onClick={() => void add(p.id)}>
                  {t.chat.add}
                </Button>
              </li>
            ))}
          </ul>
        )}
        <ul class="people-picker">
          {inside.map((m) => (
            <li key={m.user_id}>
              <span>
                {m.display_name} <small>@{m.name}</small>
              </span>{' '}
              {channel.kind === 'announcement' && user?.role === 'admin' && (
                <label class="poster-toggle">
                  <input type="checkbox" checked={m.poster} onChange={() => void setPoster(m.user_id, !m.poster)} /> {t.chat.poster}
                </label>
              )}
              {owner && m.user_id !== user?.id && (
                <Button size="small" kind="ghost" onClick={() => void remove(m.user_id)}>
                  {t.chat.remove}
                </Button>
              )}
            </li>
          ))}
        </ul>
        {user?.role !== 'guest' && <Webhooks channelId={channel.id} />}
        <div class="dialog-actions">
          {owner && (
            <Button kind="danger" onClick={() => void archive()}>
              {t.chat.archive}
            </Button>
          )}
          <Button onClick={onClose}>{t.common.close}</Button>
          <Button kind="primary" type="submit" busy={action.busy}>
            {t.common.save}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Incoming webhooks: Slack's `{"text": ...}` posted to a secret URL. */
function Webhooks({ channelId }: { channelId: number }) {
  const t = useT();
  const [hooks, setHooks] = useState<readonly Schemas['WebhookView'][] | null>(null);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const action = useAction();
  const reload = () => api('get', '/channels/{id}/webhooks', { path: { id: channelId } }).then(setHooks, () => setHooks([]));
  useEffect(() => {
    void reload();
  }, [channelId]);
  const create = async () => {
    const done = await action.run(() => api('post', '/channels/{id}/webhooks', { path: { id: channelId }, body: { name } }));
    if (done) {
      setCreated(done.url);
      setName('');
      await reload();
    }
  };
  const revoke = async (id: number) => {
    await action.run(() => api('delete', '/channels/{id}/webhooks/{hook_id}', { path: { id: channelId, hook_id: id } }));
    await reload();
  };
  return (
    <section class="webhooks">
      <h3>{t.chat.webhooks}</h3>
      <p class="hint">{t.chat.webhooksHint}</p>
      <ProblemAlert problem={action.problem} />
      {created && <CopyField label={t.chat.webhookUrl} value={created} />}
      <ul class="people-picker">
        {(hooks ?? []).map((hook) => (
          <li key={hook.id}>
            <span>{hook.name}</span>{' '}
            <Button size="small" kind="ghost" onClick={() => void revoke(hook.id)}>
              {t.chat.revoke}
            </Button>
          </li>
        ))}
      </ul>
      <div class="inline-form">
        <TextField label={t.chat.webhookName} value={name} onValue={setName} maxLength={80} />
        <Button disabled={!name.trim()} busy={action.busy} onClick={() => void create()}>
          {t.chat.createWebhook}
        </Button>
      </div>
    </section>
  );
}
