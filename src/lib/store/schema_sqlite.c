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
    /* 6: what a journal test changed, one of sl_change_tag's names, so the
     * lessons can group tests across creators.  Tests planned before it are
     * 'other'.  No CHECK: a tag added later needs no table rebuild, and
     * journal.c reads a name it does not know as 'other'.  (Kept as one
     * self-contained statement so it can be renumbered at a merge.) */
    "ALTER TABLE journal_tests ADD COLUMN change_tag TEXT NOT NULL DEFAULT 'other';",
};

const int db_sqlite_schema_versions = (int)(sizeof db_sqlite_schema / sizeof *db_sqlite_schema);
