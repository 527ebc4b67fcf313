// roles.mjs — the role walk of team mode (issue 17): for every route of the
// server's own table (`shoplab-serve --list-routes`, so a new route cannot be
// missed), every method it takes, signed out and signed in as each role, with
// the object ids of another creator and ids guessed by number (id+1, id-1, a
// high one): the exact status, asserted.  Then logins: rate limiting (429
// after 5, per name and per address, the address from a trusted proxy's
// X-Forwarded-For), a stolen cookie useless after "log out everywhere", a new
// token at every login, and no password in the server's output or the store.
//
// The same walk runs on both store engines, with the same expected statuses:
// ENGINE sqlite (default, a new file) or postgres (a new database in the
// cluster of SHOPLAB_TEST_PG, dropped after; see pg.mjs for the skip).
//
// Usage: node roles.mjs PATH/TO/shoplab [ENGINE]
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startServer } from './serve.mjs';
import { teamStore, emptyStore, login, cookieOf, ACCOUNTS, PASSWORD } from './team.mjs';

const [binary, engine = 'sqlite'] = process.argv.slice(2);
const routes = JSON.parse(execFileSync(join(dirname(binary), 'shoplab-serve'), ['--list-routes']));
let store, server;
const sessions = {};

before(async () => {
  store = await teamStore(binary, engine);
  server = await startServer(binary, ['--trusted-proxy', '127.0.0.1'], { db: store.db });
  for (const [role, a] of Object.entries(ACCOUNTS)) {
    sessions[role] = await login(server.url, a.name);
    assert.equal(sessions[role].res.status, 303, `${role} signs in`);
  }
});
after(async () => {
  if (server) await server.stop();
  if (store) store.remove();
});

// The store's objects: imports and tests 1 are @ana's, 2 @ben's.
const OWNER_OF = { 1: '@ana', 2: '@ben' };
const HIGH = 9007199254740000;

// What a route answers when nobody stops the request (a signed-in account
// that may use it), for the routes whose answer does not depend on rights:
// "METHOD path[suffix]" → status.  A route missing here fails the walk.
const HANDLER = {
  'GET /static/style.css': 200, 'GET /static/app.js': 200, 'GET /favicon.ico': 204,
  'GET /healthz': 200, 'GET /login': 200, 'POST /login': 401,
  'POST /logout': 303, 'POST /logout-everywhere': 303,
  'GET /team/audit': 200, 'GET /team/audit.csv': 200,
  'GET /': 200, 'GET /glossary': 200, 'GET /glossary/': 200, 'GET /glossary/*': 404,
  'GET /guides': 200, 'GET /guides/': 200, 'GET /guides/*': 404,
  'GET /api/terms': 200, 'GET /api/terms/*': 404, 'GET /api/guides': 200, 'GET /api/guides/*': 404,
  'GET /decoder': 200, 'GET /compare': 200, 'GET /api/decode': 400, 'GET /api/compare': 400,
  'GET /drills': 200, 'GET /drills/': 200, 'GET /drills/*': 404, 'POST /drills/*': 404,
  'GET /api/drills/*': 404,
  'GET /reports': 200, 'POST /reports': 400, 'POST /reports/practice': 303,
  'GET /reports/jobs/*': 404, 'GET /reports/#': 200, 'POST /reports/#/delete': 303,
  'GET /reports/*': 404, 'POST /reports/*': 404, 'DELETE /reports/*': 404,
  'GET /api/reports': 200, 'POST /api/reports': 400, 'GET /api/jobs/*': 404,
  'GET /api/reports/#': 200, 'DELETE /api/reports/#': 200,
  'GET /api/reports/*': 404, 'POST /api/reports/*': 404, 'DELETE /api/reports/*': 404,
  'GET /journal': 200, 'POST /journal': 400, 'GET /journal/lessons': 200, 'GET /journal/new': 200,
  'GET /journal/#': 200, 'POST /journal/#/look': 400, 'POST /journal/#/close': 400,
  'GET /journal/*': 404, 'POST /journal/*': 404, 'DELETE /journal/*': 404,
  'GET /api/journal': 200, 'GET /api/journal/lessons': 200, 'GET /api/journal/#': 200,
  'GET /api/journal/*': 404, 'POST /api/journal/*': 404, 'DELETE /api/journal/*': 404,
  'GET /api': 404, 'POST /api': 404, 'DELETE /api': 404,
  'GET /api/': 404, 'POST /api/': 404, 'DELETE /api/': 404,
  'GET /api/*': 404, 'POST /api/*': 404, 'DELETE /api/*': 404,
  'GET /*': 404, 'POST /*': 404, 'DELETE /*': 404,
};
const keyOf = (r, m) =>
  `${m} ${r.path}${r.match === 'id' ? '#' + r.suffix : r.match === 'rest' ? '*' : ''}`;

