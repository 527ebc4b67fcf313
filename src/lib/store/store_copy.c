/*
 * store_copy.c — moving a whole store from one engine to another (a
 * creator's SQLite file into the agency's PostgreSQL, or back): every
 * import with its rows, every journal test with its looks, every drill
 * answer, and team mode's creators, accounts, assignments and audit log
 * (not sessions or failed logins: people log in again), ids kept, then counts and sums checked on both sides before the
 * copy is committed.
 *
 * The target must be empty: a copy never merges, so it can never
 * overwrite or double anything.  The whole copy is one transaction on the
 * target; a failed check or a killed process leaves it empty.
 */
#include "db.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* How a column is read from the source and written to the target. */
typedef enum column_kind { COL_INT, COL_REAL, COL_TEXT } column_kind;

typedef struct table_spec {
    const char *table;
    const char *const *columns;
    const column_kind *kinds;
    int count;
    const char *order;              /* ORDER BY, so ids go in ascending */
} table_spec;

static const char *const import_columns[] = {
    "id", "hash", "file", "sheet", "period", "header_row", "rows", "skipped", "imported_at",
    "title", "practice", "currency", "creator_id",
};
static const column_kind import_kinds[] = {
    COL_INT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_INT,
    COL_INT, COL_INT,  COL_TEXT, COL_TEXT, COL_INT, COL_TEXT, COL_INT,
};

static const char *const creator_columns[] = {"id", "handle", "display_name", "created_at"};
static const column_kind creator_kinds[] = {COL_INT, COL_TEXT, COL_TEXT, COL_TEXT};

/* A viewer's manager was added before it, so id order keeps the reference. */
static const char *const user_columns[] = {
    "id", "name", "role", "password_hash", "creator_id", "manager_id", "created_at",
    "password_changed_at",
};
static const column_kind user_kinds[] = {
    COL_INT, COL_TEXT, COL_TEXT, COL_TEXT, COL_INT, COL_INT, COL_TEXT, COL_TEXT,
};

static const char *const assignment_columns[] = {"user_id", "creator_id"};
static const column_kind assignment_kinds[] = {COL_INT, COL_INT};

static const char *const audit_columns[] = {
    "id", "at", "user_name", "action", "object_kind", "object_id", "detail",
};
static const column_kind audit_kinds[] = {
    COL_INT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_INT, COL_TEXT,
};

static const char *const record_columns[] = {
    "import_id", "row", "video", "product", "live", "creator", "day", "label",
    "views", "product_impressions", "product_clicks", "orders", "sku_orders", "items_sold",
    "gmv", "est_commission", "refunds",
};
static const column_kind record_kinds[] = {
    COL_INT, COL_INT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_INT,
    COL_INT, COL_INT, COL_INT,  COL_INT,  COL_INT,  COL_REAL, COL_REAL, COL_REAL,
};

static const char *const import_creator_columns[] = {"import_id", "creator"};
static const column_kind import_creator_kinds[] = {COL_INT, COL_TEXT};

/* A test goes in open (outcome, lesson and closed time come after its
 * looks): the database refuses looks on a closed test. */
static const char *const test_columns[] = {
    "id", "creator", "step", "metric", "change", "hypothesis", "expectation", "before_video",
    "before_import", "before_impressions", "before_clicks", "before_orders", "mde", "alpha",
    "power", "tau2", "sample_feasible", "b_needed", "min_detectable_lift", "planned_at",
    "change_tag",
};
static const column_kind test_kinds[] = {
    COL_INT,  COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT, COL_TEXT,
    COL_TEXT, COL_INT,  COL_INT,  COL_INT,  COL_INT,  COL_REAL, COL_REAL,
    COL_REAL, COL_REAL, COL_INT,  COL_INT,  COL_REAL, COL_TEXT, COL_TEXT,
};

static const char *const look_columns[] = {
    "test_id", "seq", "taken_at", "after_video", "after_import", "trials", "successes",
    "p_look", "p_always_valid",
};
static const column_kind look_kinds[] = {
    COL_INT, COL_INT, COL_TEXT, COL_TEXT, COL_INT, COL_INT, COL_INT, COL_REAL, COL_REAL,
};

static const char *const drill_columns[] = {
    "id", "drill_type", "drill_id", "answer", "correct", "answered_at", "user_id",
};
static const column_kind drill_kinds[] = {
    COL_INT, COL_TEXT, COL_TEXT, COL_TEXT, COL_INT, COL_TEXT, COL_INT,
};

