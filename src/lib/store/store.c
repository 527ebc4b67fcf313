/*
 * store.c — imports kept in a database: SQLite (one file, the default) or
 * PostgreSQL (for teams), behind db.h; schema versions with ordered
 * migrations; prepared statements only.
 *
 * One import is one transaction: until the commit nothing of it is
 * visible, and a process killed half-way leaves the database as it was.
 * Its rows go in with db_copy (COPY on PostgreSQL).  Counts are stored as
 * integers so they come back exactly; money as double precision.
 *
 * Team mode's pieces that other store files build on live here too: the
 * store's actor and the audit row every write adds in its own transaction
 * (team.c, accounts.c and journal.c call sl_store_audit), and finding or
 * making the creator an import belongs to.
 */
#include "db.h"
#include "name_set.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sl_store {
    db *db;
    bool in_import;
    int64_t import_id;          /* the open import */
    db_copy *rows;              /* its records, while it is open */
    db_stmt *insert_import, *finish_import, *find_hash;
    char actor[64];             /* sl_store_set_actor; "" is "local" */
    char import_creator[SL_MAX_ID]; /* the open import's creator handle, set at commit */
    name_set row_creators;      /* the creators its rows name (import_creators) */
    uint32_t fields_sent;       /* the funnel fields its rows send (sl_import.fields_given) */
    uint32_t keys_sent;         /* and the keys, the label at bit SL_DIM__COUNT */
};

/* A record's columns as the store sends them: the row, one per
 * sl_dimension, the label, one per sl_field.  import_id is the engine's. */
static const char *const record_columns[] = {
    "row", "video", "product", "live", "creator", "day", "label",
    "views", "product_impressions", "product_clicks", "orders", "sku_orders", "items_sold",
    "gmv", "est_commission", "refunds",
};
#define RECORD_LABEL_COLUMN (1 + SL_DIM__COUNT)

sl_status sl_store_default_path(char *out, size_t size, sl_error *err)
{
    const char *db = getenv("SHOPLAB_DB");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (db && *db)
        n = snprintf(out, size, "%s", db);
    else if (xdg && xdg[0] == '/')
        n = snprintf(out, size, "%s/shoplab/shoplab.db", xdg);
    else if (home && *home)
        n = snprintf(out, size, "%s/.local/share/shoplab/shoplab.db", home);
    else
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                       "no place for the database: set HOME, XDG_DATA_HOME or SHOPLAB_DB, "
                       "or give --db PATH");
    if (n < 0 || (size_t)n >= size)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "the database path is too long");
    return SL_OK;
}


/* The schema this ShopLab writes, for the engine of `d`. */
static const char *const *schema_of(const db *d, int *versions)
{
    if (db_engine_kind(d) == DB_POSTGRES) {
        *versions = db_pg_schema_versions;
        return db_pg_schema;
    }
    *versions = db_sqlite_schema_versions;
    return db_sqlite_schema;
}

/* Brings the schema to this ShopLab's version (or, read-only, checks it
 * is that version).  A database written by a newer ShopLab is refused
 * before anything touches it. */
static sl_status migrate(db *d, bool readonly, sl_error *err)
{
    int versions, version;
    const char *const *schema = schema_of(d, &versions);
    sl_status st = db_schema_version(d, &version, err);
    if (st != SL_OK)
        return st;
    if (version > versions)
        return sl_fail(err, SL_ERR_STORE, NULL,
                       "database %s has schema version %d, written by a newer ShopLab (this one "
                       "knows up to %d); upgrade ShopLab or use another --db",
                       db_name(d), version, versions);
    if (readonly && version < versions)
        return sl_fail(err, SL_ERR_STORE, NULL,
                       "the store %s has schema version %d, older than this ShopLab's %d, and "
                       "it is read-only here, so it cannot be upgraded: run one command that "
                       "writes to it (such as shoplab read FILE) where it is writable",
                       db_name(d), version, versions);
    while (st == SL_OK && version < versions) {
        st = db_migrate_step(d, version + 1, schema[version], err);
        if (st == SL_OK)
            st = db_schema_version(d, &version, err);
    }
    return st;
}

/* The statements every import uses, prepared once per store. */
static sl_status prepare_statements(sl_store *s, sl_error *err)
{
    /* ON CONFLICT: on PostgreSQL two processes can insert the same file at
     * once; the second waits for the first and then finds its import. */
    sl_status st = db_prepare(s->db,
                              "INSERT INTO imports(hash, file, sheet, period, header_row, "
                              "imported_at, title, practice, currency, creator_id) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                              "ON CONFLICT (hash) DO NOTHING RETURNING id",
                              true, &s->insert_import, err);
    if (st == SL_OK)
        st = db_prepare(s->db, "UPDATE imports SET rows = ?2, skipped = ?3 WHERE id = ?1", true,
                        &s->finish_import, err);
    if (st == SL_OK)
        st = db_prepare(s->db, "SELECT id FROM imports WHERE hash = ?1", true, &s->find_hash,
                        err);
    return st;
}

