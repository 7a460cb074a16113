// How bureau serves the embedded web app, seen from HTTP: hashed files
// cached for a year, the rest revalidated by ETag, brotli or gzip chosen by
// Accept-Encoding and never compressed twice, app routes answered with the
// page, API misses with JSON, and a page the CSP accepts.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startServer } from '../lib/server.mjs';

let server;
let index;

before(async () => {
  server = await startServer({ name: 'assets' });
  index = (await get('/', { 'accept-encoding': 'identity' })).body.toString();
});

after(async () => {
  await server?.dispose();
});

/** A raw GET: no automatic decompression, headers as sent. */
function get(path, headers = {}, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const assetsOf = (html) => [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);

test('the page names only its own files, with nothing inline for the CSP to refuse', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  const csp = page.headers['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.match(index, /<script type="module" src="\/assets\/[^"]+\.js"><\/script>/);
  assert.doesNotMatch(index, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(index, /<style|\sstyle=/, 'no inline style');
  assert.doesNotMatch(index, /(src|href)="(https?:)?\/\//, 'nothing from another host');
  assert.ok(assetsOf(index).length >= 2, 'a script and a stylesheet');
});

test('hashed files are immutable; brotli, gzip or plain as the client accepts', async () => {
  for (const asset of assetsOf(index)) {
    const plain = await get(asset);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding, no encoding');
    assert.equal(plain.headers.vary, 'accept-encoding');

    const br = await get(asset, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.deepEqual(brotliDecompressSync(br.body), plain.body, 'decompressed once, it is the file');
    assert.ok(br.body.length < plain.body.length / 2);

    const gz = await get(asset, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), plain.body);
  }
});

test('the rest revalidates with an ETag and a 304', async () => {
  for (const path of ['/', '/sw.js', '/manifest.webmanifest', '/icon-192.png']) {
    const first = await get(path, { 'accept-encoding': 'br' });
    assert.equal(first.status, 200, path);
    assert.equal(first.headers['cache-control'], 'no-cache', path);
    const etag = first.headers.etag;
    assert.ok(etag, `${path} has an ETag`);
    const again = await get(path, { 'accept-encoding': 'br', 'if-none-match': etag });
    assert.equal(again.status, 304, path);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);
  }
  const manifest = await get('/manifest.webmanifest');
  assert.equal(manifest.headers['content-type'], 'application/manifest+json');
  assert.equal(JSON.parse(manifest.body).start_url, '/');
  const worker = await get('/sw.js');
  assert.match(worker.headers['content-type'], /^text\/javascript/);
  for (const asset of assetsOf(index)) assert.ok(worker.body.includes(asset), `the service worker keeps ${asset}`);
});

test('app routes get the page; file and API misses do not', async () => {
  for (const path of ['/login', '/setup', '/admin/people', '/chat/general']) {
    const page = await get(path);
    assert.equal(page.status, 200, path);
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.equal(page.body.toString(), index);
  }
  assert.equal((await get('/assets/missing-abc123.js')).status, 404);
  assert.equal((await get('/missing.png')).status, 404);
  const api = await get('/api/v1/nothing-here');
  assert.equal(api.status, 404);
  assert.equal(JSON.parse(api.body).error.code, 'not_found');
  assert.equal((await get('/', {}, 'POST')).status, 405);
});