#define SPEC(table, name, order) \
    {table, name##_columns, name##_kinds, (int)(sizeof name##_columns / sizeof *name##_columns), order}

static const table_spec tables[] = {
    SPEC("creators", creator, "id"),
    SPEC("users", user, "id"),
    SPEC("assignments", assignment, "user_id, creator_id"),
    SPEC("imports", import, "id"),
    SPEC("records", record, "import_id, row"),
    SPEC("import_creators", import_creator, "import_id, creator"),
    SPEC("journal_tests", test, "id"),
    SPEC("journal_looks", look, "test_id, seq"),
    SPEC("drill_answers", drill, "id"),
    SPEC("audit", audit, "id"),
};
enum { T_CREATORS, T_USERS, T_ASSIGNMENTS, T_IMPORTS, T_RECORDS, T_IMPORT_CREATORS, T_TESTS,
       T_LOOKS, T_DRILLS, T_AUDIT, T__COUNT };

/* The spec's columns as a SELECT list, "a, b, c", into out[size]. */
static void column_list(const table_spec *t, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < t->count && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ", " : "", t->columns[i]);
}

/* SELECT the spec's columns from its table, in its order. */
static sl_status select_all(db *from, const table_spec *t, db_stmt **out, sl_error *err)
{
    char columns[768], sql[1024];
    column_list(t, columns, sizeof columns);
    snprintf(sql, sizeof sql, "SELECT %s FROM %s ORDER BY %s", columns, t->table, t->order);
    return db_prepare(from, sql, false, out, err);
}

/* One row into a copy: the row `q` is on, column by column as its table's
 * spec says; *rows counts them. */
typedef struct row_copy {
    const table_spec *table;
    db_copy *to;
    uint64_t *rows;
    sl_error *err;
} row_copy;

static sl_status copy_row(void *ctx, db_stmt *q)
{
    row_copy *r = ctx;
    const table_spec *t = r->table;
    for (int i = 0; i < t->count; i++) {
        if (db_column_null(q, i))
            db_copy_null(r->to);
        else if (t->kinds[i] == COL_INT)
            db_copy_int(r->to, db_column_int(q, i));
        else if (t->kinds[i] == COL_REAL)
            db_copy_double(r->to, db_column_double(q, i));
        else
            db_copy_text(r->to, db_column_text(q, i));
    }
    ++*r->rows;
    return db_copy_row(r->to, r->err);
}

/* Streams the rows `q` selects into the copy `c`; *rows counts them. */
static sl_status stream_rows(db *from, db_stmt *q, const table_spec *t, db_copy *c,
                             uint64_t *rows, sl_error *err)
{
    row_copy r = {t, c, rows, err};
    sl_status st = SL_OK;
    db_result rc = DB_DONE;
    while (st == SL_OK && (rc = db_step(q)) == DB_ROW)
        st = copy_row(&r, q);
    if (st == SL_OK && rc == DB_ERROR)
        st = db_fail(from, err, "cannot read the store to copy");
    return st;
}

/* Copies one table from `from` into `to`; *rows counts its rows. */
static sl_status copy_table(db *from, db *to, const table_spec *t, uint64_t *rows, sl_error *err)
{
    db_stmt *q;
    sl_status st = select_all(from, t, &q, err);
    if (st != SL_OK)
        return st;
    db_copy *c;
    st = db_copy_begin(to, t->table, t->columns, t->count, &c, err);
    if (st == SL_OK) {
        st = stream_rows(from, q, t, c, rows, err);
        sl_status end = db_copy_end(c, st == SL_OK, st == SL_OK ? err : NULL);
        st = st == SL_OK ? end : st;
    }
    db_finalize(q);
    return st;
}

/* Copies the records import by import, the way an import stores them,
 * each import's rows read a span at a time (db_import_rows_each). */
