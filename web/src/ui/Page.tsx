import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { describe } from '../api/errors';
import { hasNavigated } from '../app/router';
import { useT } from '../i18n';
import type { Resource } from '../lib/resource';
import { ProblemAlert } from './Alert';
import { Button } from './Button';

/** A screen's heading. It names the document, and takes the focus when the
 * screen opens so that screen readers announce where the person now is. */
export function PageHeader(props: { title: string; intro?: ComponentChildren; actions?: ComponentChildren }) {
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · ${t.app.name}`;
  }, [props.title, t]);
  // After moving to another page (not on the first load, where the browser
  // starts at the top and the skip link comes first).
  useEffect(() => {
    if (!hasNavigated()) return;
    const active = document.activeElement;
    if (!active || active === document.body || active.closest('nav, .sidebar')) heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <header class="page-header">
      <div>
        <h1 ref={heading} tabIndex={-1}>
          {props.title}
        </h1>
        {props.intro && <p class="page-intro">{props.intro}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

/** Shows a read's data, or that it is loading, or why it failed. */
export function Loaded<T>({ resource, children }: { resource: Resource<T>; children: (data: T) => ComponentChildren }) {
  const t = useT();
  if (resource.data !== undefined) {
    return (
      <>
        {resource.error && <StaleNotice onRetry={resource.reload} />}
        {children(resource.data)}
      </>
    );
  }
  if (resource.error) {
    return (
      <div class="load-error">
        <ProblemAlert problem={describe(t, resource.error)} />
        <Button icon="refresh" onClick={resource.reload}>
          {t.common.retry}
        </Button>
      </div>
    );
  }
  return <Loading />;
}

function StaleNotice({ onRetry }: { onRetry: () => void }) {
  const t = useT();
  return (
    <p class="stale-notice" role="status">
      {t.common.stale}{' '}
      <button type="button" class="link-btn" onClick={onRetry}>
        {t.common.retry}
      </button>
    </p>
  );
}

export function Loading() {
  const t = useT();
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>{t.common.loading}</span>
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
