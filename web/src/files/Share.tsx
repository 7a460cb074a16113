// Share links for people without an account: to read, to add files (a
// folder), or a drop box (they upload and see nothing). A link can have a
// password, an end date and a download limit; its address is shown once.

import { useId, useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { formatDate, formatDateTime, formatNumber, useT } from '../i18n';
import { useResource } from '../lib/resource';
import { fieldError, useAction } from '../ui/action';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { CopyField } from '../ui/copy';
import { confirm, Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { me } from '../app/session';
import { useGroups, useUsers } from '../api/reads';
import { useStore } from '../lib/store';
import { AccessEditor, type Level, type Target } from './access';
import type { FileView } from './paths';
import { filesContext } from './widgets';

type Mode = 'read' | 'write' | 'drop';
type Share = Schemas['ShareView'];

export function ShareDialog({ entry, onClose }: { entry: FileView; onClose: () => void }) {
  const t = useT();
  const links = useResource(`files:shares:${entry.path}`, () => api('get', '/files/shares', { query: { path: entry.path } }), { revalidateOnMount: true });
  const [mode, setMode] = useState<Mode>('read');
  const [password, setPassword] = useState('');
  const [expires, setExpires] = useState('');
  const [limit, setLimit] = useState('');
  const [made, setMade] = useState<Share | null>(null);
  const create = useAction({ forbidden: t.files.shareForbidden, fields: { expires_at: t.files.badExpiry, max_downloads: t.files.badLimit, mode: t.files.badMode } });
  const revoke = useAction({ notFound: t.files.linkGone });
  const ids = { expires: useId(), limit: useId() };
  const today = new Date().toISOString().slice(0, 10);
  const self = useStore(me);

  const submit = async (e: Event) => {
    e.preventDefault();
    const share = await create.run(() =>
      api('post', '/files/shares', {
        body: {
          path: entry.path,
          mode,
          password: password || null,
          expires_at: expires || null,
          max_downloads: limit ? Number(limit) : null,
        },
      }),
    );
    if (!share) return;
    setMade(share);
    setPassword('');
    links.reload();
  };

  const end = async (share: Share) => {
    const yes = await confirm({ title: t.files.revokeTitle, body: t.files.revokeBody, confirm: t.files.revoke, danger: true });
    if (!yes) return;
    await revoke.run(() => api('delete', '/files/shares/{id}', { path: { id: share.id } }));
    if (made?.id === share.id) setMade(null);
    links.reload();
  };

  const modes: { value: Mode; label: string; hint: string }[] = [
    { value: 'read', label: t.files.modes.read, hint: entry.is_dir ? t.files.modeHints.readFolder : t.files.modeHints.read },
    ...(entry.is_dir
      ? [
          { value: 'write' as Mode, label: t.files.modes.write, hint: t.files.modeHints.write },
          { value: 'drop' as Mode, label: t.files.modes.drop, hint: t.files.modeHints.drop },
        ]
      : []),
  ];

  return (
    <Dialog open title={t.files.shareTitle(entry.name)} onClose={onClose} class="wide-dialog">
      {self?.role !== 'guest' && <InCompany entry={entry} self={self?.id} />}
      <h3 class="share-heading">{t.files.outside}</h3>
      {made?.url ? (
        <div class="created-link">
          <Alert kind="success">{t.files.linkOnce}</Alert>
          <CopyField label={t.files.link} value={made.url} />
          <Button kind="ghost" onClick={() => setMade(null)}>
            {t.files.anotherLink}
          </Button>
        </div>
      ) : (
        <form class="form" onSubmit={submit}>
          <fieldset class="choice-group">
            <legend>{t.files.linkLets}</legend>
            {modes.map((m) => (
              <label key={m.value} class="choice">
                <input type="radio" name="share-mode" value={m.value} checked={mode === m.value} onChange={() => setMode(m.value)} />
                <span>
                  <strong>{m.label}</strong>
                  <span class="hint">{m.hint}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div class="field-row">
            <TextField label={t.files.linkPassword} hint={t.files.linkPasswordHint} type="password" autoComplete="new-password" value={password} onValue={setPassword} maxLength={256} />
            <div class="field">
              <label for={ids.expires}>{t.files.expires}</label>
              <input id={ids.expires} type="date" min={today} value={expires} onInput={(e) => setExpires(e.currentTarget.value)} aria-describedby={`${ids.expires}-hint`} aria-invalid={fieldError(create.problem, 'expires_at') ? 'true' : undefined} />
              <p class="hint" id={`${ids.expires}-hint`}>
                {fieldError(create.problem, 'expires_at') ?? t.files.expiresHint}
              </p>
            </div>
            {mode !== 'drop' && (
              <div class="field">
                <label for={ids.limit}>{t.files.downloadLimit}</label>
                <input id={ids.limit} type="number" min={1} step={1} inputMode="numeric" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} aria-describedby={`${ids.limit}-hint`} aria-invalid={fieldError(create.problem, 'max_downloads') ? 'true' : undefined} />
                <p class="hint" id={`${ids.limit}-hint`}>
                  {fieldError(create.problem, 'max_downloads') ?? t.files.downloadLimitHint}
                </p>
              </div>
            )}
          </div>
          <ProblemAlert problem={create.problem && !['expires_at', 'max_downloads'].includes(create.problem.field ?? '') ? create.problem : null} />
          <div class="form-actions">
            <Button type="submit" kind="primary" icon="link" busy={create.busy}>
              {t.files.makeLink}
            </Button>
          </div>
        </form>
      )}
      <section class="share-links" aria-labelledby="share-links-title">
        <h3 id="share-links-title">{t.files.liveLinks}</h3>
        <ProblemAlert problem={revoke.problem} />
        {links.data && links.data.length === 0 && <p class="muted">{t.files.noLinks}</p>}
        {links.data && links.data.length > 0 && (
          <ul class="share-list">
            {links.data.map((share) => (
              <li key={share.id}>
                <div>
                  <p>
                    <strong>{t.files.modes[share.mode as Mode] ?? share.mode}</strong>
                    {share.has_password && <span class="badge badge-muted">{t.files.withPassword}</span>}
                  </p>
                  <p class="muted">
                    {share.expires_at ? t.files.until(formatDate(share.expires_at)) : t.files.noEnd}
                    {' · '}
                    {share.max_downloads != null
                      ? t.files.downloadsOf(formatNumber(share.downloads), formatNumber(share.max_downloads))
                      : t.files.downloads(share.downloads, formatNumber(share.downloads))}
                    {' · '}
                    {t.files.madeOn(formatDateTime(share.created_at))}
                  </p>
                </div>
                <Button size="small" kind="danger" busy={revoke.busy} onClick={() => void end(share)} label={t.files.revokeLink(t.files.modes[share.mode as Mode] ?? share.mode, formatDateTime(share.created_at))}>
                  {t.files.revoke}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <div class="dialog-actions">
        <Button kind="primary" onClick={onClose}>
          {t.common.close}
        </Button>
      </div>
    </Dialog>
  );
}

/** Sharing with groups and people of the company: it shows at the top of
 * their files, to read or to change. */
function InCompany({ entry, self }: { entry: FileView; self?: number }) {
  const t = useT();
  const grants = useResource(`files:grants:${entry.path}`, () => api('get', '/files/grants', { query: { path: entry.path } }), { revalidateOnMount: true });
  const users = useUsers();
  const groups = useGroups();
  const action = useAction(filesContext(t));
  const set = async (target: Target, access: Level | 'none') => {
    const done = await action.run(() => api('put', '/files/grants', { body: { path: entry.path, ...target, access } }));
    if (done) grants.reload();
  };
  return (
    <section class="share-people" aria-labelledby="share-people-title">
      <h3 id="share-people-title" class="share-heading">
        {t.files.inCompany}
      </h3>
      <p class="muted">{t.files.inCompanyHint}</p>
      <ProblemAlert problem={action.problem} />
      {grants.data && (
        <AccessEditor
          grants={grants.data}
          groups={groups.data ?? []}
          people={(users.data ?? []).filter((u) => u.active && u.id !== self)}
          addLabel={t.files.shareWith(entry.name)}
          empty={t.files.notShared}
          onSet={(target, access) => void set(target, access)}
        />
      )}
    </section>
  );
}
