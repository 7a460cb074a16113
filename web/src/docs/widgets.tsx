// Small pieces the Docs screens share: a page's icon, a menu of actions
// that floats above the scrolling tree, and the emoji picker.

import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';
import { Icon, type IconName } from '../ui/icons';

/** A page's emoji, or the document icon (a table's, for a database) when it has none. */
export function PageIcon({ icon, kind }: { icon: string; kind?: string }) {
  return (
    <span class="page-icon" aria-hidden="true">
      {icon || <Icon name={kind === 'database' ? 'table' : 'file'} />}
    </span>
  );
}

export interface MenuItem {
  label: string;
  icon: IconName;
  onSelect?: () => void;
  href?: string;
  download?: boolean;
  danger?: boolean;
}

/** A button that opens a short list of actions, drawn over everything
 * (position: fixed, placed from the button's box through the CSSOM) so
 * that a scrolling column does not clip it. Escape or a click elsewhere
 * closes it; the arrows move between actions. */
export function PopMenu(props: { label: string; items: (MenuItem | null | false)[]; icon?: IconName; class?: string; text?: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const id = useId();
  const shown = props.items.filter((item): item is MenuItem => !!item);
  useLayoutEffect(() => {
    if (!open || !list.current || !button.current) return;
    place(list.current, button.current);
  }, [open]);
  useEffect(() => {
    if (!open) return;
    list.current?.querySelector<HTMLElement>('a, button')?.focus();
    const outside = (e: Event) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const close = () => setOpen(false);
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        setOpen(false);
        button.current?.focus();
      }
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        const all = [...(list.current?.querySelectorAll<HTMLElement>('a, button') ?? [])];
        const at = all.indexOf(document.activeElement as HTMLElement);
        all[(at + (e.key === 'ArrowDown' ? 1 : all.length - 1)) % all.length]?.focus();
        e.preventDefault();
      }
    };
    const el = box.current;
    document.addEventListener('pointerdown', outside);
    addEventListener('resize', close);
    el?.addEventListener('keydown', key);
    return () => {
      document.removeEventListener('pointerdown', outside);
      removeEventListener('resize', close);
      el?.removeEventListener('keydown', key);
    };
  }, [open]);
  if (shown.length === 0) return null;
  const choose = (item: MenuItem) => {
    setOpen(false);
    button.current?.focus();
    item.onSelect?.();
  };
  return (
    <div class={`pop-menu ${props.class ?? ''}`} ref={box}>
      <button
        ref={button}
        type="button"
        class={props.text ? 'btn btn-ghost btn-small' : 'icon-btn'}
        aria-label={props.text ? undefined : props.label}
        title={props.label}
        aria-haspopup="menu"
        aria-expanded={open ? 'true' : 'false'}
        aria-controls={id}
        onClick={(e) => {
          e.preventDefault();
          setOpen(!open);
        }}
      >
        <Icon name={props.icon ?? 'more'} />
        {props.text}
      </button>
      {open && (
        <ul id={id} ref={list} class="pop-menu-list" role="menu" aria-label={props.label}>
          {shown.map((item) => (
            <li key={item.label} role="none">
              {item.href ? (
                <a role="menuitem" href={item.href} download={item.download ? '' : undefined} class="pop-menu-item" onClick={() => choose(item)}>
                  <Icon name={item.icon} />
                  {item.label}
                </a>
              ) : (
                <button role="menuitem" type="button" class={`pop-menu-item ${item.danger ? 'pop-menu-danger' : ''}`} onClick={() => choose(item)}>
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

/** Puts a floating box under its button (or above, when there is no room
 * below), inside the window. */
export function place(floating: HTMLElement, anchor: Element, align: 'start' | 'end' = 'end'): void {
  const at = anchor.getBoundingClientRect();
  const size = floating.getBoundingClientRect();
  const margin = 8;
  let left = align === 'end' ? at.right - size.width : at.left;
  left = Math.max(margin, Math.min(left, innerWidth - size.width - margin));
  let top = at.bottom + 4;
  if (top + size.height > innerHeight - margin && at.top - size.height - 4 > margin) top = at.top - size.height - 4;
  floating.style.left = `${Math.round(left)}px`;
  floating.style.top = `${Math.round(top)}px`;
  // An ancestor with a transform or a backdrop filter (the tree's row
  // actions, the page's sticky bar) makes `position: fixed` count from its
  // own box rather than the window's: move by the difference.
  const landed = floating.getBoundingClientRect();
  floating.style.left = `${Math.round(2 * left - landed.left)}px`;
  floating.style.top = `${Math.round(2 * top - landed.top)}px`;
}

/** Common emoji for a page or a space. */
export const EMOJI = ['📄', '📝', '📌', '📎', '📚', '📖', '🗂️', '📊', '📅', '✅', '💡', '🚀', '🎯', '⭐', '🔥', '🧭', '🛠️', '⚙️', '🔒', '💬', '👋', '🏢', '🌍', '❤️'];

/** A small grid of emoji and a field for any other; `onPick('')` removes it. */
export function EmojiPicker({ current, onPick, onClose, allowNone = true }: { current: string; onPick: (emoji: string) => void; onClose: () => void; allowNone?: boolean }) {
  const t = useT();
  const [other, setOther] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const id = useId();
  useEffect(() => {
    box.current?.querySelector<HTMLElement>('button')?.focus();
    const outside = (e: Event) => {
      if (!box.current?.contains(e.target as Node)) onClose();
    };
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      }
    };
    document.addEventListener('pointerdown', outside);
    const el = box.current;
    el?.addEventListener('keydown', key);
    return () => {
      document.removeEventListener('pointerdown', outside);
      el?.removeEventListener('keydown', key);
    };
  }, []);
  return (
    <div class="emoji-picker popover" ref={box} role="dialog" aria-label={t.docs.iconLabel}>
      <div class="emoji-grid">
        {EMOJI.map((emoji) => (
          <button key={emoji} type="button" class={`emoji-choice ${emoji === current ? 'emoji-current' : ''}`} aria-pressed={emoji === current ? 'true' : 'false'} onClick={() => onPick(emoji)}>
            {emoji}
          </button>
        ))}
      </div>
      <form
        class="emoji-other"
        onSubmit={(e) => {
          e.preventDefault();
          const chosen = other.trim();
          if (chosen) onPick([...chosen].slice(0, 4).join(''));
        }}
      >
        <label for={id} class="visually-hidden">
          {t.docs.otherEmoji}
        </label>
        <input id={id} value={other} placeholder={t.docs.otherEmoji} maxLength={16} onInput={(e) => setOther(e.currentTarget.value)} />
        <button type="submit" class="btn btn-secondary btn-small" disabled={!other.trim()}>
          {t.common.done}
        </button>
      </form>
      {allowNone && current && (
        <button type="button" class="link-btn emoji-remove" onClick={() => onPick('')}>
          {t.docs.removeIcon}
        </button>
      )}
    </div>
  );
}
