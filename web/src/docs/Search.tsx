// Search at the top of the Docs column: as the person types, the pages
// they may read whose title or text holds the words replace the tree,
// each with its space, where it sits and a piece of its text with the
// words marked. The field is a combobox over the list: the arrows choose a
// page, Enter opens it, Escape clears the search.

import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { navigate } from '../app/router';
import { useT } from '../i18n';
import { IconButton } from '../ui/Button';
import { Icon } from '../ui/icons';
import { marked } from '../ui/marked';
import { spaceLabel, titleOf, type Space } from './state';
import { PageIcon } from './widgets';

type Hit = Schemas['PageSearchHit'];

/** How long typing pauses before the server is asked. */
const PAUSE_MS = 200;

/** The field and, while it holds words, the results; otherwise `children`
 * (the tree). `spaces`: those the person sees, to name and to filter by. */
export function DocsSearch({ spaces, children }: { spaces: readonly Space[]; children: ComponentChildren }) {
  const t = useT();
  const id = useId();
  const [query, setQuery] = useState('');
  const [scope, setScope] = useState<number | null>(null);
  /** The last answer, to the question `asked` then (the list stays while
   * the next one is on its way). */
  const [answer, setAnswer] = useState<{ asked: string; hits: readonly Hit[]; failed: boolean } | null>(null);
  const [active, setActive] = useState(-1);
  const words = query.trim();
  const question = JSON.stringify([words, scope]);
  /** The latest question: answers to older ones are dropped. */
  const latest = useRef(question);
  latest.current = question;

  useEffect(() => {
    setActive(-1);
    if (!words) {
      setAnswer(null);
      return;
    }
    const timer = setTimeout(() => {
      const done = (hits: readonly Hit[], failed: boolean) => {
        if (latest.current === question) setAnswer({ asked: question, hits, failed });
      };
      api('get', '/pages/search', { query: { q: words, space_id: scope, limit: 20 } }).then(
        (found) => done(found, false),
        () => done([], true),
      );
    }, PAUSE_MS);
    return () => clearTimeout(timer);
  }, [question]);

  const open = (hit: Hit) => navigate(`/docs/${hit.page.id}`);
  const shown = words && answer ? answer.hits : null;
  const pending = answer?.asked !== question;
  const failed = answer?.failed ?? false;
  const listId = `${id}-results`;
  const optionId = (index: number) => `${id}-result-${index}`;
  const onKeyDown = (e: KeyboardEvent) => {
    const count = shown?.length ?? 0;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (count === 0) return;
      e.preventDefault();
      const next = e.key === 'ArrowDown' ? (active + 1) % count : (active <= 0 ? count : active) - 1;
      setActive(next);
      document.getElementById(optionId(next))?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter' && shown && count > 0) {
      e.preventDefault();
      open(shown[Math.max(active, 0)]);
    } else if (e.key === 'Escape' && query) {
      e.preventDefault();
      setQuery('');
    }
  };
  const status = !words ? '' : pending || !shown ? t.docs.search.searching : failed ? t.docs.search.failed : shown.length === 0 ? t.docs.search.none(words) : t.docs.search.found(shown.length);
  let below: ComponentChildren = null;
  if (!words) {
    below = children;
  } else if (shown && shown.length > 0) {
    below = (
      <div id={listId} class="docs-search-results" role="listbox" aria-label={t.docs.search.results} aria-busy={pending ? 'true' : undefined}>
        {shown.map((hit, index) => (
          <Result key={hit.page.id} hit={hit} id={optionId(index)} active={index === active} space={spaces.find((s) => s.id === hit.page.space_id)} />
        ))}
      </div>
    );
  } else if (shown && !pending) {
    below = (
      <p class="docs-search-empty">
        {failed ? (
          t.docs.search.failed
        ) : (
          <>
            <strong>{t.docs.search.none(words)}</strong> {t.docs.search.noneHint}
          </>
        )}
      </p>
    );
  }

  return (
    <>
      <div class="docs-search">
        <div class="docs-search-field">
          <label for={id} class="visually-hidden">
            {t.docs.search.label}
          </label>
          <Icon name="search" />
          <input
            id={id}
            type="text"
            role="combobox"
            enterkeyhint="go"
            autocomplete="off"
            spellcheck={false}
            placeholder={t.docs.search.placeholder}
            value={query}
            aria-expanded={shown && shown.length > 0 ? 'true' : 'false'}
            aria-controls={shown && shown.length > 0 ? listId : undefined}
            aria-autocomplete="list"
            aria-activedescendant={shown && active >= 0 ? optionId(active) : undefined}
            aria-describedby={`${id}-help`}
            onInput={(e) => setQuery(e.currentTarget.value)}
            onKeyDown={onKeyDown}
          />
          {query && <IconButton icon="close" class="docs-search-clear" label={t.docs.search.clear} onClick={() => setQuery('')} />}
          <span id={`${id}-help`} class="visually-hidden">
            {t.docs.search.help}
          </span>
        </div>
        {words && spaces.length > 1 && (
          <select class="docs-search-scope" aria-label={t.docs.search.scope} value={scope ?? ''} onChange={(e) => setScope(Number(e.currentTarget.value) || null)}>
            <option value="">{t.docs.search.everywhere}</option>
            {spaces.map((space) => (
              <option key={space.id} value={space.id}>
                {spaceLabel(space, t)}
              </option>
            ))}
          </select>
        )}
      </div>
      <p class="visually-hidden docs-search-status" role="status">
        {status}
      </p>
      {below}
    </>
  );
}

/** One page found: a link (the router opens it), chosen by the arrows. */
function Result({ hit, id, active, space }: { hit: Hit; id: string; active: boolean; space: Space | undefined }) {
  const t = useT();
  const { page } = hit;
  const where = [space ? spaceLabel(space, t) : '', ...page.breadcrumbs.map((crumb) => titleOf(crumb, t))].filter(Boolean).join(' › ');
  const { title, text } = parts(hit);
  return (
    <a id={id} href={`/docs/${page.id}`} role="option" aria-selected={active ? 'true' : 'false'} tabIndex={-1} class={`docs-hit ${active ? 'docs-hit-active' : ''}`}>
      <span class="docs-hit-head">
        <PageIcon icon={page.icon} />
        <span class="docs-hit-title">{title.ranges.length > 0 ? marked(title.text, title.ranges) : titleOf(page, t)}</span>
      </span>
      {where && <span class="docs-hit-where">{where}</span>}
      {text.text && <span class="docs-hit-snippet">{marked(text.text, text.ranges)}</span>}
    </a>
  );
}

interface Marked {
  text: string;
  ranges: readonly (readonly number[])[];
}

/** The server's snippet is the page's title then its text, cut around the
 * first match: when it starts with the title, the title's matches are
 * marked in the title and the snippet keeps only the text. */
function parts(hit: Hit): { title: Marked; text: Marked } {
  const title = hit.page.title;
  if (!title || !hit.snippet.startsWith(`${title} `)) {
    return { title: { text: title, ranges: [] }, text: { text: hit.snippet, ranges: hit.highlights } };
  }
  const cut = title.length + 1;
  return {
    title: { text: title, ranges: hit.highlights.filter(([, end]) => end <= title.length) },
    text: { text: hit.snippet.slice(cut), ranges: hit.highlights.filter(([start]) => start >= cut).map(([start, end]) => [start - cut, end - cut]) },
  };
}
