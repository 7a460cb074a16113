// A file's earlier contents (every overwrite keeps the previous one; the 20
// newest are kept): download one, or make it the current content again.

import { api, type Schemas } from '../api/client';
import { useUsers } from '../api/reads';
import { formatBytes, formatDateTimeExact, useT } from '../i18n';
import { useResource } from '../lib/resource';
import { useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { confirm, Dialog } from '../ui/Dialog';
import { Icon } from '../ui/icons';
import { Loaded } from '../ui/Page';
import { toast } from '../ui/Toast';
import { filesContext, refreshFiles } from './widgets';
import { contentUrl, versionUrl, type FileView } from './paths';

export function VersionsDialog({ entry, canWrite, onClose }: { entry: FileView; canWrite: boolean; onClose: () => void }) {
  const t = useT();
  const versions = useResource(`files:versions:${entry.path}`, () => api('get', '/files/versions', { query: { path: entry.path } }), { revalidateOnMount: true });
  const users = useUsers();
  const action = useAction(filesContext(t));
  const who = (id?: number | null) => (id == null ? null : users.data?.find((u) => u.id === id)?.display_name ?? null);

  const restore = async (version: Schemas['VersionView']) => {
    const yes = await confirm({ title: t.files.restoreVersionTitle, body: t.files.restoreVersionBody(formatDateTimeExact(version.written_at)), confirm: t.files.restoreVersion });
    if (!yes) return;
    const done = await action.run(() => api('post', '/files/versions/{id}/restore', { path: { id: version.id }, query: { path: entry.path } }));
    if (!done) return;
    versions.reload();
    refreshFiles();
    toast(t.files.versionRestored(formatDateTimeExact(version.written_at)));
  };

  return (
    <Dialog open title={t.files.versionsTitle(entry.name)} onClose={onClose} class="wide-dialog">
      <p class="muted">{t.files.versionsIntro}</p>
      <ProblemAlert problem={action.problem} />
      <Loaded resource={versions}>
        {(data) => (
          <ul class="version-list">
            <li class="version-current">
              <Icon name="file" />
              <div>
                <p>
                  <strong>{t.files.currentVersion}</strong> · {formatDateTimeExact(data.file.modified_at)}
                </p>
                <p class="muted">
                  {formatBytes(data.file.size)}
                  {who(data.file.modified_by) && ` · ${who(data.file.modified_by)}`}
                </p>
              </div>
              <a class="btn btn-secondary btn-small" href={contentUrl(entry.path, true)} download aria-label={t.files.downloadVersion(formatDateTimeExact(data.file.modified_at))}>
                <Icon name="download" />
                <span>{t.files.download}</span>
              </a>
            </li>
            {data.versions.length === 0 && <li class="muted">{t.files.noVersions}</li>}
            {data.versions.map((version) => {
              const when = formatDateTimeExact(version.written_at);
              return (
                <li key={version.id}>
                  <Icon name="history" />
                  <div>
                    <p>{when}</p>
                    <p class="muted">
                      {formatBytes(version.size)}
                      {who(version.written_by) && ` · ${who(version.written_by)}`}
                    </p>
                  </div>
                  <div class="version-actions">
                    <a class="btn btn-secondary btn-small" href={versionUrl(version.id, entry.path)} download aria-label={t.files.downloadVersion(when)}>
                      <Icon name="download" />
                      <span>{t.files.download}</span>
                    </a>
                    {canWrite && (
                      <Button size="small" icon="undo" busy={action.busy} onClick={() => void restore(version)} label={t.files.restoreVersionOf(when)}>
                        {t.files.restoreVersion}
                      </Button>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </Loaded>
      <div class="dialog-actions">
        <Button kind="primary" onClick={onClose}>
          {t.common.close}
        </Button>
      </div>
    </Dialog>
  );
}
