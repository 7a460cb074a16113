// Who may read or change something: a team folder (administrators) or a
// folder or file shared inside the company. One list of groups and people,
// each with "can read" or "can change", and a form to add one.

import { useId, useState } from 'preact/hooks';
import type { Group, User } from '../api/client';
import { useT } from '../i18n';
import { Button } from '../ui/Button';
import { Icon } from '../ui/icons';

export type Level = 'read' | 'write';
export interface Grant {
  group_id?: number | null;
  user_id?: number | null;
  access: string;
}
export type Target = { group_id: number } | { user_id: number };

const targetOf = (grant: Grant): Target => (grant.group_id != null ? { group_id: grant.group_id } : { user_id: grant.user_id! });

export function AccessEditor(props: {
  grants: readonly Grant[];
  groups: readonly Group[];
  people: readonly User[];
  /** Says what the add form gives access to, for screen readers. */
  addLabel: string;
  empty: string;
  onSet: (target: Target, access: Level | 'none') => void;
}) {
  const t = useT();
  const id = useId();
  const [who, setWho] = useState('');
  const [access, setAccess] = useState<Level>('write');
  const name = (grant: Grant) =>
    grant.group_id != null
      ? t.teams.groupNamed(props.groups.find((g) => g.id === grant.group_id)?.name ?? `#${grant.group_id}`)
      : props.people.find((u) => u.id === grant.user_id)?.display_name ?? `#${grant.user_id}`;
  const granted = new Set(props.grants.map((a) => (a.group_id != null ? `g:${a.group_id}` : `u:${a.user_id}`)));
  const groups = props.groups.filter((g) => !granted.has(`g:${g.id}`));
  const people = props.people.filter((u) => !granted.has(`u:${u.id}`));
  return (
    <>
      {props.grants.length === 0 ? (
        <p class="muted">{props.empty}</p>
      ) : (
        <ul class="grant-list">
          {props.grants.map((a) => {
            const label = name(a);
            return (
              <li key={`${a.group_id}-${a.user_id}`}>
                <span>{label}</span>
                <select aria-label={t.teams.accessOf(label)} value={a.access} onChange={(e) => props.onSet(targetOf(a), e.currentTarget.value as Level)}>
                  <option value="read">{t.teams.read}</option>
                  <option value="write">{t.teams.write}</option>
                </select>
                <button type="button" class="chip-remove" aria-label={t.teams.revoke(label)} title={t.teams.revoke(label)} onClick={() => props.onSet(targetOf(a), 'none')}>
                  <Icon name="close" />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <form
        class="add-member"
        onSubmit={(e) => {
          e.preventDefault();
          const [kind, value] = who.split(':');
          if (!value) return;
          props.onSet(kind === 'g' ? { group_id: Number(value) } : { user_id: Number(value) }, access);
          setWho('');
        }}
      >
        <label for={`${id}-who`} class="visually-hidden">
          {props.addLabel}
        </label>
        <select id={`${id}-who`} value={who} onChange={(e) => setWho(e.currentTarget.value)}>
          <option value="">{t.teams.choose}</option>
          {groups.length > 0 && (
            <optgroup label={t.nav.groups}>
              {groups.map((g) => (
                <option key={g.id} value={`g:${g.id}`}>
                  {g.name}
                </option>
              ))}
            </optgroup>
          )}
          <optgroup label={t.nav.people}>
            {people.map((u) => (
              <option key={u.id} value={`u:${u.id}`}>
                {u.display_name} (@{u.name})
              </option>
            ))}
          </optgroup>
        </select>
        <label for={`${id}-access`} class="visually-hidden">
          {t.teams.access}
        </label>
        <select id={`${id}-access`} value={access} onChange={(e) => setAccess(e.currentTarget.value as Level)}>
          <option value="write">{t.teams.write}</option>
          <option value="read">{t.teams.read}</option>
        </select>
        <Button type="submit" size="small" icon="plus" disabled={!who}>
          {t.teams.grant}
        </Button>
      </form>
    </>
  );
}
