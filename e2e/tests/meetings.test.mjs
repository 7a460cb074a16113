// Meetings in Debian's Chromium with fake camera and microphone, through
// bureau's own SFU: three people see and hear each other, a screen share is
// received, a guest enters only once a host admits them, audio-only moves
// no video at all, data-saver never receives more than 180p, a removed
// participant loses media at once, and someone outside a private channel
// cannot join its call; where UDP is blocked, the call goes over TCP; the
// data meter counts a call as the browser saw it. English and French.

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { Client, invitePerson, setupAdmin } from '../lib/api.mjs';
import { login } from '../lib/app.mjs';
import { axeViolations, describeViolations, launchWithDevices, person, screenshot } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const PASSWORD = 'correct horse battery';
const JOIN = { en: 'Join', fr: 'Rejoindre' };
let server;
let browser;
let meeting;
const open = [];

before(async () => {
  server = await startServer({ name: 'meetings' });
  const camille = await setupAdmin(server, { name: 'camille', display_name: 'Camille', password: PASSWORD });
  const ids = {};
  for (const [name, display] of [
    ['lea', 'Léa'],
    ['noe', 'Noé'],
    ['omar', 'Omar'],
  ]) {
    const client = await invitePerson(camille, { name, display_name: display, password: PASSWORD });
    ids[name] = (await client.get('/me')).user.id;
  }
  const board = await camille.post('/channels', { name: 'board', private: true, topic: '' });
  for (const name of ['lea', 'noe']) await camille.post(`/channels/${board.id}/members`, { user_id: ids[name] });
  meeting = await camille.post('/meetings', { title: 'Board call', channel_id: board.id });
  browser = await launchWithDevices();
});

after(async () => {
  for (const p of open) await p.close().catch(() => {});
  await browser?.close();
  await server?.dispose();
});

/**
 * Logs someone in, opens the meeting and joins it in `mode`. With
 * `udpBlocked`, the browser never learns the server's UDP candidate, as on a
 * network that drops UDP: only the TCP one is left to connect to.
 */
async function join(name, { lang = 'en', mode, udpBlocked = false, beforeOpening } = {}) {
  const p = await person(browser);
  open.push(p);
  if (udpBlocked) {
    await p.page.addInitScript(() => {
      const set = RTCPeerConnection.prototype.setRemoteDescription;
      RTCPeerConnection.prototype.setRemoteDescription = function (description) {
        const sdp = description.sdp
          .split('\r\n')
          .filter((line) => !(line.startsWith('a=candidate:') && / udp /i.test(line)))
          .join('\r\n');
        return set.call(this, { type: description.type, sdp });
      };
    });
  }
  await login(p.page, server.url, name, PASSWORD);
  if (lang !== 'en') {
    // The profile's language; the meeting page below opens in it.
    await p.page.evaluate(async (locale) => {
      const csrf = /bureau_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      await fetch('/api/v1/me', { method: 'PATCH', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ locale }) });
    }, lang);
  }
  await beforeOpening?.(p.page);
  await p.page.goto(`${server.url}/meet/${meeting.id}`);
  await p.page.waitForFunction((code) => document.documentElement.lang === code, lang);
  if (mode) await p.page.getByLabel(lang === 'fr' ? 'Consommation de données' : 'Data use').selectOption(mode);
  await p.page.getByRole('button', { name: JOIN[lang], exact: true }).click();
  await p.page.locator('.meet-room').waitFor();
  return p;
}

/** The call's RTP statistics, summed by direction and kind. */
async function rtp(page) {
  return page.evaluate(async () => {
    const report = await window.bureauCall.stats();
    const out = { inVideo: [], inAudio: [], outVideoBytes: 0, outAudioBytes: 0, outVideoStreams: 0 };
    report?.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out.inVideo.push({ frames: s.framesDecoded ?? 0, height: s.frameHeight ?? 0, bytes: s.bytesReceived ?? 0 });
      if (s.type === 'inbound-rtp' && s.kind === 'audio') out.inAudio.push({ bytes: s.bytesReceived ?? 0 });
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        out.outVideoBytes += s.bytesSent ?? 0;
        out.outVideoStreams++;
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') out.outAudioBytes += s.bytesSent ?? 0;
    });
    return out;
  });
}

