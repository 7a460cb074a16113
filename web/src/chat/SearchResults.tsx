// The results of a search from the top bar: messages the person may read,
// best first, with the searched words marked; each opens where it was said.

import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Schemas } from '../api/client';
import { usePlace } from '../app/router';
import { formatDateTime, useT } from '../i18n';
import { useStore } from '../lib/store';
import { PageHeader, Empty, Loading } from '../ui/Page';
import { Alert } from '../ui/Alert';
import { marked } from '../ui/marked';
import { people, loadDirectory } from './state';

type Result = Schemas['SearchResultView'];

export function SearchResults() {
  const t = useT();
  const { search } = usePlace();
  const query = new URLSearchParams(search).get('q') ?? '';
  const known = useStore(people);
  const [results, setResults] = useState<readonly Result[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void loadDirectory().catch(() => {});
  }, []);
  useEffect(() => {
    setResults(null);
    setProblem(null);
    if (!query.trim()) return;
    api('get', '/search', { query: { q: query, limit: 50 } }).then(setResults, (error: unknown) => {
      setProblem(error instanceof ApiError && error.status === 422 ? error.serverMessage : t.errors.unexpected);
      setResults([]);
    });
  }, [query]);

  return (
    <>
      <PageHeader title={t.search.title} intro={query ? t.search.resultsFor(query) : t.search.tips} />
      {problem && (
        <Alert kind="error" detail={problem}>
          {t.search.invalid} {t.search.tips}
        </Alert>
      )}
      {results === null ? (
        query ? <Loading /> : null
      ) : results.length === 0 ? (
        !problem && <Empty>{t.search.none}</Empty>
      ) : (
        <ol class="search-results">
          {results.map(({ message, channel, highlights }) => {
            const href = message.thread_id ? `/chat/${channel.id}?thread=${message.thread_id}` : `/chat/${channel.id}/${message.id}`;
            const author = message.via ?? known[message.author_id]?.display_name ?? `#${message.author_id}`;
            return (
              <li key={message.id}>
                <a href={href} class="search-result">
                  <span class="search-meta">
                    <strong>{author}</strong> {channel.kind === 'dm' ? t.search.inDm : t.search.inChannel(channel.name ?? '')} ·{' '}
                    <time dateTime={message.created_at}>{formatDateTime(message.created_at)}</time>
                  </span>
                  <span class="search-text">{marked(message.text, highlights)}</span>
                </a>
              </li>
            );
          })}
        </ol>
      )}
    </>
  );
}
