// The uploads of this tab, one line per file: progress, pause, resume,
// cancel, try again; and uploads interrupted earlier on this device, which
// go on when the same file is chosen again.

import { useEffect, useState } from 'preact/hooks';
import { describe } from '../api/errors';
import { formatBytes, useT } from '../i18n';
import { useStore } from '../lib/store';
import { IconButton } from '../ui/Button';
import { Icon } from '../ui/icons';
import { cancelUpload, clearFinished, isActive, pauseUpload, resumeUpload, uploads, type UploadItem } from './uploads';
import { discard, interrupted, prune, type Remembered } from './tus';
import { filesContext } from './widgets';

export function UploadsPanel({ showInterrupted = true }: { showInterrupted?: boolean }) {
  const t = useT();
  const list = useStore(uploads);
  const [folded, setFolded] = useState(false);
  const [, setPruned] = useState(0);
  // Read at each render: an upload that finishes or is discarded leaves it.
  const left: Remembered[] = showInterrupted ? interrupted() : [];
  useEffect(() => {
    if (showInterrupted) void prune().then((n) => n && setPruned((x) => x + n));
  }, []);
  const running = list.filter((i) => !['done', 'cancelled', 'failed'].includes(i.state));
  const waiting = left.filter((r) => !list.some((i) => i.name === r.name && i.folder === r.folder && i.size === r.size));
  if (list.length === 0 && waiting.length === 0) return null;
  const total = running.reduce((n, i) => n + i.size, 0);
  const sent = running.reduce((n, i) => n + i.sent, 0);
  return (
    <section class="uploads-panel" aria-labelledby="uploads-title">
      <header class="uploads-head">
        <h2 id="uploads-title">{running.length ? t.files.uploading(running.length, formatBytes(sent), formatBytes(total)) : t.files.uploadsDone}</h2>
        <IconButton icon={folded ? 'chevronLeft' : 'chevronRight'} label={folded ? t.files.showUploads : t.files.hideUploads} expanded={!folded} controls="uploads-list" onClick={() => setFolded(!folded)} />
        {running.length === 0 && <IconButton icon="close" label={t.files.clearUploads} onClick={clearFinished} />}
      </header>
      <div id="uploads-list" class={folded ? 'hidden' : ''}>
        <ul class="uploads-list">
          {list.map((item) => (
            <UploadLine key={item.id} item={item} />
          ))}
        </ul>
        {waiting.length > 0 && (
          <div class="uploads-left">
            <p class="muted">{t.files.interrupted}</p>
            <ul>
              {waiting.map((r) => (
                <li key={r.key}>
                  <span>
                    {r.name} <span class="muted">· {formatBytes(r.size)}</span>
                  </span>
                  <IconButton
                    icon="close"
                    label={t.files.discardNamed(r.name)}
                    onClick={() => {
                      discard(r);
                      setPruned((x) => x + 1);
                    }}
                  />
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  );
}

function UploadLine({ item }: { item: UploadItem }) {
  const t = useT();
  const status = (() => {
    switch (item.state) {
      case 'queued':
        return t.files.states.queued;
      case 'uploading':
        return `${formatBytes(item.sent)} / ${formatBytes(item.size)}`;
      case 'waiting':
        return t.files.states.waiting;
      case 'paused':
        return t.files.states.paused;
      case 'done':
        return item.resumed ? t.files.states.resumedDone : t.files.states.done;
      case 'cancelled':
        return t.files.states.cancelled;
      case 'failed':
        return describe(t, item.error, filesContext(t)).message;
    }
  })();
  const percent = item.size ? Math.floor((item.sent / item.size) * 100) : item.state === 'done' ? 100 : 0;
  return (
    <li class={`upload upload-${item.state}`} data-state={item.state}>
      <div class="upload-top">
        <Icon name={item.state === 'done' ? 'check' : item.state === 'failed' ? 'alert' : 'upload'} />
        <span class="upload-name">{item.name}</span>
        <span class="upload-actions">
          {isActive(item) && <IconButton icon="pause" label={t.files.pauseNamed(item.name)} onClick={() => pauseUpload(item.id)} />}
          {(item.state === 'paused' || item.state === 'failed') && (
            <IconButton icon={item.state === 'paused' ? 'play' : 'refresh'} label={item.state === 'paused' ? t.files.resumeNamed(item.name) : t.files.retryNamed(item.name)} onClick={() => resumeUpload(item.id)} />
          )}
          {(isActive(item) || item.state === 'paused') && <IconButton icon="close" label={t.files.cancelNamed(item.name)} onClick={() => cancelUpload(item.id)} />}
        </span>
      </div>
      {item.state !== 'done' && item.state !== 'cancelled' && (
        <progress class="upload-bar" max={100} value={percent} aria-label={t.files.progressOf(item.name)} />
      )}
      <p class={`upload-status ${item.state === 'failed' ? 'upload-error' : ''}`} role={item.state === 'failed' ? 'alert' : undefined}>
        {status}
      </p>
    </li>
  );
}