/** Waits until `check(stats)` holds, reading the stats every half second. */
async function until(page, what, check, seconds = 25) {
  let last;
  for (let i = 0; i < seconds * 2; i++) {
    last = await rtp(page);
    if (check(last)) return last;
    await page.waitForTimeout(500);
  }
  assert.fail(`${what}: not reached in ${seconds} s; last stats ${JSON.stringify(last)}`);
}

const decoding = (s) => s.inVideo.filter((v) => v.frames > 0 && v.height > 0).length;
const audioBytes = (s) => s.inAudio.map((a) => a.bytes);

test('three people see and hear each other, in English and French', async () => {
  const camille = await join('camille');
  const lea = await join('lea', { lang: 'fr' });
  const noe = await join('noe');
  for (const [name, p] of [
    ['Camille', camille],
    ['Léa', lea],
    ['Noé', noe],
  ]) {
    await until(p.page, `${name} decodes both others' videos`, (s) => decoding(s) >= 2);
    // Both others' audio keeps arriving.
    const before = audioBytes(await rtp(p.page));
    await p.page.waitForTimeout(2000);
    const later = audioBytes(await rtp(p.page));
    const growing = later.filter((bytes, i) => bytes > (before[i] ?? 0)).length;
    assert.ok(growing >= 2, `${name} hears both others (audio bytes ${before} -> ${later})`);
  }
  await lea.page.getByText('3 personnes dans l’appel').waitFor();
  await screenshot(lea.page, 'meetings-three-fr');
  const violations = await axeViolations(camille.page);
  assert.deepEqual(violations, [], describeViolations(violations));
  camille.assertClean();
});

