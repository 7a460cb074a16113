// The service worker (/sw.js) keeps the app's shell and files so it opens
// without a network, and installs new versions by itself; the page then
// offers to reload into the new version.

import { Store } from '../lib/store';

export const updateReady = new Store(false);

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
  let controlled = navigator.serviceWorker.controller !== null;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // The first install takes control of a page that already runs this
    // version; only a replacement is news.
    if (controlled) updateReady.set(true);
    controlled = true;
  });
  addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // Without a service worker the app works online as usual.
    });
  });
}
