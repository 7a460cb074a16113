// The stock Yjs client (npm `yjs` + `y-websocket`, as any Yjs editor uses
// them) against bureau's `/api/v1/docs/{page_id}/sync`: clients converge,
// offline edits merge on reconnect, a late joiner gets the whole page, and
// an edit another client received survives a SIGKILL of the server.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { invitePerson, setupAdmin } from '../lib/api.mjs';
import { startServer } from '../lib/server.mjs';

let server;
let admin;
let member;
let token;
let pageId;
const providers = [];

before(async () => {
  server = await startServer({ name: 'docs-sync' });
  admin = await setupAdmin(server, { name: 'ada', display_name: 'Ada Admin', password: 'correct horse battery' });
  member = await invitePerson(admin, { name: 'bob', display_name: 'Bob Member', password: 'correct horse battery' });
  const space = await admin.post('/spaces', { name: 'Procedures' });
  await admin.post(`/spaces/${space.id}/members`, { user_id: (await member.get('/me')).user.id, role: 'write' });
  pageId = (await admin.post('/pages', { space_id: space.id, title: 'Onboarding' })).id;
  token = (await member.post('/me/tokens', { name: 'yjs test' })).secret;
});

after(async () => {
  // A provider leaves its awareness timer running until the document
  // itself is destroyed.
  for (const provider of providers) {
    provider.destroy();
    provider.doc.destroy();
  }
  await server?.dispose();
});

/** A stock y-websocket client of the page, authenticated by cookie or token. */
function open(doc, auth) {
  const headers =
    auth === 'token'
      ? { Authorization: `Bearer ${token}` }
      : { Cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  class Authenticated extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { headers });
    }
  }
  const provider = new WebsocketProvider(`ws://127.0.0.1:${server.port}/api/v1/docs`, `${pageId}/sync`, doc, {
    WebSocketPolyfill: Authenticated,
    // Every client here lives in one Node process: no shortcut through a
    // BroadcastChannel, everything goes through bureau.
    disableBc: true,
  });
  providers.push(provider);
  return provider;
}

function synced(provider) {
  return new Promise((resolve) => {
    if (provider.synced) resolve();
    else provider.once('sync', (isSynced) => isSynced && resolve());
  });
}

async function until(check, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The page's first paragraph, as the web editor keeps it. */
function paragraph(doc) {
  const fragment = doc.getXmlFragment('default');
  if (fragment.length === 0) {
    const p = new Y.XmlElement('paragraph');
    p.insert(0, [new Y.XmlText('')]);
    fragment.insert(0, [p]);
  }
  return fragment.get(0).get(0);
}

const text = (doc) => doc.getXmlFragment('default').toString();

test('two stock clients converge, offline edits merge, a late joiner gets everything', async () => {
  const a = new Y.Doc();
  const b = new Y.Doc();
  const pa = open(a, 'cookie');
  const pb = open(b, 'token');
  await Promise.all([synced(pa), synced(pb)]);

  paragraph(a).insert(0, 'Welcome to the team.');
  await until(() => text(b).includes('Welcome to the team.'), 'b to receive a');

  // Both type in the same paragraph at once.
  paragraph(a).insert(0, 'Hello! ');
  paragraph(b).insert(paragraph(b).length, ' Read the handbook.');
  await until(() => text(a) === text(b) && text(a).includes('Hello!') && text(a).includes('handbook'), 'convergence');

  // b goes offline; both edit; b comes back.
  pb.disconnect();
  paragraph(a).insert(paragraph(a).length, ' (a while b was away)');
  paragraph(b).insert(0, '(b offline) ');
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!text(a).includes('(b offline)'));
  pb.connect();
  await until(
    () => text(a) === text(b) && text(a).includes('(b offline)') && text(a).includes('(a while b was away)'),
    'offline edits to merge',
  );

  // A third client, joining later, gets the full state.
  const c = new Y.Doc();
  const pc = open(c, 'token');
  await synced(pc);
  await until(() => text(c) === text(a), 'the late joiner to catch up');
  pc.destroy();
  pa.destroy();
  pb.destroy();

  const markdown = await fetch(`${server.url}/api/v1/pages/${pageId}/export?format=markdown`, {
    headers: { Authorization: `Bearer ${token}` },
  }).then((r) => r.text());
  assert.match(markdown, /^# Onboarding\n/);
  assert.ok(markdown.includes("(b offline)"), markdown);
  assert.match(markdown, /Read the handbook\./);
});

test('an update another client received survives a SIGKILL of the server', async () => {
  const a = new Y.Doc();
  const b = new Y.Doc();
  const pa = open(a, 'cookie');
  const pb = open(b, 'token');
  await Promise.all([synced(pa), synced(pb)]);
  paragraph(a).insert(0, 'Durable words. ');
  await until(() => text(b).includes('Durable words.'), 'b to receive the words');
  pa.destroy();
  pb.destroy();

  await server.kill();
  server = await startServer({ name: 'docs-sync', dataDir: server.dataDir, port: server.port });

  const c = new Y.Doc();
  const pc = open(c, 'token');
  await synced(pc);
  await until(() => text(c).includes('Durable words.'), 'the words after the restart');
  pc.destroy();
});

test('a client without access is refused before any state is sent', async () => {
  const outsider = await invitePerson(admin, { name: 'otto', display_name: 'Otto', password: 'correct horse battery' });
  const cookie = [...outsider.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const status = await new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/docs/${pageId}/sync`, { headers: { Cookie: cookie } });
    socket.on('unexpected-response', (req, res) => {
      resolve(res.statusCode);
      // With this listener, ws leaves the refused request open.
      req.destroy();
    });
    socket.on('message', () => resolve('received state'));
    socket.on('open', () => setTimeout(() => resolve('opened'), 500));
  });
  assert.equal(status, 404);
});
