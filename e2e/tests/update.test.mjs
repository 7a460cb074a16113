// A new version of bureau reaches open tabs without anyone clearing a cache:
// its service worker installs by itself, takes over, and the tab offers to
// reload into it. The new version is simulated by an HTTP proxy that serves
// a changed /sw.js, as an upgraded server would.

import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { setupAdmin } from '../lib/api.mjs';
import { login } from '../lib/app.mjs';
import { launch, person, screenshot } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let browser;
let proxy;
let proxyUrl;
let upgraded = false;

before(async () => {
  server = await startServer({ name: 'update' });
  await setupAdmin(server, { name: 'camille', display_name: 'Camille Martin', password: 'correct horse battery' });
  browser = await launch();
  proxy = createServer((req, res) => {
    const headers = { ...req.headers };
    if (upgraded && req.url === '/sw.js') {
      delete headers['accept-encoding'];
      delete headers['if-none-match'];
    }
    const upstream = request(
      { host: '127.0.0.1', port: server.port, path: req.url, method: req.method, headers },
      (answer) => {
        if (!(upgraded && req.url === '/sw.js' && answer.statusCode === 200)) {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks = [];
        answer.on('data', (c) => chunks.push(c));
        answer.on('end', () => {
          // The next version: a different worker script (its version string).
          const body = Buffer.from(Buffer.concat(chunks).toString().replace(/const VERSION = "([^"]+)"/, 'const VERSION = "$1-next"'));
          const { etag, 'content-length': _, ...rest } = answer.headers;
          res.writeHead(200, { ...rest, 'content-length': body.length, etag: `"next-${Date.now()}"` });
          res.end(body);
        });
      },
    );
    req.pipe(upstream);
  });
  // The event WebSocket goes through untouched.
  proxy.on('upgrade', (req, socket, head) => {
    const upstream = connect(server.port, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close);
    upstream.on('error', close);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
});

after(async () => {
  await browser?.close();
  proxy?.close();
  await server?.dispose();
});

test('a new version is installed and offered to open tabs', { timeout: 60_000 }, async () => {
  const camille = await person(browser);
  const { page } = camille;
  await login(page, proxyUrl, 'camille', 'correct horse battery');
  const first = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    return (await caches.keys()).filter((name) => name.startsWith('bureau-shell-'));
  });
  assert.equal(first.length, 1);
  // A second visit is controlled by the worker.
  await page.reload();
  await page.locator('main h1').waitFor();
  assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null));

  upgraded = true;
  // What the app does when its socket comes back after a server restart,
  // and what the browser does on its own from time to time.
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  await page.getByText('A new version of bureau is ready.').waitFor();
  await screenshot(page, 'update-ready-en-light');
  await page.getByRole('button', { name: 'Reload' }).click();
  await page.locator('main h1').waitFor();
  const after = await page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith('bureau-shell-')));
  assert.deepEqual(after, [`${first[0]}-next`], 'the old shell was dropped for the new one');
  camille.assertClean();
  await camille.close();
});
