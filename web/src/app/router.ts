// A small history router: the address bar is a Store that components follow.

import { Store, useStore } from '../lib/store';

export interface Place {
  path: string;
  search: string;
  /** The fragment; setup and invitation links carry their secret there. */
  hash: string;
}

function current(): Place {
  return { path: location.pathname, search: location.search, hash: location.hash };
}

export const place = new Store<Place>(current());

/** How many times the app moved to another page since it loaded. */
let moves = 0;
export function hasNavigated(): boolean {
  return moves > 0;
}

export function usePlace(): Place {
  return useStore(place);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, location.href);
  const target = url.pathname + url.search + url.hash;
  if (target === location.pathname + location.search + location.hash) return;
  if (options.replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  moves++;
  place.set(current());
  if (!options.replace) window.scrollTo(0, 0);
}

/** Same-origin links are handled here, without reloading the page. */
export function startRouter(): void {
  addEventListener('popstate', () => {
    moves++;
    place.set(current());
  });
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link || link.target || link.hasAttribute('download') || link.origin !== location.origin) return;
    const href = link.getAttribute('href');
    if (!href || href.startsWith('#') || link.pathname.startsWith('/api/')) return;
    event.preventDefault();
    navigate(link.pathname + link.search + link.hash);
  });
}
