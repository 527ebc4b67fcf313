// browser.mjs — end-to-end tests of the web app in Debian's Chromium, driven
// by playwright-core: every page type opened, the decoder and compare forms
// filled and submitted, a drill played to its score, exports uploaded
// (including one whose titles are HTML), an import deleted; pages checked
// at phone width and for labelled form fields.  The last test visits every
// page the app has at 1280×800 and 390×844 and measures it: axe-core
// (pinned in package.json, injected from node_modules: nothing is fetched
// while the test runs) must find no violation, the page must not scroll
// sideways, form fields must have 16 px text (iOS zooms on smaller), and a
// screenshot of each is written to ARTIFACT_DIR (build/screenshots/ from
// meson; not committed).
//
// Usage: node browser.mjs PATH/TO/shoplab FIXTURE_DIR SAMPLE_CSV ARTIFACT_DIR
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

// axe-core's source, evaluated in the page through the DevTools protocol:
// the app's CSP refuses inline scripts (page.addScriptTag({content}) would be
// blocked, and must stay blocked), but an evaluate is not a page script.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

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

// The two widths every page is measured at: a laptop and a phone.
const WIDTHS = [{ name: 'desktop', width: 1280, height: 800 }, { name: 'phone', width: 390, height: 844 }];

// axe-core on the current page: the violations, as "rule: target (summary)"
// lines (empty when none).
async function axeViolations() {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  return result.violations.flatMap((v) => v.nodes.map((n) =>
    `${v.id}: ${n.target.join(' ')} (${(n.failureSummary || v.help).split('\n').slice(0, 2).join(' ')})`));
}

// How far the page scrolls sideways (px; 0 or less: it does not).
const overflowX = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

// Form fields whose text is under 16 px (iOS zooms into them), as "id: size".
const smallFields = () => page.evaluate(() => [...document.querySelectorAll(
  'input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea')]
  .map((el) => [el.id || el.name, parseFloat(getComputedStyle(el).fontSize)])
  .filter(([, size]) => size < 16).map(([id, size]) => `${id}: ${size}px`));

