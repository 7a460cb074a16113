import { api, type Session } from '../api/client';
import { logout } from '../app/session';
import { formatDateTime, formatRelative, useT } from '../i18n';
import { invalidate, useResource } from '../lib/resource';
import { useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { confirm } from '../ui/Dialog';
import { Icon } from '../ui/icons';
import { Empty, Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { describeDevice } from './device';
import { SettingsNav } from './SettingsNav';

export function Sessions() {
  const t = useT();
  const sessions = useResource('sessions', () => api('get', '/me/sessions'), { revalidateOnMount: true });
  const action = useAction({ notFound: t.sessions.gone });
  const others = (sessions.data ?? []).filter((s) => !s.current);
  const revokeOthers = async () => {
    const yes = await confirm({
      title: t.sessions.revokeOthers,
      body: t.sessions.revokeOthersConfirm(others.length),
      confirm: t.sessions.revokeOthers,
      danger: true,
    });
    if (!yes) return;
    const done = await action.run(async () => {
      for (const session of others) await api('delete', '/me/sessions/{id}', { path: { id: session.id } });
      return true;
    });
    invalidate('sessions');
    if (done) toast(t.sessions.othersRevoked(others.length));
  };
  return (
    <div class="page">
      <PageHeader
        title={t.sessions.title}
        intro={t.sessions.intro}
        actions={
          others.length > 0 && (
            <Button kind="danger" icon="logout" busy={action.busy} onClick={revokeOthers}>
              {t.sessions.revokeOthers}
            </Button>
          )
        }
      />
      <SettingsNav />
      <ProblemAlert problem={action.problem} />
      <Loaded resource={sessions}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t.sessions.none}</Empty>
          ) : (
            <ul class="card-list">
              {list.map((session) => (
                <SessionItem key={session.id} session={session} run={action.run} />
              ))}
            </ul>
          )
        }
      </Loaded>
    </div>
  );
}

function SessionItem({ session, run }: { session: Session; run: <T>(work: () => Promise<T>) => Promise<T | undefined> }) {
  const t = useT();
  const { browser, system } = describeDevice(session.user_agent);
  const device = browser && system ? t.sessions.device(browser, system) : browser ?? system ?? t.sessions.unknownDevice;
  const revoke = async () => {
    if (session.current) {
      const yes = await confirm({ title: t.sessions.logoutHere, body: t.sessions.logoutHereConfirm, confirm: t.nav.logout });
      if (yes) await logout();
      return;
    }
    const yes = await confirm({ title: t.sessions.revoke, body: t.sessions.revokeConfirm(device), confirm: t.sessions.revoke, danger: true });
    if (!yes) return;
    const done = await run(async () => {
      await api('delete', '/me/sessions/{id}', { path: { id: session.id } });
      return true;
    });
    invalidate('sessions');
    if (done) toast(t.sessions.revoked);
  };
  return (
    <li class={`card item ${session.current ? 'item-current' : ''}`}>
      <div class="item-icon">
        <Icon name="devices" />
      </div>
      <div class="item-main">
        <p class="item-title">
          {device}
          {session.current && <span class="badge badge-accent">{t.sessions.thisDevice}</span>}
        </p>
        <dl class="item-facts">
          <div>
            <dt>{t.sessions.lastActive}</dt>
            <dd title={formatDateTime(session.last_seen_at)}>{formatRelative(session.last_seen_at)}</dd>
          </div>
          <div>
            <dt>{t.sessions.signedIn}</dt>
            <dd>{formatDateTime(session.created_at)}</dd>
          </div>
          <div>
            <dt>{t.sessions.address}</dt>
            <dd>{session.ip || '—'}</dd>
          </div>
          <div>
            <dt>{t.sessions.expires}</dt>
            <dd>{formatDateTime(session.expires_at)}</dd>
          </div>
        </dl>
      </div>
      <div class="item-actions">
        <Button size="small" kind={session.current ? 'secondary' : 'danger'} onClick={revoke}>
          {session.current ? t.nav.logout : t.sessions.revoke}
        </Button>
      </div>
    </li>
  );
}
