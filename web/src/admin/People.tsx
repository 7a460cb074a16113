import { useState } from 'preact/hooks';
import { api, type Role, type User } from '../api/client';
import { useUsers } from '../api/reads';
import { me } from '../app/session';
import { formatDate, formatNumber, useT } from '../i18n';
import { put } from '../lib/resource';
import { useStore } from '../lib/store';
import { fieldError, useAction } from '../ui/action';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Avatar } from '../ui/Avatar';
import { Button } from '../ui/Button';
import { confirm, Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { AdminNav } from './AdminNav';

const ROLES: Role[] = ['admin', 'member', 'guest'];

export function People() {
  const t = useT();
  const users = useUsers();
  const [filter, setFilter] = useState('');
  const [resetting, setResetting] = useState<User | null>(null);
  const action = useAction({ notFound: t.people.gone });
  const self = useStore(me);

  const replace = (updated: User) =>
    put('users', (users.data ?? []).map((u) => (u.id === updated.id ? updated : u)));

  const changeRole = async (user: User, role: Role) => {
    if (user.id === self?.id && role !== 'admin') {
      const yes = await confirm({ title: t.people.demoteSelf, body: t.people.demoteSelfConfirm, confirm: t.people.demoteSelf, danger: true });
      if (!yes) return;
    }
    const updated = await action.run(() => api('patch', '/users/{id}', { path: { id: user.id }, body: { role } }));
    if (!updated) return;
    replace(updated);
    toast(t.people.roleChanged(updated.display_name, t.roles[updated.role]));
  };

  const setActive = async (user: User, active: boolean) => {
    if (!active) {
      const yes = await confirm({
        title: t.people.deactivate,
        body: t.people.deactivateConfirm(user.display_name),
        confirm: t.people.deactivate,
        danger: true,
      });
      if (!yes) return;
    }
    const updated = await action.run(() => api('patch', '/users/{id}', { path: { id: user.id }, body: { active } }));
    if (!updated) return;
    replace(updated);
    toast(active ? t.people.reactivated(updated.display_name) : t.people.deactivated(updated.display_name));
  };

  return (
    <div class="page">
      <PageHeader
        title={t.people.title}
        intro={t.people.intro}
        actions={
          <a href="/admin/invitations" class="btn btn-primary">
            {t.people.invite}
          </a>
        }
      />
      <AdminNav />
      <ProblemAlert problem={action.problem} />
      <Loaded resource={users}>
        {(list) => {
          const needle = filter.trim().toLowerCase();
          const shown = needle
            ? list.filter((u) => [u.display_name, u.name, u.email ?? ''].some((s) => s.toLowerCase().includes(needle)))
            : list;
          return (
            <>
              <div class="toolbar">
                <TextField class="toolbar-filter" label={t.people.filter} type="search" value={filter} onValue={setFilter} />
                <p class="muted" aria-live="polite">
                  {t.people.count(shown.length, formatNumber(shown.length))}
                </p>
              </div>
              {shown.length === 0 ? (
                <Empty>{t.people.noMatch}</Empty>
              ) : (
                <div class="table-wrap card">
                  <table class="table">
                    <caption class="visually-hidden">{t.people.title}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t.people.person}</th>
                        <th scope="col">{t.people.role}</th>
                        <th scope="col">{t.people.status}</th>
                        <th scope="col">{t.people.joined}</th>
                        <th scope="col">
                          <span class="visually-hidden">{t.common.actions}</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {shown.map((user) => (
                        <tr key={user.id} class={user.active ? '' : 'row-muted'}>
                          <th scope="row">
                            <div class="person">
                              <Avatar user={user} size="small" />
                              <span>
                                <span class="person-name">
                                  {user.display_name}
                                  {user.id === self?.id && <span class="badge">{t.common.you}</span>}
                                </span>
                                <span class="person-sub">
                                  @{user.name}
                                  {user.email ? ` · ${user.email}` : ''}
                                </span>
                              </span>
                            </div>
                          </th>
                          <td data-label={t.people.role}>
                            <label class="visually-hidden" for={`role-${user.id}`}>
                              {t.people.roleOf(user.display_name)}
                            </label>
                            <select
                              id={`role-${user.id}`}
                              class="select-compact"
                              value={user.role}
                              disabled={!user.active}
                              onChange={(e) => void changeRole(user, e.currentTarget.value as Role)}
                            >
                              {ROLES.map((role) => (
                                <option key={role} value={role}>
                                  {t.roles[role]}
                                </option>
                              ))}
                            </select>
                          </td>
                          <td data-label={t.people.status}>
                            <span class={`badge ${user.active ? 'badge-success' : 'badge-muted'}`}>
                              {user.active ? t.people.active : t.people.inactive}
                            </span>
                          </td>
                          <td data-label={t.people.joined} class="nowrap">{formatDate(user.created_at)}</td>
                          <td class="cell-actions">
                            <Button
                              size="small"
                              kind="ghost"
                              icon="key"
                              onClick={() => setResetting(user)}
                            >
                              {t.people.resetShort}
                            </Button>
                            {user.id !== self?.id &&
                              (user.active ? (
                                <Button size="small" kind="danger" onClick={() => void setActive(user, false)}>
                                  {t.people.deactivate}
                                </Button>
                              ) : (
                                <Button size="small" onClick={() => void setActive(user, true)}>
                                  {t.people.reactivate}
                                </Button>
                              ))}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          );
        }}
      </Loaded>
      <ResetPassword user={resetting} onClose={() => setResetting(null)} />
    </div>
  );
}

/** A strong password to hand over: 16 characters from an alphabet without
 * look-alikes (no 0/O, 1/l/I). */
function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function ResetPassword({ user, onClose }: { user: User | null; onClose: () => void }) {
  const t = useT();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction();
  const close = () => {
    setPassword('');
    setDone(false);
    onClose();
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!user) return;
    const ok = await action.run(async () => {
      await api('put', '/users/{id}/password', { path: { id: user.id }, body: { password } });
      return true;
    });
    if (ok) setDone(true);
  };
  return (
    <Dialog open={user !== null} title={t.people.resetTitle(user?.display_name ?? '')} onClose={close}>
      {done ? (
        <>
          <Alert kind="success">{t.people.resetDone(user?.display_name ?? '')}</Alert>
          <div class="dialog-actions">
            <Button kind="primary" onClick={close}>
              {t.common.done}
            </Button>
          </div>
        </>
      ) : (
        <form class="form" onSubmit={submit}>
          <p>{t.people.resetIntro(user?.display_name ?? '')}</p>
          <ProblemAlert problem={action.problem && !action.problem.field ? action.problem : null} />
          <div class="copy-row">
            <TextField
              label={t.people.newPassword}
              hint={t.accountForm.passwordHint}
              value={password}
              onValue={setPassword}
              required
              minLength={8}
              autoComplete="new-password"
              spellcheck={false}
              error={fieldError(action.problem, 'password')}
            />
            <Button onClick={() => setPassword(generatePassword())}>{t.people.generate}</Button>
          </div>
          <div class="dialog-actions">
            <Button onClick={close}>{t.common.cancel}</Button>
            <Button type="submit" kind="danger" busy={action.busy}>
              {t.people.resetPassword}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
