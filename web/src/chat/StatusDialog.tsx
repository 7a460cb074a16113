// Setting one's status: a few common ones in a click, or one's own words,
// for a while or until changed.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { me } from '../app/session';
import { useT } from '../i18n';
import { useStore } from '../lib/store';
import { useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';

type Duration = 'none' | '30m' | '1h' | '4h' | 'today';

function until(duration: Duration): string | null {
  const now = new Date();
  switch (duration) {
    case 'none':
      return null;
    case '30m':
      return new Date(now.getTime() + 30 * 60_000).toISOString();
    case '1h':
      return new Date(now.getTime() + 3_600_000).toISOString();
    case '4h':
      return new Date(now.getTime() + 4 * 3_600_000).toISOString();
    case 'today': {
      const end = new Date(now);
      end.setHours(23, 59, 0, 0);
      return end.toISOString();
    }
  }
}

export function StatusDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const user = useStore(me);
  const [text, setText] = useState('');
  const [emoji, setEmoji] = useState('');
  const [duration, setDuration] = useState<Duration>('1h');
  const action = useAction();
  useEffect(() => {
    if (open) {
      setText(user?.status?.text ?? '');
      setEmoji(user?.status?.emoji ?? '');
      setDuration('1h');
    }
  }, [open]);
  const presets: [string, string, Duration][] = [
    ['📅', t.status.meeting, '1h'],
    ['🎧', t.status.focus, '1h'],
    ['🏠', t.status.home, 'today'],
    ['🤒', t.status.sick, 'today'],
    ['🌴', t.status.holiday, 'none'],
  ];
  const save = async (e: Event) => {
    e.preventDefault();
    const done = await action.run(() => api('put', '/me/status', { body: { text, emoji, until: until(duration) } }));
    if (done) {
      me.set(done);
      onClose();
    }
  };
  const clear = async () => {
    const done = await action.run(() => api('delete', '/me/status'));
    if (done) {
      me.set(done);
      onClose();
    }
  };
  return (
    <Dialog open={open} title={t.status.title} onClose={onClose}>
      <form class="stack" onSubmit={save}>
        <ProblemAlert problem={action.problem} />
        <div class="status-presets">
          {presets.map(([icon, label, length]) => (
            <button
              key={label}
              type="button"
              class="btn btn-secondary btn-small"
              onClick={() => {
                setEmoji(icon);
                setText(label);
                setDuration(length);
              }}
            >
              {icon} {label}
            </button>
          ))}
        </div>
        <TextField label={t.status.text} value={text} onValue={setText} maxLength={100} />
        <TextField label={t.status.emoji} value={emoji} onValue={setEmoji} maxLength={8} />
        <label class="field">
          <span>{t.status.clearAfter}</span>
          <select value={duration} onChange={(e) => setDuration((e.currentTarget as HTMLSelectElement).value as Duration)}>
            <option value="30m">{t.status.minutes30}</option>
            <option value="1h">{t.status.hour1}</option>
            <option value="4h">{t.status.hours4}</option>
            <option value="today">{t.status.today}</option>
            <option value="none">{t.status.never}</option>
          </select>
        </label>
        <div class="dialog-actions">
          {user?.status && (
            <Button kind="ghost" onClick={() => void clear()}>
              {t.status.clear}
            </Button>
          )}
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button kind="primary" type="submit" busy={action.busy}>
            {t.common.save}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** A person's presence as a small dot, named for screen readers. */
export function PresenceDot({ state }: { state: 'active' | 'away' | undefined }) {
  const t = useT();
  const name = state === 'active' ? t.status.active : state === 'away' ? t.status.away : t.status.offline;
  return <span class={`presence-dot presence-${state ?? 'offline'}`} role="img" aria-label={name} title={name} />;
}
