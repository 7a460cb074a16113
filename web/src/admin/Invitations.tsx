import { useState } from 'preact/hooks';
import { api, type Invitation, type Role } from '../api/client';
import { formatDate, formatDateTime, useT } from '../i18n';
import { invalidate, useResource } from '../lib/resource';
import { fieldError, useAction } from '../ui/action';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { CopyField } from '../ui/copy';
import { confirm } from '../ui/Dialog';
import { SelectField, TextField } from '../ui/Field';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { AdminNav } from './AdminNav';
import { usePersonName } from './names';

const VALIDITY_HOURS = ['24', '72', '168', '720', '2160'] as const;
type Validity = (typeof VALIDITY_HOURS)[number];

export function Invitations() {
  const t = useT();
  const invitations = useResource('invitations', () => api('get', '/invitations'));
  const person = usePersonName();
  const [role, setRole] = useState<Role>('member');
  const [validity, setValidity] = useState<Validity>('72');
  const [note, setNote] = useState('');
  const [created, setCreated] = useState<{ url: string; invitation: Invitation } | null>(null);
  const create = useAction();
  const withdraw = useAction({ notFound: t.invitations.notOpen });

  const submit = async (e: Event) => {
    e.preventDefault();
    const result = await create.run(() =>
      api('post', '/invitations', { body: { role, note: note.trim(), expires_in_hours: Number(validity) } }),
    );
    if (!result) return;
    setNote('');
    setCreated({ url: result.url, invitation: result.invitation });
    invalidate('invitations');
  };

  const remove = async (invitation: Invitation) => {
    const yes = await confirm({
      title: t.invitations.withdraw,
      body: t.invitations.withdrawConfirm,
      confirm: t.invitations.withdraw,
      danger: true,
    });
    if (!yes) return;
    const done = await withdraw.run(async () => {
      await api('delete', '/invitations/{id}', { path: { id: invitation.id } });
      return true;
    });
    invalidate('invitations');
    if (done) {
      toast(t.invitations.withdrawn);
      if (created?.invitation.id === invitation.id) setCreated(null);
    }
  };

  const nameOf = (id: number | null | undefined) => person(id) ?? '—';

  return (
    <div class="page">
      <PageHeader title={t.invitations.title} intro={t.invitations.intro} />
      <AdminNav />
      <section class="card" aria-labelledby="new-invitation">
        <h2 id="new-invitation">{t.invitations.new}</h2>
        <form class="form form-inline" onSubmit={submit}>
          <SelectField
            label={t.invitations.role}
            value={role}
            onValue={setRole}
            options={(['member', 'admin', 'guest'] as Role[]).map((value) => ({ value, label: t.roles[value] }))}
            hint={t.invitations.roleHints[role]}
          />
          <SelectField
            label={t.invitations.validity}
            value={validity}
            onValue={setValidity}
            options={VALIDITY_HOURS.map((value) => ({ value, label: t.invitations.days(Number(value) / 24) }))}
            error={fieldError(create.problem, 'expires_in_hours')}
          />
          <TextField
            label={t.invitations.note}
            hint={t.invitations.noteHint}
            value={note}
            onValue={setNote}
            maxLength={200}
            error={fieldError(create.problem, 'note')}
          />
          <div class="form-actions">
            <Button type="submit" kind="primary" icon="plus" busy={create.busy}>
              {t.invitations.create}
            </Button>
          </div>
        </form>
        <ProblemAlert problem={create.problem && !create.problem.field ? create.problem : null} />
        {created && (
          <div class="created-link">
            <Alert kind="success">{t.invitations.createdOnce}</Alert>
            <CopyField label={t.invitations.link} value={created.url} />
          </div>
        )}
      </section>
      <ProblemAlert problem={withdraw.problem} />
      <Loaded resource={invitations}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t.invitations.empty}</Empty>
          ) : (
            <div class="table-wrap card">
              <table class="table">
                <caption class="visually-hidden">{t.invitations.title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.invitations.state}</th>
                    <th scope="col">{t.invitations.role}</th>
                    <th scope="col">{t.invitations.note}</th>
                    <th scope="col">{t.invitations.created}</th>
                    <th scope="col">{t.invitations.outcome}</th>
                    <th scope="col">
                      <span class="visually-hidden">{t.common.actions}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((invitation) => (
                    <tr key={invitation.id} data-state={invitation.state}>
                      <td data-label={t.invitations.state}>
                        <span class={`badge badge-${stateTone[invitation.state]}`}>{t.invitations.states[invitation.state]}</span>
                      </td>
                      <td data-label={t.invitations.role}>{t.roles[invitation.role]}</td>
                      <td data-label={t.invitations.note}>{invitation.note || <span class="muted">—</span>}</td>
                      <td data-label={t.invitations.created}>
                        <span>
                          <span class="nowrap">{formatDate(invitation.created_at)}</span>
                          <span class="person-sub">{t.invitations.by(nameOf(invitation.created_by))}</span>
                        </span>
                      </td>
                      <td data-label={t.invitations.outcome}>
                        {invitation.state === 'used'
                          ? t.invitations.usedBy(nameOf(invitation.used_by))
                          : invitation.state === 'open'
                            ? t.invitations.until(formatDateTime(invitation.expires_at))
                            : invitation.state === 'expired'
                              ? t.invitations.expiredOn(formatDateTime(invitation.expires_at))
                              : '—'}
                      </td>
                      <td class="cell-actions">
                        {invitation.state === 'open' && (
                          <Button size="small" kind="danger" onClick={() => void remove(invitation)}>
                            {t.invitations.withdraw}
                          </Button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </div>
  );
}

const stateTone = { open: 'accent', used: 'success', revoked: 'muted', expired: 'warning' } as const;