test('garbage and unknown STUN on the media port leave the call untouched', async () => {
  const [camille, lea] = open;
  // The server's media address, as the browser reaches it.
  const { address, port } = await camille.page.evaluate(async () => {
    let found;
    (await window.bureauCall.stats())?.forEach((s) => {
      if (s.type === 'remote-candidate' && s.protocol === 'udp') found = { address: s.address, port: s.port };
    });
    return found;
  });
  const frames = async () => (await rtp(lea.page)).inVideo.reduce((sum, v) => sum + v.frames, 0);
  const dropped = async () => Number(/^bureau_meet_dropped_datagrams_total (\d+)/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);
  const droppedBefore = await dropped();
  const before = await frames();
  const socket = createSocket('udp4');
  const stun = Buffer.from('000100002112a442' + '07'.repeat(12), 'hex');
  for (let i = 0; i < 20_000; i++) {
    const packet = i % 3 === 0 ? stun : Buffer.alloc(200 + (i % 900), i % 256);
    socket.send(packet, port, address);
    if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
  socket.close();
  const after = await frames();
  assert.ok((await dropped()) - droppedBefore > 10_000, 'the flood reached the media port and was dropped there');
  // Two videos at up to 30 frames a second, over the flood and 2 s after
  // it, on a machine that also runs three browsers: the flood must not
  // have stopped them.
  assert.ok(after - before > 30, `Léa kept decoding during the flood (${before} -> ${after} frames)`);
  await until(lea.page, 'Léa still decodes both others', (s) => decoding(s) >= 2, 5);
});

test('a screen share is received', async () => {
  const [camille, lea] = open;
  await camille.page.getByRole('button', { name: 'Share screen' }).click();
  const screen = lea.page.locator('[data-source="screen"] video');
  await screen.waitFor();
  await lea.page.waitForFunction(
    () => {
      const video = document.querySelector('[data-source="screen"] video');
      return video instanceof HTMLVideoElement && video.videoHeight > 0 && video.readyState >= 2;
    },
    null,
    { timeout: 25_000 },
  );
  await screenshot(lea.page, 'meetings-screen-share');
  await camille.page.getByRole('button', { name: 'Stop sharing' }).click();
  await screen.waitFor({ state: 'detached', timeout: 15_000 });
});

test('audio-only receives and sends no video at all', async () => {
  const noe = open[2];
  await noe.page.getByRole('button', { name: 'Leave' }).click();
  await noe.close();
  open.splice(2, 1);
  const listener = await join('noe', { mode: 'audio-only' });
  open.push(listener);
  await until(listener.page, 'Noé hears the others', (s) => s.inAudio.filter((a) => a.bytes > 0).length >= 2);
  await listener.page.waitForTimeout(5000);
  const s = await rtp(listener.page);
  assert.equal(s.inVideo.reduce((sum, v) => sum + v.bytes, 0), 0, `no video received: ${JSON.stringify(s)}`);
  assert.equal(s.outVideoBytes, 0, 'no video sent');
  assert.ok(s.outAudioBytes > 0, 'audio is sent');
});

test('data-saver receives no video taller than 180 pixels', async () => {
  const noe = open.pop();
  await noe.page.getByRole('button', { name: 'Leave' }).click();
  await noe.close();
  const saver = await join('noe', { mode: 'data-saver' });
  open.push(saver);
  await until(saver.page, 'Noé decodes both others in data-saver', (s) => decoding(s) >= 2);
  for (let i = 0; i < 10; i++) {
    const s = await rtp(saver.page);
    for (const v of s.inVideo) assert.ok(v.height <= 180, `a received video is ${v.height} px tall`);
    await saver.page.waitForTimeout(1000);
  }
});

test('a guest enters through the lobby only once a host admits them, and a removed guest loses media at once', async () => {
  const camille = open[0];
  const guest = await person(browser);
  open.push(guest);
  await guest.page.goto(meeting.guest_url);
  await guest.page.getByLabel('Your name').fill('Client X');
  await guest.page.getByRole('button', { name: 'Join', exact: true }).click();
  await guest.page.getByRole('heading', { name: 'Waiting for a host' }).waitFor();
  // Waiting: no media at all.
  await guest.page.waitForTimeout(1500);
  assert.equal(await guest.page.evaluate(async () => (await window.bureauCall.stats()) === null), true, 'no connection before admission');
  const lobby = camille.page.getByRole('region', { name: 'Waiting to enter' });
  await lobby.getByText('Client X').waitFor();
  await lobby.getByRole('button', { name: 'Admit' }).click();
  await guest.page.locator('.meet-room').waitFor();
  await until(guest.page, 'the guest decodes the others', (s) => decoding(s) >= 2);
  guest.assertClean();

  // Camille removes the guest: their media stops, they are told.
  await camille.page.getByRole('button', { name: 'People' }).click();
  await camille.page.getByRole('button', { name: 'Remove: Client X' }).click();
  await guest.page.getByText('A host removed you from this meeting.').waitFor();
  assert.equal(await guest.page.evaluate(async () => (await window.bureauCall.stats()) === null), true, 'the guest has no connection left');
  await camille.page.locator('.meet-people').getByText('Client X').waitFor({ state: 'detached' });
});

test('someone outside a private channel cannot join its call', async () => {
  const omar = new Client(server.url);
  await omar.post('/auth/login', { name: 'omar', password: PASSWORD });
  await assert.rejects(omar.get(`/meetings/${meeting.id}`), /404/);
  const p = await person(browser);
  open.push(p);
  await login(p.page, server.url, 'omar', PASSWORD);
  await p.page.goto(`${server.url}/meet/${meeting.id}`);
  await p.page.getByText('This meeting does not exist, or you are not invited to it.').waitFor();
  // A wrong guest key is refused too.
  const anonymous = new Client(server.url);
  await assert.rejects(anonymous.post(`/meetings/${meeting.id}/guests`, { key: 'wrong', name: 'Intruder' }), /404/);
});

test('where UDP is blocked, the call goes over the TCP port', async () => {
  const [camille, lea] = open;
  await lea.page.getByRole('button', { name: 'Quitter', exact: true }).click();
  await lea.close();
  open.splice(1, 1);
  const behindFirewall = await join('lea', { lang: 'fr', udpBlocked: true });
  open.splice(1, 0, behindFirewall);
  await until(behindFirewall.page, 'Léa decodes both others over TCP', (s) => decoding(s) >= 2);
  const transport = await behindFirewall.page.evaluate(async () => {
    const report = await window.bureauCall.stats();
    const byId = new Map();
    report.forEach((s) => byId.set(s.id, s));
    const remotes = [...byId.values()].filter((s) => s.type === 'remote-candidate').map((s) => s.protocol);
    const pair = [...byId.values()].find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
    return { remotes, selected: pair && byId.get(pair.remoteCandidateId)?.protocol };
  });
  assert.deepEqual(transport, { remotes: ['tcp'], selected: 'tcp' }, `the only way in is TCP: ${JSON.stringify(transport)}`);
  // What Léa sends over TCP reaches the others.
  await camille.page.waitForFunction(
    () => {
      const tile = [...document.querySelectorAll('[data-source="camera"]')].find((t) => t.textContent.includes('Léa'));
      const video = tile?.querySelector('video');
      return video instanceof HTMLVideoElement && video.videoHeight > 0 && video.readyState >= 2;
    },
    null,
    { timeout: 25_000 },
  );
  behindFirewall.assertClean();
});

test('after a network change the call restarts ICE with new credentials and goes on', async () => {
  const [camille, lea] = open;
  const selected = () =>
    camille.page.evaluate(async () => {
      const report = await window.bureauCall.stats();
      const byId = new Map();
      report.forEach((s) => byId.set(s.id, s));
      const transport = [...byId.values()].find((s) => s.type === 'transport');
      const pair = byId.get(transport?.selectedCandidatePairId);
      return { state: transport?.dtlsState, ufrag: byId.get(pair?.remoteCandidateId)?.usernameFragment ?? null };
    });
  const before = await selected();
  assert.ok(before.ufrag, `a selected pair before: ${JSON.stringify(before)}`);
  const frames = async (page) => (await rtp(page)).inVideo.reduce((sum, v) => sum + v.frames, 0);
  // What the browser sees when Wi-Fi comes back or the network changes.
  await camille.page.evaluate(() => window.dispatchEvent(new Event('online')));
  let after;
  for (let i = 0; i < 40; i++) {
    after = await selected();
    if (after.ufrag && after.ufrag !== before.ufrag) break;
    await camille.page.waitForTimeout(250);
  }
  assert.notEqual(after.ufrag, before.ufrag, `the server answered the restart with new credentials: ${JSON.stringify(after)}`);
  const [mine, hers] = [await frames(camille.page), await frames(lea.page)];
  await camille.page.waitForTimeout(2000);
  assert.ok((await frames(camille.page)) - mine > 30, 'Camille keeps decoding after the restart');
  assert.ok((await frames(lea.page)) - hers > 30, 'Léa keeps decoding (Camille among others) after the restart');
  camille.assertClean();
});

test('a scheduled meeting invites the people chosen by direct message, in English and French', async () => {
  const organiser = await person(browser);
  open.push(organiser);
  await login(organiser.page, server.url, 'camille', PASSWORD);
  await organiser.page.goto(`${server.url}/meetings`);
  await organiser.page.getByLabel('Title', { exact: true }).fill('Client kick-off');
  await organiser.page.getByLabel('Starts at').fill('2027-01-12T10:30');
  await organiser.page.getByLabel('Invite people').fill('no');
  await organiser.page.getByRole('checkbox', { name: /Noé/ }).check();
  await screenshot(organiser.page, 'meetings-schedule-en');
  await organiser.page.getByRole('button', { name: 'Create' }).click();
  const listed = organiser.page.locator('.meet-list li', { hasText: 'Client kick-off' });
  await listed.waitFor();
  organiser.assertClean();

  // Noé finds the invitation in a direct message from Camille, with the
  // link; Omar, not invited, finds nothing.
  const texts = async (name) => {
    const client = new Client(server.url);
    await client.post('/auth/login', { name, password: PASSWORD });
    const all = [];
    for (const entry of await client.get('/channels')) {
      for (const message of await client.get(`/channels/${entry.channel.id}/messages`)) all.push(message.text);
    }
    return all.join('\n');
  };
  const noe = await texts('noe');
  assert.match(noe, /📅 Client kick-off · 2027-01-12 \d\d:30 UTC\n.*\/meet\/\d+/, noe);
  assert.doesNotMatch(await texts('omar'), /Client kick-off/);
  // In the chat, the time reads in the reader's language and time zone.
  const invited = await person(browser);
  open.push(invited);
  await login(invited.page, server.url, 'noe', PASSWORD);
  const noeClient = new Client(server.url);
  await noeClient.post('/auth/login', { name: 'noe', password: PASSWORD });
  // Noé's only conversation with anyone is Camille's invitation.
  const dm = (await noeClient.get('/channels')).find((e) => e.channel.kind === 'dm');
  await invited.page.goto(`${server.url}/chat/${dm.channel.id}`);
  const when = invited.page.locator('time[datetime^="2027-01-12T"]');
  await when.waitFor();
  const shown = await when.textContent();
  assert.doesNotMatch(shown, /UTC/, `the time is shown in local form: ${shown}`);
  assert.match(shown, /2027/, shown);
  invited.assertClean();

  // The same page in French.
  const lea = await person(browser);
  open.push(lea);
  await login(lea.page, server.url, 'lea', PASSWORD);
  await lea.page.evaluate(async () => {
    const csrf = /bureau_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
    await fetch('/api/v1/me', { method: 'PATCH', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ locale: 'fr' }) });
  });
  await lea.page.goto(`${server.url}/meetings`);
  await lea.page.getByLabel('Inviter des personnes').waitFor();
  await screenshot(lea.page, 'meetings-schedule-fr');
  lea.assertClean();
});