// The addresses one route is tried at: an exact path as is, a rest path with
// a name nothing has, an id path with every id of interest.
function targets(r) {
  if (r.match === 'exact') return [{ url: r.path, id: null }];
  if (r.match === 'rest') return [{ url: `${r.path}zz-nothing`, id: null }];
  return [1, 2, 3, HIGH].map((id) => ({ url: `${r.path}${id}${r.suffix}`, id }));
}

// The status a role must get.  Decisions (docs/team.md, "Rights on the web"):
// signed out, pages go to /login (303) and the API answers 401; an owner-only
// route is 404 to others; an object a role may not read is 404 like a
// missing one; a write a role may not make on an object it reads is 403; a
// viewer's writes are 403.
function expected(role, r, method) {
  return (id) => {
    const own = HANDLER[keyOf(r, method)];
    // Signing in without the login form's token: refused as any form (CSRF).
    if (r.access === 'public') return !role && method === 'POST' ? 403 : own;
    if (!role) return r.api ? 401 : 303;
    const a = ACCOUNTS[role];
    if (r.access === 'owner') return role === 'owner' ? own : 404;
    if (r.access === 'import' || r.access === 'test') {
      const creator = OWNER_OF[id];
      if (!creator || (a.sees && a.sees !== creator)) return 404;
      if (r.writes && role === 'viewer') return 403;
      return own;
    }
    if (r.writes && role === 'viewer') return 403;
    return own;
  };
}

let sent = 0;
async function request(role, method, url) {
  const s = role ? sessions[role] : null;
  // Failed logins from one address lock it: each comes from its own
  // address, through the trusted proxy.
  const headers = { 'X-Forwarded-For': `10.1.${++sent >> 8 & 255}.${sent & 255}` };
  if (s) headers.Cookie = s.cookie;
  let body;
  if (method === 'POST') {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const fields = s ? { csrf: s.csrf } : {};
    if (url === '/login') fields.name = `nobody-${sent}`; // each name fails once
    body = new URLSearchParams(fields).toString();
  } else if (method === 'DELETE' && s) {
    headers['X-CSRF-Token'] = s.csrf;
  }
  const res = await fetch(new URL(url, server.url), { method, headers, body, redirect: 'manual' });
  await res.arrayBuffer();
  return res;
}

// Requests that would change the fixtures (deleting an import, importing the
// practice file, logging out) are left for the end or only made where they
// must be refused.
const destructive = (r, method) =>
  r.path === '/logout' || r.path === '/logout-everywhere' || r.path === '/reports/practice' ||
  (r.access === 'import' && r.writes);

test('the table has the team routes, each with its access rule', () => {
  const find = (p, m) => routes.find((r) => r.path === p && r.methods.includes(m));
  assert.equal(find('/login', 'POST').access, 'public');
  assert.equal(find('/team/audit', 'GET').access, 'owner');
  assert.equal(find('/team/audit.csv', 'GET').access, 'owner');
  assert.equal(find('/journal/lessons', 'GET').access, 'session');
  assert.equal(find('/api/journal/lessons', 'GET').access, 'session');
  for (const r of routes)
    if (r.match === 'id')
      assert.ok(['import', 'test'].includes(r.access), `${r.path}#${r.suffix} checks its id`);
  for (const r of routes)
    for (const m of r.methods.split(', '))
      if (m !== 'HEAD') assert.ok(keyOf(r, m) in HANDLER, `the walk knows ${keyOf(r, m)}`);
});

