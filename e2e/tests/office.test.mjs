// The office as people live it, in Chromium: Camille (an administrator)
// adds a laptop and a 4G key with a 20 GB plan through the forms, is told
// why a negative cap is refused (and nothing is added), gives both to Léa,
// and reads who held them when; Léa sees her own equipment and checklist
// and none of the administrators' screens; she runs the connection test,
// which gives a verdict and lands in her history and in the readiness
// overview; the data she used shows in the charts against her plan; her
// meeting starts in the mode her test advises, and Tom, past his small
// plan's threshold, is told why his call runs in data saver. Camille edits
// a piece, exports the inventory and imports a CSV file with a bad line,
// refused whole then kept in part; Léa asks for a webcam and reports her
// laptop broken, Camille orders one, Léa reads the answer and withdraws
// the other; Camille lists the company's tools, whose check refuses a
// private address, and each person finds in their office the tools they
// need and only those. Screenshots and axe-core on every office screen, in
// English and French.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { invitePerson, setupAdmin } from '../lib/api.mjs';
import { login, setLanguage } from '../lib/app.mjs';
import { capture, launch, launchWithDevices, person, PHONE } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const PASSWORD = 'correct horse battery';
const CAMILLE = { name: 'camille', display_name: 'Camille Martin', password: PASSWORD };
const LEA = { name: 'lea', display_name: 'Léa Dubois', password: PASSWORD };
const TOM = { name: 'tom', display_name: 'Tom Baker', password: PASSWORD };

let server;
let browser;
let admin;
let leaApi;
let tomApi;
let leaId;
let tomId;
let designId;
let camille;
let lea;
/** Serious and critical axe violations, gathered as the tests go; the last test fails on them. */
const failures = [];

before(async () => {
  server = await startServer({ name: 'office' });
  browser = await launch();
  admin = await setupAdmin(server, CAMILLE);
  leaApi = await invitePerson(admin, LEA);
  tomApi = await invitePerson(admin, TOM);
  leaId = (await leaApi.get('/me')).user.id;
  tomId = (await tomApi.get('/me')).user.id;
  // Tom's team answers the phone.
  const design = await admin.post('/groups', { name: 'Design' });
  designId = design.id;
  await admin.put(`/groups/${design.id}/members/${tomId}`);
  camille = await person(browser);
  lea = await person(browser);
  await login(camille.page, server.url, CAMILLE.name, PASSWORD);
  await login(lea.page, server.url, LEA.name, PASSWORD);
});

after(async () => {
  for (const someone of [camille, lea]) someone?.assertClean();
  await browser?.close();
  await server?.dispose();
});

// ---- helpers -------------------------------------------------------------------

async function open(page, path) {
  await page.goto(`${server.url}${path}`);
  await page.locator('main h1').waitFor();
  await page.waitForFunction(() => !document.querySelector('main .loading'));
}

const dialog = (page) => page.locator('dialog[open]');
const row = (page, text) => page.locator('main table tbody tr', { hasText: text });

/** Fills the "Add equipment" form and sends it. */
async function addPiece(page, fields) {
  await page.getByRole('button', { name: 'Add equipment' }).click();
  const form = dialog(page);
  await form.getByLabel('Kind').selectOption(fields.kind);
  for (const [label, value] of Object.entries(fields)) {
    if (label !== 'kind') await form.getByLabel(label, { exact: true }).fill(value);
  }
  await form.getByRole('button', { name: 'Add', exact: true }).click();
}

/** A CSV file to import: two good lines around a bad one (line 3). */
function csvWithABadLine() {
  const path = join(mkdtempSync(join(tmpdir(), 'bureau-csv-')), 'headsets.csv');
  writeFileSync(
    path,
    ['kind,label,model,cost,holder', 'headset,Jabra Evolve2 40,Evolve2 40,129.00,', 'webcam,Logitech Brio,Brio 4K,abc,', 'headset,Poly Voyager,Voyager 4320,99.90,lea', ''].join('\n'),
  );
  return path;
}

async function give(page, label, name) {
  await row(page, label).getByRole('button', { name: `Details of ${label}` }).click();
  const details = dialog(page);
  await details.getByLabel('Give to').selectOption({ label: name });
  await details.getByRole('button', { name: 'Give', exact: true }).click();
  await page.locator('.toast', { hasText: `${label} given to ${name}.` }).waitFor();
  return details;
}

// ---- tests ---------------------------------------------------------------------

