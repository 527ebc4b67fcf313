// tls.mjs — team mode beyond loopback: HTTPS with a certificate made at test
// time (openssl), Secure cookies (under TLS, and behind a trusted proxy that
// says https), --public-url's host accepted, and the refusals: a
// non-loopback --listen without TLS or --trusted-proxy, and any non-loopback
// listen on a store without accounts (exit 10, docs/team.md).
//
// ENGINE: the store's, sqlite (default) or postgres (databases in the cluster
// of SHOPLAB_TEST_PG, dropped after; see pg.mjs for the skip).
//
// Usage: node tls.mjs PATH/TO/shoplab [ENGINE]
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './serve.mjs';
import { teamStore, emptyStore, login, cookieOf, PASSWORD } from './team.mjs';

const [binary, engine = 'sqlite'] = process.argv.slice(2);
let dir, store, solo, ca;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoplab-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  ca = readFileSync(join(dir, 'cert.pem'));
  store = await teamStore(binary, engine);
  solo = await emptyStore(engine, 'solo');
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  if (store) store.remove();
  if (solo) solo.remove();
});

function get(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

test('HTTPS with a test certificate: pages, login, Secure cookie', async () => {
  const s = await startServer(binary, ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')],
    { db: store.db });
  try {
    assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const health = await get(new URL('/healthz', s.url));
    assert.equal(health.status, 200);
    const anon = await get(new URL('/reports', s.url));
    assert.equal(anon.status, 303);
    const form = await get(new URL('/login', s.url));
    const pre = form.headers['set-cookie'][0].match(/^sl_session=([0-9a-f]+)/)[1];
    assert.match(form.headers['set-cookie'][0], /; Secure$/);
    const csrf = form.body.match(/name=csrf value="([0-9a-f]+)"/)[1];
    const res = await get(new URL('/login', s.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `sl_session=${pre}`,
        Origin: s.url.replace(/\/$/, '') },
      body: new URLSearchParams({ name: 'olga', password: PASSWORD, csrf }).toString(),
    });
    assert.equal(res.status, 303);
    const cookie = res.headers['set-cookie'].find((c) => c.startsWith('sl_team='));
    assert.match(cookie, /^sl_team=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
    const page = await get(new URL('/team/audit', s.url), { headers: { Cookie: cookie.split(';')[0] } });
    assert.equal(page.status, 200);
    // Plain HTTP on the TLS port gets nothing served.
    const plain = await fetch(s.url.replace('https:', 'http:')).then((r) => r.status, () => 'refused');
    assert.notEqual(plain, 200);
    assert.ok(!(s.output() + s.errors()).includes('PRIVATE KEY'), 'the key is never logged');
  } finally {
    await s.stop();
  }
});

test('behind a trusted proxy: X-Forwarded-Proto https gives Secure cookies, from that peer only', async () => {
  const s = await startServer(binary, ['--trusted-proxy', '127.0.0.1', '--public-url', 'https://shop.example.com'],
    { db: store.db });
  try {
    const viaProxy = await login(s.url, 'olga', PASSWORD, { 'X-Forwarded-Proto': 'https' });
    assert.match(viaProxy.header, /; Secure$/);
    const withHost = (h) => new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: s.port, path: '/healthz', headers: { Host: h } },
        (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
    });
    assert.equal(await withHost('shop.example.com'), 200, "--public-url's host is accepted");
    assert.equal(await withHost('evil.example.com'), 421);
  } finally {
    await s.stop();
  }
  const t = await startServer(binary, ['--trusted-proxy', '127.0.0.2'], { db: store.db });
  try {
    const notProxy = await login(t.url, 'olga', PASSWORD, { 'X-Forwarded-Proto': 'https' });
    assert.doesNotMatch(notProxy.header, /Secure/, 'headers from another peer are not believed');
  } finally {
    await t.stop();
  }
});

test('a non-loopback listen is refused without TLS or --trusted-proxy, and on a solo store', () => {
  const serve = (db, ...args) =>
    spawnSync(binary, ['serve', '--listen', '0.0.0.0:0', '--db', db, ...args], { timeout: 10000 });
  let r = serve(store.db);
  assert.equal(r.status, 10);
  assert.match(r.stderr.toString(), /will not listen on 0\.0\.0\.0:0 without TLS/);
  r = serve(solo.db, '--trusted-proxy', '127.0.0.1');
  assert.equal(r.status, 10);
  assert.match(r.stderr.toString(), /without accounts is served on loopback only/);
  r = spawnSync(binary, ['serve', '--tls-cert', join(dir, 'cert.pem'), '--db', solo.db], { timeout: 10000 });
  assert.equal(r.status, 2, '--tls-cert without --tls-key is a usage error');
});

test('non-loopback with TLS in team mode starts', async () => {
  const s = await startServer(binary, ['--tls-cert', join(dir, 'cert.pem'),
    '--tls-key', join(dir, 'key.pem')], { db: store.db, listen: '0.0.0.0:0' });
  try {
    assert.match(s.url, /^https:\/\/0\.0\.0\.0:\d+\/$/);
  } finally {
    await s.stop();
  }
});
