// pg.mjs — the PostgreSQL side of the web tests: the throwaway cluster that
// `./run test` starts (tests/pg/cluster.sh) is named by SHOPLAB_TEST_PG;
// each test makes its own database in it and drops it after.
//
// Without SHOPLAB_TEST_PG a test importing this module is skipped (exit 77),
// or fails when SHOPLAB_REQUIRE_PG_TESTS is set (as `./run test` does), so a
// run can never pass by skipping.
import { execFileSync } from 'node:child_process';

export const cluster = process.env.SHOPLAB_TEST_PG;
if (!cluster) {
  console.error('SHOPLAB_TEST_PG is not set: no PostgreSQL cluster to test on (./run test starts one)');
  process.exit(process.env.SHOPLAB_REQUIRE_PG_TESTS ? 1 : 77);
}

let seq = 0;

// `conninfo` with its database (the URI's path) replaced by `name`.
function withDatabase(conninfo, name) {
  const m = conninfo.match(/^(postgres(?:ql)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/);
  if (!m) throw new Error(`SHOPLAB_TEST_PG is not a postgresql:// URI: ${conninfo}`);
  return `${m[1]}/${name}${m[3] ?? ''}`;
}

export function psql(sql, conninfo = cluster) {
  return execFileSync('psql', ['-q', '-X', '-t', '-A', '-v', 'ON_ERROR_STOP=1', conninfo, '-c', sql],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// A new empty database in the cluster: its --db value, and drop() to remove
// it (with FORCE, so a server that is still connected cannot keep it).
export function freshDatabase(label = 'web') {
  const name = `${label}_${process.pid}_${seq++}`;
  psql(`CREATE DATABASE ${name}`);
  return {
    name,
    uri: withDatabase(cluster, name),
    drop() { psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); },
  };
}
