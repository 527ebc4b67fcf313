// browser_team.mjs — team mode in Chromium: each role signs in through the
// login form, walks its pages (reports, a report, the journal, a test, team
// lessons; the audit log for the owner), sees its name and role in the
// header, is kept out of another creator's report, and logs out.  A
// screenshot of each page goes to ARTIFACT_DIR (team-ROLE-PAGE.png).
//
// Usage: node browser_team.mjs PATH/TO/shoplab ARTIFACT_DIR
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';
import { makeTeamStore, ACCOUNTS, PASSWORD } from './team.mjs';

const [binary, artifacts] = process.argv.slice(2);
let server, browser;
const problems = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  const store = makeTeamStore(binary);
  server = await startServer(binary, [], { db: store.db });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

// Each role's own import/test id and another creator's.
const IDS = { '@ana': { own: 1, other: 2 }, '@ben': { own: 2, other: 1 } };

// Every page at desktop and at phone width, as the other browser tests.
const WIDTHS = [['desktop', 1280, 800], ['phone', 390, 844]];

for (const [role, account] of Object.entries(ACCOUNTS)) for (const [width, w, h] of WIDTHS) {
  test(`${role} (${account.name}) signs in and walks its pages, ${width}`, async () => {
    const context = await browser.newContext({ viewport: { width: w, height: h } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`${role}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${role}: ${e.message}`));
    const shot = async (name) => {
      // Nothing scrolls sideways, on a phone either.
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= w, `${role} ${name} at ${width}: ${wide} px wide in a ${w} px window`);
      await page.screenshot({ path: join(artifacts, `team-${role}-${name}-${width}.png`), fullPage: true });
    };

    // Signed out: any page leads to the login form, which comes back to it.
    await page.goto(new URL('/journal', server.url).href);
    assert.match(page.url(), /\/login\?next=%2Fjournal$/);
    await shot('login');
    // The login page names the product and maps no section behind the login.
    assert.equal(await page.locator('nav[aria-label=Main] li').count(), 0, 'no navigation signed out');
    assert.equal((await page.textContent('nav[aria-label=Main] .brand')).trim(), 'ShopLab');
    await page.fill('#f-name', account.name);
    await page.fill('#f-password', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    assert.match(page.url(), /\/journal$/);
    assert.ok(await page.locator('nav[aria-label=Main] li').count() >= 8, 'the navigation, signed in');
    assert.equal((await page.textContent('.account .who')).trim(), `${account.name} (${role.replace(/2$/, '')})`);
    await shot('journal');

    const ids = account.sees ? IDS[account.sees] : { own: 1, other: 2 };
    for (const [name, path, status] of [
      ['reports', '/reports', 200],
      ['report', `/reports/${ids.own}`, 200],
      ['test', `/journal/${ids.own}`, 200],
      ['lessons', '/journal/lessons', 200],
      ['audit', '/team/audit', role === 'owner' ? 200 : 404],
      ['other-report', `/reports/${ids.other}`, role === 'owner' ? 200 : 404],
    ]) {
      const res = await page.goto(new URL(path, server.url).href);
      assert.equal(res.status(), status, `${role} ${path}`);
      if (name === 'lessons') {
        // A lesson names its metric as a creator reads it, not by its option name.
        const heading = (await page.textContent('section.lesson h2')).trim();
        assert.equal(heading, 'Pick · card timing · Product CTR');
      }
      await shot(name);
    }
    await page.goto(new URL('/reports', server.url).href);
    const uploads = await page.locator('input[type=file]').count();
    assert.equal(uploads, role === 'viewer' ? 0 : 1, 'viewers get no upload form');
    const deletes = await page.locator('form[action$="/delete"]').count();
    if (role === 'viewer') assert.equal(deletes, 0, 'viewers are offered no delete');
    else assert.ok(deletes >= 1, `${role} may delete its own imports`);

    await Promise.all([page.waitForNavigation(), page.click('form[action="/logout"] button')]);
    assert.match(page.url(), /\/login$/);
    const res = await page.goto(new URL('/reports', server.url).href);
    assert.match(page.url(), /\/login\?next=%2Freports$/, 'logged out');
    assert.equal(res.status(), 200);
    await context.close();
  });
}

test('no console errors or script problems', () => {
  assert.deepEqual(problems, []);
});
