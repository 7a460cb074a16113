// Choosing people from the company directory: a filter field and a list of
// check boxes (a new conversation, a meeting's invitees).

import { useEffect, useMemo, useState } from 'preact/hooks';
import { me } from '../app/session';
import { useT } from '../i18n';
import { useStore } from '../lib/store';
import { TextField } from '../ui/Field';
import { loadDirectory, people } from './state';

export function PeoplePicker({ chosen, onChange, max, label }: { chosen: number[]; onChange: (chosen: number[]) => void; max: number; label?: string }) {
  const t = useT();
  const known = useStore(people);
  const user = useStore(me);
  const [filter, setFilter] = useState('');
  useEffect(() => {
    void loadDirectory();
  }, []);
  const candidates = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return Object.values(known)
      .filter((p) => p.id !== user?.id && (p.display_name.toLowerCase().includes(needle) || p.name.includes(needle)))
      .sort((a, b) => a.display_name.localeCompare(b.display_name))
      .slice(0, 50);
  }, [known, filter]);
  const toggle = (id: number) => onChange(chosen.includes(id) ? chosen.filter((x) => x !== id) : chosen.length < max ? [...chosen, id] : chosen);
  return (
    <>
      <TextField label={label ?? t.chat.findPeople} value={filter} onValue={setFilter} />
      <ul class="people-picker">
        {candidates.map((p) => (
          <li key={p.id}>
            <label>
              <input type="checkbox" checked={chosen.includes(p.id)} onChange={() => toggle(p.id)} />
              <span>{p.display_name}</span> <small>@{p.name}</small>
            </label>
          </li>
        ))}
      </ul>
    </>
  );
}