// After a form submit the answer (or the error) region has focus and its top
// is on screen.
async function assertResultFocused(what) {
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'result',
    null, { timeout: 5000 }).catch(() => {});
  const state = await page.evaluate(() => ({
    focused: document.activeElement && document.activeElement.id,
    top: document.getElementById('result') && document.getElementById('result').getBoundingClientRect().top,
    height: window.innerHeight,
    // A short page cannot scroll the result any higher.
    atBottom: window.scrollY >= document.documentElement.scrollHeight - window.innerHeight - 1,
  }));
  assert.equal(state.focused, 'result', `${what}: the result has focus`);
  assert.ok(state.top >= 0 && (state.top < state.height / 3 || (state.atBottom && state.top < state.height / 2)),
    `${what}: the result starts at ${state.top}px`);
}

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
  // Nothing matches: the filter says so and leaves no bare step headings.
  await page.fill('#glossary-q', 'zzqx');
  assert.match(await page.locator('#glossary-none').innerText(), /No term matches “zzqx”/);
  assert.equal(await page.locator('main h2:visible').count(), 0, 'no empty headings');
  await page.fill('#glossary-q', '');
  assert.equal(await page.locator('#glossary-none:visible').count(), 0);
  assert.ok(await page.locator('main h2:visible').count() >= 3);
  // The verdict and step words are terms.
  for (const slug of ['attention', 'click-through', 'conversion', 'too-early', 'weak', 'typical', 'strong']) {
    const r = await page.request.get(new URL(`/glossary/${slug}`, server.url).href);
    assert.equal(r.status(), 200, slug);
  }
  // An alias from an export, submitted: lands on the term's page.
  await page.fill('#glossary-q', 'CO rate');
  await page.press('#glossary-q', 'Enter');
  await page.waitForURL(/\/glossary\/ctor$/);
  await checkCommon(/CTOR · ShopLab/);
  const main = await page.locator('main').innerText();
  for (const part of ['Also called', 'Formula', 'Out of (denominator)', 'What it means',
    'When it is low', 'Questions', 'Related terms', 'Practise next']) assert.ok(main.includes(part), part);
  assert.match(main, /orders \/ product_clicks/);
  assert.match(main, /Glossary › Read\n/); // the step as a page shows it
  await shot('term-ctor');
  // Related term links work.
  await page.locator('h2:has-text("Related terms") + ul a').first().click();
  await page.waitForURL(/\/glossary\/[a-z-]+$/);
  assert.equal(await page.locator('h1').count(), 1);
  // A misspelling: suggestions.
  await go('/glossary?q=ctorr');
  assert.match(await page.locator('.error[role=alert]').innerText(), /No term is called “ctorr”/);
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
  await page.waitForURL(/views=12000.*#result$/);
  await assertResultFocused('decoder');
  const result = await page.locator('#result').innerText();
  assert.match(result, /practice reference values/);
  assert.match(result, /Product CTR\s+2\.50%\s+2\.13% – 2\.93%/);
  assert.match(result, /click-through: weak/);
  assert.match(result, /conversion: too-early/);
  assert.match(result, /with about 1,998 more product clicks it would settle 4 times in 5/);
  assert.match(result, /Bottleneck: click-through, the first weak step/);
  assert.match(result, /Move the product card to the first proof moment/);
  // The answer first: the bottleneck and the next test come before the details.
  assert.ok(result.indexOf('One next test') < result.indexOf('Steps, in funnel order'));
  assert.equal(await page.locator('#result svg[aria-label="Funnel of this video"] rect').count(), 4);
  // The step and verdict words link to their glossary terms.
  for (const slug of ['attention', 'click-through', 'conversion', 'weak', 'too-early', 'strong'])
    assert.ok(await page.locator(`#result a[href="/glossary/${slug}"]`).count(), slug);
  await shot('decoder');
  // The result's address is the bookmark.
  const bookmarked = page.url();
  await go('/');
  await page.goto(bookmarked);
  assert.match(await page.locator('main').innerText(), /Bottleneck: click-through/);
  // A bad entry: the error names the field and is focused, the field is
  // marked, the form keeps what was typed.
  await go('/decoder?impressions=100&clicks=120');
  assert.match(await page.locator('#result .error').innerText(), /Product clicks \(120\) exceed product impressions \(100\)/);
  assert.equal(await page.inputValue('#f-clicks'), '120');
  assert.equal(await page.getAttribute('#f-clicks', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#f-clicks', 'aria-describedby'), 'f-clicks-msg');
  assert.match(await page.locator('#f-clicks-msg').innerText(), /exceed/);
  assert.equal(await page.getAttribute('#f-views', 'aria-invalid'), null);
  // The border of a field in error is red (the stylesheet's --bad).
  assert.equal(await page.$eval('#f-clicks', (el) => getComputedStyle(el).borderTopColor), 'rgb(163, 38, 42)');
  // An empty submit says what is missing instead of showing the form again.
  await go('/decoder');
  await page.click('button:has-text("Decode")');
  await page.waitForURL(/#result$/);
  await assertResultFocused('empty decoder');
  assert.match(await page.locator('#result').innerText(), /give at least one of views, product impressions, product clicks or orders/);
  assert.equal(await page.getAttribute('#f-views', 'aria-invalid'), 'true');
});

// The verdict of a compare or a journal look: its sentence is the first
// thing in the result, the statistics sit in a disclosure with glossary
// links, and nothing in the result is wider than its container.
async function checkVerdictRegion(what) {
  const first = await page.evaluate(() => {
    const r = document.getElementById('result') || document.querySelector('.journal-result');
    const box = r.querySelector('.verdict-box');
    const before = [...r.querySelectorAll('p, table, dl, svg, details')]
      .filter((el) => box && (el.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) && !box.contains(el));
    return { box: !!box, before: before.length, sentence: box && box.querySelector('.verdict-sentence').innerText };
  });
  assert.ok(first.box, `${what}: a verdict box`);
  assert.equal(first.before, 0, `${what}: nothing comes before the verdict`);
  assert.match(first.sentence, /^(Too early to (call|tell)|Video B's|No clear difference)/);
  const links = await page.locator('details.stats a[href^="/glossary/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const slug of ['p-value', 'always-valid-p', 'chance-b-better', 'confidence-interval'])
    assert.ok(links.includes(`/glossary/${slug}`), `${what}: glossary link ${slug}`);
  // Open the numbers and measure: no table wider than its container.
  await page.evaluate(() => document.querySelectorAll('details.stats').forEach((d) => { d.open = true; }));
  const wide = await page.evaluate(() => [...document.querySelectorAll('main table, main svg, .verdict-box')]
    .filter((el) => el.scrollWidth > el.parentElement.clientWidth + 1 || el.getBoundingClientRect().right > window.innerWidth + 1)
    .map((el) => `${el.tagName} ${el.scrollWidth} in ${el.parentElement.clientWidth}`));
  assert.deepEqual(wide, [], `${what}: elements wider than their container`);
  assert.ok((await overflowX()) <= 1, `${what}: the page scrolls sideways`);
}

test('compare: verdict sentence first, numbers in details, at 1280 and 390', async () => {
  for (const w of WIDTHS) {
    await page.setViewportSize({ width: w.width, height: w.height });
    await go('/compare');
    await checkCommon(/Compare two videos/);
    await page.selectOption('#f-metric', 'ctr');
    await page.fill('#f-a-trials', '10000');
    await page.fill('#f-a-successes', '312');
    await page.fill('#f-b-trials', '10000');
    await page.fill('#f-b-successes', '365');
    await page.click('button:has-text("Compare")');
    await page.waitForURL(/b-successes=365/);
    await assertResultFocused(`compare ${w.name}`);
    const result = await page.locator('#result').innerText();
    assert.match(result, /Too early to call: video B's Product CTR is higher \(3\.65% against 3\.12% on video A/);
    assert.match(result, /16,365 more product impressions/);
    await checkVerdictRegion(`compare ${w.name}`);
    const details = await page.locator('details.stats').innerText();
    assert.match(details, /10,000/);
    assert.match(details, /p-value\s+0\.0382/);
    assert.doesNotMatch(result, /trials|successes|mSPRT p/i);
    assert.equal(await page.locator('svg[aria-label^="The two rates"] circle').count(), 2);
    await shot(`compare-${w.name}`);
    // An empty submit says what is missing and marks the field.
    await go('/compare?metric=ctr&a-trials=&a-successes=&b-trials=&b-successes=&mde=');
    assert.match(await page.locator('#result').innerText(), /Nothing to compare yet/);
    assert.equal(await page.getAttribute('#f-a-trials', 'aria-invalid'), 'true');
    // A bad entry: its field is marked, the message sits next to it.
    await go('/compare');
    await page.fill('#f-a-trials', '100');
    await page.fill('#f-a-successes', '120');
    await page.fill('#f-b-trials', '100');
    await page.fill('#f-b-successes', '5');
    await page.click('button:has-text("Compare")');
    await page.waitForURL(/a-successes=120/);
    await assertResultFocused(`compare error ${w.name}`);
    assert.equal(await page.getAttribute('#f-a-successes', 'aria-invalid'), 'true');
    assert.match(await page.locator('#f-a-successes-msg').innerText(), /exceed/);
    await shot(`compare-error-${w.name}`);
  }
  await page.setViewportSize({ width: 1100, height: 900 });
  assert.deepEqual(problems, []);
});

test('drills: play a read session to the score; progress is kept', async () => {
  await go('/drills');
  await checkCommon(/Drills/);
  assert.match(await page.locator('main').innerText(), /Practice data/);
  await page.click('a[href="/drills/read"]');
  await page.waitForURL(/\/drills\/read\?seed=\d+&i=0&score=0$/);
  let answered = 0, right = 0;
  // Answering without a choice: told so, the options marked, focus on it.
  await page.evaluate(() => document.querySelectorAll('input[required]').forEach((el) => { el.required = false; }));
  await page.click('button:has-text("Answer")');
  await assertResultFocused('drill without an answer');
  assert.match(await page.locator('#result').innerText(), /Choose one of the options/);
  for (;;) {
    await page.locator('input[name=answer]').first().check();
    await page.click('button:has-text("Answer")');
    if (answered === 0) await assertResultFocused('drill answer');
    const verdict = await page.locator('#result h2').innerText();
    assert.match(verdict, /^(Right\.|Not quite\.)$/);
    answered++;
    if (verdict === 'Right.') right++;
    if (answered === 1) await shot('drill-answer');
    const next = page.locator('a:has-text("Next scenario")');
    if (await next.count() === 0) break;
    await next.click();
  }
  assert.equal(answered, 5);
  assert.match(await page.locator('#result h3').last().innerText(), new RegExp(`Score: ${right} of 5`));
  await go('/drills');
  assert.match(await page.locator('main').innerText(), /You have answered 5 \(\d+ right\)/);
  // Pick and tag play the same way: one answer each, with its explanation.
  for (const type of ['pick', 'tag']) {
    await go(`/drills/${type}`);
    await page.waitForURL(new RegExp(`/drills/${type}\\?seed=\\d+&i=0&score=0$`));
    await page.locator('input[name=answer]').first().check();
    await page.click('button:has-text("Answer")');
    assert.match(await page.locator('#result h2').innerText(), /^(Right\.|Not quite\.)$/);
    assert.ok(await page.locator('a:has-text("Next scenario")').count(), `${type}: a next scenario`);
  }
  // The options are shown in the seed's order, not the file's: over a few
  // seeded sessions of tag drills (whose file lists the right answer first
  // 9 times in 12), always taking the first option wins about a third.
  let first = 0, total = 0;
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    for (let i = 0; i < 5; i++) {
      await go(`/drills/tag?seed=${seed}&i=${i}&score=0`);
      await page.locator('input[name=answer]').first().check();
      await page.click('button:has-text("Answer")');
      total++;
      if ((await page.locator('#result h2').innerText()) === 'Right.') first++;
    }
  }
  assert.ok(first <= total / 2, `always the first option scored ${first} of ${total}`);
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
  assert.match(main, /Videos\s+8/);
  assert.ok(await page.locator('main svg[aria-label="Funnel of the totals"]').count());
  assert.match(main, /Rows 1–8 of 8/);
  await shot('report-sample');
  // Rows a page at a time, in the order asked for.
  await page.selectOption('#f-sort', 'views');
  await page.fill('#f-per', '3');
  await page.click('button:has-text("Show")');
  await page.waitForURL(/sort=views/);
  assert.match(await page.locator('main').innerText(), /Rows 1–3 of 8/);
  // The rows (the totals are in the table's footer): views are the third cell.
  const views = async () => (await page.locator('.report table.rows tbody tr').evaluateAll((rows) => rows
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

// The report page reads first: on a fresh server (an empty store) the
// practice export is one click away, then the report is measured at both
// widths: the reading column inside the viewport, a card per row on the
// phone with its verdict on top, sorting by a column header, the weak-step
// filter, the plan link's metric, the trend by day, chart text ≥ 12 px.
test('reports: first run, the reading in view at 1280 and 390, header sort, weak filter, trend', async () => {
  const fresh = await startServer(binary);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  const open = (path) => p.goto(new URL(path, fresh.url).href);
  const rowViews = () => p.locator('table.rows tbody tr').evaluateAll((rows) => rows
    .map((r) => Number(r.cells[2].innerText.replace(/,/g, ''))));
  // Rendered size of the smallest chart text: font size × the SVG's scale.
  const smallestChartText = () => p.evaluate(() => Math.min(...[...document.querySelectorAll('main svg text')]
    .map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)));
  try {
    await open('/reports');
    let main = await p.locator('main').innerText();
    assert.match(main, /Start with practice data/);
    assert.match(main, /invented for learning/);
    assert.match(main, /Where your own export files are/);
    assert.doesNotMatch(main, /affiliated with TikTok|official/i, 'no claim of affiliation in the first-run text');
    // The drop zone is the file input's label: a large target that works without the script.
    const zone = await p.locator('label.drop').boundingBox();
    assert.ok(zone.height >= 100 && zone.width >= 300, `drop zone ${zone.width}×${zone.height}`);
    assert.equal(await p.locator('label.drop input#f-file').count(), 1);
    // A 0-byte file is called empty.
    await p.setInputFiles('#f-file', { name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
    await p.click('button:has-text("Read the file")');
    assert.match(await p.locator('.error').innerText(), /empty\.csv is empty \(0 bytes\)/);
    // The practice export with one click, labelled practice.
    await p.click('button:has-text("Open the practice export")');
    await p.waitForURL(/\/reports\/\d+$/);
    const reportUrl = p.url();
    main = await p.locator('main').innerText();
    assert.match(main, /Practice data:/);
    // Summary cards: totals, both rates with their intervals, the weak step across rows.
    const summary = await p.locator('section.summary').innerText();
    assert.match(summary, /Views\s+117,200/);
    assert.match(summary, /Product CTR\s+4\.05%\s+3\.88–4\.23%/);
    assert.match(summary, /CTOR\s+3\.26%\s+2\.57–4\.14%/);
    assert.match(summary, /Weak step across rows[\s\S]*of 8 videos/);
    // 1280 px: the title first (the ID small under it) and the reading in view.
    const desk = await p.evaluate(() => {
      const cell = document.querySelector('table.rows tbody td.reading');
      const key = document.querySelector('table.rows tbody th.key');
      return { right: cell.getBoundingClientRect().right, width: innerWidth,
        title: key.querySelector('.title').textContent, id: key.querySelector('.id').textContent,
        overflow: document.documentElement.scrollWidth - innerWidth,
        sticky: getComputedStyle(key).position };
    });
    assert.ok(desk.right <= desk.width, `the reading ends at ${desk.right}px of ${desk.width}`);
    assert.equal(desk.title, 'Night reading setup');
    assert.equal(desk.id, '7400000000000000103');
    assert.equal(desk.sticky, 'sticky');
    assert.ok(desk.overflow <= 0, `page scrolls sideways by ${desk.overflow}px`);
    assert.ok(await smallestChartText() >= 12, 'chart text at 1280 px');
    // Funnel bars are linear: impressions / views = 49,120 / 117,200.
    const bars = await p.locator('svg.funnel rect').evaluateAll((r) => r.map((e) => Number(e.getAttribute('width'))));
    assert.ok(Math.abs(bars[1] / bars[0] - 49120 / 117200) < 0.01, `bar ratio ${bars[1] / bars[0]}`);
    // "plan a test on this video" follows the row's weak step.
    const plan = (id) => p.locator(`th.key:has-text("${id}") a`).getAttribute('href');
    assert.match(await plan('7400000000000000104'), /metric=ctor&before-video=7400000000000000104$/);
    assert.match(await plan('7400000000000000102'), /metric=ctr&before-video=7400000000000000102$/);
    // Trend by day, its text alternative and its table.
    assert.equal(await p.locator('svg.trend-chart[role=img] title').count(), 1);
    assert.match(await p.locator('figure.trend details').textContent(), /2026-09-04/);
    await p.screenshot({ path: join(artifacts, 'report-reading-desktop.png'), fullPage: true });
    // Sorting by a column header (links: no script needed): largest first, then flipped.
    await p.click('table.rows thead a:has-text("Views")');
    await p.waitForURL(/sort=views&dir=desc/);
    let v = await rowViews();
    assert.deepEqual(v, [...v].sort((a, b) => b - a));
    assert.equal(await p.locator('th[aria-sort=descending]').count(), 1);
    await p.click('table.rows thead a:has-text("Views")');
    await p.waitForURL(/sort=views&dir=asc/);
    v = await rowViews();
    assert.deepEqual(v, [...v].sort((a, b) => a - b));
    // Only the rows with a weak step; totals stay the whole report's.
    await p.click('a:has-text("Show only the 3 with a weak step")');
    await p.waitForURL(/weak=1/);
    const verdicts = await p.locator('table.rows tbody td.reading .verdict').allInnerTexts();
    assert.equal(verdicts.length, 3);
    for (const t of verdicts) assert.match(t, /is weak$/);
    assert.match(await p.locator('table.rows tfoot').innerText(), /117,200/);
    assert.match(await p.locator('main').innerText(), /Rows 1–3 of 3/);
    // 390 px: one card per row, the verdict on top, nothing off screen.
    await p.setViewportSize({ width: 390, height: 844 });
    await p.goto(reportUrl);
    const phone = await p.evaluate(() => {
      const row = document.querySelector('table.rows tbody tr');
      const verdict = row.querySelector('td.reading .verdict').getBoundingClientRect();
      const title = row.querySelector('th.key').getBoundingClientRect();
      return { verdictTop: verdict.top, titleTop: title.top, verdictRight: verdict.right,
        rowRight: row.getBoundingClientRect().right, width: innerWidth,
        head: getComputedStyle(document.querySelector('table.rows thead')).display,
        overflow: document.documentElement.scrollWidth - innerWidth };
    });
    assert.ok(phone.verdictTop < phone.titleTop, 'the verdict is on top of the card');
    assert.ok(phone.verdictRight <= phone.width && phone.rowRight <= phone.width, JSON.stringify(phone));
    assert.equal(phone.head, 'none', 'cards, not a table');
    assert.ok(phone.overflow <= 1, `page scrolls sideways by ${phone.overflow}px`);
    assert.ok(await smallestChartText() >= 12, 'chart text at 390 px');
    await p.screenshot({ path: join(artifacts, 'report-reading-phone.png'), fullPage: true });
    // A report that is not there speaks of the web app, not the command line.
    await open('/reports/999');
    main = await p.locator('main').innerText();
    assert.match(main, /There is no report #999 here/);
    assert.doesNotMatch(main, /shoplab (history|read)/);
    assert.equal(await p.locator('main a[href="/reports"]').count() >= 1, true);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await fresh.stop();
  }
});

test('phone width: no sideways scrolling; every field has a label', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
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
  // On a phone the reading starts at the top of the screen, with the
  // bottleneck and the next test on the first screenful.
  await assertResultFocused('decoder on a phone');
  for (const what of ['Bottleneck:', 'One next test:']) {
    const box = await page.locator(`#result b:has-text("${what}")`).boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 844, `${what} at y=${box && box.y} on a phone`);
  }
  assert.deepEqual(problems, []);
});

test('journal: compare → plan (edit after the preview is saved) → looks → refusals → close', async () => {
  await page.setViewportSize({ width: 1100, height: 900 });
  await go('/compare?metric=ctr&a-trials=10000&a-successes=312&b-trials=10000&b-successes=365');
  await page.click('a:has-text("Save this as a test")');
  await page.waitForURL(/\/journal\/new\?metric=ctr&before-trials=10000&before-successes=312/);
  await checkCommon(/Plan a one-change test/);
  assert.equal(await page.locator('button:has-text("Save the plan")').count(), 1, 'the preview is already there');
  assert.match(await page.locator('#result').innerText(), /the after-video needs 20,873 product impressions/);
  await page.fill('#f-change', 'Move the card to the <b>proof</b> moment');
  await page.fill('#f-hypothesis', 'Viewers tap while they still want to check it');
  await page.fill('#f-expect', 'CTR from 3.1% to about 3.7%');
  await page.selectOption('#f-step', 'tag');
  await page.click('button:has-text("Show the sample again")');
  await assertResultFocused('plan preview');
  // Edited after the preview: Save keeps what is on screen.
  await page.fill('#f-change', 'Move the card to the <b>proof</b> moment, edited');
  await page.click('button:has-text("Save the plan")');
  await page.waitForURL(/\/journal\/\d+/);
  const testUrl = page.url().replace(/#.*$/, '');
  let main = await page.locator('main').innerText();
  assert.ok(main.includes('Test #1: Move the card to the <b>proof</b> moment, edited'), 'the edit was saved, escaped');
  // No kind of change chosen: guessed from the change's words ("card").
  assert.match(main, /Kind of change\s+card timing/);
  // The loop step as a page shows it, not as its option value.
  assert.match(main, /Step\s+Tag\n/);
  assert.match(main, /No look yet/);
  // No verdict yet: the close form preselects no outcome.
  assert.equal(await page.inputValue('#f-outcome'), '');
  // Four looks, growing counts; the always-valid p never rises.
  const looks = [[3000, 100], [6000, 215], [12000, 440], [21000, 780]];
  for (const [t, s] of looks) {
    await page.fill('#f-after-trials', String(t));
    await page.fill('#f-after-successes', String(s));
    await page.click('button:has-text("Add the look")');
    await page.waitForURL(new RegExp(`${testUrl}#result$`));
  }
  await assertResultFocused('look');
  assert.equal(await page.locator('table.looks tbody tr').count(), 4);
  const avp = (await page.locator('table.looks td.avp').allInnerTexts()).map(Number);
  for (let i = 1; i < avp.length; i++) assert.ok(avp[i] <= avp[i - 1], `running minimum: ${avp}`);
  assert.equal(await page.locator('svg[aria-label^="Always-valid p"] circle').count(), 4);
  assert.equal(await page.locator('table.looks time[datetime]').count(), 4, 'times carry their UTC value');
  main = await page.locator('main').innerText();
  assert.match(main, /open, plan frozen/);
  assert.match(main, /21,000/);
  // The close form's default outcome is the latest verdict's (none while too early).
  const verdict = await page.locator('.journal-result .verdict-word .verdict').getAttribute('class');
  const expected = (verdict.match(/v-(b-better|a-better|no-clear-difference)/) || [, ''])[1];
  assert.equal(await page.inputValue('#f-outcome'), expected);
  for (const w of WIDTHS) {
    await page.setViewportSize({ width: w.width, height: w.height });
    await go(testUrl);
    await checkVerdictRegion(`journal test ${w.name}`);
    await shot(`journal-test-${w.name}`);
  }
  await page.setViewportSize({ width: 1100, height: 900 });
  await go(testUrl);
  // Looks cannot go backwards: the error is focused and the field marked.
  await page.fill('#f-after-trials', '100');
  await page.fill('#f-after-successes', '5');
  await page.click('button:has-text("Add the look")');
  await assertResultFocused('look error');
  assert.match(await page.locator('#result').innerText(), /./);
  assert.equal(await page.locator('table.looks tbody tr').count(), 4, 'nothing stored');
  // An empty look says what is missing.
  await page.fill('#f-after-trials', '');
  await page.fill('#f-after-successes', '');
  await page.click('button:has-text("Add the look")');
  assert.match(await page.locator('#result').innerText(), /Give the after-video's ID, or both of its counts/);
  assert.equal(await page.getAttribute('#f-after-video', 'aria-invalid'), 'true');
  // A second open test on the same creator and metric is refused without "anyway".
  await go('/journal/new?metric=ctr&step=tag&before-trials=5000&before-successes=150&change=Shorter+hook&hypothesis=More+people+stay');
  assert.equal(await page.inputValue('#f-tag'), '', 'the kind of change is guessed unless chosen');
  await page.selectOption('#f-tag', 'price');
  await page.click('button:has-text("Save the plan")');
  assert.match(await page.locator('main').innerText(), /Two changes tested at once cannot be told apart/);
  assert.equal(await page.inputValue('#f-tag'), 'price', 'a refused plan keeps the chosen kind');
  // An empty plan submit says what is missing.
  await go('/journal/new');
  await page.click('button:has-text("Show the sample needed")');
  await assertResultFocused('empty plan');
  assert.match(await page.locator('#result').innerText(), /Give the before-video/);
  // Close with a lesson.
  await page.goto(testUrl);
  await page.selectOption('#f-outcome', 'b-better');
  await page.fill('#f-lesson', 'Card at the proof moment: more taps');
  await page.click('button:has-text("Close the test")');
  await page.waitForURL(new RegExp(`${testUrl}#result$`));
  main = await page.locator('main').innerText();
  assert.match(main, /Lesson: Card at the proof moment: more taps/);
  assert.equal(await page.locator('#f-after-trials').count(), 0, 'a closed test takes no looks');
  for (const w of WIDTHS) {
    await page.setViewportSize({ width: w.width, height: w.height });
    await go('/journal');
    main = await page.locator('main').innerText();
    assert.match(main, /Open tests \(0\)/);
    assert.match(main, /Closed tests \(1\)/);
    assert.match(main, /Closed: B \(after\) is better\. Lesson: Card at the proof moment/);
    assert.ok((await overflowX()) <= 1, `journal ${w.name} scrolls sideways`);
    await shot(`journal-${w.name}`);
  }
  await page.setViewportSize({ width: 1100, height: 900 });
  // A report row offers a test on its video.
  await go('/reports');
  await page.setInputFiles('#f-file', sample);
  await page.click('button:has-text("Read the file")');
  await page.waitForURL(/\/reports\/\d+/);
  await page.locator('a:has-text("plan a test on this video")').first().click();
  await page.waitForURL(/before-video=7400000000000000103/);
  assert.match(await page.locator('#result').innerText(), /from import #\d+\): 431 product clicks out of 9,800/);
  assert.deepEqual(problems, []);
});

test('every page at 1280×800 and 390×844: axe, overflow, field text, screenshots', async () => {
  await page.setViewportSize(WIDTHS[0]);
  await go('/reports');
  let report = await page.locator('main a[href^="/reports/"]').evaluateAll((as) =>
    as.map((a) => a.getAttribute('href')).find((h) => /^\/reports\/\d+$/.test(h)));
  if (!report) {
    await page.setInputFiles('#f-file', sample);
    await page.click('button:has-text("Read the file")');
    await page.waitForURL(/\/reports\/\d+$/);
    report = new URL(page.url()).pathname;
  }
  await go('/journal');
  const journalTest = await page.locator('main a[href^="/journal/"]').evaluateAll((as) =>
    as.map((a) => a.getAttribute('href')).find((h) => /^\/journal\/\d+$/.test(h)));
  const pages = [
    ['home', '/'],
    ['glossary', '/glossary'],
    ['glossary-no-match', '/glossary?q=zzqx'],
    ['term', '/glossary/product-ctr'],
    ['term-missing', '/glossary/nonsense'],
    ['guides', '/guides'],
    ['guide', '/guides/clicks-no-orders'],
    ['decoder', '/decoder'],
    ['decoder-result', '/decoder?views=12000&impressions=6000&clicks=150&orders=3&gmv=89.70#result'],
    ['decoder-error', '/decoder?views=&impressions=100&clicks=120&orders=#result'],
    ['compare', '/compare'],
    ['compare-result', '/compare?metric=ctr&a-trials=10000&a-successes=312&b-trials=10000&b-successes=365'],
    ['drills', '/drills'],
    ['drill', '/drills/read?seed=7&i=0&score=0'],
    ['reports', '/reports'],
    ['report', report],
    ['report-missing', '/reports/999999'],
    ['journal', '/journal'],
    ['journal-new', '/journal/new?metric=ctr&before-trials=10000&before-successes=312'],
    ...(journalTest ? [['journal-test', journalTest]] : []),
  ];
  const failures = [];
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    for (const [name, path] of pages) {
      await go(path);
      const where = `${name} (${path}) at ${size.width}px`;
      for (const v of await axeViolations()) failures.push(`${where}: axe ${v}`);
      const over = await overflowX();
      if (over > 0) failures.push(`${where}: scrolls sideways by ${over}px`);
      for (const f of await smallFields()) failures.push(`${where}: field text ${f}`);
      await shot(`${name}-${size.name}`);
    }
    // A drill's answer page, reached by its form (a POST).
    await go('/drills/tag?seed=3&i=0&score=0');
    await page.locator('input[name=answer]').first().check();
    await page.click('button:has-text("Answer")');
    await page.waitForURL(/#result$/);
    for (const v of await axeViolations()) failures.push(`drill answer at ${size.width}px: axe ${v}`);
    const over = await overflowX();
    if (over > 0) failures.push(`drill answer at ${size.width}px: scrolls sideways by ${over}px`);
    await shot(`drill-answer-${size.name}`);
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(problems, []);
});