static sl_status open_store(const char *target, bool readonly, sl_store **out, sl_error *err)
{
    if (!target || !*target || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no database path given");
    *out = NULL;
    db_engine engine;
    sl_status st = db_engine_of_target(target, &engine, err);
    if (st != SL_OK)
        return st;
    sl_store *s = calloc(1, sizeof *s);
    if (!s)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    st = engine == DB_POSTGRES ? db_pg_open(target, readonly, &s->db, err)
                               : db_sqlite_open(target, readonly, &s->db, err);
    if (st == SL_OK)
        st = migrate(s->db, readonly, err);
    if (st == SL_OK)
        st = prepare_statements(s, err);
    if (st != SL_OK) {
        sl_store_close(s);
        return st;
    }
    *out = s;
    return SL_OK;
}

sl_status sl_store_open(const char *target, sl_store **out, sl_error *err)
{
    return open_store(target, false, out, err);
}

sl_status sl_store_open_readonly(const char *target, sl_store **out, sl_error *err)
{
    return open_store(target, true, out, err);
}

const char *sl_store_name(const sl_store *store)
{
    return db_name(store->db);
}

void sl_store_set_busy_timeout(sl_store *store, unsigned milliseconds)
{
    if (store && store->db)
        db_set_lock_wait(store->db, milliseconds);
}

void sl_store_close(sl_store *s)
{
    if (!s)
        return;
    sl_store_import_abort(s);
    db_finalize(s->insert_import);
    db_finalize(s->finish_import);
    db_finalize(s->find_hash);
    db_close(s->db);
    free(s);
}

/* The id of the stored import with file hash `hash` (0: none). */
static sl_status find_import(sl_store *s, const char *hash, int64_t *id, sl_error *err)
{
    db_stmt *q = s->find_hash;
    db_reset(q);
    db_bind_text(q, 1, hash);
    db_result rc = db_step(q);
    *id = rc == DB_ROW ? db_column_int(q, 0) : 0;
    sl_status st = rc == DB_ERROR ? db_fail(s->db, err, "cannot look up the file's hash") : SL_OK;
    db_reset(q);
    return st;
}

/* Inserts the import's row; *id 0 when another process stored the same
 * file first. */
static sl_status insert_import(sl_store *s, const sl_import *meta, int64_t *id, sl_error *err)
{
    char now[24];
    if (meta->imported_at[0])
        snprintf(now, sizeof now, "%s", meta->imported_at);
    else
        sl_store_now(now);
    db_stmt *q = s->insert_import;
    db_reset(q);
    db_bind_text(q, 1, meta->hash);
    db_bind_text(q, 2, meta->file);
    db_bind_text(q, 3, meta->sheet);
    db_bind_text(q, 4, meta->period);
    db_bind_int(q, 5, (int64_t)meta->header_row);
    db_bind_text(q, 6, now);
    db_bind_text(q, 7, meta->title);
    db_bind_int(q, 8, meta->practice ? 1 : 0);
    db_bind_text(q, 9, meta->currency);
    if (meta->creator_id)
        db_bind_int(q, 10, meta->creator_id);
    else
        db_bind_null(q, 10);
    db_result rc = db_step(q);
    *id = rc == DB_ROW ? db_column_int(q, 0) : 0;
    sl_status st = rc == DB_ERROR ? db_fail(s->db, err, "cannot record the import") : SL_OK;
    if (rc == DB_ROW && db_step(q) == DB_ERROR)
        st = db_fail(s->db, err, "cannot record the import");
    db_reset(q);
    return st;
}

/* The hash an import holds while its content's hash is still being
 * taken (sl_store_import_commit_hashed): unique, and no SHA-256 in hex
 * (its ':'), so it never names a file's content.  Only the import's own
 * transaction ever sees it. */
static sl_status pending_hash(char out[65], sl_error *err)
{
    if (sodium_init() < 0)
        return sl_fail(err, SL_ERR_IO, NULL,
                       "libsodium could not start (no source of random numbers?)");
    unsigned char random[16];
    randombytes_buf(random, sizeof random);
    int n = snprintf(out, 65, "pending:");
    for (size_t i = 0; i < sizeof random; i++)
        n += snprintf(out + n, (size_t)(65 - n), "%02x", random[i]);
    return SL_OK;
}

sl_status sl_store_import_begin(sl_store *s, const sl_import *meta, int64_t *id,
                                int64_t *existing_id, sl_error *err)
{
    if (!s || !meta || !id || !existing_id)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or import given");
    if (s->in_import)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "an import is already open");
    *existing_id = 0;
    *id = 0;
    /* The write lock first, then the duplicate check: two processes that
     * import one file at once give one import and one "already imported",
     * never a UNIQUE failure for the second. */
    sl_status st = db_begin(s->db, true, err);
    if (st != SL_OK)
        return st;
    s->in_import = true;
    s->import_creator[0] = '\0';
    name_set_free(&s->row_creators);
    if (!meta->hash[0]) {
        /* The content's hash comes at the commit: the duplicate check
         * waits for it. */
        sl_import pending = *meta;
        st = pending_hash(pending.hash, err);
        if (st == SL_OK)
            st = insert_import(s, &pending, id, err);
    } else {
        st = find_import(s, meta->hash, existing_id, err);
        if (st == SL_OK && !*existing_id) {
            st = insert_import(s, meta, id, err);
            if (st == SL_OK && !*id)
                st = find_import(s, meta->hash, existing_id, err);
        }
    }
    s->import_id = *id;
    /* Only the fields the file has: a column never sent costs the
     * database nothing to parse, and PostgreSQL's COPY time grows with
     * the columns sent (a quarter less for a file of five fields). */
    const uint32_t all_fields = (1u << SL_FIELD__COUNT) - 1, all_keys = (2u << SL_DIM__COUNT) - 1;
    s->fields_sent = meta->fields_given & all_fields ? meta->fields_given & all_fields : all_fields;
    s->keys_sent = meta->keys_given & all_keys ? meta->keys_given & all_keys : all_keys;
    const char *columns[sizeof record_columns / sizeof *record_columns];
    int count = 0;
    columns[count++] = record_columns[0];
    for (int k = 0; k <= SL_DIM__COUNT; k++) /* the keys, then the label */
        if (s->keys_sent & (1u << k))
            columns[count++] = record_columns[1 + k];
    for (int f = 0; f < SL_FIELD__COUNT; f++)
        if (s->fields_sent & (1u << f))
            columns[count++] = record_columns[RECORD_LABEL_COLUMN + 1 + f];
    if (st == SL_OK && !*existing_id)
        st = db_import_rows_begin(s->db, *id, columns, count, &s->rows, err);
    if (st != SL_OK || *existing_id) {
        *id = 0;
        sl_store_import_abort(s);
        return st;
    }
    return SL_OK;
}

