// What someone without an account sees when they open a share link
// (/s#SECRET; the secret stays in the fragment, which never reaches the
// server's logs): the shared file to download, a folder to browse, a place
// to add files, or a drop box that takes files and shows nothing. A
// password, when the link has one, is asked first.

import './files.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { API, ApiError, errorOf, type Schemas } from '../api/client';
import { describe } from '../api/errors';
import { AuthLayout } from '../accounts/AuthLayout';
import { usePlace } from '../app/router';
import { formatBytes, formatRelative, useT } from '../i18n';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { TextField } from '../ui/Field';
import { Icon } from '../ui/icons';
import { Loading } from '../ui/Page';
import { toast } from '../ui/Toast';
import { kindOf, q } from './paths';
import { PreviewOf, type Previewable } from './Preview';
import { enqueue, fromDrop, onUploaded, type Picked } from './uploads';
import { UploadsPanel } from './UploadsPanel';
import { Crumbs, FileIcon, FilePicker } from './widgets';

type Visit = Schemas['VisitView'];
type State =
  | { kind: 'loading' }
  | { kind: 'password'; wrong: boolean }
  | { kind: 'gone' }
  | { kind: 'failed'; error: unknown }
  | { kind: 'ready'; visit: Visit };

/** Where a link's file is read from: `pass` stands for the password. */
function contentOf(secret: string, path: string, pass: string | null, download: boolean): string {
  return `${API}/public/shares/${encodeURIComponent(secret)}/content?path=${q(path)}${pass ? `&pass=${encodeURIComponent(pass)}` : ''}${download ? '&download=true' : ''}`;
}

