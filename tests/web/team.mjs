// team.mjs — a team store made with the CLI, and signing in over HTTP; shared
// by roles.mjs (the role walk), tls.mjs and browser_team.mjs (the browser
// walk).  The store is a SQLite file or a PostgreSQL database (issue 17,
// "works on both store engines"): the CLI writes either through --db.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PASSWORD = 'correct horse battery';

// Two creators (@ana, @ben), each with one import and one closed journal
// test; an owner, a manager and a creator account for each creator, and a
// viewer under ana's manager.  Imports 1 (@ana) and 2 (@ben); tests the same.
// `options.db`: the --db target to fill (a SQLite path or a PostgreSQL URI,
// which must name an empty database); by default a new SQLite file.
export function makeTeamStore(binary, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shoplab-team-'));
  const db = options.db ?? join(dir, 'team.db');
  try {
    return fill(binary, dir, db);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true }); // a failed set-up leaves nothing behind
    throw e;
  }
}

function fill(binary, dir, db) {
  const run = (args, input) =>
    execFileSync(binary, [...args, '--db', db], { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  run(['creator', 'add', '@ana', '--name', 'Ana Lamps']);
  run(['creator', 'add', '@ben', '--name', 'Ben Mugs']);
  for (const [h, v] of [['@ana', 1], ['@ben', 2]]) {
    const f = join(dir, `export-${v}.csv`);
    writeFileSync(f, 'Video ID,Creator username,Product impressions,Product clicks,Orders\n' +
      `7400000000000000${v}1,${h},10000,400,30\n7400000000000000${v}2,${h},12000,600,40\n`);
    run(['read', f]);
  }
  for (const [h, v] of [['@ana', 1], ['@ben', 2]]) {
    run(['journal', 'plan', '--metric', 'ctr', '--step', 'pick', '--change', 'card at 2 seconds',
      '--tag', 'card-timing', '--hypothesis', 'earlier card, more clicks',
      '--before-video', `7400000000000000${v}1`, '--creator', h]);
    run(['journal', 'look', String(v), '--after-video', `7400000000000000${v}2`]);
    run(['journal', 'close', String(v), '--outcome', 'b-better', '--lesson', 'earlier is better']);
  }
  const add = (name, ...args) => run(['user', 'add', name, ...args], `${PASSWORD}\n`);
  add('olga', '--role', 'owner');
  add('max', '--role', 'manager');
  add('mia', '--role', 'manager');
  run(['creator', 'assign', '@ana', '--to', 'max']);
  run(['creator', 'assign', '@ben', '--to', 'mia']);
  add('ana', '--role', 'creator', '--creator', '@ana');
  add('ben', '--role', 'creator', '--creator', '@ben');
  add('val', '--role', 'viewer', '--manager', 'max');
  return { dir, db, run };
}

export const ENGINES = ['sqlite', 'postgres'];

// A new empty store on `engine`: { db, contents(), remove() }.  sqlite: a
// file in a new folder; postgres: a new database in the cluster of
// SHOPLAB_TEST_PG (pg.mjs, imported only here: without a cluster the test
// is skipped with exit 77, or fails under SHOPLAB_REQUIRE_PG_TESTS=1).
// contents() is every byte the store keeps (the file, or a pg_dump of the
// database), for tests that look for what must not be stored.
export async function emptyStore(engine = 'sqlite', label = 'team') {
  if (!ENGINES.includes(engine)) throw new Error(`unknown store engine ${engine}`);
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `shoplab-${label}-`));
    const db = join(dir, `${label}.db`);
    return {
      engine, db,
      contents: () => readFileSync(db),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const pg = await import('./pg.mjs');
  const database = pg.freshDatabase(label);
  return {
    engine, db: database.uri,
    contents: () => execFileSync('pg_dump', ['--data-only', database.uri], { stdio: ['ignore', 'pipe', 'pipe'] }),
    remove: () => database.drop(),
  };
}

// The team store of makeTeamStore on `engine`, with contents() and remove().
export async function teamStore(binary, engine = 'sqlite') {
  const empty = await emptyStore(engine, 'team');
  try {
    const made = makeTeamStore(binary, { db: empty.db });
    return { ...empty, dir: made.dir, run: made.run,
      remove() { empty.remove(); rmSync(made.dir, { recursive: true, force: true }); } };
  } catch (e) {
    empty.remove();
    throw e;
  }
}

// role → account name, and the creator whose objects it sees (null: all).
export const ACCOUNTS = {
  owner: { name: 'olga', sees: null },
  manager: { name: 'max', sees: '@ana' },
  manager2: { name: 'mia', sees: '@ben' },
  creator: { name: 'ana', sees: '@ana' },
  creator2: { name: 'ben', sees: '@ben' },
  viewer: { name: 'val', sees: '@ana' },
};

export const cookieOf = (res, name) => {
  for (const c of res.headers.getSetCookie()) {
    const m = c.match(new RegExp(`^${name}=([^;]*)`));
    if (m) return { value: m[1], header: c };
  }
  return null;
};

export const csrfOf = (html) => (html.match(/name=csrf value="([0-9a-f]+)"/) || [])[1];

// Signs in through the login form; returns { token, cookie, csrf, res }.
export async function login(base, name, password = PASSWORD, headers = {}) {
  const form = await fetch(new URL('/login', base), { headers });
  const pre = cookieOf(form, 'sl_session');
  const csrf = csrfOf(await form.text());
  const res = await fetch(new URL('/login', base), {
    method: 'POST', redirect: 'manual',
    headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: `sl_session=${pre.value}` },
    body: new URLSearchParams({ name, password, csrf, next: '/reports' }),
  });
  const team = cookieOf(res, 'sl_team');
  if (!team) return { res };
  const cookie = `sl_team=${team.value}`;
  const page = await fetch(new URL('/journal', base), { headers: { Cookie: cookie } });
  return { res, token: team.value, header: team.header, cookie, csrf: csrfOf(await page.text()) };
}
