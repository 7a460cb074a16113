// A page's version history: the versions the server keeps (automatic ones,
// taken while people edit and when the last one leaves, and named ones),
// each shown read-only as it was, and made the page's content again on
// request. The preview is drawn by the editor's file, loaded on demand.

import { useEffect, useState } from 'preact/hooks';
import { api, API } from '../api/client';
import { describe } from '../api/errors';
import { formatDateTime, formatRelative, useT, type Messages } from '../i18n';
import { lazy } from '../lib/lazy';
import { put } from '../lib/resource';
import { fieldError, useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { confirm, Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { Loaded, Loading } from '../ui/Page';
import { toast } from '../ui/Toast';
import type { ReadOnlyProps } from './editor/editor';
import { bytes, nameIn, titleOf, useDirectory, useVersions, type Page, type Version } from './state';

const ReadOnlyContent = lazy<ReadOnlyProps>(() => import('./editor/editor').then((m) => m.ReadOnlyContent));

/** What a version is called in the list and in sentences. */
export function versionLabel(t: Messages, version: Version): string {
  return version.name ?? t.docs.history.automaticAt(formatDateTime(version.created_at));
}

export function HistoryDialog({ page, onClose }: { page: Page; onClose: () => void }) {
  const t = useT();
  const versions = useVersions(page.id);
  const directory = useDirectory();
  const [chosen, setChosen] = useState<number | null>(null);
  const [naming, setNaming] = useState(false);
  const writable = page.access === 'write';
  const list = versions.data ?? [];
  const selected = list.find((v) => v.id === chosen) ?? list[0] ?? null;

  return (
    <Dialog open title={t.docs.history.title(titleOf(page, t))} onClose={onClose} class="history-dialog">
      <div class="history">
        <section class="history-list" aria-labelledby="history-versions">
          <div class="history-list-head">
            <h3 id="history-versions">{t.docs.history.versions}</h3>
            {writable && !naming && (
              <Button size="small" icon="plus" onClick={() => setNaming(true)}>
                {t.docs.history.nameCurrent}
              </Button>
            )}
          </div>
          {naming && (
            <NameForm
              page={page}
              onDone={(made) => {
                setNaming(false);
                if (made) {
                  versions.reload();
                  setChosen(made.id);
                }
              }}
            />
          )}
          <Loaded resource={versions}>
            {(data) =>
              data.length === 0 ? (
                <p class="muted history-empty">{t.docs.history.empty}</p>
              ) : (
                <ul class="history-versions">
                  {data.map((version) => {
                    const author = nameIn(directory, version.created_by);
                    const current = selected?.id === version.id;
                    return (
                      <li key={version.id}>
                        <button type="button" class={`history-version ${current ? 'history-current' : ''}`} aria-current={current ? 'true' : undefined} onClick={() => setChosen(version.id)}>
                          <Icon name={version.automatic ? 'history' : 'pin'} />
                          <span class="history-version-text">
                            <span class="history-version-name">{versionLabel(t, version)}</span>
                            <span class="history-version-meta">
                              {version.automatic ? formatRelative(version.created_at) : formatDateTime(version.created_at)}
                              {author && ` · ${author}`}
                            </span>
                          </span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              )
            }
          </Loaded>
        </section>
        <section class="history-preview" aria-label={t.docs.history.preview}>
          {selected ? <Preview key={selected.id} page={page} version={selected} onRestored={onClose} /> : versions.data && <p class="muted history-pick">{t.docs.history.pick}</p>}
        </section>
      </div>
      <div class="dialog-actions">
        <Button kind="primary" onClick={onClose}>
          {t.common.close}
        </Button>
      </div>
    </Dialog>
  );
}

/** Names the page's content as it stands. */
function NameForm({ page, onDone }: { page: Page; onDone: (made: Version | null) => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    const made = await action.run(() => api('post', '/pages/{id}/versions', { path: { id: page.id }, body: { name: trimmed } }));
    if (!made) return;
    toast(t.docs.history.named(trimmed));
    onDone(made);
  };
  return (
    <form class="history-name" onSubmit={submit}>
      <TextField label={t.docs.history.nameLabel} hint={t.docs.history.nameHint} value={name} onValue={setName} required maxLength={100} autoFocus error={fieldError(action.problem, 'name')} />
      <ProblemAlert problem={action.problem?.field === 'name' ? null : action.problem} />
      <div class="history-name-actions">
        <Button size="small" onClick={() => onDone(null)}>
          {t.common.cancel}
        </Button>
        <Button size="small" type="submit" kind="primary" busy={action.busy}>
          {t.common.save}
        </Button>
      </div>
    </form>
  );
}

/** One version, read-only, with what can be done with it. */
function Preview({ page, version, onRestored }: { page: Page; version: Version; onRestored: () => void }) {
  const t = useT();
  const [state, setState] = useState<Uint8Array | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const action = useAction({ forbidden: t.docs.history.cannotRestore });
  const label = versionLabel(t, version);
  useEffect(() => {
    let live = true;
    bytes(`/pages/${page.id}/versions/${version.id}`).then(
      (data) => live && setState(data),
      (error: unknown) => live && setProblem(error),
    );
    return () => {
      live = false;
    };
  }, [page.id, version.id]);

  const restore = async () => {
    const yes = await confirm({ title: t.docs.history.restoreTitle, body: t.docs.history.restoreBody(label), confirm: t.docs.history.restore });
    if (!yes) return;
    const saved = await action.run(() => api('post', '/pages/{id}/versions/{version_id}/restore', { path: { id: page.id, version_id: version.id } }));
    if (!saved) return;
    put(`docs:page:${page.id}`, saved);
    toast(t.docs.history.restored(label));
    onRestored();
  };

  return (
    <>
      <div class="history-preview-head">
        <div class="history-preview-title">
          <h3>{label}</h3>
          <p class="muted">{t.docs.history.takenAt(formatDateTime(version.created_at))}</p>
        </div>
        <div class="history-preview-actions">
          <a class="btn btn-ghost btn-small" href={`${API}/pages/${page.id}/versions/${version.id}?format=markdown`} download aria-label={t.docs.history.downloadOf(label)} title={t.docs.history.download}>
            <Icon name="download" />
            <span class="history-download-text">{t.docs.history.download}</span>
          </a>
          {page.access === 'write' && (
            <Button size="small" kind="primary" icon="undo" busy={action.busy} disabled={!page.can_edit} onClick={() => void restore()}>
              {t.docs.history.restore}
            </Button>
          )}
        </div>
      </div>
      {page.access === 'write' && !page.can_edit && <p class="hint history-locked">{t.docs.history.cannotRestore}</p>}
      <ProblemAlert problem={action.problem} />
      <div class="history-sheet">
        {problem ? <ProblemAlert problem={describe(t, problem, { notFound: t.docs.history.gone })} /> : state ? <ReadOnlyContent update={state} label={t.docs.history.contentOf(label)} /> : <Loading />}
      </div>
    </>
  );
}