sl_status sl_store_import_add(sl_store *s, const sl_record *rec, sl_error *err)
{
    if (!s || !rec || !s->in_import || !s->rows)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no import is open");
    db_copy *c = s->rows;
    if (rec->key[SL_DIM_CREATOR][0] && !name_set_add(&s->row_creators, rec->key[SL_DIM_CREATOR]))
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    db_copy_int(c, (int64_t)rec->row);
    for (int k = 0; k <= SL_DIM__COUNT; k++) {
        const char *text = k < SL_DIM__COUNT ? rec->key[k] : rec->label;
        if (s->keys_sent & (1u << k))
            db_copy_text(c, text);
        else if (text[0])
            return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                           "row %llu has a %s, which its import said the file lacks; please "
                           "report this",
                           (unsigned long long)rec->row,
                           k < SL_DIM__COUNT ? sl_dimension_name((sl_dimension)k) : "label");
    }
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        double v;
        bool has = sl_funnel_get(&rec->funnel, (sl_field)f, &v);
        if (!(s->fields_sent & (1u << f))) {
            if (has) /* never dropped quietly: the import fails instead */
                return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL,
                               "row %llu has %s, a field its import said the file lacks; please "
                               "report this",
                               (unsigned long long)rec->row, sl_field_label((sl_field)f));
            continue;
        }
        if (!has)
            db_copy_null(c);
        else if (sl_field_is_money((sl_field)f))
            db_copy_double(c, v);
        else
            db_copy_int(c, (int64_t)v);
    }
    return db_copy_row(c, err);
}

/* The open import's audit entry: its file name and rows. */
static sl_status import_audit(sl_store *s, sl_error *err)
{
    db_stmt *q;
    sl_status st = db_prepare(s->db, "SELECT file, rows FROM imports WHERE id = ?1", false, &q,
                              err);
    if (st != SL_OK)
        return st;
    db_bind_int(q, 1, s->import_id);
    char detail[256] = "";
    if (db_step(q) == DB_ROW)
        snprintf(detail, sizeof detail, "%.200s, %lld rows", db_column_text(q, 0),
                 (long long)db_column_int(q, 1));
    db_finalize(q);
    return sl_store_audit(s, "import", "import", s->import_id, detail, err);
}