export function Visitor() {
  const t = useT();
  const { hash } = usePlace();
  const secret = decodeURIComponent(hash.replace(/^#/, ''));
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [sub, setSub] = useState('/');
  const [pass, setPass] = useState<string | null>(() => {
    try {
      return sessionStorage.getItem(`bureau.share:${secret}`);
    } catch {
      return null;
    }
  });
  const [preview, setPreview] = useState<number | null>(null);

  const load = async (options: { password?: string; path?: string } = {}) => {
    const path = options.path ?? sub;
    const query = new URLSearchParams({ path });
    // The password in a header, not in the address that proxies and logs
    // keep; percent-encoded, as a header carries only ASCII.
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.password !== undefined) headers['X-Share-Password'] = encodeURIComponent(options.password);
    else if (pass) query.set('pass', pass);
    let response: Response;
    try {
      // Not the app's API client: a 401 here asks for the link's password,
      // it does not mean the session ended.
      response = await fetch(`${API}/public/shares/${encodeURIComponent(secret)}?${query}`, { headers, cache: 'no-store', credentials: 'omit' });
    } catch (cause) {
      setState({ kind: 'failed', error: new ApiError(0, 'network', String(cause)) });
      return;
    }
    if (response.status === 401) {
      setState({ kind: 'password', wrong: options.password !== undefined });
      return;
    }
    if (response.status === 404 && path === '/') {
      setState({ kind: 'gone' });
      return;
    }
    if (!response.ok) {
      setState({ kind: 'failed', error: await errorOf(response) });
      return;
    }
    const visit = (await response.json()) as Visit;
    if (visit.pass) {
      setPass(visit.pass);
      try {
        sessionStorage.setItem(`bureau.share:${secret}`, visit.pass);
      } catch {
        // Asked again after a reload, then.
      }
    }
    setSub(path);
    setState({ kind: 'ready', visit });
  };

  useEffect(() => {
    if (!secret) setState({ kind: 'gone' });
    else void load();
  }, [secret]);
  const current = useRef(load);
  current.current = load;
  useEffect(() => onUploaded(() => void current.current()), []);

  if (state.kind === 'loading') {
    return (
      <AuthLayout title={t.visitor.title}>
        <Loading />
      </AuthLayout>
    );
  }
  if (state.kind === 'gone') {
    return (
      <AuthLayout title={t.visitor.goneTitle}>
        <Alert kind="warning">{t.visitor.gone}</Alert>
        <p class="muted">{t.visitor.goneHint}</p>
      </AuthLayout>
    );
  }
  if (state.kind === 'password') return <PasswordForm wrong={state.wrong} onSubmit={(password) => load({ password, path: '/' })} />;
  if (state.kind === 'failed') {
    return (
      <AuthLayout title={t.visitor.title}>
        <ProblemAlert problem={describe(t, state.error)} />
        <Button icon="refresh" onClick={() => void load()}>
          {t.common.retry}
        </Button>
      </AuthLayout>
    );
  }
  const { visit } = state;
  const share = { token: secret, pass };
  const upload = (picked: Picked) => {
    // Folders cannot be made through a link: their files go in flat.
    enqueue(picked.files.map(({ file }) => ({ file, folder: sub })), share);
  };
  if (visit.mode === 'drop') {
    return (
      <AuthLayout title={t.visitor.dropTitle(visit.name)} wide>
        <p>{t.visitor.dropIntro}</p>
        <DropZone onFiles={upload} />
        <UploadsPanel showInterrupted={false} />
      </AuthLayout>
    );
  }
  if (!visit.is_dir) {
    const kind = kindOf({ is_dir: false, mime: guessMime(visit.name) });
    return (
      <AuthLayout title={visit.name} wide>
        <div class="visitor-file">
          <FileIcon entry={{ is_dir: false, mime: guessMime(visit.name), team_folder: false }} />
          <div>
            <p>
              <strong>{visit.name}</strong>
            </p>
            <p class="muted">{formatBytes(visit.size)}</p>
          </div>
        </div>
        {kind === 'image' && <img class="visitor-image" src={contentOf(secret, '/', pass, false)} alt={visit.name} />}
        <a class="btn btn-primary" href={contentOf(secret, '/', pass, true)} download>
          <Icon name="download" />
          <span>{t.visitor.download}</span>
        </a>
      </AuthLayout>
    );
  }
  const files = visit.entries.filter((e) => !e.is_dir && kindOf(e) !== 'other');
  const items: Previewable[] = files.map((e) => ({ name: e.name, mime: e.mime, size: e.size, modified_at: e.modified_at, url: contentOf(secret, e.path, pass, false), download: contentOf(secret, e.path, pass, true) }));
  return (
    <AuthLayout title={visit.name} wide>
      <p class="muted">{visit.mode === 'write' ? t.visitor.writeIntro : t.visitor.readIntro}</p>
      {sub !== '/' && <Crumbs path={sub} top={visit.name} onGo={(path) => void load({ path })} />}
      {visit.mode === 'write' && <DropZone onFiles={upload} />}
      {visit.entries.length === 0 ? (
        <p class="empty">{t.visitor.empty}</p>
      ) : (
        <ul class="visitor-list">
          {visit.entries.map((entry) => (
            <li key={entry.path}>
              <FileIcon entry={entry} />
              {entry.is_dir ? (
                <button type="button" class="link-btn entry-name" onClick={() => void load({ path: entry.path })}>
                  {entry.name}
                </button>
              ) : kindOf(entry) !== 'other' ? (
                <button type="button" class="link-btn entry-name" onClick={() => setPreview(files.indexOf(entry))}>
                  {entry.name}
                </button>
              ) : (
                <span class="entry-name">{entry.name}</span>
              )}
              <span class="muted nowrap">{entry.is_dir ? '' : `${formatBytes(entry.size)} · ${formatRelative(entry.modified_at)}`}</span>
              {!entry.is_dir && (
                <a class="btn btn-secondary btn-small" href={contentOf(secret, entry.path, pass, true)} download aria-label={t.visitor.downloadNamed(entry.name)}>
                  <Icon name="download" />
                  <span>{t.visitor.download}</span>
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
      {visit.mode === 'write' && <UploadsPanel showInterrupted={false} />}
      {preview !== null && <PreviewOf items={items} start={preview} onClose={() => setPreview(null)} />}
    </AuthLayout>
  );
}

function PasswordForm({ wrong, onSubmit }: { wrong: boolean; onSubmit: (password: string) => Promise<void> }) {
  const t = useT();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <AuthLayout title={t.visitor.passwordTitle}>
      <p>{t.visitor.passwordIntro}</p>
      {wrong && <Alert kind="error">{t.visitor.wrongPassword}</Alert>}
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          await onSubmit(password);
          setBusy(false);
        }}
      >
        <TextField label={t.visitor.password} type="password" autoComplete="current-password" value={password} onValue={setPassword} required autoFocus />
        <Button type="submit" kind="primary" busy={busy}>
          {t.visitor.open}
        </Button>
      </form>
    </AuthLayout>
  );
}

/** A place to drop files, with a button for those who would rather choose them. */
function DropZone({ onFiles }: { onFiles: (picked: Picked) => void }) {
  const t = useT();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <div
      class={`drop-zone ${over ? 'drop-zone-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        if (e.dataTransfer) void fromDrop(e.dataTransfer).then(onFiles, () => toast(t.errors.unexpected, 'error'));
      }}
    >
      <Icon name="upload" />
      <p>{t.visitor.dropHere}</p>
      <Button kind="primary" icon="upload" onClick={() => input.current?.click()}>
        {t.visitor.chooseFiles}
      </Button>
      <FilePicker input={input} onPick={onFiles} />
    </div>
  );
}

/** The visit of a single file does not say its type; its name does, enough for an icon. */
function guessMime(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  if (['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif'].includes(ext)) return `image/${ext === 'jpg' ? 'jpeg' : ext}`;
  if (['mp4', 'webm'].includes(ext)) return `video/${ext}`;
  if (['mp3', 'ogg', 'wav'].includes(ext)) return `audio/${ext}`;
  if (ext === 'pdf') return 'application/pdf';
  if (ext === 'txt') return 'text/plain';
  return 'application/octet-stream';
}
