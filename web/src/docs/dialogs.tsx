// The Docs dialogs: a team space (its name and emoji), its members, and
// sharing one page with people, groups and guests, or with anyone through
// a public read-only link.

import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { useGroups, useUsers } from '../api/reads';
import { navigate } from '../app/router';
import { me } from '../app/session';
import { formatDateTime, useT } from '../i18n';
import { put, useResource } from '../lib/resource';
import { useStore } from '../lib/store';
import { fieldError, useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { CopyField } from '../ui/copy';
import { confirm, Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { toast } from '../ui/Toast';
import { AccessEditor, type Level, type Target } from '../files/access';
import { nameIn, refreshDocs, titleOf, useDirectory, usePublicLink, type Grant, type Page, type Space } from './state';
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
      <PublicLinkSection page={page} />
      <div class="dialog-actions">
        <Button kind="primary" onClick={onClose}>
          {t.common.close}
        </Button>
      </div>
    </Dialog>
  );
}

/** The page's public link: anyone holding it reads the page and the pages
 * inside it without an account. The server keeps only a hash of it, so the
 * link shows once, when made; afterwards only that it exists. */
function PublicLinkSection({ page }: { page: Page }) {
  const t = useT();
  const user = useStore(me);
  const link = usePublicLink(page.id);
  const directory = useDirectory();
  const action = useAction();
  /** The link just made, shown this once. */
  const [made, setMade] = useState<string | null>(null);
  if (user?.role === 'guest' || page.access !== 'write') return null;

  const make = async (again: boolean) => {
    if (again && !(await confirm({ title: t.docs.publicLink.renewTitle, body: t.docs.publicLink.renewBody, confirm: t.docs.publicLink.renew, danger: true }))) return;
    const answer = await action.run(() => api('post', '/pages/{id}/public-link', { path: { id: page.id } }));
    if (!answer) return;
    put(`docs:public-link:${page.id}`, { ...answer, url: null });
    setMade(answer.url ?? null);
  };
  const turnOff = async () => {
    if (!(await confirm({ title: t.docs.publicLink.offTitle, body: t.docs.publicLink.offBody, confirm: t.docs.publicLink.off, danger: true }))) return;
    const done = await action.run(async () => {
      await api('delete', '/pages/{id}/public-link', { path: { id: page.id } });
      return true;
    });
    if (!done) return;
    setMade(null);
    link.reload();
    toast(t.docs.publicLink.turnedOff);
  };
  const state = link.data;
  const author = nameIn(directory, state?.created_by);
  return (
    <section class="public-link" aria-labelledby="public-link-title">
      <h3 id="public-link-title">
        <Icon name="globe" />
        {t.docs.publicLink.title}
      </h3>
      <p class="hint">{t.docs.publicLink.intro}</p>
      <ProblemAlert problem={action.problem} />
      {state &&
        (state.enabled ? (
          <>
            {made ? (
              <>
                <CopyField label={t.docs.publicLink.label} value={made} />
                <p class="hint public-link-once">{t.docs.publicLink.copyNow}</p>
              </>
            ) : (
              <p class="public-link-on" data-testid="public-link-on">
                <span class="public-link-dot" aria-hidden="true" />
                {state.created_at ? t.docs.publicLink.on(formatDateTime(state.created_at), author) : t.docs.publicLink.onNoDate}
              </p>
            )}
            <div class="public-link-actions">
              <Button size="small" icon="refresh" busy={action.busy} onClick={() => void make(true)}>
                {t.docs.publicLink.renew}
              </Button>
              <Button size="small" kind="danger" busy={action.busy} onClick={() => void turnOff()}>
                {t.docs.publicLink.off}
              </Button>
            </div>
          </>
        ) : (
          <Button icon="link" busy={action.busy} onClick={() => void make(false)}>
            {t.docs.publicLink.create}
          </Button>
        ))}
    </section>
  );
}
