import { useT } from '../i18n';
import { Store, useStore } from '../lib/store';
import { Icon } from './icons';

interface Toast {
  id: number;
  message: string;
  kind: 'success' | 'error' | 'info';
  action?: ToastAction;
}

/** A button in the toast that takes the action back ("Undo"). */
export interface ToastAction {
  label: string;
  run: () => void;
}

const toasts = new Store<Toast[]>([]);
let next = 1;

/** A short confirmation that goes away by itself. */
export function toast(message: string, kind: Toast['kind'] = 'success', action?: ToastAction): void {
  const id = next++;
  toasts.update((list) => [...list.slice(-2), { id, message, kind, action }]);
  setTimeout(() => dismiss(id), kind === 'error' || action ? 8000 : 4500);
}

/** Forgets every toast (the session ended: they belong to it). */
export function clearToasts(): void {
  toasts.set([]);
}

function dismiss(id: number) {
  toasts.update((list) => list.filter((item) => item.id !== id));
}

export function ToastHost() {
  const t = useT();
  const list = useStore(toasts);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((item) => (
        <div key={item.id} class={`toast toast-${item.kind}`}>
          <Icon name={item.kind === 'error' ? 'alert' : item.kind === 'info' ? 'info' : 'check'} />
          <span>{item.message}</span>
          {item.action && (
            <button
              type="button"
              class="link-btn toast-action"
              onClick={() => {
                dismiss(item.id);
                item.action!.run();
              }}
            >
              {item.action.label}
            </button>
          )}
          <button type="button" class="icon-btn" aria-label={t.common.close} onClick={() => dismiss(item.id)}>
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}
