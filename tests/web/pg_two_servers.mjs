// pg_two_servers.mjs — two `shoplab serve` processes on one PostgreSQL
// database: what one writes, the other shows on its next request.  An
// upload on A is listed by B (the JSON API and the HTML page) and B serves
// its report; a journal test planned on A from a video of that upload, and a
// look added on A, are read back on B; an import deleted on B is gone on A.
//
// Usage: run.sh pg_two_servers.mjs PATH/TO/shoplab FIXTURES/web
// Needs SHOPLAB_TEST_PG (tests/pg/cluster.sh; `./run test` sets it): see
// pg.mjs for the skip and the failure without it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDatabase } from './pg.mjs';
import { startServer } from './serve.mjs';

const [binary, fixtures] = process.argv.slice(2);
let database, a, b;

before(async () => {
  database = freshDatabase('two_servers');
  // One after the other: the first opens and migrates the empty database.
  a = await startServer(binary, [], { db: database.uri });
  b = await startServer(binary, [], { db: database.uri });
});
after(async () => {
  if (a) await a.stop();
  if (b) await b.stop();
  if (database) database.drop();
});

// A session on one server: its cookie value is also the CSRF token.
async function session(server) {
  const res = await fetch(new URL('/reports', server.url));
  await res.text();
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /^sl_session=[0-9a-f]{32};/);
  const token = cookie.split(';')[0].split('=')[1];
  return { token, headers: { Cookie: `sl_session=${token}`, 'X-CSRF-Token': token } };
}

async function getJson(server, path) {
  const res = await fetch(new URL(path, server.url));
  assert.equal(res.status, 200, `${server.url}${path.slice(1)}`);
  return res.json();
}

async function upload(server, s, name, text) {
  const form = new FormData();
  form.append('file', new Blob([text]), name);
  const up = await fetch(new URL('/api/reports', server.url), { method: 'POST', body: form, headers: s.headers });
  assert.equal(up.status, 202);
  const where = up.headers.get('location');
  await up.json();
  for (let i = 0; i < 400; i++) {
    const { job } = await (await fetch(new URL(where, server.url), { headers: s.headers })).json();
    if (job.state === 'done') {
      assert.equal(job.already, false);
      return Number(job.report.split('/').pop());
    }
    assert.notEqual(job.state, 'failed', JSON.stringify(job.error));
    await new Promise((ok) => setTimeout(ok, 25));
  }
  throw new Error(`the upload of ${name} did not finish`);
}

// A form POST (the journal's pages): the redirect it answers with.
async function postForm(server, s, path, fields) {
  const body = new URLSearchParams({ csrf: s.token, ...fields }).toString();
  const res = await fetch(new URL(path, server.url), {
    method: 'POST', body, redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: s.headers.Cookie },
  });
  await res.text();
  assert.equal(res.status, 303, `POST ${path}`);
  return res.headers.get('location');
}

const xss = () => readFileSync(join(fixtures, 'xss-video-list.csv'));
const other = 'Video ID,Video views,Product impressions,Product clicks,Orders,GMV\n' +
  '7400000000000000801,9000,3000,90,4,119.60\n' +
  '7400000000000000802,1000,500,10,0,0\n';

