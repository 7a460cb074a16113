import { useEffect, useState } from 'preact/hooks';
import { api, type AuditEntry } from '../api/client';
import { formatDateTime, useT, type Messages } from '../i18n';
import { useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Empty, Loading, PageHeader } from '../ui/Page';
import { AdminNav } from './AdminNav';
import { usePersonName } from './names';

const PAGE = 50;

/** The audit log, newest first, a page at a time. It has no live events:
 * "Refresh" reads the newest entries again. */
export function Audit() {
  const t = useT();
  const person = usePersonName();
  const [entries, setEntries] = useState<readonly AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const action = useAction();

  const load = async (before?: number) => {
    const page = await action.run(() => api('get', '/audit', { query: { before, limit: PAGE } }));
    if (!page) return;
    setEntries((current) => (before === undefined ? page : [...(current ?? []), ...page]));
    setMore(page.length === PAGE);
  };
  useEffect(() => {
    void load();
  }, []);

  return (
    <div class="page">
      <PageHeader
        title={t.audit.title}
        intro={t.audit.intro}
        actions={
          <Button icon="refresh" onClick={() => void load()} busy={action.busy && entries !== null}>
            {t.common.refresh}
          </Button>
        }
      />
      <AdminNav />
      <ProblemAlert problem={action.problem} />
      {entries === null ? (
        action.problem ? null : <Loading />
      ) : entries.length === 0 ? (
        <Empty>{t.audit.empty}</Empty>
      ) : (
        <>
          <div class="table-wrap card">
            <table class="table">
              <caption class="visually-hidden">{t.audit.title}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.audit.when}</th>
                  <th scope="col">{t.audit.who}</th>
                  <th scope="col">{t.audit.action}</th>
                  <th scope="col">{t.audit.concerning}</th>
                  <th scope="col">{t.audit.address}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td data-label={t.audit.when} class="nowrap">
                      {formatDateTime(entry.at)}
                    </td>
                    <td data-label={t.audit.who}>{person(entry.actor_id) ?? <span class="muted">{t.audit.nobody}</span>}</td>
                    <td data-label={t.audit.action}>
                      <span>
                        <span class="audit-action">{actionLabel(t, entry.action)}</span>
                        {details(t, entry) && <span class="person-sub">{details(t, entry)}</span>}
                      </span>
                    </td>
                    <td data-label={t.audit.concerning}>{person(entry.target_user_id) ?? '—'}</td>
                    <td data-label={t.audit.address} class="mono">
                      {entry.ip || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="pager">
            {more ? (
              <Button busy={action.busy} onClick={() => void load(entries[entries.length - 1].id)}>
                {t.audit.older}
              </Button>
            ) : (
              <p class="muted">{t.audit.end}</p>
            )}
          </div>
        </>
      )}
    </div>
  );
}

function actionLabel(t: Messages, action: string): string {
  return (t.audit.actions as Record<string, string>)[action] ?? action;
}

/** The few details worth a glance: the role given, the name tried. */
function details(t: Messages, entry: AuditEntry): string | null {
  const detail = entry.detail as Record<string, unknown>;
  if (typeof detail.role === 'string' && detail.role in t.roles) return t.roles[detail.role as keyof Messages['roles']];
  if (typeof detail.name === 'string') return detail.name;
  return null;
}
