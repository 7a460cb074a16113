// The Docs dialogs: a team space (its name and emoji), its members, and
// sharing one page with people, groups and guests.

import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { useGroups, useUsers } from '../api/reads';
import { navigate } from '../app/router';
import { useT } from '../i18n';
import { useResource } from '../lib/resource';
import { fieldError, useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { toast } from '../ui/Toast';
import { AccessEditor, type Level, type Target } from '../files/access';
import { refreshDocs, titleOf, type Grant, type Page, type Space } from './state';
import { EMOJI } from './widgets';

const asGrants = (list: readonly Grant[]) => list.map((g) => ({ user_id: g.user_id, group_id: g.group_id, access: g.role }));

/** Makes a team space, or renames one. */
export function SpaceDialog({ space, onClose }: { space?: Space; onClose: () => void }) {
  const t = useT();
  const [name, setName] = useState(space?.name ?? '');
  const [icon, setIcon] = useState(space?.icon ?? '🏢');
  const action = useAction({ fields: { name: t.docs.spaceNameHint } });
  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    const saved = await action.run(() =>
      space ? api('patch', '/spaces/{id}', { path: { id: space.id }, body: { name: trimmed, icon, archived: null } }) : api('post', '/spaces', { body: { name: trimmed, icon } }),
    );
    if (!saved) return;
    refreshDocs();
    toast(space ? t.docs.spaceSaved : t.docs.spaceCreated(saved.name));
    onClose();
    if (!space) navigate('/docs');
  };
  return (
    <Dialog open title={space ? t.docs.editSpace : t.docs.newSpace} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <TextField label={t.docs.spaceName} hint={t.docs.spaceNameHint} value={name} onValue={setName} required maxLength={80} autoFocus error={fieldError(action.problem, 'name')} />
        <fieldset class="space-emoji">
          <legend>{t.docs.spaceIcon}</legend>
          <div class="emoji-grid">
            {EMOJI.map((emoji) => (
              <label key={emoji} class={`emoji-choice ${emoji === icon ? 'emoji-current' : ''}`}>
                <input type="radio" class="visually-hidden" name="space-icon" value={emoji} checked={emoji === icon} onChange={() => setIcon(emoji)} />
                <span>{emoji}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <ProblemAlert problem={action.problem?.field === 'name' ? null : action.problem} />
        <div class="dialog-actions">
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button type="submit" kind="primary" busy={action.busy}>
            {space ? t.common.save : t.docs.createSpace}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Who belongs to a team space, reading or writing. */
export function MembersDialog({ space, onClose }: { space: Space; onClose: () => void }) {
  const t = useT();
  const members = useResource(`docs:members:${space.id}`, () => api('get', '/spaces/{id}/members', { path: { id: space.id } }), { revalidateOnMount: true });
  const users = useUsers();
  const groups = useGroups();
  const action = useAction();
  const set = async (target: Target, role: Level | 'none') => {
    const done = await action.run(() => api('post', '/spaces/{id}/members', { path: { id: space.id }, body: { ...target, role } }));
    if (done) {
      members.reload();
      refreshDocs();
    }
  };
  return (
    <Dialog open title={t.docs.membersOf(space.name)} onClose={onClose} class="wide-dialog docs-dialog">
      <p class="muted">{t.docs.membersIntro}</p>
      <ProblemAlert problem={action.problem} />
      {members.data && (
        <AccessEditor
          grants={asGrants(members.data)}
          groups={groups.data ?? []}
          people={(users.data ?? []).filter((u) => u.active)}
          addLabel={t.docs.addMemberTo(space.name)}
          empty={t.docs.noMembers}
          onSet={(target, role) => void set(target, role)}
        />
      )}
      <div class="dialog-actions">
        <Button kind="primary" onClick={onClose}>
          {t.common.close}
        </Button>
      </div>
    </Dialog>
  );
}

/** Shares a page beyond its space's members, and restricts it to them. */
export function ShareDialog({ page, onClose, onRestrict }: { page: Page; onClose: () => void; onRestrict: (on: boolean) => Promise<unknown> }) {
  const t = useT();
  const grants = useResource(`docs:access:${page.id}`, () => api('get', '/pages/{id}/access', { path: { id: page.id } }), { revalidateOnMount: true });
  const users = useUsers();
  const groups = useGroups();
  const action = useAction();
  const [restricted, setRestricted] = useState(page.restricted);
  const title = titleOf(page, t);
  const set = async (target: Target, role: Level | 'none') => {
    const done = await action.run(() => api('post', '/pages/{id}/access', { path: { id: page.id }, body: { ...target, role } }));
    if (done) grants.reload();
  };
  return (
    <Dialog open title={t.docs.shareTitle(title)} onClose={onClose} class="wide-dialog docs-dialog">
      <p class="muted">{t.docs.shareIntro}</p>
      <ProblemAlert problem={action.problem} />
      {grants.data && (
        <AccessEditor
          grants={asGrants(grants.data)}
          groups={groups.data ?? []}
          people={(users.data ?? []).filter((u) => u.active)}
          addLabel={t.docs.shareWith(title)}
          empty={t.docs.notShared}
          onSet={(target, role) => void set(target, role)}
        />
      )}
      <label class="switch-row">
        <input
          type="checkbox"
          checked={restricted}
          onChange={async (e) => {
            const on = e.currentTarget.checked;
            setRestricted(on);
            // The server shares the page with whoever restricts it.
            if (await onRestrict(on)) grants.reload();
            else setRestricted(!on);
          }}
        />
        <span>
          <strong>{t.docs.restrict}</strong>
          <span class="hint">{t.docs.restrictHint}</span>
        </span>
      </label>
      <div class="dialog-actions">
        <Button kind="primary" onClick={onClose}>
          {t.common.close}
        </Button>
      </div>
    </Dialog>
  );
}