test('every route × method × role × id: the exact status', async () => {
  let checked = 0, skipped = 0;
  const failures = [];
  for (const role of [null, ...Object.keys(ACCOUNTS)]) {
    for (const r of routes) {
      for (const method of r.methods.split(', ')) {
        if (method === 'HEAD') continue;
        const want = expected(role, r, method);
        for (const t of targets(r)) {
          const status = want(t.id);
          // A write that would go through would change the fixtures: made
          // only where it must be refused (and with no object, later).
          if (destructive(r, method) && role && [200, 303].includes(status)) { skipped++; continue; }
          const res = await request(role, method, t.url);
          checked++;
          if (res.status !== status)
            failures.push(`${role ?? 'signed out'} ${method} ${t.url}: ${res.status}, expected ${status}`);
        }
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(checked > 500, `${checked} requests checked (${skipped} writes left out)`);
  console.log(`# role walk: ${routes.length} routes, ${checked} requests checked, ${skipped} writes that would go through left out`);
});

test('writes that go through: practice import for a manager, a delete by the creator', async () => {
  const max = sessions.manager;
  let res = await request('manager', 'POST', '/reports/practice');
  assert.equal(res.status, 303);
  // The creator account deletes its own import; ben's stays out of reach.
  res = await request('creator2', 'DELETE', '/api/reports/1');
  assert.equal(res.status, 404, "ben cannot delete ana's import");
  res = await request('creator', 'POST', '/reports/1/delete');
  assert.equal(res.status, 303, 'ana deletes her own import');
  res = await request('owner', 'GET', '/api/reports/1');
  assert.equal(res.status, 404, 'it is gone');
  const csv = await fetch(new URL('/team/audit.csv', server.url), { headers: { Cookie: sessions.owner.cookie } });
  const text = await csv.text();
  assert.match(text, /^id,at,user,action,object_kind,object_id,detail/);
  assert.match(text, /,ana,forget,import,1,/, 'the audit log names who deleted it');
  assert.ok(max);
});

test('the upload form offers a manager only its creators', async () => {
  const page = await fetch(new URL('/reports', server.url), { headers: { Cookie: sessions.manager.cookie } });
  const html = await page.text();
  assert.match(html, /<option value="@ana">/);
  assert.doesNotMatch(html, /@ben/);
  const v = await fetch(new URL('/reports', server.url), { headers: { Cookie: sessions.viewer.cookie } });
  assert.doesNotMatch(await v.text(), /type=file/, 'a viewer gets no upload form');
});

test('the header names the account and its role', async () => {
  const page = await fetch(new URL('/journal', server.url), { headers: { Cookie: sessions.viewer.cookie } });
  const html = await page.text();
  assert.match(html, /val <span class=role>\(viewer\)<\/span>/);
  assert.match(html, /action="\/logout"/);
});

test('journal: a plan cannot read another creator\'s video', async () => {
  const s = sessions.creator2; // ben
  const res = await fetch(new URL('/journal', server.url), {
    method: 'POST', redirect: 'manual',
    headers: { Cookie: s.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: s.csrf, metric: 'ctr', step: 'pick', change: 'a hook',
      hypothesis: 'x', 'before-video': '740000000000000012' }),
  });
  const html = await res.text();
  assert.equal(res.status, 404);
  assert.match(html, /no import in the store holds video 740000000000000012/i);
  // A team's pages never claim that everything stays on this computer.
  assert.match(html, /runs on your team's own server/);
  assert.doesNotMatch(html, /Everything runs on this computer/);
});

test('login: a new token at every login, cookie flags, next kept local', async () => {
  const a = await login(server.url, 'olga');
  const b = await login(server.url, 'olga');
  assert.notEqual(a.token, b.token);
  assert.match(a.header, /^sl_team=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict$/);
  // A planted token is not taken over: the login answers with a new one.
  const planted = 'a'.repeat(64);
  const form = await fetch(new URL('/login', server.url));
  const pre = cookieOf(form, 'sl_session');
  const csrf = (await form.text()).match(/name=csrf value="([0-9a-f]+)"/)[1];
  const res = await fetch(new URL('/login', server.url), {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: `sl_session=${pre.value}; sl_team=${planted}` },
    body: new URLSearchParams({ name: 'olga', password: PASSWORD, csrf, next: '//evil.example/x' }),
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/', 'an outside next is dropped');
  assert.notEqual(cookieOf(res, 'sl_team').value, planted);
  const anon = await fetch(new URL('/journal/2', server.url), { redirect: 'manual' });
  assert.equal(anon.headers.get('location'), '/login?next=%2Fjournal%2F2');
});

test('login: a stolen cookie is useless after "log out everywhere"', async () => {
  const phone = await login(server.url, 'mia');
  const laptop = await login(server.url, 'mia');
  const ok = await fetch(new URL('/api/journal', server.url), { headers: { Cookie: phone.cookie } });
  assert.equal(ok.status, 200);
  const out = await fetch(new URL('/logout-everywhere', server.url), {
    method: 'POST', redirect: 'manual',
    headers: { Cookie: laptop.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: laptop.csrf }),
  });
  assert.equal(out.status, 303);
  assert.match(cookieOf(out, 'sl_team').header, /Max-Age=0/);
  for (const s of [phone, laptop]) {
    const r = await fetch(new URL('/api/journal', server.url), { headers: { Cookie: s.cookie } });
    assert.equal(r.status, 401);
  }
  // A plain logout ends that one session only.
  const one = await login(server.url, 'olga');
  const two = await login(server.url, 'olga');
  await fetch(new URL('/logout', server.url), {
    method: 'POST', redirect: 'manual',
    headers: { Cookie: one.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: one.csrf }),
  });
  assert.equal((await fetch(new URL('/api/journal', server.url), { headers: { Cookie: one.cookie } })).status, 401);
  assert.equal((await fetch(new URL('/api/journal', server.url), { headers: { Cookie: two.cookie } })).status, 200);
});

test('login: CSRF is bound to the session', async () => {
  const a = await login(server.url, 'olga');
  const b = await login(server.url, 'olga');
  const res = await fetch(new URL('/logout', server.url), {
    method: 'POST', redirect: 'manual',
    headers: { Cookie: a.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: b.csrf }),
  });
  assert.equal(res.status, 403);
});

test('login: wrong passwords are rate-limited (429 after 5), per name and per address', async () => {
  const from = (addr) => ({ 'X-Forwarded-For': `198.51.100.7, ${addr}` });
  // Per name: five wrong passwords from five addresses, then even the right one waits.
  for (let i = 0; i < 5; i++) {
    const r = await login(server.url, 'ben', 'wrong password!', from(`10.0.0.${i + 1}`));
    assert.equal(r.res.status, 401, `failure ${i + 1}`);
  }
  let r = await login(server.url, 'ben', PASSWORD, from('10.0.0.99'));
  assert.equal(r.res.status, 429);
  assert.equal(r.res.headers.get('retry-after'), '900');
  // Per address: unknown names from one address; the same answer as a wrong password.
  for (let i = 0; i < 5; i++) {
    r = await login(server.url, `nobody${i}`, 'wrong password!', from('10.9.9.9'));
    assert.equal(r.res.status, 401);
  }
  r = await login(server.url, 'olga', PASSWORD, from('10.9.9.9'));
  assert.equal(r.res.status, 429, 'the address is locked');
  r = await login(server.url, 'olga', PASSWORD, from('10.9.9.10'));
  assert.equal(r.res.status, 303, 'another address is not');
});

test('the password is in neither the server output nor the store', () => {
  const out = server.output() + server.errors();
  assert.ok(!out.includes(PASSWORD));
  const kept = store.contents();
  assert.ok(kept.includes(Buffer.from('olga')), `the ${engine} store's contents are read`);
  assert.ok(!kept.includes(Buffer.from(PASSWORD)), `no password in the ${engine} store`);
});

test('signed out, a path answers the same whatever the method (no 405 to learn from)', async () => {
  const failures = [];
  for (const r of routes) {
    if (r.access === 'public') continue;
    const url = targets(r)[0].url;
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await request(null, method, url);
      const want = r.api ? 401 : 303;
      if (res.status !== want) failures.push(`${method} ${url}: ${res.status}, expected ${want}`);
      else if (!r.api && !res.headers.get('location').startsWith('/login'))
        failures.push(`${method} ${url}: to ${res.headers.get('location')}`);
      if (res.headers.get('allow')) failures.push(`${method} ${url}: Allow ${res.headers.get('allow')}`);
    }
  }
  assert.deepEqual(failures, []);
  // Signed in, the method a path does not take is still 405 with Allow.
  const res = await request('owner', 'DELETE', '/journal');
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD, POST');
});

