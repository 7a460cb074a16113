import type { ComponentChildren } from 'preact';
import { Icon, type IconName } from './icons';

interface Props {
  children: ComponentChildren;
  kind?: 'primary' | 'secondary' | 'danger' | 'ghost';
  size?: 'small';
  type?: 'button' | 'submit';
  icon?: IconName;
  /** Shows that the action is under way and refuses a second click. */
  busy?: boolean;
  disabled?: boolean;
  onClick?: () => void;
  label?: string;
  class?: string;
}

export function Button(props: Props) {
  const classes = ['btn', `btn-${props.kind ?? 'secondary'}`, props.size === 'small' ? 'btn-small' : '', props.class ?? '']
    .filter(Boolean)
    .join(' ');
  return (
    <button
      type={props.type ?? 'button'}
      class={classes}
      disabled={props.disabled || props.busy}
      aria-busy={props.busy ? 'true' : undefined}
      aria-label={props.label}
      onClick={props.onClick}
    >
      {props.busy ? <span class="spinner" aria-hidden="true" /> : props.icon && <Icon name={props.icon} />}
      <span>{props.children}</span>
    </button>
  );
}

/** A button that shows only an icon; `label` is its accessible name and tooltip. */
export function IconButton(props: { icon: IconName; label: string; onClick?: () => void; class?: string; expanded?: boolean; controls?: string }) {
  return (
    <button
      type="button"
      class={`icon-btn ${props.class ?? ''}`}
      aria-label={props.label}
      title={props.label}
      aria-expanded={props.expanded === undefined ? undefined : props.expanded ? 'true' : 'false'}
      aria-controls={props.controls}
      onClick={props.onClick}
    >
      <Icon name={props.icon} />
    </button>
  );
}
