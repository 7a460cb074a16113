// A page behind a public link (/p#SECRET, the secret in the fragment so it
// never reaches a server log), for anyone, signed in or not: its title and
// icon, where it sits below the linked page, its content read-only, and
// the pages inside it, each opened within the link (/p?page=ID#SECRET).

import './docs.css';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { API, ApiError, errorOf } from '../api/client';
import { describe } from '../api/errors';
import { LanguageSwitch } from '../accounts/AuthLayout';
import { usePlace } from '../app/router';
import { formatRelative, useT } from '../i18n';
import { lazy } from '../lib/lazy';
import { Alert, ProblemAlert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Icon, Logo } from '../ui/icons';
import { Loading } from '../ui/Page';
import type { Addresses } from './editor/blocks';
import type { ReadOnlyProps } from './editor/editor';
import { bytes, titleOf, type PublicPage } from './state';
import { PageIcon } from './widgets';

const ReadOnlyContent = lazy<ReadOnlyProps>(() => import('./editor/editor').then((m) => m.ReadOnlyContent));

type State = { kind: 'loading' } | { kind: 'gone' } | { kind: 'failed'; error: unknown } | { kind: 'ready'; page: PublicPage; content: Uint8Array };

export function PublicPageView() {
  const t = useT();
  const { hash, search } = usePlace();
  const secret = decodeURIComponent(hash.replace(/^#/, ''));
  const below = Number(new URLSearchParams(search).get('page')) || null;
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!secret) {
      setState({ kind: 'gone' });
      return;
    }
    let live = true;
    setState({ kind: 'loading' });
    const query = below ? `?page=${below}` : '';
    const path = `/public/pages/${encodeURIComponent(secret)}`;
    Promise.all([json<PublicPage>(`${path}${query}`), bytes(`${path}/content${query}`, { anonymous: true })]).then(
      ([page, content]) => live && setState({ kind: 'ready', page, content }),
      (error: unknown) => live && setState(error instanceof ApiError && error.status === 404 ? { kind: 'gone' } : { kind: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [secret, below, attempt]);

  const title = state.kind === 'ready' ? titleOf(state.page, t) : state.kind === 'gone' ? t.docs.publicView.goneTitle : t.docs.publicView.title;
  useEffect(() => {
    document.title = `${title} · ${t.app.name}`;
    window.scrollTo(0, 0);
  }, [title, t]);

  const link = (id: number | null) => `/p${id ? `?page=${id}` : ''}#${encodeURIComponent(secret)}`;
  const addresses = useMemo(() => publicAddresses(secret), [secret]);

  return (
    <div class="public-doc">
      <header class="public-top">
        <span class="brand">
          <Logo />
          <span>{t.app.name}</span>
        </span>
        {state.kind === 'ready' && (
          <span class="badge badge-muted public-badge">
            <Icon name="globe" />
            {t.docs.publicView.badge}
          </span>
        )}
        <LanguageSwitch />
      </header>
      <main id="main" class="public-main">
        {state.kind === 'loading' && <Loading />}
        {state.kind === 'gone' && (
          <div class="public-gone">
            <h1>{t.docs.publicView.goneTitle}</h1>
            <Alert kind="warning">{t.docs.publicView.gone}</Alert>
            <p class="muted">{t.docs.publicView.goneHint}</p>
          </div>
        )}
        {state.kind === 'failed' && (
          <div class="public-gone">
            <h1>{t.docs.publicView.title}</h1>
            <ProblemAlert problem={describe(t, state.error)} />
            <Button icon="refresh" onClick={() => setAttempt(attempt + 1)}>
              {t.common.retry}
            </Button>
          </div>
        )}
        {state.kind === 'ready' && (
          <article class="doc public-article">
            {state.page.breadcrumbs.length > 0 && (
              <nav class="doc-crumbs public-crumbs" aria-label={t.docs.breadcrumbs}>
                <ol>
                  {state.page.breadcrumbs.map((crumb, i) => (
                    <li key={crumb.id}>
                      <a href={link(i === 0 ? null : crumb.id)}>
                        {crumb.icon && <span aria-hidden="true">{crumb.icon} </span>}
                        {titleOf(crumb, t)}
                      </a>
                    </li>
                  ))}
                  <li>
                    <span aria-current="page">{titleOf(state.page, t)}</span>
                  </li>
                </ol>
              </nav>
            )}
            <div class="doc-head">
              {state.page.icon && (
                <div class="doc-icon-row">
                  <span class="doc-icon public-icon" aria-hidden="true">
                    {state.page.icon}
                  </span>
                </div>
              )}
              <h1 class="doc-title public-title">{titleOf(state.page, t)}</h1>
              <p class="doc-meta">{t.docs.edited(formatRelative(state.page.updated_at))}</p>
            </div>
            <ReadOnlyContent update={state.content} label={t.docs.content} addresses={addresses} />
            {state.page.children.length > 0 && (
              <section class="doc-children" aria-labelledby="public-children">
                <h2 id="public-children">{t.docs.subPages}</h2>
                <ul>
                  {state.page.children.map((child) => (
                    <li key={child.id}>
                      <a href={link(child.id)}>
                        <PageIcon icon={child.icon} />
                        <span>{titleOf(child, t)}</span>
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </article>
        )}
      </main>
      <footer class="public-foot">{t.docs.publicView.footer}</footer>
    </div>
  );
}

/** The page's images and files, fetched through the link (a page's own
 * address needs a session); mentioned pages are named, not linked. */
function publicAddresses(secret: string): Addresses {
  const attachment = /^\/api\/v1\/pages\/(\d+)\/attachments\/(\d+)$/;
  return {
    attachment: (url) => url.replace(attachment, (_, page: string, id: string) => `${API}/public/pages/${encodeURIComponent(secret)}/attachments/${id}?page=${page}`),
    page: () => null,
  };
}

/** JSON from a public endpoint: no session, and a 401 means nothing here. */
async function json<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
  } catch (cause) {
    throw new ApiError(0, 'network', String(cause));
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}
