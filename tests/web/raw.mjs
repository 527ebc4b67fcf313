// raw.mjs — malformed and hostile requests over raw sockets against the real
// `shoplab serve`; after each one the server must still answer a plain GET.
// Also: the JSON API shapes, security headers, CSRF, Host and size checks,
// no inline script or style in any page, a slow client that does not block
// others, and a clean shutdown on SIGTERM.
//
// Usage: node raw.mjs PATH/TO/shoplab FIXTURE_DIR
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './serve.mjs';

const [binary, fixtures] = process.argv.slice(2);
let server;

before(async () => { server = await startServer(binary, ['--max-upload', '1']); });
after(async () => { if (server) await server.stop(); });

// Sends raw bytes, returns everything the server answered (until it closes
// or `wait` ms of silence).
function raw(bytes, { wait = 1500, chunks = null, gap = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(server.port, '127.0.0.1');
    let data = '';
    let timer;
    const done = () => { clearTimeout(timer); sock.destroy(); resolve(data); };
    const arm = () => { clearTimeout(timer); timer = setTimeout(done, wait); };
    sock.on('data', (d) => { data += d.toString('latin1'); arm(); });
    sock.on('end', done);
    sock.on('close', done);
    sock.on('error', (e) => (data ? done() : reject(e)));
    sock.on('connect', async () => {
      arm();
      if (!chunks) { sock.write(bytes); return; }
      for (const c of chunks) {
        if (sock.destroyed) break;
        sock.write(c);
        await new Promise((r) => setTimeout(r, gap));
      }
    });
  });
}

const status = (text) => Number((text.match(/^HTTP\/1\.[01] (\d{3})/) || [])[1]);
const host = () => `127.0.0.1:${server.port}`;

async function stillAnswers() {
  const res = await fetch(server.url);
  assert.equal(res.status, 200, 'the server keeps answering');
  const html = await res.text();
  assert.match(html, /Turn your numbers into one next decision/);
  // Solo mode: the footer says nothing leaves this computer.
  assert.match(html, /Everything runs on this computer/);
}

// Pages with a form set the session cookie (its value is the CSRF token);
// content pages set none (they are cached and the same for everyone).
async function session() {
  const res = await fetch(new URL('/reports', server.url));
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /^sl_session=[0-9a-f]{32}; Path=\/; HttpOnly; SameSite=Strict$/);
  return cookie.split(';')[0].split('=')[1];
}

