// Small pieces the file screens share: a file's icon, the usage bar, and
// the menu of actions on one entry.

import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { describe, type Context } from '../api/errors';
import { formatBytes, useT, type Messages } from '../i18n';
import { invalidate } from '../lib/resource';
import { toast } from '../ui/Toast';
import { Icon, type IconName } from '../ui/icons';
import { crumbs, kindOf, type FileView } from './paths';
import { fromInput, type Picked } from './uploads';

/** Reads the listings again (after a change, or an upload that finished). */
export function refreshFiles(): void {
  invalidate('files');
}

/** What a 404 or a 403 means on the file screens. */
export function filesContext(t: Messages): Context {
  return { notFound: t.files.gone, forbidden: t.files.forbidden };
}

/** A failed file action as a toast, in the person's words. */
export function failed(t: Messages, error: unknown): void {
  toast(describe(t, error, filesContext(t)).message, 'error');
}

/** The folders from the top down to `path`, each a link (`hrefOf`) or a
 * button (`onGo`); the last one is where the person is. */
export function Crumbs({ path, top, hrefOf, onGo }: { path: string; top: string; hrefOf?: (path: string) => string; onGo?: (path: string) => void }) {
  const t = useT();
  const list = crumbs(path);
  return (
    <nav class="files-crumbs" aria-label={t.files.breadcrumbs}>
      <ol>
        {list.map((crumb, i) => {
          const name = crumb.name || top;
          if (i === list.length - 1) return <li key={crumb.path}><span aria-current="page">{name}</span></li>;
          return (
            <li key={crumb.path}>
              {hrefOf ? (
                <a href={hrefOf(crumb.path)}>{name}</a>
              ) : (
                <button type="button" class="link-btn" onClick={() => onGo?.(crumb.path)}>
                  {name}
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

const KIND_ICONS: Record<ReturnType<typeof kindOf>, IconName> = {
  folder: 'files',
  image: 'image',
  video: 'meetings',
  audio: 'file',
  pdf: 'docs',
  text: 'docs',
  other: 'file',
};

export function FileIcon({ entry }: { entry: Pick<FileView, 'is_dir' | 'mime' | 'team_folder'> & { shared_with_me?: boolean } }) {
  const kind = kindOf(entry);
  const icon = entry.team_folder ? 'groups' : entry.shared_with_me && entry.is_dir ? 'people' : KIND_ICONS[kind];
  return (
    <span class={`file-icon file-icon-${kind} ${entry.team_folder || entry.shared_with_me ? 'file-icon-team' : ''}`} aria-hidden="true">
      <Icon name={icon} />
    </span>
  );
}

/** The top of a team folder or of something shared with the person: it
 * can be opened and copied, not renamed, moved or deleted. */
export function isTop(entry: Pick<FileView, 'team_folder' | 'shared_with_me'>): boolean {
  return entry.team_folder || entry.shared_with_me;
}

/** How full a space is: a bar when it has a quota, the bytes used otherwise. */
export function UsageBar({ used, quota, label }: { used: number; quota?: number | null; label?: string }) {
  const t = useT();
  const text = quota == null ? t.files.usageNoLimit(formatBytes(used)) : t.files.usage(formatBytes(used), formatBytes(quota));
  if (quota == null) return <p class="usage muted">{text}</p>;
  const ratio = quota === 0 ? 1 : Math.min(1, used / quota);
  const level = ratio >= 1 ? 'full' : ratio >= 0.9 ? 'high' : 'ok';
  return (
    <div class={`usage usage-${level}`}>
      <progress class="usage-track" aria-label={label ?? t.files.usageLabel} aria-valuetext={text} max={Math.max(quota, 1)} value={Math.min(used, quota)} />
      <p class="usage-text">
        {text}
        {ratio >= 1 && <strong class="usage-full"> {t.files.spaceFull}</strong>}
      </p>
    </div>
  );
}

export interface MenuItem {
  label: string;
  icon: IconName;
  onSelect?: () => void;
  /** A link instead of a button (downloads). */
  href?: string;
  download?: boolean;
  danger?: boolean;
}

/** A button that opens a short list of actions. Escape or a click elsewhere
 * closes it; focus goes to the first action, and back to the button. The
 * list is placed against the window, not inside the scrolling table that
 * holds the button, so the last rows' actions are not cut off: below the
 * button, or above it where the window has no room below; it follows the
 * button when the page scrolls. */
export function Menu({ label, items, icon = 'more', children }: { label: string; items: (MenuItem | null | false)[]; icon?: IconName; children?: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const [place, setPlace] = useState<Record<string, string> | null>(null);
  const id = useId();
  const shown = items.filter((item): item is MenuItem => !!item);
  useLayoutEffect(() => {
    if (!open) return;
    const follow = () => {
      if (!button.current) return;
      // The viewport a fixed element is placed in, without its scroll bars.
      const { clientWidth: width, clientHeight: height } = document.documentElement;
      const at = button.current.getBoundingClientRect();
      const below = height - at.bottom;
      const up = below < (list.current?.offsetHeight ?? 0) + 8 && at.top > below;
      setPlace({
        position: 'fixed',
        right: `${Math.max(8, width - at.right)}px`,
        ...(up ? { top: 'auto', bottom: `${height - at.top + 4}px` } : { top: `${at.bottom + 4}px` }),
      });
    };
    follow();
    window.addEventListener('resize', follow);
    window.addEventListener('scroll', follow, true);
    return () => {
      setPlace(null);
      window.removeEventListener('resize', follow);
      window.removeEventListener('scroll', follow, true);
    };
  }, [open]);
  const placed = place !== null;
  useEffect(() => {
    // Once placed (it is hidden until then, and a hidden action takes no
    // focus); not again as it follows the page.
    if (placed) list.current?.querySelector<HTMLElement>('a, button')?.focus({ preventScroll: true });
  }, [placed]);
  useEffect(() => {
    if (!open) return;
    const outside = (e: Event) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        setOpen(false);
        button.current?.focus();
      }
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        const all = [...(box.current?.querySelectorAll<HTMLElement>('.menu-popover a, .menu-popover button') ?? [])];
        const at = all.indexOf(document.activeElement as HTMLElement);
        const next = all[(at + (e.key === 'ArrowDown' ? 1 : all.length - 1)) % all.length];
        next?.focus();
        e.preventDefault();
      }
    };
    document.addEventListener('pointerdown', outside);
    box.current?.addEventListener('keydown', key);
    const el = box.current;
    return () => {
      document.removeEventListener('pointerdown', outside);
      el?.removeEventListener('keydown', key);
    };
  }, [open]);
  if (shown.length === 0) return null;
  const choose = (item: MenuItem) => {
    setOpen(false);
    // Focus comes back here, so a dialog the action opens returns it here.
    button.current?.focus();
    item.onSelect?.();
  };
  return (
    <div class="menu" ref={box}>
      <button
        ref={button}
        type="button"
        class="icon-btn"
        aria-label={label}
        title={label}
        aria-expanded={open ? 'true' : 'false'}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        <Icon name={icon} />
        {children}
      </button>
      {open && (
        <ul id={id} ref={list} class="popover menu-popover" style={place ?? { visibility: 'hidden' }}>
          {shown.map((item) => (
            <li key={item.label}>
              {item.href ? (
                <a href={item.href} download={item.download ? '' : undefined} class="menu-item" onClick={() => choose(item)}>
                  <Icon name={item.icon} />
                  {item.label}
                </a>
              ) : (
                <button type="button" class={`menu-item ${item.danger ? 'menu-danger' : ''}`} onClick={() => choose(item)}>
                  <Icon name={item.icon} />
                  {item.label}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The browser's file chooser, opened by a visible button (`input.click()`);
 * `folders` chooses a whole folder instead. */
export function FilePicker({ input, folders, onPick }: { input: RefObject<HTMLInputElement | null>; folders?: boolean; onPick: (picked: Picked) => void }) {
  useEffect(() => {
    // webkitdirectory is not a property Preact knows: set it on the element.
    if (folders) input.current?.setAttribute('webkitdirectory', '');
  }, []);
  return (
    <input
      ref={input}
      class="visually-hidden"
      type="file"
      multiple
      tabIndex={-1}
      aria-hidden="true"
      data-testid={folders ? 'folder-input' : 'upload-input'}
      onChange={(e) => {
        const el = e.currentTarget;
        if (el.files) onPick(fromInput(el.files));
        el.value = '';
      }}
    />
  );
}