test('an admin adds equipment, is told why a negative cap is refused, and gives it out', { timeout: 60_000 }, async () => {
  const { page } = camille;
  await open(page, '/office/equipment');
  await page.getByText('No equipment yet.').waitFor();

  await addPiece(page, {
    kind: 'laptop',
    Name: 'ThinkPad of the sales desk',
    Model: 'ThinkPad T14 Gen 4',
    'Serial number': 'PF-3K2L9',
    'Purchase date': '2025-03-14',
    'Cost (€)': '1149.90',
  });
  await page.locator('.toast', { hasText: 'ThinkPad of the sales desk added.' }).waitFor();
  await row(page, 'ThinkPad of the sales desk').waitFor();

  // A data plan with a negative cap: the server names the field, the form
  // says why under it, and nothing is added.
  await addPiece(page, {
    kind: '4g_key',
    Name: 'Orange 4G key',
    Operator: 'Orange',
    'Data a month (GB)': '-20',
    'Renews on day': '12',
    'Price a month (€)': '15',
  });
  const form = dialog(page);
  await form.getByText('The data a month cannot be negative (0 means unlimited).').waitFor();
  assert.equal(await form.getByLabel('Data a month (GB)').getAttribute('aria-invalid'), 'true');
  assert.equal((await admin.get('/office/equipment')).length, 1, 'the refused piece was not added');
  await form.getByLabel('Data a month (GB)').fill('20');
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await dialog(page).waitFor({ state: 'detached' });
  await row(page, 'Orange 4G key').getByText('20 GB a month · Orange, renews on the 12th').waitFor();

  // Filters by kind and status.
  await page.locator('.office-filters').getByLabel('Kind').selectOption('4g_key');
  assert.equal(await page.locator('main table tbody tr').count(), 1);
  await page.locator('.office-filters').getByLabel('Status').selectOption('assigned');
  await page.getByText('No equipment matches these filters.').waitFor();
  await page.locator('.office-filters').getByLabel('Kind').selectOption('all');
  await page.locator('.office-filters').getByLabel('Status').selectOption('all');
  assert.equal(await page.locator('main table tbody tr').count(), 2);

  // The laptop goes to Léa; the key goes to Tom, then to Léa: two turns.
  let details = await give(page, 'ThinkPad of the sales desk', 'Léa Dubois');
  await details.locator('.piece-status').getByText('Given out').waitFor();
  await details.locator('.history-list li', { hasText: 'Léa Dubois' }).getByText('handed over by Camille Martin').waitFor();
  await page.keyboard.press('Escape');
  details = await give(page, 'Orange 4G key', 'Tom Baker');
  await page.keyboard.press('Escape');
  details = await give(page, 'Orange 4G key', 'Léa Dubois');
  const turns = details.locator('.history-list li');
  await turns.nth(1).waitFor();
  assert.equal(await turns.count(), 2);
  assert.match(await turns.nth(0).innerText(), /Léa Dubois[\s\S]*since/);
  assert.match(await turns.nth(1).innerText(), /Tom Baker[\s\S]* to /);
  await page.keyboard.press('Escape');
  await row(page, 'Orange 4G key').getByText('Léa Dubois').waitFor();

  // A piece sent to repair, then retired: it can no longer be given out,
  // in the screen and by the API.
  const webcam = await admin.post('/office/equipment', { kind: 'webcam', label: 'Old webcam' });
  await page.reload();
  await row(page, 'Old webcam').getByRole('button', { name: 'Details of Old webcam' }).click();
  await dialog(page).getByRole('button', { name: 'Send to repair' }).click();
  await dialog(page).locator('.piece-status').getByText('In repair').waitFor();
  await dialog(page).getByRole('button', { name: 'Retire' }).click();
  await page.locator('dialog[open]', { hasText: 'Retire Old webcam?' }).getByRole('button', { name: 'Retire' }).click();
  await dialog(page).getByText('Retired: it cannot be given to anyone.').waitFor();
  assert.equal(await dialog(page).getByLabel('Give to').count(), 0);
  await assert.rejects(admin.post(`/office/equipment/${webcam.id}/assign`, { user_id: leaId }), /409/);
  await page.keyboard.press('Escape');
  failures.push(...(await capture(page, 'office-flow-equipment', 'en')));
});

