import type { ComponentChildren } from 'preact';
import type { Problem } from '../api/errors';
import { useT } from '../i18n';
import { Icon } from './icons';

type Kind = 'error' | 'info' | 'success' | 'warning';

const icons = { error: 'alert', warning: 'alert', info: 'info', success: 'check' } as const;

/** A message box. Errors are announced at once (role="alert"). */
export function Alert({ kind, children, detail }: { kind: Kind; children: ComponentChildren; detail?: string }) {
  const t = useT();
  return (
    <div class={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <Icon name={icons[kind]} />
      <div>
        <p>{children}</p>
        {detail && (
          <details class="alert-detail">
            <summary>{t.errors.details}</summary>
            <p>{detail}</p>
          </details>
        )}
      </div>
    </div>
  );
}

export function ProblemAlert({ problem }: { problem: Problem | null | undefined }) {
  if (!problem) return null;
  return (
    <Alert kind="error" detail={problem.detail}>
      {problem.message}
    </Alert>
  );
}