sl_status sl_store_import_set_creator(sl_store *s, const char *handle, sl_error *err)
{
    if (!s || !s->in_import)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no import is open");
    /* A key no handle can hold leaves the import without a creator. */
    snprintf(s->import_creator, sizeof s->import_creator, "%s",
             handle && sl_creator_handle_ok(handle) ? handle : "");
    return SL_OK;
}

/* The named creator, found or made, once the rows are in (PostgreSQL runs
 * nothing else while a COPY is open). */
static sl_status apply_import_creator(sl_store *s, sl_error *err)
{
    const char *handle = s->import_creator;
    if (!handle[0])
        return SL_OK;
    int64_t creator = 0;
    sl_status st = sl_store_creator_id(s, handle, true, &creator, err);
    db_stmt *q;
    if (st == SL_OK)
        st = db_prepare(s->db,
                        "UPDATE imports SET creator_id = ?2 WHERE id = ?1 AND creator_id IS NULL",
                        false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_int(q, 1, s->import_id);
    db_bind_int(q, 2, creator);
    if (db_step(q) == DB_ERROR)
        st = db_fail(s->db, err, "cannot record the import's creator");
    db_finalize(q);
    return st;
}

/* One line per creator the import's rows name: "store list --creator"
 * finds imports there rather than in every record. */
static sl_status keep_row_creators(sl_store *s, sl_error *err)
{
    db_stmt *q = NULL;
    sl_status st = db_prepare(s->db,
                              "INSERT INTO import_creators (import_id, creator) VALUES (?1, ?2)",
                              true, &q, err);
    for (size_t i = 0; st == SL_OK && i < s->row_creators.count; i++) {
        db_reset(q);
        db_bind_int(q, 1, s->import_id);
        db_bind_text(q, 2, s->row_creators.names[i]);
        if (db_step(q) == DB_ERROR)
            st = db_fail(s->db, err, "cannot record the import's creators");
    }
    if (q)
        db_finalize(q);
    name_set_free(&s->row_creators);
    return st;
}

/* Gives the open import its content's hash, once its rows are in (on
 * PostgreSQL nothing else runs while the COPY is open).  *existing_id is
 * the import already holding that content, if any: then this one is
 * dropped.  Another process may be storing the same content at this
 * moment: PostgreSQL then makes the UPDATE wait for it, and it fails when
 * that one commits, which the look-up after the rollback tells apart from
 * any other failure. */
static sl_status name_content(sl_store *s, const char *hash, int64_t *existing_id,
                              sl_error *err)
{
    sl_status st = find_import(s, hash, existing_id, err);
    if (st != SL_OK || *existing_id)
        return st;
    db_stmt *q;
    st = db_prepare(s->db, "UPDATE imports SET hash = ?2 WHERE id = ?1", false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_int(q, 1, s->import_id);
    db_bind_text(q, 2, hash);
    if (db_step(q) == DB_ERROR)
        st = db_fail(s->db, err, "cannot record the file's hash");
    db_finalize(q);
    if (st == SL_OK)
        return SL_OK;
    sl_store_import_abort(s);
    sl_error ignored;
    if (find_import(s, hash, existing_id, &ignored) == SL_OK && *existing_id)
        return SL_OK;
    return st;
}

static sl_status commit_import(sl_store *s, const char *hash, uint64_t rows, uint64_t skipped,
                               int64_t *existing_id, sl_error *err)
{
    if (!s || !s->in_import)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no import is open");
    db_copy *c = s->rows;
    s->rows = NULL;
    sl_status st = db_import_rows_end(s->db, s->import_id, c, true, err);
    if (st == SL_OK && hash) {
        st = name_content(s, hash, existing_id, err);
        if (st != SL_OK || *existing_id) {
            sl_store_import_abort(s); /* no-op when name_content rolled back */
            return st;
        }
    }
    if (st == SL_OK)
        st = keep_row_creators(s, err);
    if (st == SL_OK)
        st = apply_import_creator(s, err);
    if (st == SL_OK) {
        db_stmt *q = s->finish_import;
        db_reset(q);
        db_bind_int(q, 1, s->import_id);
        db_bind_int(q, 2, (int64_t)rows);
        db_bind_int(q, 3, (int64_t)skipped);
        if (db_step(q) == DB_ERROR)
            st = db_fail(s->db, err, "cannot finish the import");
        db_reset(q);
    }
    if (st == SL_OK)
        st = import_audit(s, err);
    if (st == SL_OK)
        st = db_commit(s->db, err);
    if (st != SL_OK) {
        sl_store_import_abort(s);
        return st;
    }
    s->in_import = false;
    return SL_OK;
}

sl_status sl_store_import_commit(sl_store *s, uint64_t rows, uint64_t skipped, sl_error *err)
{
    return commit_import(s, NULL, rows, skipped, NULL, err);
}

sl_status sl_store_import_commit_hashed(sl_store *s, const char *hash, uint64_t rows,
                                        uint64_t skipped, int64_t *existing_id, sl_error *err)
{
    if (!hash || !existing_id)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no hash given");
    *existing_id = 0;
    return commit_import(s, hash, rows, skipped, existing_id, err);
}

void sl_store_import_abort(sl_store *s)
{
    if (!s || !s->in_import)
        return;
    if (s->rows)
        db_import_rows_end(s->db, s->import_id, s->rows, false, NULL);
    s->rows = NULL;
    name_set_free(&s->row_creators);
    db_rollback(s->db);
    s->in_import = false;
}

/* The column's text into out[size], cut at size - 1 bytes.  Not snprintf:
 * this runs for every key of every stored row a report reads back, and
 * snprintf's format machinery was a sixth of that read's time. */
static void copy_text(char *out, size_t size, db_stmt *q, int col)
{
    const char *text = db_column_text(q, col);
    size_t n = strnlen(text, size - 1);
    memcpy(out, text, n);
    out[n] = '\0';
}

static void read_import(db_stmt *q, sl_import *m)
{
    memset(m, 0, sizeof *m);
    m->id = db_column_int(q, 0);
    copy_text(m->hash, sizeof m->hash, q, 1);
    copy_text(m->file, sizeof m->file, q, 2);
    copy_text(m->sheet, sizeof m->sheet, q, 3);
    copy_text(m->period, sizeof m->period, q, 4);
    m->header_row = (uint64_t)db_column_int(q, 5);
    m->rows = (uint64_t)db_column_int(q, 6);
    m->skipped = (uint64_t)db_column_int(q, 7);
    copy_text(m->imported_at, sizeof m->imported_at, q, 8);
    copy_text(m->title, sizeof m->title, q, 9);
    m->practice = db_column_int(q, 10) != 0;
    copy_text(m->currency, sizeof m->currency, q, 11);
    m->creator_id = db_column_null(q, 12) ? 0 : db_column_int(q, 12);
}

#define IMPORT_COLUMNS \
    "id, hash, file, sheet, period, header_row, rows, skipped, imported_at, title, practice, " \
    "currency, creator_id"

sl_status sl_store_imports(sl_store *s, const char *creator, sl_import **out, size_t *count,
                           sl_error *err)
{
    if (!s || !out || !count)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    *out = NULL;
    *count = 0;
    db_stmt *q;
    const char *sql = creator ? "SELECT " IMPORT_COLUMNS " FROM imports i WHERE EXISTS (SELECT 1 "
                                "FROM import_creators c WHERE c.import_id = i.id AND c.creator = ?1) "
                                "ORDER BY id DESC"
                              : "SELECT " IMPORT_COLUMNS " FROM imports ORDER BY id DESC";
    sl_status st = db_prepare(s->db, sql, false, &q, err);
    if (st != SL_OK)
        return st;
    if (creator)
        db_bind_text(q, 1, creator);
    sl_import *items = NULL;
    size_t n = 0, cap = 0;
    db_result rc;
    while ((rc = db_step(q)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            sl_import *more = realloc(items, cap * sizeof *items);
            if (!more) {
                free(items);
                db_finalize(q);
                return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            }
            items = more;
        }
        read_import(q, &items[n++]);
    }
    if (rc == DB_ERROR) {
        st = db_fail(s->db, err, "cannot list the imports");
        free(items);
        db_finalize(q);
        return st;
    }
    db_finalize(q);
    *out = items;
    *count = n;
    return SL_OK;
}

sl_status sl_store_import_get(sl_store *s, int64_t id, sl_import *out, sl_error *err)
{
    db_stmt *q;
    sl_status st =
        db_prepare(s->db, "SELECT " IMPORT_COLUMNS " FROM imports WHERE id = ?1", false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_int(q, 1, id);
    db_result rc = db_step(q);
    if (rc == DB_ROW)
        read_import(q, out);
    else if (rc == DB_ERROR)
        st = db_fail(s->db, err, "cannot read an import");
    else
        st = sl_fail(err, SL_ERR_NOT_FOUND, NULL,
                     "there is no import #%lld in the store; 'shoplab history' lists them",
                     (long long)id);
    db_finalize(q);
    return st;
}

sl_status sl_store_forget(sl_store *s, int64_t id, sl_error *err)
{
    sl_import m;
    sl_status st = sl_store_import_get(s, id, &m, err);
    if (st != SL_OK)
        return st;
    st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    st = db_import_forget(s->db, id, err);
    if (st == SL_OK)
        st = sl_store_run(s, "DELETE FROM import_creators WHERE import_id = ?1", id, NULL,
                          "cannot forget the import's creators", err);
    if (st == SL_OK) {
        char detail[256];
        snprintf(detail, sizeof detail, "%.200s, %llu rows", m.file,
                 (unsigned long long)m.rows);
        st = sl_store_audit(s, "forget", "import", id, detail, err);
    }
    if (st == SL_OK)
        return db_commit(s->db, err);
    db_rollback(s->db);
    return st;
}

/* The funnel fields of a row read from column `first` on: NULL stays
 * absent. */
static void read_funnel(db_stmt *q, int first, sl_funnel *out)
{
    for (int f = 0; f < SL_FIELD__COUNT; f++) {
        int col = first + f;
        if (db_column_null(q, col))
            continue;
        double v = sl_field_is_money((sl_field)f) ? db_column_double(q, col)
                                                  : (double)db_column_int(q, col);
        sl_funnel_set(out, (sl_field)f, v);
    }
}

/* One stored row to the caller's sl_record_fn. */
typedef struct record_walk {
    sl_record_fn fn;
    void *ctx;
} record_walk;

static sl_status walk_record(void *ctx, db_stmt *q)
{
    record_walk *w = ctx;
    sl_record rec;
    memset(&rec, 0, sizeof rec);
    rec.row = (uint64_t)db_column_int(q, 0);
    for (int k = 0; k < SL_DIM__COUNT; k++)
        copy_text(rec.key[k], sizeof rec.key[k], q, 1 + k);
    copy_text(rec.label, sizeof rec.label, q, 6);
    read_funnel(q, 7, &rec.funnel);
    return w->fn(w->ctx, &rec);
}

sl_status sl_store_records(sl_store *s, int64_t import_id, sl_record_fn fn, void *ctx,
                           sl_error *err)
{
    record_walk w = {fn, ctx};
    return db_import_rows_each(s->db, import_id,
                               "row, video, product, live, creator, day, label, views, "
                               "product_impressions, product_clicks, orders, sku_orders, "
                               "items_sold, gmv, est_commission, refunds",
                               walk_record, &w, err);
}

/* ---- shared with journal.c (internal.h) ---- */

db *sl_store_db(sl_store *s)
{
    return s->db;
}

sl_status sl_store_fail(sl_store *s, sl_error *err, const char *what)
{
    return db_fail(s->db, err, what);
}

sl_status sl_store_begin(sl_store *s, bool write, sl_error *err)
{
    if (!s)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    if (s->in_import)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "an import is open on this store");
    return db_begin(s->db, write, err);
}

sl_status sl_store_commit(sl_store *s, sl_error *err)
{
    return db_commit(s->db, err);
}

sl_status sl_store_run(sl_store *s, const char *sql, int64_t a, const char *text,
                       const char *what, sl_error *err)
{
    db_stmt *q;
    sl_status st = db_prepare(s->db, sql, false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_int(q, 1, a);
    if (text)
        db_bind_text(q, 2, text);
    if (db_step(q) == DB_ERROR)
        st = db_fail(s->db, err, what);
    db_finalize(q);
    return st;
}

void sl_store_rollback(sl_store *s)
{
    if (s)
        db_rollback(s->db);
}

void sl_store_set_actor(sl_store *s, const char *name)
{
    if (s)
        snprintf(s->actor, sizeof s->actor, "%s", name && *name ? name : "");
}

sl_status sl_store_audit(sl_store *s, const char *action, const char *kind, int64_t object_id,
                         const char *detail, sl_error *err)
{
    db_stmt *q;
    sl_status st = db_prepare(s->db,
                              "INSERT INTO audit(at, user_name, action, object_kind, object_id, "
                              "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    char now[24];
    sl_store_now(now);
    db_bind_text(q, 1, now);
    db_bind_text(q, 2, s->actor[0] ? s->actor : "local");
    db_bind_text(q, 3, action);
    db_bind_text(q, 4, kind);
    db_bind_int(q, 5, object_id);
    db_bind_text(q, 6, detail ? detail : "");
    if (db_step(q) == DB_ERROR)
        st = db_fail(s->db, err, "cannot write the audit log");
    db_finalize(q);
    return st;
}

bool sl_utf8_clean(const char *text, size_t *code_points)
{
    size_t count = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; count++) {
        size_t n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3
                 : (*p >> 3) == 30 ? 4 : 0;
        if (n == 0 || (n == 2 && *p < 0xc2) || (n == 4 && *p > 0xf4))
            return false;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80)
                return false;
        /* overlong 3- and 4-byte forms, surrogates, above U+10FFFF */
        if ((n == 3 && ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] >= 0xa0))) ||
            (n == 4 && ((*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] >= 0x90))))
            return false;
        if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] <= 0x9f))
            return false;           /* C0 and C1 controls, DEL */
        p += n;
    }
    if (code_points)
        *code_points = count;
    return true;
}