test('a member sees only their own office, and none of the admin screens', { timeout: 30_000 }, async () => {
  const { page } = lea;
  await open(page, '/office');
  assert.equal(await page.locator('main h1').innerText(), 'My office');
  const equipment = page.locator('.my-equipment');
  await equipment.getByText('ThinkPad of the sales desk').waitFor();
  await equipment.getByText('Orange 4G key').waitFor();
  assert.equal(await equipment.getByText('Old webcam').count(), 0);
  // Her checklist: the laptop brings a camera and a microphone; no test yet.
  await page.locator('.check-done', { hasText: 'A laptop' }).waitFor();
  await page.locator('.check-todo', { hasText: 'No connection test in the last 30 days' }).getByRole('link', { name: 'Run a connection test' }).waitFor();
  assert.deepEqual(await page.locator('main .tabs a').allInnerTexts(), ['My office', 'Connection test']);

  for (const path of ['/office/equipment', '/office/requests', '/office/tools', '/office/usage', '/office/settings']) {
    await open(page, path);
    await page.getByText('Only administrators see the whole office.').waitFor();
    const text = await page.locator('main').innerText();
    for (const other of ['Tom Baker', 'Camille Martin', 'Old webcam']) assert.ok(!text.includes(other), `${path} shows nothing of ${other}`);
    assert.equal(await page.locator('main table').count(), 0);
  }
  // The API refuses what the screens do not show.
  assert.equal((await leaApi.get('/office/equipment')).length, 2);
  await assert.rejects(leaApi.get('/office/settings'), /403/);
  await assert.rejects(leaApi.get(`/office/usage?user_id=${tomId}`), /404/);
  await assert.rejects(leaApi.get(`/office/connection-tests?user_id=${tomId}`), /404/);
  await assert.rejects(leaApi.post('/office/equipment', { kind: 'laptop', label: 'Mine now' }), /403/);
  const readiness = await leaApi.get('/office/readiness');
  assert.deepEqual(readiness.people.map((p) => p.user_id), [leaId]);
  assert.equal(readiness.company ?? null, null);
});

test('the member runs the connection test, sees a verdict, and finds it in her history', { timeout: 120_000 }, async () => {
  const { page } = lea;
  await open(page, '/office/test');
  await page.getByText('No test yet.').waitFor();
  await page.getByRole('button', { name: 'Start the test' }).click();
  await page.locator('.test-running').waitFor();
  const result = page.locator('.test-result');
  await result.waitFor({ timeout: 90_000 });
  const verdict = await result.locator('.test-verdict').innerText();
  assert.ok(['Fine for video', 'Use data saver', 'Audio only'].includes(verdict.trim()), verdict);
  for (const figure of ['Download', 'Upload', 'Delay', 'Jitter', 'Lost']) await result.locator('dt', { hasText: figure }).waitFor();
  assert.match(await result.innerText(), /This test used about \d+(\.\d)? MB of data\./);
  const history = page.locator('.tests-table tbody tr');
  await history.first().waitFor();
  assert.equal(await history.count(), 1);
  assert.equal((await history.first().locator('.badge').innerText()).trim(), verdict.trim());
  const [kept] = await leaApi.get('/office/connection-tests');
  assert.equal({ video: 'Fine for video', data_saver: 'Use data saver', audio_only: 'Audio only' }[kept.verdict], verdict.trim());
  assert.ok(kept.down_kbps > 0 && kept.up_kbps > 0, JSON.stringify(kept));
  failures.push(...(await capture(page, 'office-flow-test-member', 'en')));
});

