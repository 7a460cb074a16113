// The small dialogs of the file screens: a name (new folder, rename) and
// a folder to move or copy into.

import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { useT } from '../i18n';
import { useResource } from '../lib/resource';
import { fieldError, useAction } from '../ui/action';
import { ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { Loaded } from '../ui/Page';
import { sorted } from './paths';
import { Crumbs, filesContext } from './widgets';

export function NameDialog(props: {
  title: string;
  label: string;
  initial: string;
  submit: string;
  /** Select the name without its extension, ready to type over. */
  selectStem?: boolean;
  onClose: () => void;
  onSubmit: (name: string) => Promise<void>;
}) {
  const t = useT();
  const [name, setName] = useState(props.initial);
  const action = useAction({ ...filesContext(t), fields: { name: t.files.badName, path: t.files.badName } });
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const input = form.current?.querySelector('input');
    if (!input) return;
    input.focus();
    const dot = props.initial.lastIndexOf('.');
    input.setSelectionRange(0, props.selectStem && dot > 0 ? dot : props.initial.length);
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    const done = await action.run(async () => {
      await props.onSubmit(trimmed);
      return true;
    });
    if (done) props.onClose();
  };
  return (
    <Dialog open title={props.title} onClose={props.onClose}>
      <form class="form" ref={form} onSubmit={submit}>
        <TextField label={props.label} value={name} onValue={setName} required maxLength={255} spellcheck={false} error={fieldError(action.problem, 'name') ?? fieldError(action.problem, 'path')} />
        <ProblemAlert problem={action.problem && !['name', 'path'].includes(action.problem.field ?? '') ? action.problem : null} />
        <div class="dialog-actions">
          <Button onClick={props.onClose}>{t.common.cancel}</Button>
          <Button type="submit" kind="primary" busy={action.busy}>
            {props.submit}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Chooses a folder: opens at `start`, goes up and down the tree. Folders
 * being moved (and what they hold) cannot be chosen. */
export function FolderPicker(props: { title: string; confirmLabel: string; start: string; exclude: string[]; onClose: () => void; onChoose: (folder: string) => void }) {
  const t = useT();
  const [at, setAt] = useState(props.start);
  const listing = useResource(`files:list:${at}`, () => api('get', '/files/list', { query: { path: at } }));
  const inside = (path: string) => props.exclude.some((x) => path === x || path.startsWith(`${x}/`));
  const writable = listing.data?.path === at && listing.data.access === 'write' && !inside(at);
  return (
    <Dialog open title={props.title} onClose={props.onClose} class="picker-dialog">
      <Crumbs path={at} top={t.files.home} onGo={setAt} />
      <div class="picker-list">
        <Loaded resource={listing}>
          {(data) => {
            const folders = sorted(data.entries, 'name', false).filter((e) => e.is_dir);
            return folders.length === 0 ? (
              <p class="muted picker-empty">{t.files.noSubfolders}</p>
            ) : (
              <ul>
                {folders.map((entry) => (
                  <li key={entry.path}>
                    <button type="button" class="picker-item" disabled={inside(entry.path)} onClick={() => setAt(entry.path)}>
                      <Icon name={entry.team_folder ? 'groups' : 'files'} />
                      <span>{entry.name}</span>
                      <Icon name="chevronRight" />
                    </button>
                  </li>
                ))}
              </ul>
            );
          }}
        </Loaded>
      </div>
      {listing.data && !writable && <p class="muted">{t.files.cannotWriteHere}</p>}
      <div class="dialog-actions">
        <Button onClick={props.onClose}>{t.common.cancel}</Button>
        <Button kind="primary" disabled={!writable} onClick={() => props.onChoose(at)}>
          {props.confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
