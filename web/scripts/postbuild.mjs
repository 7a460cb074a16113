// After `vite build`: checks that dist/index.html needs no inline script or
// style (bureau's CSP forbids both), writes the service worker with the list
// of files to keep, and precompresses every text file with brotli and gzip so
// that bureau serves them without compressing at each request.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const compressible = /\.(html|js|mjs|css|svg|json|webmanifest|txt|map)$/;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function fail(message) {
  console.error(`postbuild: ${message}`);
  process.exit(1);
}

// 1. index.html: same-origin files only, nothing inline.
const indexPath = join(dist, 'index.html');
let index = readFileSync(indexPath, 'utf8');
// Vite marks its tags `crossorigin`; everything is same-origin here, where
// the attribute changes nothing, so the page stays plain.
index = index.replace(/ crossorigin(="[^"]*")?/g, '');
writeFileSync(indexPath, index);
if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(index)) fail('index.html has an inline <script>; the CSP forbids it.');
if (/<style[\s>]/i.test(index)) fail('index.html has a <style> block; the CSP forbids it.');
if (/\sstyle=/i.test(index)) fail('index.html has a style="" attribute; the CSP forbids it.');
if (/(src|href)="(https?:)?\/\//i.test(index)) fail('index.html names a file on another host.');

// 2. The service worker, with what it keeps for offline use.
const all = files(dist)
  .map((path) => `/${relative(dist, path).split('\\').join('/')}`)
  .filter((path) => !/\.(br|gz)$/.test(path) && path !== '/sw.js');
const shell = ['/index.html', '/manifest.webmanifest', '/icon.svg', '/icon-192.png'];
for (const path of shell) if (!all.includes(path)) fail(`${path} is missing from dist`);
// The block editor of Docs (TipTap and Yjs, the `editor-*` files) is larger
// than the rest of the app: it is fetched when a page first opens, then
// kept like any asset, rather than downloaded ahead on every first visit.
// So is the call screen (`Meeting-*`): a call needs the network anyway;
// and the office (`Office-*`), whose every figure comes from the server
// and which most people open seldom.
const onDemand = (path) => /^\/assets\/(editor|Meeting|Office)-[\w-]+\.(js|css)$/.test(path);
const precache = [...shell, ...all.filter((path) => path.startsWith('/assets/') && !onDemand(path)).sort()];
if (!all.some(onDemand)) fail('no assets/editor-*.js: the Docs editor is no longer a chunk of its own.');
const version = createHash('sha256')
  .update(index)
  .update(precache.join('\n'))
  .update(all.filter(onDemand).join('\n'))
  .digest('hex')
  .slice(0, 16);
const template = readFileSync(new URL('../sw/sw.js', import.meta.url), 'utf8');
writeFileSync(
  join(dist, 'sw.js'),
  template
    .replace("'__VERSION__'", JSON.stringify(version))
    .replace('__PRECACHE__', JSON.stringify(precache))
    .replace('__ON_DEMAND__', JSON.stringify(all.filter(onDemand).sort())),
);

// 3. Brotli and gzip beside each text file, when they are smaller.
const rows = [];
for (const path of files(dist)) {
  if (!compressible.test(path)) continue;
  const raw = readFileSync(path);
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  });
  const gz = gzipSync(raw, { level: 9 });
  if (br.length < raw.length) writeFileSync(`${path}.br`, br);
  if (gz.length < raw.length) writeFileSync(`${path}.gz`, gz);
  rows.push([relative(dist, path), raw.length, gz.length, br.length]);
}
rows.sort((a, b) => b[1] - a[1]);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
console.log(`\n${'file'.padEnd(44)}${'raw'.padStart(10)}${'gzip'.padStart(10)}${'brotli'.padStart(10)}`);
for (const [name, raw, gz, br] of rows) console.log(`${name.padEnd(44)}${kb(raw)}${kb(gz)}${kb(br)}`);
console.log(`\nservice worker version ${version}, ${precache.length} files kept for offline use; fetched on demand: ${all.filter(onDemand).join(', ')}`);