test('the readiness overview shows the figures, each person and the shopping list', { timeout: 30_000 }, async () => {
  const { page } = camille;
  await open(page, '/office');
  const { company, people } = await admin.get('/office/readiness');
  assert.equal(company.people, 3);
  const lea = people.find((p) => p.user_id === leaId);
  assert.notEqual(lea.verdict, 'not_ready', 'a laptop and a recent test');
  await page.locator('.ready-figure').getByText(`${Math.round(company.ready_pct)}%`).waitFor();
  await page.getByText(`${company.ready} of ${company.people} people`).waitFor();
  await page.locator('.verdict-bar[role=img]').waitFor();
  const tom = row(page, 'Tom Baker');
  await tom.getByText('Not ready').waitFor();
  await tom.getByText('Missing: a laptop, a webcam, a microphone, and a recent connection test.').waitFor();
  await row(page, 'Léa Dubois').getByText(lea.verdict === 'ready' ? 'Ready' : 'Partly ready').waitFor();
  // Two people lack a laptop: 2 × €900.00 at the default price.
  const laptops = company.shopping.find((line) => line.kind === 'laptop');
  assert.equal(laptops.count, 2);
  const shopping = page.locator('.shopping');
  await shopping.getByText('2 laptops').waitFor();
  await shopping.getByText('€1,800.00').first().waitFor();
  await shopping.locator('.shopping-total').getByText(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' }).format(company.shopping_total_cents / 100)).waitFor();
  failures.push(...(await capture(page, 'office-flow-overview', 'en')));
});

test('the settings are saved, and data use shows in the charts against the plan', { timeout: 60_000 }, async () => {
  const { page } = camille;
  await open(page, '/office/settings');
  await page.getByLabel('Audio only from (%)').fill('50');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Audio only starts at or after data saver.').waitFor();
  await page.getByLabel('Audio only from (%)').fill('95');
  await page.getByLabel('Data saver from (%)').fill('75');
  await page.getByLabel('Design').check();
  await page.getByLabel('Webcam').fill('59.90');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.toast', { hasText: 'Office settings saved.' }).waitFor();
  const settings = await admin.get('/office/settings');
  assert.equal(settings.saver_at_pct, 75);
  assert.equal(settings.prices.webcam, 5990);
  assert.equal(settings.phone_groups.length, 1);

  // Saving the settings recomputed the plans: Léa's 20 GB key meters her.
  await open(page, '/office/usage');
  const leaRow = row(page, 'Léa Dubois');
  const plan = leaRow.getByRole('meter', { name: 'Data plan of Léa Dubois' });
  await plan.waitFor();
  assert.match(await plan.getAttribute('aria-valuetext'), / of 20 GB/);
  await row(page, 'Tom Baker').getByText('No capped plan').waitFor();
  await page.getByText('Meetings start in data saver past 75% of a plan, and in audio only past 95%.').waitFor();
  assert.ok((await page.locator('.day-chart .chart-part').count()) > 0, 'the chart has bars');
  await page.locator('.day-chart').getByRole('img', { name: /Data per day from .* in all\./ }).waitFor();
  await page.getByLabel('Person', { exact: true }).selectOption({ label: 'Léa Dubois' });
  await page.waitForFunction(() => document.querySelectorAll('main table tbody tr').length === 1);
  await page.locator('.chart-legend').getByText('App').waitFor();
  failures.push(...(await capture(page, 'office-flow-usage', 'en')));

  // Léa reads the same in her own office.
  await open(lea.page, '/office');
  await lea.page.getByRole('meter', { name: 'Data plan of Léa Dubois' }).waitFor();
  assert.ok((await lea.page.locator('.day-chart .chart-part').count()) > 0);
  failures.push(...(await capture(lea.page, 'office-flow-mine', 'en')));
});

test('an admin pauses the data meter, nothing is counted, and she turns it back on', { timeout: 60_000 }, async () => {
  const { page } = camille;
  const counted = async () => (await admin.get('/office/usage')).rows.reduce((sum, r) => sum + r.bytes_in + r.bytes_out, 0);
  await open(page, '/office/settings');
  const meter = page.getByLabel('Count each person’s data use');
  assert.ok(await meter.isChecked(), 'the meter counts by default');
  await meter.uncheck();
  await page.getByText('Paused: nothing is counted').waitFor();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForFunction(async () => (await (await fetch('/api/v1/office/settings')).json()).metering === false);
  await page.locator('.toast', { hasText: 'Office settings saved.' }).last().waitFor();
  const before = await counted();
  await leaApi.get('/me');
  await leaApi.get('/office/usage');
  assert.equal(await counted(), before, 'nothing is counted while the meter is paused');

  await page.reload();
  await meter.waitFor();
  assert.equal(await meter.isChecked(), false, 'the page shows the meter paused');
  await meter.check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForFunction(async () => (await (await fetch('/api/v1/office/settings')).json()).metering === true);
  await leaApi.get('/me');
  assert.ok((await counted()) > before, 'it counts again');
});

test('a meeting starts in the mode the connection test advises, or in data saver near the cap', { timeout: 90_000 }, async () => {
  const meeting = await admin.post('/meetings', { title: 'Office hours', invitees: [leaId, tomId] });
  const [latest] = await leaApi.get('/office/connection-tests');
  const { page } = lea;
  await page.goto(`${server.url}/meet/${meeting.id}`);
  await page.getByText(/^Your connection test of .* (says it is fine for video|advises data saver|advises audio only)\.$/).waitFor();
  await page.getByRole('link', { name: 'Run a full connection test' }).waitFor();
  failures.push(...(await capture(page, 'office-flow-prejoin', 'en')));
  const mode = await page.getByLabel('Data use').inputValue();
  const advised = { video: 'normal', data_saver: 'data-saver', audio_only: 'audio-only' }[latest.verdict];
  // The quick probe may only make it more careful, never less.
  const careful = ['normal', 'data-saver', 'audio-only'];
  assert.ok(careful.indexOf(mode) >= careful.indexOf(advised), `${mode} for a ${latest.verdict} test`);

  // Tom gets a 1 GB SIM and uses 30 MB of it; at a 1 % threshold his
  // meetings start in data saver, and the call says why.
  const sim = await admin.post('/office/equipment', { kind: 'sim', label: 'Tom’s SIM', cap_gb: 1, renewal_day: 1 });
  await admin.post(`/office/equipment/${sim.id}/assign`, { user_id: tomId });
  const cookie = [...tomApi.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const download = await fetch(`${server.url}/api/v1/office/speedtest/down?bytes=30000000`, { headers: { Cookie: cookie } });
  await download.arrayBuffer();
  const settings = await admin.get('/office/settings');
  await admin.put('/office/settings', { ...settings, saver_at_pct: 1, audio_only_at_pct: 90 });
  const [tomPlan] = (await admin.get(`/office/usage?user_id=${tomId}`)).plans;
  assert.equal(tomPlan?.level, 'data_saver', JSON.stringify(tomPlan));
  const withDevices = await launchWithDevices();
  try {
    const tom = await person(withDevices);
    await login(tom.page, server.url, TOM.name, PASSWORD);
    await tom.page.goto(`${server.url}/meet/${meeting.id}`);
    await tom.page.getByLabel('Data use').selectOption('normal');
    await tom.page.getByRole('button', { name: 'Join', exact: true }).click();
    await tom.page.locator('.meet-room').waitFor();
    await tom.page.getByText('Your data plan is nearly used up this month: this meeting runs in Data saver.').waitFor();
    tom.assertClean();
    await tom.close();
  } finally {
    await withDevices.close();
    await admin.put('/office/settings', settings);
  }
});

test('an admin edits a piece, exports the inventory, and imports a CSV file refused whole then kept in part', { timeout: 60_000 }, async () => {
  const { page } = camille;
  await open(page, '/office/equipment');
  await row(page, 'ThinkPad of the sales desk').getByRole('button', { name: 'Details of ThinkPad of the sales desk' }).click();
  await dialog(page).getByRole('button', { name: 'Edit', exact: true }).click();
  const edit = page.getByRole('dialog', { name: 'Edit ThinkPad of the sales desk' });
  // The form comes filled in with what the piece has.
  assert.equal(await edit.getByLabel('Model').inputValue(), 'ThinkPad T14 Gen 4');
  assert.equal(await edit.getByLabel('Cost (€)').inputValue(), '1149.90');
  await edit.getByLabel('Model').fill('ThinkPad T14 Gen 5');
  await edit.getByLabel('Cost (€)').fill('-1');
  await edit.getByRole('button', { name: 'Save' }).click();
  await edit.getByText('A cost cannot be negative.').waitFor();
  assert.equal(await edit.getByLabel('Cost (€)').getAttribute('aria-invalid'), 'true');
  await edit.getByLabel('Cost (€)').fill('1199.90');
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.locator('.toast', { hasText: 'ThinkPad of the sales desk saved.' }).waitFor();
  await edit.waitFor({ state: 'detached' });
  // The details show the change at once.
  await dialog(page).locator('.facts').getByText('ThinkPad T14 Gen 5').waitFor();
  await dialog(page).locator('.facts').getByText('€1,199.90').waitFor();
  const [laptop] = (await admin.get('/office/equipment')).filter((p) => p.label === 'ThinkPad of the sales desk');
  assert.equal(laptop.model, 'ThinkPad T14 Gen 5');
  assert.equal(laptop.cost_cents, 119990);
  assert.equal(laptop.holder, leaId, 'editing keeps the holder');
  await page.keyboard.press('Escape');
  await dialog(page).waitFor({ state: 'detached' });

  // The export is a CSV file of every piece.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const exported = readFileSync(await download.path(), 'utf8');
  assert.ok(exported.startsWith('id,kind,label'), exported.slice(0, 80));
  assert.match(exported, /ThinkPad T14 Gen 5/);
  assert.match(download.suggestedFilename(), /\.csv$/);

  // A file with a bad line, refused whole: nothing is added, the line is named.
  const before = (await admin.get('/office/equipment')).length;
  const file = csvWithABadLine();
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const importing = page.getByRole('dialog', { name: 'Import equipment from a CSV file' });
  await importing.getByLabel('CSV file').setInputFiles(file);
  assert.ok(await importing.getByLabel('Refuse the whole file').isChecked(), 'refusing is the default');
  await importing.getByRole('button', { name: 'Import', exact: true }).click();
  await importing.getByText('1 line is wrong, so nothing was imported.').waitFor();
  const bad = importing.locator('.import-lines tbody tr');
  assert.equal(await bad.count(), 1);
  assert.equal(await bad.locator('th').innerText(), '3');
  await bad.getByText('cost', { exact: true }).waitFor();
  await bad.getByText('An amount in euros like 1199.90, not negative.').waitFor();
  await bad.getByText('Found “abc”.').waitFor();
  assert.equal((await admin.get('/office/equipment')).length, before, 'nothing was added');

  // The same file, keeping the valid lines: two pieces come in, one given to Léa.
  await importing.getByLabel('Import the valid lines').check();
  await importing.getByRole('button', { name: 'Import', exact: true }).click();
  await importing.getByText('2 pieces imported. 1 line was left out:').waitFor();
  assert.equal(await bad.count(), 1);
  const after = await admin.get('/office/equipment');
  assert.equal(after.length, before + 2);
  assert.equal(after.find((p) => p.label === 'Poly Voyager')?.holder, leaId);
  assert.equal(after.find((p) => p.label === 'Jabra Evolve2 40')?.status, 'in_stock');
  failures.push(...(await capture(page, 'office-flow-import', 'en')));
  await importing.getByRole('button', { name: 'Close' }).click();
  await row(page, 'Poly Voyager').getByText('Léa Dubois').waitFor();
});

test('a member asks for a webcam and reports her laptop broken; the admin orders one, and she withdraws the other', { timeout: 60_000 }, async () => {
  const { page } = lea;
  await open(page, '/office');
  const requests = page.locator('section', { has: page.getByRole('heading', { name: 'My requests' }) });
  await requests.getByText('You have asked for nothing yet.').waitFor();

  // Asking without a reason is refused, and the form says why.
  await requests.getByRole('button', { name: 'Ask for equipment' }).click();
  const ask = page.getByRole('dialog', { name: 'Ask for equipment' });
  await ask.getByLabel('What do you need?').selectOption('webcam');
  await ask.getByRole('button', { name: 'Send the request' }).click();
  await ask.getByText('Say why in a few words (at most 4,000 characters).').waitFor();
  await ask.getByLabel('Why do you need it?').fill('My laptop’s camera is too dark for client calls.');
  await ask.getByRole('button', { name: 'Send the request' }).click();
  await page.locator('.toast', { hasText: 'Your request was sent to the administrators.' }).waitFor();
  const webcam = requests.locator('li', { hasText: 'New equipment' });
  await webcam.getByText('Webcam', { exact: true }).waitFor();
  await webcam.locator('.badge', { hasText: 'Open' }).waitFor();

  await page.getByRole('button', { name: 'Report broken: ThinkPad of the sales desk' }).click();
  const report = page.getByRole('dialog', { name: 'Report ThinkPad of the sales desk broken' });
  await report.getByLabel('What is wrong with it?').fill('The hinge cracked; the screen falls back.');
  await report.getByRole('button', { name: 'Report', exact: true }).click();
  await page.locator('.toast', { hasText: 'ThinkPad of the sales desk reported broken.' }).waitFor();
  const broken = requests.locator('li', { hasText: 'Reported broken' });
  await broken.getByText('ThinkPad of the sales desk').waitFor();
  const mine = await leaApi.get('/office/requests');
  assert.deepEqual(mine.map((r) => [r.what, r.kind, r.state]).sort(), [['broken', 'laptop', 'open'], ['new', 'webcam', 'open']]);

  // The queue: open requests, who asked, the count in the tab.
  const admin_ = camille.page;
  await open(admin_, '/office/requests');
  await admin_.locator('main .tabs').getByRole('link', { name: 'Requests (2)' }).waitFor();
  await admin_.getByText('2 open requests.').waitFor();
  const asked = row(admin_, 'My laptop’s camera is too dark');
  await asked.locator('.person', { hasText: 'Léa Dubois' }).waitFor();
  await asked.getByRole('button', { name: 'Answer the request of Léa Dubois' }).click();
  const answer = admin_.getByRole('dialog', { name: 'Answer the request' });
  await answer.getByText('Léa Dubois asks for: Webcam').waitFor();
  assert.ok(await answer.getByLabel('Ordered').isChecked(), 'an open request is most likely being ordered');
  await answer.getByLabel('Note to Léa Dubois (optional)').fill('Ordered a Logitech Brio: it arrives on Thursday.');
  await answer.getByRole('button', { name: 'Send the answer' }).click();
  await admin_.locator('.toast', { hasText: 'Request of Léa Dubois: ordered.' }).waitFor();
  await asked.locator('.badge', { hasText: 'Ordered' }).waitFor();
  await asked.getByText('Note: Ordered a Logitech Brio: it arrives on Thursday.').waitFor();
  await admin_.locator('main .tabs').getByRole('link', { name: 'Requests (1)' }).waitFor();
  failures.push(...(await capture(admin_, 'office-flow-requests', 'en')));

  // Léa reads the answer; the ordered request can no longer be withdrawn,
  // the open one can.
  await open(page, '/office');
  await webcam.locator('.badge', { hasText: 'Ordered' }).waitFor();
  await webcam.getByText('Ordered a Logitech Brio: it arrives on Thursday.').waitFor();
  assert.equal(await webcam.getByRole('button', { name: 'Withdraw' }).count(), 0);
  await broken.getByRole('button', { name: 'Withdraw' }).click();
  await page.locator('dialog[open]', { hasText: 'Withdraw this request?' }).getByRole('button', { name: 'Withdraw' }).click();
  await page.locator('.toast', { hasText: 'Request withdrawn.' }).waitFor();
  await broken.locator('.badge', { hasText: 'Withdrawn' }).waitFor();
  const ordered = mine.find((r) => r.what === 'new');
  await assert.rejects(leaApi.post(`/office/requests/${ordered.id}/state`, { state: 'withdrawn' }), /409/);
  await assert.rejects(leaApi.post(`/office/requests/${ordered.id}/state`, { state: 'done' }), /403/);
});

test('an admin lists the tools, the check refuses a private address, and each person finds the tools they need', { timeout: 90_000 }, async () => {
  const { page } = camille;
  await open(page, '/office/tools');
  await page.getByText('No tools yet.').waitFor();

  await page.getByRole('button', { name: 'Add a tool' }).click();
  const form = page.getByRole('dialog', { name: 'Add a tool' });
  await form.getByLabel('Name').fill('Intranet');
  await form.getByLabel('Address').fill('intranet');
  await form.getByLabel('Category').fill('Wiki');
  await form.getByLabel('Hosting').selectOption('self_hosted');
  await form.getByLabel('Reached from home').selectOption('vpn');
  await form.getByLabel('Chosen people and groups').check();
  await form.getByLabel('People', { exact: true }).fill('léa');
  await form.getByLabel('Léa Dubois').check();
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await form.getByText('An address starts with http:// or https:// and names a host').waitFor();
  assert.equal(await form.getByLabel('Address').getAttribute('aria-invalid'), 'true');
  await form.getByLabel('Address').fill('http://127.0.0.1:1/');
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('.toast', { hasText: 'Intranet added.' }).waitFor();
  const intranet = row(page, 'Intranet');
  const link = intranet.getByRole('link', { name: /^Intranet/ });
  assert.equal(await link.getAttribute('href'), 'http://127.0.0.1:1/');
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  await intranet.getByText('Wiki · Hosted by the company').waitFor();
  await intranet.getByText('Through the VPN').waitFor();
  await intranet.getByText('Léa Dubois').waitFor();
  await intranet.getByText('Not checked yet').waitFor();

  // The check refuses a private address and says where to allow it.
  await intranet.getByRole('button', { name: 'Check now: Intranet' }).click();
  await intranet.locator('.badge', { hasText: 'Refused' }).waitFor();
  await intranet.getByText('A private or local address: the check visits it only if its network is allowed.').waitFor();
  assert.equal(await intranet.getByRole('link', { name: 'Allow it in the settings' }).getAttribute('href'), '/office/settings');
  await page.getByText('0 of 1 tool reachable from home.').waitFor();

  // The CRM is for the Design group (Tom); a tool to delete.
  await admin.post('/office/tools', { name: 'CRM', url: 'https://crm.example.com/', category: 'Sales', hosting: 'saas', access: 'direct', groups: [designId] });
  await admin.post('/office/tools', { name: 'Old wiki', url: 'https://wiki.example.com/', hosting: 'saas', access: 'none', everyone: true });
  await page.reload();
  await row(page, 'Old wiki').getByRole('button', { name: 'Delete Old wiki' }).click();
  await page.locator('dialog[open]', { hasText: 'Delete Old wiki?' }).getByRole('button', { name: 'Delete' }).click();
  await page.locator('.toast', { hasText: 'Old wiki deleted.' }).waitFor();
  await row(page, 'Old wiki').waitFor({ state: 'detached' });
  await row(page, 'CRM').getByText('Design').waitFor();

  // Editing: the CRM is needed by everyone in Design and by Camille too.
  await row(page, 'CRM').getByRole('button', { name: 'Edit CRM' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit CRM' });
  assert.ok(await edit.getByLabel('Design').isChecked());
  await edit.getByLabel('Camille Martin').check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.locator('.toast', { hasText: 'CRM saved.' }).waitFor();
  await row(page, 'CRM').getByText('Design and Camille Martin').waitFor();
  failures.push(...(await capture(page, 'office-flow-tools', 'en')));

  // The settings name the networks the check may visit; a wrong one is refused.
  await open(page, '/office/settings');
  await page.getByLabel('Allowed private networks').fill('10.0.0.0/8\nthe office');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('One of these is not a network').waitFor();
  assert.equal(await page.getByLabel('Allowed private networks').getAttribute('aria-invalid'), 'true');
  await page.getByLabel('Allowed private networks').fill('10.0.0.0/8');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('.toast', { hasText: 'Office settings saved.' }).waitFor();
  assert.deepEqual((await admin.get('/office/settings')).allowed_networks, ['10.0.0.0/8']);

  // Léa needs the intranet (not the CRM): in her launcher, not reachable.
  await open(lea.page, '/office');
  const launcher = lea.page.locator('.tool-launcher');
  const tool = launcher.locator('li', { hasText: 'Intranet' });
  await tool.getByText('Not reachable from home at the last check').waitFor();
  assert.equal(await tool.getByRole('link').getAttribute('target'), '_blank');
  assert.equal(await launcher.getByText('CRM').count(), 0);
  await lea.page.locator('.check-todo', { hasText: 'A tool you need is not reachable from home' }).waitFor();
  assert.deepEqual((await leaApi.get('/office/tools')).tools.map((t) => t.name), ['Intranet']);

  // Tom needs the CRM through his group, and not the intranet.
  const tom = await person(browser);
  await login(tom.page, server.url, TOM.name, PASSWORD);
  await open(tom.page, '/office');
  const tomLauncher = tom.page.locator('.tool-launcher');
  await tomLauncher.locator('li', { hasText: 'CRM' }).getByText('Opens from anywhere').waitFor();
  assert.equal(await tomLauncher.getByText('Intranet').count(), 0);
  assert.deepEqual((await tomApi.get('/office/tools')).tools.map((t) => t.name), ['CRM']);
  await assert.rejects(tomApi.post('/office/tools', { name: 'Mine', url: 'https://x.example.com/', hosting: 'saas', access: 'direct' }), /403/);
  tom.assertClean();
  await tom.close();
});

test('every office screen passes axe in both languages and themes', { timeout: 240_000 }, async () => {
  const { page } = camille;
  const screens = [
    ['office-flow-overview', '/office'],
    ['office-flow-equipment', '/office/equipment'],
    ['office-flow-usage', '/office/usage'],
    ['office-flow-settings', '/office/settings'],
    ['office-flow-requests', '/office/requests'],
    ['office-flow-tools', '/office/tools'],
  ];
  for (const lang of ['en', 'fr']) {
    await setLanguage(page, lang);
    for (const [name, path] of screens) {
      await open(page, path);
      failures.push(...(await capture(page, name, lang)));
    }
    await open(page, '/office/equipment');
    await row(page, 'Orange 4G key').locator('.cell-actions button').click();
    await dialog(page).locator('.history-list').waitFor();
    failures.push(...(await capture(page, 'office-flow-equipment-details', lang)));
    await page.keyboard.press('Escape');
    await page.locator('main .page-actions .btn-primary').click();
    await dialog(page).locator('select').first().selectOption('sim');
    failures.push(...(await capture(page, 'office-flow-equipment-add', lang)));
    await page.keyboard.press('Escape');
    // The import's report of a refused file (nothing is stored).
    await page.locator('main .page-actions button').first().click();
    await dialog(page).locator('input[type=file]').setInputFiles(csvWithABadLine());
    await dialog(page).locator('button[type=submit]').click();
    await dialog(page).locator('.import-lines').waitFor();
    failures.push(...(await capture(page, 'office-flow-import', lang)));
    await page.keyboard.press('Escape');
    // A tool's form, with the people and groups who need it.
    await open(page, '/office/tools');
    await row(page, 'CRM').locator('.cell-actions .icon-btn').first().click();
    await dialog(page).locator('.people-picker').waitFor();
    failures.push(...(await capture(page, 'office-flow-tool-edit', lang)));
    await page.keyboard.press('Escape');
    // Answering a request.
    await open(page, '/office/requests');
    await row(page, 'Webcam').locator('.cell-actions button').click();
    await dialog(page).locator('textarea').waitFor();
    failures.push(...(await capture(page, 'office-flow-request-answer', lang)));
    await page.keyboard.press('Escape');
    // The test screen with a result and a history.
    await open(page, '/office/test');
    await page.locator('.test-card .btn-primary').click();
    await page.locator('.test-result').waitFor({ timeout: 90_000 });
    failures.push(...(await capture(page, 'office-flow-test', lang)));
  }
  await setLanguage(page, 'en');

  const { page: member } = lea;
  for (const lang of ['en', 'fr']) {
    await setLanguage(member, lang);
    await open(member, '/office');
    failures.push(...(await capture(member, 'office-flow-mine', lang)));
    await open(member, '/office/test');
    failures.push(...(await capture(member, 'office-flow-test-member', lang)));
  }
  await setLanguage(member, 'en');

  // On a phone.
  const phone = await person(browser, { viewport: PHONE });
  await login(phone.page, server.url, CAMILLE.name, PASSWORD);
  await setLanguage(phone.page, 'fr');
  for (const [name, path] of [
    ['phone-office-flow-overview', '/office'],
    ['phone-office-flow-equipment', '/office/equipment'],
    ['phone-office-flow-usage', '/office/usage'],
    ['phone-office-flow-requests', '/office/requests'],
    ['phone-office-flow-tools', '/office/tools'],
  ]) {
    await open(phone.page, path);
    failures.push(...(await capture(phone.page, name, 'fr')));
  }
  await setLanguage(phone.page, 'en');
  phone.assertClean();
  await phone.close();
  assert.deepEqual(failures, [], failures.join('\n\n'));
});