static sl_status copy_records(db *from, db *to, const table_spec *t, uint64_t *rows,
                              sl_error *err)
{
    char columns[768];
    column_list(t, columns, sizeof columns);
    db_stmt *ids;
    sl_status st = db_prepare(from, "SELECT id FROM imports ORDER BY id", false, &ids, err);
    if (st != SL_OK)
        return st;
    db_result rc = DB_DONE;
    while (st == SL_OK && (rc = db_step(ids)) == DB_ROW) {
        int64_t id = db_column_int(ids, 0);
        db_copy *c;
        st = db_import_rows_begin(to, id, t->columns, t->count, &c, err);
        if (st != SL_OK)
            break;
        row_copy r = {t, c, rows, err};
        st = db_import_rows_each(from, id, columns, copy_row, &r, err);
        sl_status end = db_import_rows_end(to, id, c, st == SL_OK, st == SL_OK ? err : NULL);
        st = st == SL_OK ? end : st;
    }
    if (st == SL_OK && rc == DB_ERROR)
        st = db_fail(from, err, "cannot read the imports to copy");
    db_finalize(ids);
    return st;
}

/* Closes the copied tests that were closed in `from`. */
static sl_status close_tests(db *from, db *to, sl_error *err)
{
    db_stmt *q, *u;
    sl_status st = db_prepare(from,
                              "SELECT id, outcome, lesson, closed_at FROM journal_tests "
                              "WHERE outcome IS NOT NULL ORDER BY id",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    st = db_prepare(to,
                    "UPDATE journal_tests SET outcome = ?2, lesson = ?3, closed_at = ?4 "
                    "WHERE id = ?1",
                    true, &u, err);
    if (st != SL_OK) {
        db_finalize(q);
        return st;
    }
    db_result rc;
    while (st == SL_OK && (rc = db_step(q)) == DB_ROW) {
        db_reset(u);
        db_bind_int(u, 1, db_column_int(q, 0));
        db_bind_text(u, 2, db_column_text(q, 1));
        db_bind_text(u, 3, db_column_text(q, 2));
        db_bind_text(u, 4, db_column_text(q, 3));
        if (db_step(u) == DB_ERROR)
            st = db_fail(to, err, "cannot close a copied journal test");
    }
    if (st == SL_OK && rc == DB_ERROR)
        st = db_fail(from, err, "cannot read the journal to copy");
    db_finalize(u);
    db_finalize(q);
    return st;
}

/* What the check compares: counts, the sum of every count column, and
 * the money sums (summed in each engine's own order, so compared to a
 * relative 1e-9). */
#define CHECK_INTS 16
#define CHECK_REALS 3
/* Where the counts of whole[] that require_empty reads are. */
enum { W_IMPORTS = 0, W_TESTS = 2, W_DRILLS = 4, W_CREATORS = 12, W_USERS = 13 };
typedef struct store_totals {
    int64_t whole[CHECK_INTS];
    double money[CHECK_REALS];
} store_totals;

static const char *const check_names[CHECK_INTS + CHECK_REALS] = {
    "imports",      "records", "journal tests", "journal looks", "drill answers",
    "views",        "product impressions", "product clicks", "orders", "SKU orders",
    "items sold",   "look trials and successes", "creators", "accounts", "assignments",
    "audit entries", "GMV", "est. commission", "refunds",
};

static sl_status totals(db *d, store_totals *out, sl_error *err)
{
    db_stmt *q;
    sl_status st = db_prepare(
        d,
        "SELECT (SELECT COUNT(*) FROM imports), (SELECT COUNT(*) FROM records), "
        "(SELECT COUNT(*) FROM journal_tests), (SELECT COUNT(*) FROM journal_looks), "
        "(SELECT COUNT(*) FROM drill_answers), "
        "(SELECT COALESCE(SUM(views), 0) FROM records), "
        "(SELECT COALESCE(SUM(product_impressions), 0) FROM records), "
        "(SELECT COALESCE(SUM(product_clicks), 0) FROM records), "
        "(SELECT COALESCE(SUM(orders), 0) FROM records), "
        "(SELECT COALESCE(SUM(sku_orders), 0) FROM records), "
        "(SELECT COALESCE(SUM(items_sold), 0) FROM records), "
        "(SELECT COALESCE(SUM(trials + successes), 0) FROM journal_looks), "
        "(SELECT COUNT(*) FROM creators), (SELECT COUNT(*) FROM users), "
        "(SELECT COUNT(*) FROM assignments), (SELECT COUNT(*) FROM audit), "
        "(SELECT COALESCE(SUM(gmv), 0) FROM records), "
        "(SELECT COALESCE(SUM(est_commission), 0) FROM records), "
        "(SELECT COALESCE(SUM(refunds), 0) FROM records)",
        false, &q, err);
    if (st != SL_OK)
        return st;
    if (db_step(q) == DB_ROW) {
        for (int i = 0; i < CHECK_INTS; i++)
            out->whole[i] = db_column_int(q, i);
        for (int i = 0; i < CHECK_REALS; i++)
            out->money[i] = db_column_double(q, CHECK_INTS + i);
    } else {
        st = db_fail(d, err, "cannot count what the store holds");
    }
    db_finalize(q);
    return st;
}

static sl_status compare_totals(const store_totals *a, const store_totals *b, db *from, db *to,
                                sl_error *err)
{
    for (int i = 0; i < CHECK_INTS; i++)
        if (a->whole[i] != b->whole[i])
            return sl_fail(err, SL_ERR_STORE, NULL,
                           "the copy does not match: %s %lld in %s, %lld in %s; nothing was "
                           "copied",
                           check_names[i], (long long)a->whole[i], db_name(from),
                           (long long)b->whole[i], db_name(to));
    for (int i = 0; i < CHECK_REALS; i++) {
        double x = a->money[i], y = b->money[i];
        if (fabs(x - y) > 1e-9 * fmax(1.0, fmax(fabs(x), fabs(y))))
            return sl_fail(err, SL_ERR_STORE, NULL,
                           "the copy does not match: %s %.17g in %s, %.17g in %s; nothing was "
                           "copied",
                           check_names[CHECK_INTS + i], x, db_name(from), y, db_name(to));
    }
    return SL_OK;
}

static sl_status require_empty(db *to, sl_error *err)
{
    store_totals t;
    sl_status st = totals(to, &t, err);
    if (st != SL_OK)
        return st;
    if (t.whole[W_IMPORTS] || t.whole[W_TESTS] || t.whole[W_DRILLS] || t.whole[W_CREATORS] ||
        t.whole[W_USERS])
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "%s is not empty (%lld imports, %lld journal tests, %lld drill answers, "
                       "%lld creators, %lld accounts): a copy never merges into or overwrites a "
                       "store; give an empty or new --to",
                       db_name(to), (long long)t.whole[W_IMPORTS], (long long)t.whole[W_TESTS],
                       (long long)t.whole[W_DRILLS], (long long)t.whole[W_CREATORS],
                       (long long)t.whole[W_USERS]);
    return SL_OK;
}

