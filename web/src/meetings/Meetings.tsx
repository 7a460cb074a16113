// The meetings screen: start a call in one click, the person's permanent
// room with its guest link, and scheduled meetings.

import './meetings.css';
import { useState } from 'preact/hooks';
import { describe } from '../api/errors';
import { api, type Schemas } from '../api/client';
import { navigate } from '../app/router';
import { PeoplePicker } from '../chat/PeoplePicker';
import { me } from '../app/session';
import { formatDateTime, useT } from '../i18n';
import { useResource } from '../lib/resource';
import { useStore } from '../lib/store';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { CopyField } from '../ui/copy';
import { TextField } from '../ui/Field';
import { Empty, Loaded, PageHeader } from '../ui/Page';

type Meeting = Schemas['MeetingJson'];

/** Starts a call (in a conversation when `channel` is given) and opens it. */
export async function startCall(title: string, channel?: number): Promise<void> {
  const meeting = await api('post', '/meetings', { body: { title, channel_id: channel ?? null } });
  navigate(`/meet/${meeting.id}`);
}

export function Meetings() {
  const t = useT();
  const user = useStore(me);
  const room = useResource('meet:room', () => api('get', '/me/room'));
  const list = useResource('meet:list', () => api('get', '/meetings'), { revalidateOnMount: true });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [title, setTitle] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [invitees, setInvitees] = useState<number[]>([]);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      await startCall(user ? `${t.meet.startCall} · ${user.display_name || user.name}` : t.meet.startCall);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const schedule = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const when = startsAt ? new Date(startsAt).getTime() : null;
      await api('post', '/meetings', { body: { title, starts_at: when, invitees } });
      setTitle('');
      setStartsAt('');
      setInvitees([]);
      list.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div class="page meetings-page">
      <PageHeader
        title={t.meet.title}
        intro={t.meet.intro}
        actions={
          <Button kind="primary" icon="meetings" busy={busy} onClick={() => void start()}>
            {t.meet.startCall}
          </Button>
        }
      />
      {error !== null && <ProblemAlert problem={describe(t, error)} />}
      <section class="card">
        <h2>{t.meet.personalRoom}</h2>
        <p class="hint">{t.meet.personalRoomIntro}</p>
        <Loaded resource={room}>
          {(r) => (
            <div class="meet-links">
              <CopyField label={t.meet.memberLink} value={r.url} />
              {r.guest_url && <CopyField label={t.meet.guestLink} value={r.guest_url} />}
              <Button kind="primary" onClick={() => navigate(`/meet/${r.id}`)}>
                {t.meet.openRoom}
              </Button>
            </div>
          )}
        </Loaded>
      </section>
      <section class="card">
        <h2>{t.meet.newMeeting}</h2>
        <form class="meet-schedule" onSubmit={(e) => void schedule(e)}>
          <TextField label={t.meet.meetingTitle} value={title} onValue={setTitle} maxLength={200} required />
          <div class="field">
            <label for="meet-starts">{t.meet.startsAt}</label>
            <input id="meet-starts" type="datetime-local" value={startsAt} onInput={(e) => setStartsAt((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <PeoplePicker chosen={invitees} onChange={setInvitees} max={500} label={t.meet.invite} />
          <p class="hint">{t.meet.inviteHint}</p>
          <Button type="submit" kind="primary">
            {t.meet.create}
          </Button>
        </form>
      </section>
      <section class="card">
        <h2>{t.meet.upcoming}</h2>
        <Loaded resource={list}>
          {(meetings: readonly Meeting[]) =>
            meetings.length === 0 ? (
              <Empty>{t.meet.none}</Empty>
            ) : (
              <ul class="meet-list">
                {meetings.map((m) => (
                  <li key={m.id}>
                    <div>
                      <a href={`/meet/${m.id}`}>{m.title}</a>
                      {m.starts_at !== null && m.starts_at !== undefined && <span class="hint"> · {formatDateTime(new Date(m.starts_at).toISOString())}</span>}
                      <span class="hint"> · {t.meet.inCall(m.in_call)}</span>
                    </div>
                    {m.guest_url && <CopyField label={t.meet.guestLink} value={m.guest_url} />}
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      </section>
    </div>
  );
}
