// The trash: what the person deleted (and what was deleted in the team
// folders they write to), to put back where it was or delete for good.

import { api, type Schemas } from '../api/client';
import { useUsers } from '../api/reads';
import { formatBytes, formatDateTime, formatRelative, useT } from '../i18n';
import { useResource } from '../lib/resource';
import { useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { confirm } from '../ui/Dialog';
import { Loaded, PageHeader } from '../ui/Page';
import { toast } from '../ui/Toast';
import { FilesNav } from './Files';
import { folderHref, parentOf } from './paths';
import { FileIcon, filesContext, refreshFiles } from './widgets';

type Trashed = Schemas['TrashedView'];

export function Trash() {
  const t = useT();
  const trash = useResource('files:trash', () => api('get', '/files/trash'), { revalidateOnMount: true });
  const users = useUsers();
  const action = useAction({ ...filesContext(t), conflict: t.files.restoreClash });
  const who = (id?: number | null) => (id == null ? null : users.data?.find((u) => u.id === id)?.display_name ?? null);

  const restore = async (item: Trashed) => {
    const done = await action.run(() => api('post', '/files/trash/{id}/restore', { path: { id: item.id } }));
    if (!done) return;
    refreshFiles();
    toast(t.files.restoredTo(item.name, parentOf(done.path) === '/' ? t.files.home : parentOf(done.path).slice(1)));
  };

  const purge = async (items: readonly Trashed[], all: boolean) => {
    const yes = await confirm({
      title: all ? t.files.emptyTrashTitle : t.files.purgeTitle(items[0].name),
      body: all ? t.files.emptyTrashBody(items.length) : t.files.purgeBody,
      confirm: all ? t.files.emptyTrash : t.files.purge,
      danger: true,
    });
    if (!yes) return;
    await action.run(async () => {
      for (const item of items) await api('delete', '/files/trash/{id}', { path: { id: item.id } });
      return true;
    });
    trash.reload();
    toast(all ? t.files.trashEmptied : t.files.purged(items[0].name));
  };

  return (
    <div class="page files-page">
      <PageHeader
        title={t.files.trash}
        intro={t.files.trashIntro}
        actions={
          trash.data &&
          trash.data.length > 0 && (
            <Button kind="danger" icon="trash" onClick={() => void purge(trash.data!, true)}>
              {t.files.emptyTrash}
            </Button>
          )
        }
      />
      <FilesNav />
      <ProblemAlert problem={action.problem} />
      <Loaded resource={trash}>
        {(list) =>
          list.length === 0 ? (
            <p class="empty">{t.files.trashEmpty}</p>
          ) : (
            <div class="card table-wrap">
              <table class="table trash-table">
                <thead>
                  <tr>
                    <th scope="col">{t.files.name}</th>
                    <th scope="col">{t.files.wasIn}</th>
                    <th scope="col" class="col-narrow">
                      {t.files.deletedWhen}
                    </th>
                    <th scope="col" class="col-narrow">
                      {t.files.size}
                    </th>
                    <th scope="col">
                      <span class="visually-hidden">{t.common.actions}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...list]
                    .sort((a, b) => b.deleted_at.localeCompare(a.deleted_at))
                    .map((item) => {
                      const where = parentOf(item.path);
                      return (
                        <tr key={item.id}>
                          <th scope="row">
                            <div class="entry-cell">
                              <FileIcon entry={{ is_dir: item.is_dir, mime: item.mime, team_folder: false }} />
                              <span class="entry-name">{item.name}</span>
                            </div>
                          </th>
                          <td data-label={t.files.wasIn}>
                            <a href={folderHref(where)}>{where === '/' ? t.files.home : where.slice(1)}</a>
                          </td>
                          <td class="col-narrow nowrap" data-label={t.files.deletedWhen} title={formatDateTime(item.deleted_at)}>
                            {formatRelative(item.deleted_at)}
                            {who(item.deleted_by) && <span class="muted"> · {who(item.deleted_by)}</span>}
                          </td>
                          <td class="col-narrow nowrap" data-label={t.files.size}>{item.is_dir ? '—' : formatBytes(item.size)}</td>
                          <td class="cell-actions">
                            <Button size="small" icon="undo" onClick={() => void restore(item)} label={t.files.restoreNamed(item.name)}>
                              {t.files.restore}
                            </Button>
                            <Button size="small" kind="ghost" icon="trash" onClick={() => void purge([item], false)} label={t.files.purgeNamed(item.name)}>
                              {t.files.purge}
                            </Button>
                          </td>
                        </tr>
                      );
                    })}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
    </div>
  );
}