/* Copies every table, closes the closed tests, moves the target's id
 * counters past the copied ids, and checks the totals. */
static sl_status copy_all(db *from, db *to, sl_store_copy_result *out, sl_error *err)
{
    uint64_t rows[T__COUNT] = {0};
    sl_status st = SL_OK;
    for (int t = 0; st == SL_OK && t < T__COUNT; t++)
        st = t == T_RECORDS ? copy_records(from, to, &tables[t], &rows[t], err)
                            : copy_table(from, to, &tables[t], &rows[t], err);
    if (st == SL_OK)
        st = close_tests(from, to, err);
    for (int t = 0; st == SL_OK && t < T__COUNT; t++)
        if (t != T_RECORDS && t != T_IMPORT_CREATORS && t != T_LOOKS && t != T_ASSIGNMENTS)
            st = db_ids_follow(to, tables[t].table, err);
    store_totals a, b;
    if (st == SL_OK)
        st = totals(from, &a, err);
    if (st == SL_OK)
        st = totals(to, &b, err);
    if (st == SL_OK)
        st = compare_totals(&a, &b, from, to, err);
    if (st == SL_OK && out) {
        out->imports = rows[T_IMPORTS];
        out->records = rows[T_RECORDS];
        out->tests = rows[T_TESTS];
        out->looks = rows[T_LOOKS];
        out->drill_answers = rows[T_DRILLS];
        out->creators = rows[T_CREATORS];
        out->users = rows[T_USERS];
        out->audit_entries = rows[T_AUDIT];
    }
    return st;
}

sl_status sl_store_copy(sl_store *from, sl_store *to, sl_store_copy_result *out, sl_error *err)
{
    if (!from || !to || from == to)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "give two different stores to copy");
    if (out)
        memset(out, 0, sizeof *out);
    db *src = sl_store_db(from), *dst = sl_store_db(to);
    sl_status st = sl_store_begin(from, false, err);
    if (st != SL_OK)
        return st;
    st = sl_store_begin(to, true, err);
    if (st == SL_OK) {
        st = require_empty(dst, err);
        if (st == SL_OK)
            st = copy_all(src, dst, out, err);
        if (st == SL_OK)
            st = db_commit(dst, err);
        else
            db_rollback(dst);
    }
    db_rollback(src);
    return st;
}
