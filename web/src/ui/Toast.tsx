import { useT } from '../i18n';
import { Store, useStore } from '../lib/store';
import { Icon } from './icons';

interface Toast {
  id: number;
  message: string;
  kind: 'success' | 'error' | 'info';
}

const toasts = new Store<Toast[]>([]);
let next = 1;

/** A short confirmation that goes away by itself. */
export function toast(message: string, kind: Toast['kind'] = 'success'): void {
  const id = next++;
  toasts.update((list) => [...list.slice(-2), { id, message, kind }]);
  setTimeout(() => dismiss(id), kind === 'error' ? 8000 : 4500);
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
          <button type="button" class="icon-btn" aria-label={t.common.close} onClick={() => dismiss(item.id)}>
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}
