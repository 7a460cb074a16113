import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { useT } from '../i18n';
import { Store, useStore } from '../lib/store';
import { Button } from './Button';

/** A modal dialog on the native <dialog>: focus is trapped inside, Escape
 * closes it, and focus returns to where it was. */
export function Dialog(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  class?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const before = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) {
      before.current = document.activeElement as HTMLElement | null;
      dialog.showModal();
    }
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  // A dialog removed while open (its owner stopped rendering it) gives the
  // focus back too, as closing it would.
  useEffect(
    () => () => {
      const back = before.current;
      setTimeout(() => {
        const active = document.activeElement;
        if (back?.isConnected && (!active || active === document.body)) back.focus();
      });
    },
    [],
  );
  return (
    <dialog ref={ref} class={`dialog ${props.class ?? ''}`} aria-labelledby={id} onClose={props.onClose}>
      {props.open && (
        <>
          <h2 id={id}>{props.title}</h2>
          {props.children}
        </>
      )}
    </dialog>
  );
}

interface Question {
  title: string;
  body: string;
  confirm: string;
  danger?: boolean;
  answer: (yes: boolean) => void;
}

const question = new Store<Question | null>(null);

/** Asks the person to confirm a consequential action. */
export function confirm(options: Omit<Question, 'answer'>): Promise<boolean> {
  return new Promise((resolve) => {
    question.get()?.answer(false);
    question.set({ ...options, answer: resolve });
  });
}

export function ConfirmHost() {
  const t = useT();
  const current = useStore(question);
  const close = (yes: boolean) => {
    current?.answer(yes);
    question.set(null);
  };
  return (
    <Dialog open={current !== null} title={current?.title ?? ''} onClose={() => close(false)}>
      <p>{current?.body}</p>
      <div class="dialog-actions">
        <Button onClick={() => close(false)}>{t.common.cancel}</Button>
        <Button kind={current?.danger ? 'danger' : 'primary'} onClick={() => close(true)}>
          {current?.confirm ?? ''}
        </Button>
      </div>
    </Dialog>
  );
}
