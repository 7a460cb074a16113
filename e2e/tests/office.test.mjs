// The office as people live it, in Chromium: Camille (an administrator)
// adds a laptop and a 4G key with a 20 GB plan through the forms, is told
// why a negative cap is refused (and nothing is added), gives both to Léa,
// and reads who held them when; Léa sees her own equipment and checklist
// and none of the administrators' screens; she runs the connection test,
// which gives a verdict and lands in her history and in the readiness
// overview; the data she used shows in the charts against her plan; her
// meeting starts in the mode her test advises, and Tom, past his small
// plan's threshold, is told why his call runs in data saver. Screenshots
// and axe-core on every office screen, in English and French.

import assert from 'node:assert/strict';
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

  for (const path of ['/office/equipment', '/office/usage', '/office/settings']) {
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

test('every office screen passes axe in both languages and themes', { timeout: 240_000 }, async () => {
  const { page } = camille;
  const screens = [
    ['office-flow-overview', '/office'],
    ['office-flow-equipment', '/office/equipment'],
    ['office-flow-usage', '/office/usage'],
    ['office-flow-settings', '/office/settings'],
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
    await page.locator('main .page-actions button').click();
    await dialog(page).locator('select').first().selectOption('sim');
    failures.push(...(await capture(page, 'office-flow-equipment-add', lang)));
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
  ]) {
    await open(phone.page, path);
    failures.push(...(await capture(phone.page, name, 'fr')));
  }
  await setLanguage(phone.page, 'en');
  phone.assertClean();
  await phone.close();
  assert.deepEqual(failures, [], failures.join('\n\n'));
});