bool sl_creator_handle_ok(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n >= SL_MAX_ID || strchr(h, ' '))
        return false;
    return sl_utf8_clean(h, NULL);
}

sl_status sl_store_creator_id(sl_store *s, const char *handle, bool create, int64_t *id,
                              sl_error *err)
{
    *id = 0;
    db_stmt *q;
    sl_status st = db_prepare(s->db, "SELECT id FROM creators WHERE handle = ?1", false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_text(q, 1, handle);
    db_result rc = db_step(q);
    if (rc == DB_ROW)
        *id = db_column_int(q, 0);
    else if (rc == DB_ERROR)
        st = db_fail(s->db, err, "cannot look up a creator");
    db_finalize(q);
    if (st != SL_OK || *id || !create)
        return st;
    char now[24];
    sl_store_now(now);
    st = db_prepare(s->db,
                    "INSERT INTO creators(handle, display_name, created_at) VALUES (?1, ?1, ?2) "
                    "RETURNING id",
                    false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_text(q, 1, handle);
    db_bind_text(q, 2, now);
    rc = db_step(q);
    if (rc == DB_ROW)
        *id = db_column_int(q, 0);
    else
        st = db_fail(s->db, err, "cannot add a creator");
    if (rc == DB_ROW && db_step(q) == DB_ERROR)
        st = db_fail(s->db, err, "cannot add a creator");
    db_finalize(q);
    if (st == SL_OK)
        st = sl_store_audit(s, "creator-add", "creator", *id, handle, err);
    return st;
}

void sl_store_now(char out[24])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* SUM() of a column that is NULL in every row is NULL: the field stays
 * absent rather than becoming a made-up 0. */
/* ---- rights: who may read or write what (docs/team.md; the rest of team
 * mode is team.c) ---- */

static bool sees_creator(const sl_user *u, int64_t creator_id)
{
    if (u->all_creators)
        return true;
    if (!creator_id)
        return false;
    for (size_t i = 0; i < u->creator_count; i++)
        if (u->creators[i] == creator_id)
            return true;
    return false;
}

bool sl_can(const sl_user *u, sl_action action, sl_object_kind kind, int64_t creator_id)
{
    if (!u || (unsigned)u->role >= SL_ROLE__COUNT ||
        (action != SL_ACTION_READ && action != SL_ACTION_WRITE))
        return false;
    if (u->role == SL_ROLE_OWNER)
        return true;
    switch (kind) {
    case SL_OBJECT_TEAM:
        return false;
    case SL_OBJECT_CREATOR:
        /* Adding or renaming creators is managing the team. */
        return action == SL_ACTION_READ && sees_creator(u, creator_id);
    case SL_OBJECT_IMPORT:
    case SL_OBJECT_JOURNAL_TEST:
        if (action == SL_ACTION_WRITE && u->role == SL_ROLE_VIEWER)
            return false;
        return sees_creator(u, creator_id);
    }
    return false;
}

/* The newest import holding `video` that `reader` may read (NULL: any);
 * 0 when there is none.  Import by import, newest first, so the search
 * stops at the first that holds it (usually the newest: a test is planned
 * on the export just read) and reads only that import's rows; one query
 * over every record, as before, read all of them, with no index on video
 * to help. */
static sl_status newest_import_of(sl_store *s, const char *video, const sl_user *reader,
                                  int64_t *import_id, sl_error *err)
{
    *import_id = 0;
    db_stmt *imports, *holds = NULL;
    sl_status st = db_prepare(s->db,
                              "SELECT id, COALESCE(creator_id, 0) FROM imports ORDER BY id DESC",
                              false, &imports, err);
    if (st != SL_OK)
        return st;
    st = db_prepare(s->db,
                    "SELECT EXISTS (SELECT 1 FROM records WHERE import_id = ?1 AND video = ?2)",
                    true, &holds, err);
    db_result rc = DB_DONE;
    while (st == SL_OK && (rc = db_step(imports)) == DB_ROW) {
        int64_t id = db_column_int(imports, 0);
        if (reader && !sl_can(reader, SL_ACTION_READ, SL_OBJECT_IMPORT, db_column_int(imports, 1)))
            continue;
        db_reset(holds);
        db_bind_int(holds, 1, id);
        db_bind_text(holds, 2, video);
        db_result found = db_step(holds);
        if (found == DB_ERROR) {
            rc = DB_ERROR;
            break;
        }
        if (found == DB_ROW && db_column_int(holds, 0)) {
            *import_id = id;
            break;
        }
    }
    if (st == SL_OK && rc == DB_ERROR)
        st = db_fail(s->db, err, "cannot read the video's imports");
    db_finalize(holds);
    db_finalize(imports);
    return st;
}

sl_status sl_store_video(sl_store *s, const char *video, sl_video_counts *out, sl_error *err)
{
    return sl_store_video_visible(s, video, NULL, out, err);
}

sl_status sl_store_video_visible(sl_store *s, const char *video, const sl_user *reader,
                                 sl_video_counts *out, sl_error *err)
{
    if (!s || !video || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or video given");
    memset(out, 0, sizeof *out);
    int64_t import_id;
    sl_status st = newest_import_of(s, video, reader, &import_id, err);
    if (st != SL_OK)
        return st;
    if (!import_id)
        return sl_fail(err, SL_ERR_NOT_FOUND, "video",
                       "no import in the store holds video %s; import its export with 'shoplab "
                       "read FILE' first",
                       video);
    db_stmt *q;
    st = db_prepare(
        s->db,
        "SELECT i.id, i.imported_at, COUNT(*), MIN(r.creator), MAX(r.creator), SUM(r.views), "
        "SUM(r.product_impressions), SUM(r.product_clicks), SUM(r.orders), SUM(r.sku_orders), "
        "SUM(r.items_sold), SUM(r.gmv), SUM(r.est_commission), SUM(r.refunds) "
        "FROM records r JOIN imports i ON i.id = r.import_id "
        "WHERE r.import_id = ?2 AND r.video = ?1 GROUP BY i.id, i.imported_at",
        false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_text(q, 1, video);
    db_bind_int(q, 2, import_id);
    db_result rc = db_step(q);
    if (rc == DB_ROW) {
        out->import_id = db_column_int(q, 0);
        copy_text(out->imported_at, sizeof out->imported_at, q, 1);
        out->rows = (uint64_t)db_column_int(q, 2);
        if (strcmp(db_column_text(q, 3), db_column_text(q, 4)) == 0)
            copy_text(out->creator, sizeof out->creator, q, 3);
        read_funnel(q, 5, &out->funnel);
    } else if (rc == DB_ERROR) {
        st = db_fail(s->db, err, "cannot read the video's rows");
    } else {
        st = sl_fail(err, SL_ERR_NOT_FOUND, "video",
                     "no import in the store holds video %s; import its export with 'shoplab "
                     "read FILE' first",
                     video);
    }
    db_finalize(q);
    return st;
}

/* ---- drill progress ---- */

sl_status sl_store_drill_answer(sl_store *s, int64_t user_id, const sl_drill *drill,
                                const char *answer, bool correct, sl_error *err)
{
    if (!s || !drill || !answer || user_id < 0)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store, drill or answer given");
    db_stmt *q;
    sl_status st = db_prepare(s->db,
                              "INSERT INTO drill_answers(drill_type, drill_id, answer, correct, "
                              "answered_at, user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    char now[24];
    sl_store_now(now);
    db_bind_text(q, 1, sl_drill_type_name(drill->type));
    db_bind_text(q, 2, drill->id);
    db_bind_text(q, 3, answer);
    db_bind_int(q, 4, correct ? 1 : 0);
    db_bind_text(q, 5, now);
    if (user_id)
        db_bind_int(q, 6, user_id);
    else
        db_bind_null(q, 6);
    if (db_step(q) == DB_ERROR)
        st = db_fail(s->db, err, "cannot record the answer");
    db_finalize(q);
    return st;
}

sl_status sl_store_drill_progress(sl_store *s, int64_t user_id, sl_drill_type type,
                                  sl_drill_progress *out, sl_error *err)
{
    if (!s || !out || user_id < 0)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    memset(out, 0, sizeof *out);
    db_stmt *q;
    sl_status st = db_prepare(s->db,
                              "SELECT COUNT(*), COALESCE(SUM(correct), 0), "
                              "COUNT(DISTINCT drill_id), "
                              "COUNT(DISTINCT CASE WHEN correct <> 0 THEN drill_id END) "
                              "FROM drill_answers WHERE drill_type = ?1 AND "
                              "COALESCE(user_id, 0) = ?2",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_text(q, 1, sl_drill_type_name(type));
    db_bind_int(q, 2, user_id);
    if (db_step(q) == DB_ROW) {
        out->answered = (uint64_t)db_column_int(q, 0);
        out->correct = (uint64_t)db_column_int(q, 1);
        out->scenarios_seen = (uint64_t)db_column_int(q, 2);
        out->scenarios_solved = (uint64_t)db_column_int(q, 3);
    } else {
        st = db_fail(s->db, err, "cannot read the drill progress");
    }
    db_finalize(q);
    return st;
}