test('two servers on one PostgreSQL database see each other\'s writes', async () => {
  const sa = await session(a), sb = await session(b);
  assert.deepEqual((await getJson(b, '/api/reports')).imports, [], 'the database starts empty');

  // An upload on A is listed by B, in the API and on the page, and B serves it.
  const first = await upload(a, sa, 'xss-video-list.csv', xss());
  const second = await upload(a, sa, 'other-video-list.csv', other);
  assert.notEqual(first, second);
  const listed = (await getJson(b, '/api/reports')).imports;
  assert.deepEqual(listed.map((m) => m.id).sort((x, y) => x - y), [first, second].sort((x, y) => x - y));
  const one = listed.find((m) => m.id === first);
  assert.equal(one.file, 'xss-video-list.csv');
  assert.equal(one.rows, 3);
  assert.equal(listed.find((m) => m.id === second).rows, 2);
  const page = await (await fetch(new URL('/reports', b.url))).text();
  assert.ok(page.includes(`href="/reports/${first}"`), 'B\'s reports page links the import made on A');
  assert.ok(page.includes(`href="/reports/${second}"`));
  assert.ok(page.includes('other-video-list.csv'));
  const report = await getJson(b, `/api/reports/${first}`);
  assert.equal(report.rows.length, 3);
  assert.equal(report.totals.funnel.views, 12000);
  assert.equal(report.totals.funnel.gmv, 179.4);

  // A journal test planned on A from a video of that import, and a look on A,
  // are read on B.
  const to = await postForm(a, sa, '/journal', {
    metric: 'ctr', step: 'tag', change: 'Shorter hook', hypothesis: 'More people stay',
    'before-video': '7400000000000000901', mde: '0.2',
  });
  // A kind of change that is not on the list is refused, and nothing is kept.
  const bad = await fetch(new URL('/journal', a.url), {
    method: 'POST', redirect: 'manual',
    body: new URLSearchParams({ csrf: sa.token, metric: 'ctr', step: 'tag', change: 'Shorter hook',
      hypothesis: 'More people stay', 'before-video': '7400000000000000901', tag: 'vibes' }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: sa.headers.Cookie },
  });
  assert.equal(bad.status, 400);
  const refused = await bad.text();
  assert.match(refused, /Choose the kind of change from the list/);
  assert.match(refused, /<select id="f-tag" name="tag" aria-invalid=true/, 'the field is marked');
  const m = to.match(/^\/journal\/(\d+)$/);
  assert.ok(m, `the plan redirects to its test: ${to}`);
  const testId = Number(m[1]);
  let tests = (await getJson(b, '/api/journal')).tests;
  assert.equal(tests.length, 1);
  assert.equal(tests[0].id, testId);
  assert.equal(tests[0].change, 'Shorter hook');
  assert.equal(tests[0].tag, 'hook', 'no kind of change given: guessed from the words');
  assert.equal(tests[0].before.import_id, first, 'the before-video is read from the import made on A');
  assert.equal(tests[0].before.trials, 2000);
  assert.equal(tests[0].before.successes, 80);
  assert.equal(tests[0].looks.length, 0);
  assert.equal(tests[0].frozen, false);
  assert.equal(await postForm(a, sa, `/journal/${testId}/look`,
    { 'after-trials': '3000', 'after-successes': '150' }), `/journal/${testId}#result`);
  tests = (await getJson(b, '/api/journal')).tests;
  assert.equal(tests.length, 1);
  assert.equal(tests[0].looks.length, 1, 'B sees the look added on A');
  assert.equal(tests[0].looks[0].trials, 3000);
  assert.equal(tests[0].looks[0].successes, 150);
  assert.equal(tests[0].frozen, true);
  const single = await getJson(b, `/api/journal/${testId}`);
  assert.equal(single.looks.length, 1);

  // A delete on B is gone on A.
  const del = await fetch(new URL(`/api/reports/${second}`, b.url), { method: 'DELETE', headers: sb.headers });
  assert.equal(del.status, 200);
  assert.deepEqual(await del.json(), { deleted: second });
  assert.deepEqual((await getJson(a, '/api/reports')).imports.map((m) => m.id), [first]);
  const gone = await fetch(new URL(`/api/reports/${second}`, a.url));
  assert.equal(gone.status, 404, 'A no longer serves the import deleted on B');
  const pageA = await (await fetch(new URL('/reports', a.url))).text();
  assert.ok(!pageA.includes(`href="/reports/${second}"`), 'A\'s reports page no longer lists it');
  assert.ok(pageA.includes(`href="/reports/${first}"`));

  // The same file uploaded again on B is the import made on A.
  const form = new FormData();
  form.append('file', new Blob([xss()]), 'xss-video-list.csv');
  const up = await fetch(new URL('/api/reports', b.url), { method: 'POST', body: form, headers: sb.headers });
  const where = up.headers.get('location');
  let job;
  for (let i = 0; i < 400; i++) {
    ({ job } = await (await fetch(new URL(where, b.url), { headers: sb.headers })).json());
    if (job.state !== 'queued' && job.state !== 'running') break;
    await new Promise((ok) => setTimeout(ok, 25));
  }
  assert.equal(job.state, 'done');
  assert.equal(job.already, true, 'B finds the content A imported');
  assert.equal(job.report, `/api/reports/${first}`);
});
