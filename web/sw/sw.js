// bureau's service worker, served at /sw.js so that its scope is the whole
// app. `npm run build` fills in VERSION and PRECACHE (scripts/postbuild.mjs).
//
// - The shell (index.html, its scripts and styles, icons) is kept so the app
//   opens without a network and can say that it is offline.
// - Files under /assets/ have hashed names and never change: cache first.
//   The Docs editor, the call and the office (ON_DEMAND) are not kept
//   ahead: they are kept the first time they are opened, and for as long
//   as this version lasts.
// - Pages: network first (a new version shows at once), the kept shell when
//   the server cannot be reached within a few seconds.
// - The API and the event socket are never touched.
// - A new version installs at once (skipWaiting) and takes over open tabs
//   (clients.claim); the tabs then offer to reload.

const VERSION = '__VERSION__';
const PRECACHE = __PRECACHE__;
/** This version's files fetched when first needed (the Docs editor). */
const ON_DEMAND = __ON_DEMAND__;
const SHELL = `bureau-shell-${VERSION}`;
const ASSETS = 'bureau-assets';
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL);
      await shell.addAll(PRECACHE.filter((path) => !path.startsWith('/assets/')));
      const assets = await caches.open(ASSETS);
      for (const path of PRECACHE.filter((p) => p.startsWith('/assets/'))) {
        if (!(await assets.match(path))) await assets.add(path);
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('bureau-shell-') && name !== SHELL) await caches.delete(name);
      }
      // Hashed files of older versions are no longer named by any page.
      const assets = await caches.open(ASSETS);
      const keep = new Set([...PRECACHE, ...ON_DEMAND]);
      for (const request of await assets.keys()) {
        if (!keep.has(new URL(request.url).pathname)) await assets.delete(request);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/healthz' || url.pathname === '/metrics') return;
  if (request.mode === 'navigate') {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(shellFile(request));
  }
});

/** Network first, with the kept shell when the server is out of reach. */
async function page(request) {
  const shell = await caches.open(SHELL);
  try {
    const response = await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
    if (response.ok && (response.headers.get('content-type') || '').startsWith('text/html')) {
      await shell.put('/index.html', response.clone());
    }
    return response;
  } catch {
    const kept = (await shell.match('/index.html')) || (await shell.match('/'));
    if (kept) return kept;
    return new Response(OFFLINE_PAGE, {
      status: 503,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
    });
  }
}

async function asset(request) {
  const assets = await caches.open(ASSETS);
  const kept = await assets.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await assets.put(request, response.clone());
  return response;
}

async function shellFile(request) {
  const shell = await caches.open(SHELL);
  const kept = await shell.match(request);
  if (kept) return kept;
  return fetch(request);
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

// Shown only if the shell was never kept (the very first visit was cut).
const OFFLINE_PAGE =
  '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
  '<title>bureau</title><h1>bureau</h1><p>You are offline. / Vous êtes hors ligne.</p>';