test('unknown method gets 405 with Allow', async () => {
  const r = await raw(`BREW / HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
  assert.equal(status(r), 405);
  assert.match(r, /\r\nAllow: GET, HEAD, POST, DELETE\r\n/i);
  await stillAnswers();
});

test('a request line that is not HTTP gets 400', async () => {
  const r = await raw('HELLO\r\n\r\n');
  assert.ok(status(r) >= 400 && status(r) < 500 || r === '', `got: ${r.slice(0, 80)}`);
  await stillAnswers();
});

test('huge headers get 431 (or 413), not a crash', async () => {
  const big = 'X-Filler: ' + 'a'.repeat(100 * 1024) + '\r\n';
  const r = await raw(`GET / HTTP/1.1\r\nHost: ${host()}\r\n${big}Connection: close\r\n\r\n`);
  assert.ok([413, 431, 400].includes(status(r)), `status ${status(r)}`);
  await stillAnswers();
});

test('bad percent-encoding gets 400', async () => {
  for (const path of ['/glossary?q=%zz', '/glossary/%4', '/decoder?views=1%00', '/api/terms/%G1']) {
    const r = await raw(`GET ${path} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
    assert.equal(status(r), 400, path);
  }
  const api = await raw(`GET /api/terms/%zz HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
  assert.match(api, /"code":"bad_request"/);
  await stillAnswers();
});

test('a Host that is not ours is refused (DNS rebinding)', async () => {
  for (const h of ['evil.example', `evil.example:${server.port}`, '127.0.0.1:1']) {
    const r = await raw(`GET / HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\n\r\n`);
    assert.equal(status(r), 421, h);
  }
  const none = await raw('GET / HTTP/1.0\r\n\r\n');
  assert.equal(status(none), 421, 'no Host at all');
  const local = await raw(`GET / HTTP/1.1\r\nHost: localhost:${server.port}\r\nConnection: close\r\n\r\n`);
  assert.equal(status(local), 200, 'localhost:PORT is ours');
  await stillAnswers();
});

test('POST without the CSRF token is refused', async () => {
  const res = await fetch(new URL('/drills/read?seed=1&i=0&score=0', server.url), {
    method: 'POST', body: 'seed=1&i=0&score=0&answer=a',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(res.status, 403);
  const token = await session();
  const wrong = await fetch(new URL('/drills/read', server.url), {
    method: 'POST', body: 'seed=1&i=0&score=0&answer=a&csrf=' + '0'.repeat(32),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `sl_session=${token}` },
  });
  assert.equal(wrong.status, 403, 'a token that is not the session');
  const cross = await fetch(new URL('/drills/read', server.url), {
    method: 'POST', body: `seed=1&i=0&score=0&answer=a&csrf=${token}`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `sl_session=${token}`,
      Origin: 'http://evil.example' },
  });
  assert.equal(cross.status, 403, 'a cross-origin form');
  const ok = await fetch(new URL('/drills/read', server.url), {
    method: 'POST', body: `seed=1&i=0&score=0&answer=a&csrf=${token}`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `sl_session=${token}` },
  });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /(Right\.|Not quite\.)/);
});

test('bodies over the caps get 413', async () => {
  const token = await session();
  const r = await raw(`POST /reports HTTP/1.1\r\nHost: ${host()}\r\nCookie: sl_session=${token}\r\n` +
    'Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 104857600\r\n\r\n');
  assert.equal(status(r), 413, 'declared length over --max-upload');
  const form = 'a=' + 'b'.repeat(70 * 1024);
  const f = await fetch(new URL('/drills/read', server.url), {
    method: 'POST', body: form,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `sl_session=${token}` },
  });
  assert.equal(f.status, 413, 'form over 64 KiB');
  // Chunked, no length: counted as it arrives.
  const chunk = 'x'.repeat(512 * 1024);
  const parts = [`POST /api/reports HTTP/1.1\r\nHost: ${host()}\r\nCookie: sl_session=${token}\r\n` +
    'Content-Type: multipart/form-data; boundary=xyz\r\nTransfer-Encoding: chunked\r\n\r\n'];
  for (let i = 0; i < 4; i++) parts.push(`${(chunk.length).toString(16)}\r\n${chunk}\r\n`);
  parts.push('0\r\n\r\n');
  const c = await raw(null, { chunks: parts, gap: 5 });
  assert.equal(status(c), 413, 'chunked upload over the cap');
  assert.match(c, /"code":"too_large"/);
  await stillAnswers();
});

test('a chunk-size line that is huge or not a number gets 4xx at once', async () => {
  for (const line of ['f'.repeat(20000), 'ffffffffffffffffffff', 'zz']) {
    const t0 = Date.now();
    const r = await raw(`POST /api/decode HTTP/1.1\r\nHost: ${host()}\r\nTransfer-Encoding: chunked\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\n\r\n${line}\r\n`, { wait: 3000 });
    assert.ok(status(r) >= 400 && status(r) < 500, `chunk line of ${line.length}: status ${status(r)}`);
    assert.ok(Date.now() - t0 < 2500, 'answered without waiting for a timeout');
  }
  await stillAnswers();
});

test('malformed multipart gets 4xx', async () => {
  const token = await session();
  const noBoundary = await raw(`POST /reports HTTP/1.1\r\nHost: ${host()}\r\nCookie: sl_session=${token}\r\n` +
    'Content-Type: multipart/form-data\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
  assert.equal(status(noBoundary), 400);
  const junk = '--xyz\r\ngarbage\r\n\r\n--x';
  const garbage = await raw(`POST /reports HTTP/1.1\r\nHost: ${host()}\r\nCookie: sl_session=${token}\r\n` +
    `Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: ${junk.length}\r\nConnection: close\r\n\r\n` +
    junk);
  assert.ok(status(garbage) >= 400 && status(garbage) < 500, `status ${status(garbage)}`);
  const badType = await raw(`POST /reports HTTP/1.1\r\nHost: ${host()}\r\nCookie: sl_session=${token}\r\n` +
    'Content-Type: text/xml\r\nContent-Length: 3\r\nConnection: close\r\n\r\n<a>');
  assert.equal(status(badType), 415);
  const badLength = await raw(`POST /reports HTTP/1.1\r\nHost: ${host()}\r\nCookie: sl_session=${token}\r\n` +
    'Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: abc\r\nConnection: close\r\n\r\n');
  assert.ok(status(badLength) >= 400 && status(badLength) < 500, `status ${status(badLength)}`);
  await stillAnswers();
});

test('bytes that are not UTF-8 in the address get 400, not 500', async () => {
  for (const path of ['/api/decode?views=%ff', '/api/terms/%ff', '/api/guides/%ff', '/glossary/%C0%AF']) {
    const res = await fetch(new URL(path, server.url));
    assert.equal(res.status, 400, path);
    const text = await res.text();
    assert.match(text, /not UTF-8/, path);
  }
  await stillAnswers();
});

test('a multipart upload cut before its closing boundary is refused, nothing stored', async () => {
  const token = await session();
  const before = await (await fetch(new URL('/api/reports', server.url))).json();
  const rows = 'Video ID,Views,Product impressions,Product clicks,Orders\r\n' +
    Array.from({ length: 8 }, (_, i) => `73${i},1000,500,25,2`).join('\r\n') + '\r\n';
  const whole = `--xyz\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${token}\r\n` +
    '--xyz\r\nContent-Disposition: form-data; name="file"; filename="cut.csv"\r\n' +
    `Content-Type: text/csv\r\n\r\n${rows}\r\n--xyz--\r\n`;
  const cut = whole.slice(0, whole.indexOf('734,'));   // 4 of 8 rows, no closing boundary
  const r = await raw(`POST /api/reports HTTP/1.1\r\nHost: ${host()}\r\nCookie: sl_session=${token}\r\n` +
    `X-CSRF-Token: ${token}\r\nContent-Type: multipart/form-data; boundary=xyz\r\n` +
    `Content-Length: ${cut.length}\r\nConnection: close\r\n\r\n` + cut);
  assert.equal(status(r), 400, r.slice(0, 200));
  assert.match(r, /"code":"truncated"/);
  const after = await (await fetch(new URL('/api/reports', server.url))).json();
  assert.deepEqual(after, before, 'nothing was stored');
  await stillAnswers();
});

test('a slow client does not block others', async () => {
  // Headers one byte every 200 ms: a "slowloris" that never finishes.
  const slow = Array.from(`GET / HTTP/1.1\r\nHost: ${host()}\r\nX-Slow: ` + 'z'.repeat(40), (ch) => ch);
  const pending = raw(null, { chunks: slow, gap: 200, wait: 12000 });
  const t0 = Date.now();
  for (let i = 0; i < 20; i++) await stillAnswers();
  assert.ok(Date.now() - t0 < 5000, 'twenty requests answered while the slow client dribbles');
  await pending; // dropped by the connection timeout
});

// A client on its own loopback address (127.0.0.2, 127.0.0.3…): the
// per-address cap applies to it alone.
function dial(from) {
  return new Promise((resolve) => {
    const sock = net.connect({ port: server.port, host: '127.0.0.1', localAddress: from });
    sock.on('error', () => {});
    sock.on('connect', () => resolve(sock));
    sock.on('close', () => resolve(sock));
  });
}

test('headers dripped past the deadline: the connection is cut', async (t) => {
  const sock = await dial('127.0.0.3');
  const t0 = Date.now();
  sock.write(`GET / HTTP/1.1\r\nHost: ${host()}\r\n`);
  const drip = setInterval(() => { if (!sock.destroyed) sock.write('X-A: b\r\n'); }, 500);
  let answer = '';
  sock.on('data', (d) => { answer += d.toString('latin1'); });
  await new Promise((ok) => sock.on('close', ok));
  clearInterval(drip);
  const held = Date.now() - t0;
  t.diagnostic(`a client dripping a header line every 500 ms was cut after ${held} ms`);
  assert.ok(held >= 9000 && held < 13000, `cut after ${held} ms (deadline 10 s), never idle`);
  assert.equal(answer, '', 'no request was ever answered on it');
  await stillAnswers();
});

test('a slowloris that keeps reconnecting cannot starve other clients', async (t) => {
  const attacker = '127.0.0.2';
  const open = new Set();
  let connects = 0;
  let stop = false;
  // Up to 300 connections at a time, each reopened as soon as it is closed,
  // each dripping a header line every second; at most 1,500 connects.
  async function hold() {
    while (!stop && connects < 1500) {
      connects++;
      const sock = await dial(attacker);
      if (sock.destroyed) { await new Promise((ok) => setTimeout(ok, 5)); continue; }
      open.add(sock);
      sock.write(`GET / HTTP/1.1\r\nHost: ${host()}\r\n`);
      const drip = setInterval(() => { if (!sock.destroyed) sock.write('X-A: b\r\n'); }, 1000);
      await new Promise((ok) => sock.on('close', ok));
      clearInterval(drip);
      open.delete(sock);
    }
  }
  const holders = Array.from({ length: 300 }, hold);
  const waits = [];
  let mostHeld = 0;
  const t0 = Date.now();
  while (Date.now() - t0 < 14000) {
    await new Promise((ok) => setTimeout(ok, 1000));
    // What the server kept: sockets still open after it had time to refuse.
    mostHeld = Math.max(mostHeld, [...open].filter((s) => !s.destroyed).length);
    for (let i = 0; i < 3; i++) {            // three separate honest clients
      const started = Date.now();
      const res = await fetch(server.url, { signal: AbortSignal.timeout(5000) });
      assert.equal(res.status, 200);
      await res.text();
      waits.push(Date.now() - started);
    }
  }
  stop = true;
  for (const s of open) s.destroy();
  await Promise.all(holders);
  waits.sort((a, b) => a - b);
  t.diagnostic(`attacker: ${connects} connects, at most ${mostHeld} held at once; honest GETs: ` +
    `${waits.length}, median ${waits[waits.length >> 1]} ms, slowest ${waits[waits.length - 1]} ms`);
  assert.ok(connects > 300, `the attacker reconnected (${connects} connects)`);
  assert.ok(mostHeld <= 128 + 5, `one address held ${mostHeld} connections (cap 128)`);
  assert.ok(waits[waits.length - 1] < 1000, `slowest honest GET took ${waits[waits.length - 1]} ms`);
  await stillAnswers();
});

test('content pages set no cookie and come back byte-identical (cached)', async () => {
  for (const path of ['/', '/glossary/ctor', '/guides/clicks-no-orders']) {
    const a = await fetch(new URL(path, server.url));
    assert.equal(a.headers.get('set-cookie'), null, path);
    const b = await fetch(new URL(path, server.url));
    assert.equal(await a.text(), await b.text(), path);
    assert.match(b.headers.get('content-security-policy'), /default-src 'none'/, 'kept headers');
  }
  const form = await fetch(new URL('/drills/read?seed=1&i=0&score=0', server.url));
  assert.match(form.headers.get('set-cookie'), /^sl_session=/, 'a page with a form sets it');
});

test('security headers on every response', async () => {
  for (const path of ['/', '/glossary/ctor', '/static/app.js', '/api/terms', '/nope']) {
    const res = await fetch(new URL(path, server.url));
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'self'/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
  }
});

test('pages carry no inline script or style (the CSP would block them)', async () => {
  const paths = ['/', '/glossary', '/glossary/ctor', '/guides', '/guides/creator-metrics',
    '/decoder?views=12000&impressions=6000&clicks=150&orders=3', '/compare?a-trials=10000&a-successes=312&b-trials=10000&b-successes=365',
    '/drills', '/drills/pick?seed=3&i=0&score=0', '/reports'];
  for (const path of paths) {
    const text = await (await fetch(new URL(path, server.url))).text();
    assert.doesNotMatch(text, /<script(?![^>]*\bsrc=)[^>]*>/, `${path}: inline script`);
    assert.doesNotMatch(text, /\sstyle=/, `${path}: style attribute`);
    assert.doesNotMatch(text, /<style/, `${path}: style element`);
    assert.doesNotMatch(text, /https?:\/\/(?!127\.0\.0\.1)/, `${path}: an external address`);
  }
});

test('JSON API: decode, compare, terms, guides, drills, errors', async () => {
  const get = async (path) => {
    const res = await fetch(new URL(path, server.url));
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };
  const d = await get('/api/decode?views=12000&impressions=6000&clicks=150&orders=3&gmv=89.7');
  assert.equal(d.status, 200);
  assert.equal(d.type, 'application/json');
  assert.equal(d.body.bottleneck, 'click-through');
  assert.equal(d.body.rates.product_ctr.value, 0.025);
  assert.equal(d.body.rates.product_ctr.denominator_name, 'product_impressions');
  assert.equal(d.body.baseline_source, 'practice-reference');
  const bad = await get('/api/decode?impressions=100&clicks=120');
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.code, 'inconsistent_funnel');
  assert.match(bad.body.error.message, /product clicks \(120\) exceed product impressions \(100\)/);
  const notNumber = await get('/api/decode?views=lots');
  assert.equal(notNumber.status, 400);
  assert.match(notNumber.body.error.message, /Views: 'lots' is not a number/);
  const c = await get('/api/compare?metric=ctr&a-trials=10000&a-successes=312&b-trials=10000&b-successes=365');
  assert.equal(c.status, 200);
  assert.equal(c.body.verdict, 'too-early');
  const t = await get('/api/terms/CO%20rate');
  assert.equal(t.body.slug, 'ctor');
  const missing = await get('/api/terms/nothing-like-this');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'not_found');
  const terms = await get('/api/terms?step=read');
  assert.ok(terms.body.terms.length > 5 && terms.body.terms.every((x) => x.step === 'read'));
  const g = await get('/api/guides/clicks-no-orders');
  assert.equal(g.body.slug, 'clicks-no-orders');
  const dr = await get('/api/drills/tag');
  assert.equal(dr.body.type, 'tag');
  assert.equal(dr.body.practice_data, true);
  assert.ok(dr.body.drills.length >= 10);
  const nope = await get('/api/nothing');
  assert.equal(nope.status, 404);
});

// An upload is a job: 202 with the job's address at once, then its state
// until it is done or failed.
async function uploadJob(form, token) {
  const headers = { Cookie: `sl_session=${token}`, 'X-CSRF-Token': token };
  const up = await fetch(new URL('/api/reports', server.url), { method: 'POST', body: form, headers });
  assert.equal(up.status, 202, 'an upload answers at once with its job');
  const where = up.headers.get('location');
  const first = await up.json();
  assert.equal(where, `/api/jobs/${first.job.id}`);
  assert.match(first.job.id, /^[0-9a-f]{32}$/);
  for (let i = 0; i < 200; i++) {
    const r = await fetch(new URL(where, server.url), { headers });
    assert.equal(r.status, 200);
    const { job } = await r.json();
    if (job.state === 'done' || job.state === 'failed') return { job, where };
    await new Promise((ok) => setTimeout(ok, 25));
  }
  throw new Error('the import job did not finish');
}

test('API upload as a job, read back in pages, delete', async () => {
  const token = await session();
  const form = new FormData();
  form.append('file', new Blob([readFileSync(join(fixtures, 'xss-video-list.csv'))]), 'xss-video-list.csv');
  const { job, where } = await uploadJob(form, token);
  assert.equal(job.state, 'done');
  assert.equal(job.percent, 100);
  assert.equal(job.bytes_done, job.bytes_total);
  assert.equal(job.already, false);
  assert.match(job.report, /^\/api\/reports\/\d+$/);
  // Another session cannot see the job.
  const stranger = await fetch(new URL(where, server.url));
  assert.equal(stranger.status, 404);
  const report = await (await fetch(new URL(job.report, server.url))).json();
  assert.equal(report.sources[0].file, 'xss-video-list.csv');
  assert.equal(report.rows.length, 3);
  assert.deepEqual(report.page, { first: 1, count: 3, of: 3 });
  const id = report.sources[0].import_id;
  assert.equal(job.report, `/api/reports/${id}`);
  const again = await uploadJob(form, token);
  assert.equal(again.job.state, 'done');
  assert.equal(again.job.already, true, 'the same content twice adds nothing');
  assert.equal(again.job.report, job.report);
  // Pages and orders: one row a page, by views, largest first.
  const byViews = [];
  for (let page = 1; page <= 3; page++) {
    const p = await (await fetch(new URL(`/api/reports/${id}?sort=views&per=1&page=${page}`, server.url))).json();
    assert.deepEqual(p.page, { first: page, count: 1, of: 3 });
    assert.equal(p.totals.funnel.views, 12000, 'totals are the whole report\'s on every page');
    byViews.push(p.rows[0].funnel.views);
  }
  assert.deepEqual(byViews, [...byViews].sort((a, b) => b - a));
  const asc = await (await fetch(new URL(`/api/reports/${id}?sort=views&dir=asc&per=3`, server.url))).json();
  assert.deepEqual(asc.rows.map((r) => r.funnel.views), [...byViews].reverse());
  const past = await (await fetch(new URL(`/api/reports/${id}?per=2&page=3`, server.url))).json();
  assert.deepEqual(past.page, { first: 5, count: 0, of: 3 });
  for (const bad of ['sort=nonsense', 'per=0', 'per=1001', 'page=0', 'dir=up']) {
    const r = await fetch(new URL(`/api/reports/${id}?${bad}`, server.url));
    assert.equal(r.status, 400, bad);
  }
  const back = await (await fetch(new URL(`/api/reports/${id}`, server.url))).json();
  assert.equal(back.totals.funnel.views, 12000, 'the stored rows give the same totals');
  assert.equal(back.totals.funnel.gmv, 179.4);
  const list = await (await fetch(new URL('/api/reports', server.url))).json();
  assert.ok(list.imports.some((m) => m.id === id));
  const noToken = await fetch(new URL(`/api/reports/${id}`, server.url), { method: 'DELETE' });
  assert.equal(noToken.status, 403);
  const del = await fetch(new URL(`/api/reports/${id}`, server.url), {
    method: 'DELETE', headers: { Cookie: `sl_session=${token}`, 'X-CSRF-Token': token },
  });
  assert.equal(del.status, 200);
  assert.deepEqual(await del.json(), { deleted: id });
  const gone = await fetch(new URL(`/api/reports/${id}`, server.url));
  assert.equal(gone.status, 404);
  const junk = new FormData();
  junk.append('file', new Blob(['no header here\n1,2,3\n']), 'junk.csv');
  const refused = await uploadJob(junk, token);
  assert.equal(refused.job.state, 'failed');
  assert.equal(refused.job.error.code, 'unrecognised');
  assert.equal(refused.job.report, null);
  const unknown = await fetch(new URL(`/api/jobs/${'0'.repeat(32)}`, server.url), {
    headers: { Cookie: `sl_session=${token}` } });
  assert.equal(unknown.status, 404);
});

test('SIGTERM shuts down cleanly', async () => {
  const other = await startServer(binary);
  const res = await fetch(other.url);
  assert.equal(res.status, 200);
  const { code } = await other.stop('SIGTERM');
  assert.equal(code, 0);
  assert.match(other.output(), /ShopLab: stopped/);
});

test('a port already in use: exit 10 with a clear message', async () => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(binary, ['serve', '--listen', `127.0.0.1:${server.port}`, '--db', join(server.dir, 'other.db')],
    { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 10);
  assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+: Address already in use/);
  await stillAnswers();
});

test('SIGTERM lets a request in flight finish', async () => {
  const other = await startServer(binary);
  const sock = net.connect(other.port, '127.0.0.1');
  await new Promise((r) => sock.on('connect', r));
  let data = '';
  sock.on('data', (d) => { data += d; });
  sock.write(`GET /glossary/ctor HTTP/1.1\r\nHost: 127.0.0.1:${other.port}\r\nConnection: close\r\n`);
  await new Promise((r) => setTimeout(r, 200));
  const stopped = other.stop('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  sock.write('\r\n'); // the request completes after the signal
  const { code } = await stopped;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(status(data), 200, 'the open request got its answer');
  assert.match(data, /<h1>CTOR<\/h1>/);
  assert.equal(code, 0);
});

test('keep-alive: a cached page and a rendered page answer on one connection', async () => {
  await fetch(new URL('/glossary/ctor', server.url)); // make sure it is kept
  const req = (path) => `GET ${path} HTTP/1.1\r\nHost: ${host()}\r\n\r\n`;
  const r = await raw(req('/glossary/ctor') + req('/glossary/ctor') + req('/decoder?views=5') + req('/'), { wait: 800 });
  const answers = r.split(/(?=HTTP\/1\.1 \d{3})/);
  assert.equal(answers.length, 4, 'four answers on one connection');
  for (const a of answers) {
    assert.equal(status(a), 200);
    assert.doesNotMatch(a, /\r\nConnection: close\r\n/i);
  }
});
