// A file shown in a dialog: images, video, audio, PDF and plain text, with
// the previous and next file of the folder (buttons or the arrow keys).

import { useEffect, useState } from 'preact/hooks';
import { formatBytes, formatDateTime, useT } from '../i18n';
import { Button, IconButton } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/icons';
import { contentUrl, kindOf, type FileView } from './paths';

export interface Previewable {
  name: string;
  mime: string;
  size: number;
  modified_at?: string;
  /** Where the bytes are shown from, and downloaded from. */
  url: string;
  download: string;
}

/** Shows `start` among `entries`, given as the person's files. */
export function Preview({ entries, start, onClose }: { entries: FileView[]; start: FileView; onClose: () => void }) {
  const items = entries.map((e) => fromFile(e));
  return <PreviewOf items={items} start={Math.max(0, entries.findIndex((e) => e.path === start.path))} onClose={onClose} />;
}

function fromFile(entry: FileView): Previewable {
  return { name: entry.name, mime: entry.mime, size: entry.size, modified_at: entry.modified_at, url: contentUrl(entry.path), download: contentUrl(entry.path, true) };
}

export function PreviewOf({ items, start, onClose }: { items: Previewable[]; start: number; onClose: () => void }) {
  const t = useT();
  const [index, setIndex] = useState(start);
  const item = items[index];
  const go = (step: number) => setIndex((i) => (i + step + items.length) % items.length);
  useEffect(() => {
    const key = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (['INPUT', 'TEXTAREA', 'SELECT', 'VIDEO', 'AUDIO'].includes(target.tagName)) return;
      if (e.key === 'ArrowRight') go(1);
      if (e.key === 'ArrowLeft') go(-1);
    };
    addEventListener('keydown', key);
    return () => removeEventListener('keydown', key);
  }, [items.length]);
  if (!item) return null;
  const kind = kindOf({ is_dir: false, mime: item.mime });
  return (
    <Dialog open title={item.name} onClose={onClose} class="preview-dialog">
      <div class="preview-stage">
        {kind === 'image' && <img key={item.url} src={item.url} alt={item.name} />}
        {kind === 'video' && <video key={item.url} src={item.url} controls preload="metadata" />}
        {kind === 'audio' && <audio key={item.url} src={item.url} controls preload="metadata" />}
        {(kind === 'pdf' || kind === 'text') && <iframe key={item.url} src={item.url} title={item.name} />}
        {kind === 'other' && (
          <p class="muted">
            <Icon name="file" />
            {t.files.noPreview}
          </p>
        )}
      </div>
      <div class="preview-bar">
        <p class="muted">
          {formatBytes(item.size)}
          {item.modified_at && ` · ${formatDateTime(item.modified_at)}`}
          {items.length > 1 && ` · ${t.files.position(index + 1, items.length)}`}
        </p>
        <div class="preview-actions">
          {items.length > 1 && (
            <>
              <IconButton icon="chevronLeft" label={t.files.previous} onClick={() => go(-1)} />
              <IconButton icon="chevronRight" label={t.files.next} onClick={() => go(1)} />
            </>
          )}
          <a class="btn btn-secondary" href={item.download} download>
            <Icon name="download" />
            <span>{t.files.download}</span>
          </a>
          <Button kind="primary" onClick={onClose}>
            {t.common.close}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
