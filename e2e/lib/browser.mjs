// Debian's Chromium, driven by playwright-core, started as DESIGN.md says.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { artifacts } from './paths.mjs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a fresh profile (playwright-core gives each launch a new
 * temporary --user-data-dir; each context is a separate person). */
export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 30_000 });
}

/** A browser whose camera and microphone are Chromium's fakes (a test
 * pattern and a beep), granted without asking; screen capture gives a tab. */
export async function launchWithDevices(extra = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...FLAGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream=display-media-type=browser',
      '--auto-accept-this-tab-capture',
      '--autoplay-policy=no-user-gesture-required',
      ...extra,
    ],
    timeout: 30_000,
  });
}

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

/**
 * A new person at a desk: their own cookies, cache and service worker.
 * Page errors and CSP violations are collected; `assertClean` fails on them.
 */
export async function person(browser, { locale = 'en-US', colorScheme = 'light', viewport = DESKTOP } = {}) {
  const context = await browser.newContext({ locale, colorScheme, viewport, serviceWorkers: 'allow' });
  context.setDefaultTimeout(15_000);
  const problems = [];
  const page = await context.newPage();
  watch(page, problems);
  context.on('page', (p) => watch(p, problems));
  return {
    context,
    page,
    problems,
    async newPage() {
      return context.newPage();
    },
    assertClean() {
      if (problems.length) throw new Error(`the page reported problems:\n${problems.join('\n')}`);
    },
    async close() {
      await context.close();
    },
  };
}

function watch(page, problems) {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content.Security.Policy|Refused to (load|apply|execute)/i.test(text)) problems.push(`CSP: ${text}`);
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core in the page (through the DevTools protocol, so the page's
 * CSP still applies to the page itself) and returns the serious and
 * critical violations, each with the elements at fault.
 */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const run = await axe.run(document, { resultTypes: ['violations'] });
    return run.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(0, 2).join(' ')}`),
    }));
  });
  return results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(violations) {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n');
}

/** Saves a screenshot under e2e/artifacts/screens/. */
export async function screenshot(page, name) {
  const dir = join(artifacts, 'screens');
  mkdirSync(dir, { recursive: true });
  // Sticky bars are drawn where the page is scrolled to: start at the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

/**
 * Audits what the page shows with axe-core and photographs it, in the light
 * and the dark theme. Returns the serious and critical violations found, as
 * sentences naming the screen.
 */
export async function capture(page, name, lang) {
  await page.waitForFunction(() => !document.querySelector('.loading, .splash, [aria-busy="true"]'));
  const failures = [];
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    // Let colour transitions finish before measuring contrast.
    await page.waitForTimeout(300);
    const violations = await axeViolations(page);
    if (violations.length) failures.push(`${name} (${lang}, ${scheme}):\n${describeViolations(violations)}`);
    await screenshot(page, `${name}-${lang}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return failures;
}