test("the data meter counts a call's media and signalling as the browser saw them", async () => {
  // Nobody else in the call: Léa and Camille only.
  for (const p of open.splice(0)) await p.close().catch(() => {});
  const leaClient = new Client(server.url);
  await leaClient.post('/auth/login', { name: 'lea', password: PASSWORD });
  const meetingBytes = async () => {
    const usage = await leaClient.get('/office/usage');
    return usage.rows.filter((r) => r.feature === 'meetings').reduce((sum, r) => sum + r.bytes_in + r.bytes_out, 0);
  };
  const before = await meetingBytes();
  // The signalling socket's frames, as Chromium's network layer saw them:
  // the payload and the frame's header (with the mask key on the way out).
  let signalling = 0;
  const frame = (payload, masked) => {
    const length = Buffer.byteLength(payload);
    return length + 2 + (length > 125 ? (length > 65535 ? 8 : 2) : 0) + (masked ? 4 : 0);
  };
  // In French: an earlier test made it Léa's language.
  const lea = await join('lea', {
    lang: 'fr',
    beforeOpening: async (page) => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      cdp.on('Network.webSocketFrameSent', (e) => (signalling += frame(e.response.payloadData, true)));
      cdp.on('Network.webSocketFrameReceived', (e) => (signalling += frame(e.response.payloadData, false)));
    },
  });
  await join('camille');
  await until(lea.page, 'Léa decodes Camille', (s) => decoding(s) >= 1);
  await lea.page.waitForTimeout(6000);
  // Every byte on the browser's media transport, then hang up at once
  // (the milliseconds between are within the margin).
  const media = await lea.page.evaluate(async () => {
    const report = await window.bureauCall.stats();
    let bytes = 0;
    report?.forEach((s) => {
      if (s.type === 'transport') bytes += (s.bytesSent ?? 0) + (s.bytesReceived ?? 0);
    });
    window.bureauCall.leave();
    return bytes;
  });
  assert.ok(media > 500_000, `a call of several seconds moves media: ${media} bytes`);
  // The media server's last counts arrive when the peer closes; the
  // socket's close frames come last.
  await lea.page.waitForTimeout(3000);
  const seen = media + signalling;
  const metered = (await meetingBytes()) - before;
  const off = Math.abs(metered - seen) / seen;
  console.log(`meeting: metered ${metered} B; the browser saw ${seen} B (media ${media}, signalling ${signalling}); off by ${(off * 100).toFixed(2)} %`);
  assert.ok(off <= 0.05, `metered ${metered} B against ${seen} B`);
});