test('signed out, pages show no section navigation: the product name only', async () => {
  for (const path of ['/login', '/login?next=%2Fjournal']) {
    const html = await (await fetch(new URL(path, server.url))).text();
    assert.match(html, /<a class=brand href="\/">ShopLab<\/a>/);
    for (const section of ['/glossary', '/guides', '/decoder', '/compare', '/drills', '/reports', '/journal'])
      assert.ok(!html.includes(`href="${section}"`), `${path} links ${section}`);
    assert.doesNotMatch(html, /<nav aria-label=Main>.*<ul>/s);
  }
  // A refusal before any route (an unknown method) shows none either.
  const put = await fetch(new URL('/journal', server.url), { method: 'PUT' });
  assert.equal(put.status, 405);
  assert.ok(!(await put.text()).includes('href="/journal"'));
  // Signed in, the navigation is there.
  const html = await (await fetch(new URL('/journal', server.url), { headers: { Cookie: sessions.viewer.cookie } })).text();
  assert.match(html, /href="\/reports"/);
  assert.match(html, /href="\/drills"/);
});

test('journal: a plan by video id takes the newest import the account may read', async () => {
  // One video in an import of @ana's, then in a newer one of @ben's.
  const video = '7400000000000077701';
  const ids = [];
  for (const h of ['@ana', '@ben']) {
    const f = join(store.dir, `shared-${h.slice(1)}.csv`);
    writeFileSync(f, `Video ID,Creator username,Product impressions,Product clicks,Orders\n${video},${h},${h === '@ana' ? 5000 : 9000},200,10\n`);
    const out = spawnSync(binary, ['read', f, '--db', store.db], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    ids.push(Number(out.stderr.match(/as import #(\d+)/)[1]));
  }
  assert.ok(ids[1] > ids[0]);
  const plan = async (role) => {
    const s = sessions[role];
    const res = await fetch(new URL('/journal', server.url), {
      method: 'POST', redirect: 'manual',
      headers: { Cookie: s.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: s.csrf, metric: 'ctr', step: 'pick', change: 'a hook',
        hypothesis: 'x', 'before-video': video, force: '1' }),
    });
    const body = await res.text();
    assert.equal(res.status, 303, `${role} plans on ${video}: ${body.slice(0, 300)}`);
    const test = await (await fetch(new URL(`/api${res.headers.get('location')}`, server.url), { headers: { Cookie: s.cookie } })).json();
    return JSON.stringify(test);
  };
  // ana (creator) and max (her manager) get her import, not ben's newer one.
  for (const role of ['creator', 'manager']) {
    const t = await plan(role);
    const got = Number(t.match(/"before":\{[^}]*"import_id":(\d+)/)[1]);
    assert.equal(got, ids[0], `${role}: ana's import`);
    assert.match(t, /"trials":5000/);
  }
  // ben and the owner get the newest, ben's.
  for (const role of ['creator2', 'owner']) {
    const t = await plan(role);
    assert.equal(Number(t.match(/"before":\{[^}]*"import_id":(\d+)/)[1]), ids[1], `${role}: ben's import`);
  }
});

test('an upload\'s job belongs to the account: shown after signing in again, to no one else', async () => {
  const max = await login(server.url, 'max');
  const form = new FormData();
  form.append('csrf', max.csrf);
  form.append('creator', '@ana');
  form.append('file', new Blob(['Video ID,Creator username,Product impressions,Product clicks,Orders\n7400000000000088801,@ana,100,10,1\n']), 'job.csv');
  const up = await fetch(new URL('/api/reports', server.url), { method: 'POST', body: form, headers: { Cookie: max.cookie, 'X-CSRF-Token': max.csrf } });
  assert.equal(up.status, 202, await up.clone().text());
  const where = up.headers.get('location');
  const page = where.replace('/api/jobs/', '/reports/jobs/');
  await up.arrayBuffer();
  const again = await login(server.url, 'max');
  assert.notEqual(again.token, max.token);
  const api = await fetch(new URL(where, server.url), { headers: { Cookie: again.cookie } });
  assert.equal(api.status, 200, 'the job still shows to max after a new login');
  await api.arrayBuffer();
  const html = await fetch(new URL(page, server.url), { headers: { Cookie: again.cookie }, redirect: 'manual' });
  assert.notEqual(html.status, 404, 'its page too');
  await html.arrayBuffer();
  for (const other of ['mia', 'val', 'olga']) {
    const s = await login(server.url, other);
    const r = await fetch(new URL(where, server.url), { headers: { Cookie: s.cookie } });
    assert.equal(r.status, 404, `${other} does not see max's job`);
    await r.arrayBuffer();
    const p = await fetch(new URL(page, server.url), { headers: { Cookie: s.cookie }, redirect: 'manual' });
    assert.equal(p.status, 404, `${other} does not see max's job page`);
    await p.arrayBuffer();
  }
});

test('a running solo server asks for a login within a quarter second of the first account', async () => {
  const solo = await emptyStore(engine, 'solo');
  const s = await startServer(binary, [], { db: solo.db });
  try {
    let r = await fetch(new URL('/reports', s.url), { redirect: 'manual' });
    assert.equal(r.status, 200, 'solo: no login');
    await r.arrayBuffer();
    execFileSync(binary, ['user', 'add', 'olga', '--role', 'owner', '--db', solo.db],
      { input: `${PASSWORD}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    // The server trusts a solo answer for 250 ms (server.c, SOLO_TRUSTED_MS).
    await new Promise((ok) => setTimeout(ok, 300));
    r = await fetch(new URL('/reports', s.url), { redirect: 'manual' });
    assert.equal(r.status, 303, 'team mode: signed out, sent to the login');
    assert.match(r.headers.get('location'), /^\/login\?next=%2Freports$/);
    await r.arrayBuffer();
  } finally {
    await s.stop();
    solo.remove();
  }
});
