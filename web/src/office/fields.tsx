// Form fields only the office uses, wired as ui/Field's are (label, hint
// and error tied together for screen readers). They live here rather than
// in ui/ so that they travel in the office's chunk, not in every first
// download.

import type { ComponentChildren } from 'preact';
import { useId, useRef } from 'preact/hooks';

/** A labelled text area: a reason, a note, one network per line. */
export function AreaField(props: {
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: ComponentChildren;
  error?: string | null;
  rows?: number;
  maxLength?: number;
  required?: boolean;
  spellcheck?: boolean;
  class?: string;
}) {
  const id = useId();
  const described = describedBy(id, props.hint, props.error);
  return (
    <div class={`field area-field ${props.class ?? ''}`}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        value={props.value}
        rows={props.rows ?? 3}
        maxLength={props.maxLength}
        required={props.required}
        spellcheck={props.spellcheck}
        onInput={(e) => props.onValue((e.currentTarget as HTMLTextAreaElement).value)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described}
      />
      <Notes id={id} hint={props.hint} error={props.error} />
    </div>
  );
}

/** A labelled file picker for one file, whose button and "no file" speak
 * the person's language rather than the browser's. */
export function FileField(props: {
  label: string;
  accept: string;
  file: File | null;
  onFile: (file: File | null) => void;
  choose: string;
  none: string;
  hint?: ComponentChildren;
  error?: string | null;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const described = describedBy(id, props.hint, props.error);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <div class="file-pick">
        <input
          ref={input}
          id={id}
          type="file"
          class="visually-hidden file-input"
          accept={props.accept}
          onChange={(e) => props.onFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={described}
        />
        <span class="btn btn-secondary btn-small" aria-hidden="true" onClick={() => input.current?.click()}>
          {props.choose}
        </span>
        <span class={`file-name ${props.file ? '' : 'muted'}`} aria-hidden="true">
          {props.file?.name ?? props.none}
        </span>
      </div>
      <Notes id={id} hint={props.hint} error={props.error} />
    </div>
  );
}

/** Radio buttons for one choice, each with a line saying what it means. */
export function ChoiceField<T extends string>(props: { legend: string; value: T; onValue: (value: T) => void; options: { value: T; label: string; hint?: string }[] }) {
  const name = useId();
  return (
    <fieldset class="choices office-choices">
      <legend>{props.legend}</legend>
      {props.options.map((option) => (
        <label key={option.value}>
          <input type="radio" name={name} value={option.value} checked={props.value === option.value} onChange={() => props.onValue(option.value)} />
          <span>{option.label}</span>
          {option.hint && <small>{option.hint}</small>}
        </label>
      ))}
    </fieldset>
  );
}

/** The ids of a field's hint and error, for aria-describedby. */
function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

/** A field's hint and error, under it. */
function Notes({ id, hint, error }: { id: string; hint?: ComponentChildren; error?: string | null }) {
  return (
    <>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </>
  );
}
