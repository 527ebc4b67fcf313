/*
 * schema_sqlite.c — the store's tables in SQLite, one entry per schema
 * version.  schema_pg.c holds the same versions for PostgreSQL; the two
 * grow together (docs/store.md).
 *
 * Counts are INTEGER so they come back exactly; money is REAL.
 */
#include "db.h"

/* Each entry moves the schema one version up; never edit a shipped one. */
const char *const db_sqlite_schema[] = {
    /* 1: imports and their records */
    "CREATE TABLE imports ("
    "  id INTEGER PRIMARY KEY,"
    "  hash TEXT NOT NULL UNIQUE,"
    "  file TEXT NOT NULL,"
    "  sheet TEXT NOT NULL DEFAULT '',"
    "  period TEXT NOT NULL DEFAULT '',"
    "  header_row INTEGER NOT NULL,"
    "  rows INTEGER NOT NULL DEFAULT 0,"
    "  skipped INTEGER NOT NULL DEFAULT 0,"
    "  imported_at TEXT NOT NULL);"
    "CREATE TABLE records ("
    "  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,"
    "  row INTEGER NOT NULL,"
    "  video TEXT NOT NULL, product TEXT NOT NULL, live TEXT NOT NULL,"
    "  creator TEXT NOT NULL, day TEXT NOT NULL, label TEXT NOT NULL,"
    "  views INTEGER, product_impressions INTEGER, product_clicks INTEGER,"
    "  orders INTEGER, sku_orders INTEGER, items_sold INTEGER,"
    "  gmv REAL, est_commission REAL, refunds REAL);"
    "CREATE INDEX records_by_import ON records(import_id, row);"
    "CREATE INDEX records_by_creator ON records(creator);",
    /* journal: one-change tests and their looks (docs/journal.md).  Import
     * ids are kept without a foreign key: forgetting an import must not take
     * a test's history with it.  The triggers repeat journal.c's rules in the
     * database, so no other writer can edit a closed test or a frozen plan. */
    "CREATE TABLE journal_tests ("
    "  id INTEGER PRIMARY KEY,"
    "  creator TEXT NOT NULL,"
    "  step TEXT NOT NULL CHECK (step IN ('pick', 'tag', 'read')),"
    "  metric TEXT NOT NULL CHECK (metric IN ('ctr', 'ctor')),"
    "  change TEXT NOT NULL, hypothesis TEXT NOT NULL, expectation TEXT NOT NULL,"
    "  before_video TEXT NOT NULL, before_import INTEGER NOT NULL,"
    "  before_impressions INTEGER, before_clicks INTEGER, before_orders INTEGER,"
    "  mde REAL NOT NULL, alpha REAL NOT NULL, power REAL NOT NULL, tau2 REAL NOT NULL,"
    "  sample_feasible INTEGER NOT NULL, b_needed INTEGER NOT NULL,"
    "  min_detectable_lift REAL,"
    "  planned_at TEXT NOT NULL,"
    "  outcome TEXT CHECK (outcome IN ('b-better', 'a-better', 'no-clear-difference',"
    "                                  'abandoned')),"
    "  lesson TEXT NOT NULL DEFAULT '', closed_at TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE journal_looks ("
    "  test_id INTEGER NOT NULL REFERENCES journal_tests(id),"
    "  seq INTEGER NOT NULL,"
    "  taken_at TEXT NOT NULL,"
    "  after_video TEXT NOT NULL, after_import INTEGER NOT NULL,"
    "  trials INTEGER NOT NULL, successes INTEGER NOT NULL,"
    "  p_look REAL NOT NULL, p_always_valid REAL NOT NULL,"
    "  PRIMARY KEY (test_id, seq));"
    "CREATE INDEX journal_open ON journal_tests(creator, metric) WHERE outcome IS NULL;"
    "CREATE TRIGGER journal_closed_kept BEFORE UPDATE ON journal_tests"
    "  WHEN OLD.outcome IS NOT NULL"
    "  BEGIN SELECT RAISE(ABORT, 'a closed test is kept as it is'); END;"
    "CREATE TRIGGER journal_plan_frozen BEFORE UPDATE OF metric, mde, tau2, before_impressions,"
    "  before_clicks, before_orders ON journal_tests"
    "  WHEN EXISTS (SELECT 1 FROM journal_looks WHERE test_id = OLD.id)"
    "  BEGIN SELECT RAISE(ABORT, 'the plan is frozen after its first look'); END;"
    "CREATE TRIGGER journal_look_open BEFORE INSERT ON journal_looks"
    "  WHEN (SELECT outcome FROM journal_tests WHERE id = NEW.test_id) IS NOT NULL"
    "  BEGIN SELECT RAISE(ABORT, 'a closed test takes no more looks'); END;"
    "CREATE TRIGGER journal_looks_kept BEFORE UPDATE ON journal_looks"
    "  BEGIN SELECT RAISE(ABORT, 'looks are kept as taken'); END;"
    "CREATE TRIGGER journal_looks_never_deleted BEFORE DELETE ON journal_looks"
    "  BEGIN SELECT RAISE(ABORT, 'looks are kept as taken'); END;"
    "CREATE TRIGGER journal_tests_never_deleted BEFORE DELETE ON journal_tests"
    "  BEGIN SELECT RAISE(ABORT, 'tests are kept'); END;",
    /* 3: drill answers given in the web app (progress per drill type) */
    "CREATE TABLE drill_answers ("
    "  id INTEGER PRIMARY KEY,"
    "  drill_type TEXT NOT NULL,"
    "  drill_id TEXT NOT NULL,"
    "  answer TEXT NOT NULL,"
    "  correct INTEGER NOT NULL,"
    "  answered_at TEXT NOT NULL);"
    "CREATE INDEX drill_answers_by_type ON drill_answers(drill_type);",
    /* 4: what an import is: its title, and whether it is practice data (never
     * a real baseline) */
    ("ALTER TABLE imports ADD COLUMN title TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE imports ADD COLUMN practice INTEGER NOT NULL DEFAULT 0;"),
    /* 5: the currency the file's money columns named ("BRL"), so a stored
     * report shows amounts as the file did; '' when none or several */
    "ALTER TABLE imports ADD COLUMN currency TEXT NOT NULL DEFAULT '';",
    /* 6: team mode (docs/team.md): accounts, their sessions, creators as
     * things in the store, who manages whom, failed logins for the rate
     * limit, and the audit log.  Only a hash of a session token is kept.
     * Session and failure times are Unix seconds (the expiry arithmetic);
     * everything else keeps UTC text like the other tables.  An import's
     * creator is NULL for the imports made before, and for files of several
     * creators: owners alone see those.  (No foreign key on it: creators are
     * never removed, and a plain column can be dropped by older tools.) */
    "CREATE TABLE creators ("
    "  id INTEGER PRIMARY KEY,"
    "  handle TEXT NOT NULL UNIQUE,"
    "  display_name TEXT NOT NULL,"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'creator', 'viewer')),"
    "  password_hash TEXT NOT NULL,"
    "  creator_id INTEGER REFERENCES creators(id),"
    "  manager_id INTEGER REFERENCES users(id),"
    "  created_at TEXT NOT NULL,"
    "  password_changed_at TEXT NOT NULL,"
    "  CHECK ((role = 'creator') = (creator_id IS NOT NULL)),"
    "  CHECK ((role = 'viewer') = (manager_id IS NOT NULL)));"
    "CREATE TABLE assignments ("
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  creator_id INTEGER NOT NULL REFERENCES creators(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (user_id, creator_id));"
    "CREATE TABLE sessions ("
    "  id INTEGER PRIMARY KEY,"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  last_seen_at INTEGER NOT NULL);"
    "CREATE INDEX sessions_by_user ON sessions(user_id);"
    "CREATE TABLE login_failures ("
    "  id INTEGER PRIMARY KEY,"
    "  key TEXT NOT NULL,"
    "  at INTEGER NOT NULL);"
    "CREATE INDEX login_failures_by_key ON login_failures(key, at);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL,"
    "  user_name TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  object_kind TEXT NOT NULL,"
    "  object_id INTEGER NOT NULL,"
    "  detail TEXT NOT NULL);"
    "ALTER TABLE imports ADD COLUMN creator_id INTEGER;"
    "CREATE INDEX imports_by_creator ON imports(creator_id);",
    /* 7: what a journal test changed, one of sl_change_tag's names, so the
     * lessons can group tests across creators.  Tests planned before it are
     * 'other'.  No CHECK: a tag added later needs no table rebuild, and
     * journal.c reads a name it does not know as 'other'.  (Kept as one
     * self-contained statement so it can be renumbered at a merge.) */
    "ALTER TABLE journal_tests ADD COLUMN change_tag TEXT NOT NULL DEFAULT 'other';",
    /* 8: drill progress is each account's own practice in team mode (NULL:
     * solo mode, and answers given before it).  An account's answers go
     * with it. */
    "ALTER TABLE drill_answers ADD COLUMN user_id INTEGER REFERENCES users(id) ON DELETE CASCADE;"
    "CREATE INDEX drill_answers_by_user ON drill_answers(user_id, drill_type);",
    /* 9: the creators an import's rows name, one line each, kept at import
     * time (store.c), in place of an index of every record's creator: on a
     * 20M-row import that index took longer to build than the rows took to
     * load, to answer one question ("store list --creator"). */
    "CREATE TABLE import_creators ("
    "  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,"
    "  creator TEXT NOT NULL,"
    "  PRIMARY KEY (import_id, creator)) WITHOUT ROWID;"
    "INSERT INTO import_creators SELECT DISTINCT import_id, creator FROM records "
    "  WHERE creator <> '';"
    "DROP INDEX records_by_creator;",
    /* 10: nothing here.  PostgreSQL's index on row became a BRIN index
     * (schema_pg.c); the (import_id, row) index already finds each span
     * of rows the store reads (records_read.c). */
    "",
};

const int db_sqlite_schema_versions = (int)(sizeof db_sqlite_schema / sizeof *db_sqlite_schema);
