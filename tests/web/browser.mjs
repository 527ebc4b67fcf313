// browser.mjs — end-to-end tests of the web app in Debian's Chromium, driven
// by playwright-core: every page type opened, the decoder and compare forms
// filled and submitted, a drill played to its score, exports uploaded
// (including one whose titles are HTML), an import deleted; pages checked
// at phone width and for labelled form fields.  Screenshots go to
// tests/artifacts/ (ignored by git).
//
// Usage: node browser.mjs PATH/TO/shoplab FIXTURE_DIR SAMPLE_CSV ARTIFACT_DIR
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const [binary, fixtures, sample, artifacts] = process.argv.slice(2);
let server, browser, page;
const problems = []; // console errors, CSP reports, script dialogs

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  server = await startServer(binary);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
  page.on('console', (m) => {
    // Error pages answer 4xx on purpose (a bad form entry is 422); Chromium
    // logs each as a failed load.  Anything else (a CSP refusal, a script
    // error) is a problem.
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => {
    // The only dialog the app opens is the delete confirmation.
    if (d.type() === 'confirm' && /Delete import/.test(d.message())) await d.accept();
    else { problems.push(`unexpected ${d.type()} dialog: ${d.message()}`); await d.dismiss(); }
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

const go = (path) => page.goto(new URL(path, server.url).href);
const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

async function checkCommon(title) {
  assert.match(await page.title(), title);
  const footer = await page.locator('footer').innerText();
  assert.match(footer, /not affiliated with/);
  assert.match(footer, /promises no views, clicks, orders or earnings/);
  assert.deepEqual(problems, []);
}

test('home: the loop and where to start', async () => {
  await go('/');
  await checkCommon(/Read your shoppable-video numbers · ShopLab/);
  const text = await page.locator('main').innerText();
  assert.match(text, /1\. Pick/);
  assert.match(text, /2\. Tag/);
  assert.match(text, /3\. Read/);
  assert.match(text, /What to do first/);
  await shot('home');
});

test('glossary: index by step, alias search, did you mean, a term page', async () => {
  await go('/glossary');
  await checkCommon(/Glossary/);
  for (const step of ['Pick', 'Tag', 'Read']) assert.ok(await page.locator(`h2:has-text("${step}:")`).count());
  // The live filter (embedded script) hides what does not match.
  await page.fill('#glossary-q', 'gpm');
  const visible = await page.locator('[data-term]:visible').allInnerTexts();
  assert.ok(visible.length >= 1 && visible.length < 10, `filter left ${visible.length}`);
  assert.ok(visible.some((t) => /GPM/.test(t)));
  await shot('glossary');
  // An alias from an export, submitted: lands on the term's page.
  await page.fill('#glossary-q', 'CO rate');
  await page.press('#glossary-q', 'Enter');
  await page.waitForURL(/\/glossary\/ctor$/);
  await checkCommon(/CTOR · ShopLab/);
  const main = await page.locator('main').innerText();
  for (const part of ['Also called', 'Formula', 'Out of (denominator)', 'What it means',
    'When it is low', 'Questions', 'Related terms', 'Practise next']) assert.ok(main.includes(part), part);
  assert.match(main, /orders \/ product_clicks/);
  await shot('term-ctor');
  // Related term links work.
  await page.locator('h2:has-text("Related terms") + ul a').first().click();
  await page.waitForURL(/\/glossary\/[a-z-]+$/);
  assert.equal(await page.locator('h1').count(), 1);
  // A misspelling: suggestions.
  await go('/glossary?q=ctorr');
  assert.match(await page.locator('.error').innerText(), /No term is called “ctorr”/);
  assert.ok(await page.locator('main ul a[href="/glossary/ctor"]').count());
});

test('guides: index and a guide page', async () => {
  await go('/guides');
  await checkCommon(/Guides/);
  await page.click('a[href="/guides/clicks-no-orders"]');
  await page.waitForURL(/clicks-no-orders$/);
  const main = await page.locator('main').innerText();
  assert.match(main, /Do next/);
  assert.match(main, /Checklist/);
  assert.match(main, /Questions/);
  await shot('guide');
});

test('decoder: fill, submit, read, bookmark', async () => {
  await go('/decoder');
  await checkCommon(/Metrics Decoder/);
  await page.fill('#f-views', '12000');
  await page.fill('#f-impressions', '6000');
  await page.fill('#f-clicks', '150');
  await page.fill('#f-orders', '3');
  await page.fill('#f-gmv', '89.70');
  await page.click('button:has-text("Decode")');
  await page.waitForURL(/views=12000/);
  const result = await page.locator('section[aria-labelledby=result-h]').innerText();
  assert.match(result, /practice reference values/);
  assert.match(result, /Product CTR\s+2\.50%\s+2\.13% – 2\.93%/);
  assert.match(result, /click-through: weak/);
  assert.match(result, /conversion: too-early/);
  assert.match(result, /with about 1,998 more product clicks it would settle 4 times in 5/);
  assert.match(result, /Bottleneck\s+click-through/);
  assert.match(result, /Move the product card to the first proof moment/);
  assert.equal(await page.locator('section svg[aria-label="Funnel of this video"] rect').count(), 4);
  await shot('decoder');
  // The result's address is the bookmark.
  const bookmarked = page.url();
  await go('/');
  await page.goto(bookmarked);
  assert.match(await page.locator('main').innerText(), /Bottleneck\s+click-through/);
  // A bad entry: the error names the field, the form keeps what was typed.
  await go('/decoder?impressions=100&clicks=120');
  assert.match(await page.locator('.error').innerText(), /product clicks \(120\) exceed product impressions \(100\)/);
  assert.equal(await page.inputValue('#f-clicks'), '120');
});

test('compare: before / after, verdict and both intervals', async () => {
  await go('/compare');
  await checkCommon(/Compare two videos/);
  await page.selectOption('#f-metric', 'ctr');
  await page.fill('#f-a-trials', '10000');
  await page.fill('#f-a-successes', '312');
  await page.fill('#f-b-trials', '10000');
  await page.fill('#f-b-successes', '365');
  await page.click('button:has-text("Compare")');
  await page.waitForURL(/b-successes=365/);
  const main = await page.locator('main').innerText();
  assert.match(main, /Verdict: too-early/);
  assert.match(main, /Too early to tell: Product CTR 3\.65% vs 3\.12%/);
  assert.match(main, /16365 more/);
  assert.equal(await page.locator('svg[aria-label^="The two rates"] circle').count(), 2);
  await shot('compare');
});

test('drills: play a read session to the score; progress is kept', async () => {
  await go('/drills');
  await checkCommon(/Drills/);
  assert.match(await page.locator('main').innerText(), /Practice data/);
  await page.click('a[href="/drills/read"]');
  await page.waitForURL(/\/drills\/read\?seed=\d+&i=0&score=0$/);
  let answered = 0, right = 0;
  for (;;) {
    await page.locator('input[name=answer]').first().check();
    await page.click('button:has-text("Answer")');
    const verdict = await page.locator('section.card p').first().innerText();
    assert.match(verdict, /^(Right\.|Not quite\.)$/);
    answered++;
    if (verdict === 'Right.') right++;
    if (answered === 1) await shot('drill-answer');
    const next = page.locator('a:has-text("Next scenario")');
    if (await next.count() === 0) break;
    await next.click();
  }
  assert.equal(answered, 5);
  assert.match(await page.locator('main h2').last().innerText(), new RegExp(`Score: ${right} of 5`));
  await go('/drills');
  assert.match(await page.locator('main').innerText(), /You have answered 5 \(\d+ right\)/);
  // Pick and tag play the same way: one answer each, with its explanation.
  for (const type of ['pick', 'tag']) {
    await go(`/drills/${type}`);
    await page.waitForURL(new RegExp(`/drills/${type}\\?seed=\\d+&i=0&score=0$`));
    await page.locator('input[name=answer]').first().check();
    await page.click('button:has-text("Answer")');
    assert.match(await page.locator('section.card p').first().innerText(), /^(Right\.|Not quite\.)$/);
    assert.ok(await page.locator('a:has-text("Next scenario")').count(), `${type}: a next scenario`);
  }
});

test('reports: upload the sample, then an export with HTML in its titles, then delete', async () => {
  await go('/reports');
  await checkCommon(/Reports/);
  await page.setInputFiles('#f-file', sample);
  await page.click('button:has-text("Read the file")');
  await page.waitForURL(/\/reports\/\d+$/);
  let main = await page.locator('main').innerText();
  assert.match(main, /practice-video-list\.csv/);
  assert.match(main, /7400000000000000103/);
  assert.match(main, /8 videos/);
  assert.ok(await page.locator('main svg[aria-label="Funnel of the totals"]').count());
  assert.match(main, /Rows 1–8 of 8/);
  await shot('report-sample');
  // Rows a page at a time, in the order asked for.
  await page.selectOption('#f-sort', 'views');
  await page.fill('#f-per', '3');
  await page.click('button:has-text("Show")');
  await page.waitForURL(/sort=views/);
  assert.match(await page.locator('main').innerText(), /Rows 1–3 of 8/);
  // Ranked rows only (the totals row has no rank).
  const views = async () => (await page.locator('.report tbody tr').evaluateAll((rows) => rows
    .filter((r) => /^\d+$/.test(r.cells[0].innerText.trim()))
    .map((r) => Number(r.cells[2].innerText.replace(/,/g, '')))));
  const firstPage = await views();
  assert.equal(firstPage.length, 3);
  assert.deepEqual(firstPage, [...firstPage].sort((a, b) => b - a), 'largest views first');
  await page.locator('a:has-text("Next")').first().click();
  await page.waitForURL(/page=2/);
  assert.match(await page.locator('main').innerText(), /Rows 4–6 of 8/);
  assert.ok((await views())[0] <= firstPage[2], 'page 2 continues the order');
  await shot('report-paged');
  // Titles that are HTML must show as text and never run.
  await go('/reports');
  await page.setInputFiles('#f-file', join(fixtures, 'xss-video-list.csv'));
  await page.click('button:has-text("Read the file")');
  await page.waitForURL(/\/reports\/\d+$/);
  main = await page.locator('main').innerText();
  assert.ok(main.includes('<script>alert(1)</script>'), 'the script title shows as text');
  assert.ok(main.includes('"><img src=x onerror=alert(2)>'), 'the img title shows as text');
  assert.equal(await page.locator('img').count(), 0, 'no element was injected');
  assert.equal(await page.locator('main script').count(), 0);
  await shot('report-xss');
  // Grouping switch.
  await page.selectOption('#f-by', 'day');
  await page.click('button:has-text("Show")');
  await page.waitForURL(/by=day/);
  assert.match(await page.locator('main').innerText(), /2026-10-01/);
  // Delete it from the list (the confirmation is accepted).
  await go('/reports');
  const rows = await page.locator('tbody tr').count();
  assert.equal(rows, 2);
  await page.locator('tbody tr').first().locator('button:has-text("Delete")').click();
  await page.waitForURL(/\/reports$/);
  assert.equal(await page.locator('tbody tr').count(), 1);
  // An unreadable file: the error says why.
  await page.setInputFiles('#f-file', { name: 'notes.csv', mimeType: 'text/csv', buffer: Buffer.from('hello\nworld\n') });
  await page.click('button:has-text("Read the file")');
  assert.match(await page.locator('.error').innerText(), /notes\.csv/);
  assert.deepEqual(problems, []);
});

test('phone width: no sideways scrolling; every field has a label', async () => {
  await page.setViewportSize({ width: 375, height: 800 });
  for (const path of ['/', '/glossary', '/glossary/product-ctr', '/guides/creator-metrics',
    '/decoder?views=12000&impressions=6000&clicks=150&orders=3', '/compare?a-trials=10000&a-successes=312&b-trials=10000&b-successes=365',
    '/drills', '/reports']) {
    await go(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${path} scrolls sideways by ${overflow}px`);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), select')]
      .filter((el) => !(el.id && document.querySelector(`label[for="${el.id}"]`)) && !el.closest('label') && !el.getAttribute('aria-label'))
      .map((el) => el.name));
    assert.deepEqual(unlabelled, [], `${path}: fields without a label`);
  }
  await go('/decoder?views=12000&impressions=6000&clicks=150&orders=3');
  await shot('decoder-phone');
  // Keyboard: the first field takes focus by Tab after the skip link and navigation.
  await go('/decoder');
  await page.focus('#f-views');
  await page.keyboard.type('5000');
  await page.keyboard.press('Tab');
  await page.keyboard.type('2000');
  await page.keyboard.press('Enter');
  await page.waitForURL(/views=5000&impressions=2000/);
  assert.deepEqual(problems, []);
});

test('journal: compare → plan (sample shown first) → four looks → refusals → close', async () => {
  await page.setViewportSize({ width: 1100, height: 900 });
  await go('/compare?metric=ctr&a-trials=10000&a-successes=312&b-trials=10000&b-successes=365');
  await page.click('a:has-text("Save this as a test")');
  await page.waitForURL(/\/journal\/new\?metric=ctr&before-trials=10000&before-successes=312/);
  await checkCommon(/Plan a one-change test/);
  assert.equal(await page.locator('button:has-text("Save the plan")').count(), 1, 'the preview is already there');
  assert.match(await page.locator('section.card').innerText(), /the after-video needs 20873 product impressions/);
  await page.fill('#f-change', 'Move the card to the <b>proof</b> moment');
  await page.fill('#f-hypothesis', 'Viewers tap while they still want to check it');
  await page.fill('#f-expect', 'CTR from 3.1% to about 3.7%');
  await page.selectOption('#f-step', 'tag');
  await page.click('button:has-text("Show the sample needed")');
  await page.waitForURL(/change=Move/);
  await page.click('button:has-text("Save the plan")');
  await page.waitForURL(/\/journal\/\d+$/);
  const testUrl = page.url();
  let main = await page.locator('main').innerText();
  assert.ok(main.includes('Test #1: Move the card to the <b>proof</b> moment'), 'typed text is escaped');
  assert.match(main, /No look yet/);
  // Four looks, growing counts; the always-valid p never rises.
  const looks = [[3000, 100], [6000, 215], [12000, 440], [21000, 780]];
  for (const [t, s] of looks) {
    await page.fill('#f-after-trials', String(t));
    await page.fill('#f-after-successes', String(s));
    await page.click('button:has-text("Add the look")');
    await page.waitForURL(testUrl);
  }
  assert.equal(await page.locator('h2:has-text("Looks") + div tbody tr').count(), 4);
  const avp = (await page.locator('h2:has-text("Looks") + div tbody tr td:nth-child(8)').allInnerTexts()).map(Number);
  for (let i = 1; i < avp.length; i++) assert.ok(avp[i] <= avp[i - 1], `running minimum: ${avp}`);
  assert.equal(await page.locator('svg[aria-label^="Always-valid p"] circle').count(), 4);
  main = await page.locator('main').innerText();
  assert.match(main, /open, plan frozen/);
  assert.match(main, /planned sample is reached|more product impressions to go/);
  await shot('journal-test');
  // Looks cannot go backwards.
  await page.fill('#f-after-trials', '100');
  await page.fill('#f-after-successes', '5');
  await page.click('button:has-text("Add the look")');
  assert.match(await page.locator('.error').innerText(), /./);
  assert.equal(await page.locator('h2:has-text("Looks") + div tbody tr').count(), 4, 'nothing stored');
  // A second open test on the same creator and metric is refused without "anyway".
  await go('/journal/new?metric=ctr&step=tag&before-trials=5000&before-successes=150&change=Shorter+hook&hypothesis=More+people+stay');
  await page.click('button:has-text("Save the plan")');
  assert.match(await page.locator('main').innerText(), /Two changes tested at once cannot be told apart/);
  // Close with a lesson.
  await page.goto(testUrl);
  await page.selectOption('#f-outcome', 'b-better');
  await page.fill('#f-lesson', 'Card at the proof moment: more taps');
  await page.click('button:has-text("Close the test")');
  await page.waitForURL(testUrl);
  main = await page.locator('main').innerText();
  assert.match(main, /Lesson: Card at the proof moment: more taps/);
  assert.equal(await page.locator('#f-after-trials').count(), 0, 'a closed test takes no looks');
  await go('/journal');
  main = await page.locator('main').innerText();
  assert.match(main, /Open tests \(0\)/);
  assert.match(main, /Closed tests \(1\)/);
  assert.match(main, /Closed: b-better\. Lesson: Card at the proof moment/);
  await shot('journal');
  // A report row offers a test on its video.
  await go('/reports');
  await page.setInputFiles('#f-file', sample);
  await page.click('button:has-text("Read the file")');
  await page.waitForURL(/\/reports\/\d+/);
  await page.locator('a:has-text("plan a test on this video")').first().click();
  await page.waitForURL(/before-video=7400000000000000103/);
  assert.match(await page.locator('section.card').innerText(), /from import #\d+\): 431 product clicks out of 9800/);
  assert.deepEqual(problems, []);
});
