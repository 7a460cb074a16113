// The data budgets of issue 3, for a person on a metered 4G key:
//
// - first visit to the login page and the logged-in home: at most 150 KB;
// - a repeat visit with a warm cache: at most 10 KB apart from API JSON;
// - an idle logged-in tab: at most 100 KB per hour on the WebSocket.
//
// Bytes are counted twice: by Chromium itself (DevTools protocol,
// `encodedDataLength` of each response, compressed as it came over the wire,
// headers included) and by a TCP proxy between Chromium and bureau, which
// also sees what the service worker fetches and the WebSocket's control
// frames (pings and pongs), which DevTools does not report. Both must hold.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setupAdmin } from '../lib/api.mjs';
import { login, waitOnline } from '../lib/app.mjs';
import { launch, person } from '../lib/browser.mjs';
import { artifacts } from '../lib/paths.mjs';
import { startProxy } from '../lib/proxy.mjs';
import { startServer } from '../lib/server.mjs';

const KB = 1024;
const FIRST_VISIT_BUDGET = 150 * KB;
const REPEAT_VISIT_BUDGET = 10 * KB;
const IDLE_BUDGET_PER_HOUR = 100 * KB;
/** Long enough to cover two of the server's 30 s pings, and bounded. */
const IDLE_WINDOW_MS = 65_000;

let server;
let proxy;
let browser;
let visitor;
const figures = {};

before(async () => {
  server = await startServer({ name: 'budgets' });
  await setupAdmin(server, { name: 'camille', display_name: 'Camille Martin', password: 'correct horse battery' });
  proxy = await startProxy(server.port);
  browser = await launch();
  visitor = await person(browser);
});

after(async () => {
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, 'budgets.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`measured budgets: ${JSON.stringify(figures, null, 2)}`);
  await visitor?.close();
  await browser?.close();
  proxy?.close();
  await server?.dispose();
});

/** Counts what Chromium reports for a page: bytes per response as they came
 * over the wire (encodedDataLength), and WebSocket data frames. */
async function devtoolsCounter(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const responses = new Map();
  const counted = [];
  const frames = { received: 0, sent: 0, count: 0 };
  cdp.on('Network.responseReceived', ({ requestId, response, type }) => {
    responses.set(requestId, { url: response.url, type, fromServiceWorker: response.fromServiceWorker, status: response.status });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const response = responses.get(requestId);
    if (response) counted.push({ ...response, bytes: encodedDataLength });
  });
  cdp.on('Network.webSocketFrameReceived', ({ response }) => {
    frames.received += Buffer.byteLength(response.payloadData);
    frames.count++;
  });
  cdp.on('Network.webSocketFrameSent', ({ response }) => {
    frames.sent += Buffer.byteLength(response.payloadData);
    frames.count++;
  });
  return { counted, frames, detach: () => cdp.detach() };
}

const isApi = (path) => new URL(path, 'http://x').pathname.startsWith('/api/');
const sum = (list, key) => list.reduce((n, item) => n + item[key], 0);

/** One exchange as a line: method, path, status, encoding, bytes down. */
function line(e) {
  return `${e.method} ${e.path.replace(/token=[^&]+/, 'token=…')} ${e.status ?? ''}${e.encoding ? ` ${e.encoding}` : ''} ↓${e.down}`;
}

function describe(exchanges) {
  return exchanges.map(line).join('\n');
}

test('first visit: login page and logged-in home within 150 KB', { timeout: 90_000 }, async () => {
  const { page } = visitor;
  const devtools = await devtoolsCounter(page);
  const start = proxy.mark();
  await page.goto(`${proxy.url}/login`);
  await login(page, proxy.url, 'camille', 'correct horse battery');
  await page.locator('main h1').waitFor();
  // The service worker installs in the background and keeps the shell; its
  // downloads belong to the first visit too.
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active?.state;
  });
  await proxy.quiet();
  const exchanges = proxy.exchanges.slice(start);
  const wire = sum(exchanges, 'down');
  const wireNotApi = sum(exchanges.filter((e) => !isApi(e.path)), 'down');
  const devtoolsBytes = sum(devtools.counted, 'bytes');
  figures.firstVisit = {
    wireBytesDown: wire,
    wireBytesDownWithoutApi: wireNotApi,
    wireBytesUp: sum(exchanges, 'up'),
    devtoolsEncodedBytes: devtoolsBytes,
    requests: exchanges.map(line),
  };
  await devtools.detach();
  assert.ok(
    wire <= FIRST_VISIT_BUDGET && devtoolsBytes <= FIRST_VISIT_BUDGET,
    `first visit took ${wire} bytes on the wire (${devtoolsBytes} by DevTools), over ${FIRST_VISIT_BUDGET}:\n${describe(exchanges)}`,
  );
});

test('repeat visit with a warm cache: within 10 KB apart from API JSON', { timeout: 60_000 }, async () => {
  await visitor.page.close();
  const page = await visitor.newPage();
  const devtools = await devtoolsCounter(page);
  const start = proxy.mark();
  await page.goto(`${proxy.url}/`);
  await page.locator('main h1').waitFor();
  await waitOnline(page);
  await proxy.quiet();
  const exchanges = proxy.exchanges.slice(start);
  const notApi = exchanges.filter((e) => !isApi(e.path) || e.websocket);
  const wire = sum(notApi, 'down');
  const devtoolsNotApi = devtools.counted.filter((r) => !isApi(r.url));
  const devtoolsBytes = sum(devtoolsNotApi, 'bytes');
  figures.repeatVisit = {
    wireBytesDownWithoutApiJson: wire,
    wireBytesDownApiJson: sum(exchanges, 'down') - wire,
    devtoolsEncodedBytesWithoutApiJson: devtoolsBytes,
    requests: exchanges.map(line),
  };
  await devtools.detach();
  visitor.page = page;
  assert.ok(
    wire <= REPEAT_VISIT_BUDGET && devtoolsBytes <= REPEAT_VISIT_BUDGET,
    `repeat visit took ${wire} bytes on the wire (${devtoolsBytes} by DevTools) apart from API JSON, over ${REPEAT_VISIT_BUDGET}:\n${describe(notApi)}`,
  );
});

test('an idle tab stays within 100 KB per hour on its WebSocket', { timeout: 120_000 }, async () => {
  const page = visitor.page;
  const devtools = await devtoolsCounter(page);
  const socket = proxy.exchanges.filter((e) => e.websocket).at(-1);
  assert.ok(socket, 'the tab has its event WebSocket open');
  const before = { down: socket.down, up: socket.up };
  // Measured over a bounded window and extrapolated to an hour: the window
  // covers two of the server's 30 s pings and their pongs.
  await page.waitForTimeout(IDLE_WINDOW_MS);
  const down = socket.down - before.down;
  const up = socket.up - before.up;
  const perHour = ((down + up) * 3_600_000) / IDLE_WINDOW_MS;
  figures.idleWebSocket = {
    windowSeconds: IDLE_WINDOW_MS / 1000,
    wireBytesDown: down,
    wireBytesUp: up,
    devtoolsDataFrameBytes: devtools.frames.received + devtools.frames.sent,
    extrapolatedBytesPerHour: Math.round(perHour),
    note: 'WebSocket bytes (frames with their headers) in both directions over the window, times 3600 s / window; TCP/IP headers not included',
  };
  await devtools.detach();
  assert.ok(down > 0, 'the window saw the server’s pings (the socket is alive)');
  assert.ok(perHour <= IDLE_BUDGET_PER_HOUR, `an idle tab would use ${Math.round(perHour)} bytes per hour`);
});
