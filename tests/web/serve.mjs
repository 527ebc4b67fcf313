// serve.mjs — starts the real `shoplab serve` on a free loopback port with a
// fresh database, for the browser and raw-socket tests, and stops it.
// `options.db` gives the --db value instead (a PostgreSQL database, which
// several servers may share; see pg.mjs); `options.listen` the --listen one.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startServer(binary, extraArgs = [], options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shoplab-web-'));
  const db = options.db ?? join(dir, 'test.db');
  const child = spawn(binary, ['serve', '--listen', options.listen ?? '127.0.0.1:0', '--db', db, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '', err = '';
  child.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (https?:\/\/[^ ]+\/)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}${err}`)));
  });
  const port = Number(new URL(url).port);
  return {
    url, port, db, dir, child,
    output: () => out, errors: () => err,
    async stop(signal = 'SIGTERM') {
      const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
      child.kill(signal);
      const result = await exited;
      rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}
