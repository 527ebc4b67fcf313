/*
 * audit.c — reading the audit log back and writing it as CSV.  The entries
 * themselves are written by the change they record, in its transaction
 * (sl_store_audit in store.c), so a change and its entry are kept together
 * or not at all; sl_audit_add is for a front end's own events.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sl_status sl_audit_add(sl_store *s, const char *action, const char *object_kind,
                       int64_t object_id, const char *detail, sl_error *err)
{
    if (!s || !action || !*action || !object_kind)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store, action or kind given");
    sl_status st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    st = sl_store_audit(s, action, object_kind, object_id, detail, err);
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    return sl_store_commit(s, err);
}

sl_status sl_audit_list(sl_store *s, size_t limit, sl_audit_entry **out, size_t *count,
                        sl_error *err)
{
    if (!s || !out || !count)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    *out = NULL;
    *count = 0;
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s),
                              "SELECT id, at, user_name, action, object_kind, object_id, detail "
                              "FROM audit ORDER BY id DESC",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    sl_audit_entry *items = NULL;
    size_t n = 0, cap = 0;
    db_result rc = DB_DONE;
    while ((!limit || n < limit) && (rc = db_step(q)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            sl_audit_entry *more = realloc(items, cap * sizeof *more);
            if (!more) {
                free(items);
                db_finalize(q);
                return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            }
            items = more;
        }
        sl_audit_entry *e = &items[n++];
        memset(e, 0, sizeof *e);
        e->id = db_column_int(q, 0);
        snprintf(e->at, sizeof e->at, "%s", db_column_text(q, 1));
        snprintf(e->user, sizeof e->user, "%s", db_column_text(q, 2));
        snprintf(e->action, sizeof e->action, "%s", db_column_text(q, 3));
        snprintf(e->object_kind, sizeof e->object_kind, "%s", db_column_text(q, 4));
        e->object_id = db_column_int(q, 5);
        snprintf(e->detail, sizeof e->detail, "%s", db_column_text(q, 6));
    }
    if (rc == DB_ERROR) {
        st = sl_store_fail(s, err, "cannot read the audit log");
        free(items);
        db_finalize(q);
        return st;
    }
    db_finalize(q);
    *out = items;
    *count = n;
    return SL_OK;
}

/* One CSV cell: quoted when it must be, a formula start defused. */
static void csv_cell(FILE *out, const char *text)
{
    bool formula = sl_csv_formula_start(text);
    if (!formula && !strpbrk(text, ",\"\r\n")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

sl_status sl_audit_write_csv(const sl_audit_entry *entries, size_t count, FILE *out)
{
    if (!out || (count && !entries))
        return SL_ERR_INVALID_ARGUMENT;
    fputs("id,at,user,action,object_kind,object_id,detail\n", out);
    for (size_t i = 0; i < count; i++) {
        const sl_audit_entry *e = &entries[i];
        fprintf(out, "%lld,%s,", (long long)e->id, e->at);
        csv_cell(out, e->user);
        fputc(',', out);
        csv_cell(out, e->action);
        fputc(',', out);
        csv_cell(out, e->object_kind);
        fprintf(out, ",%lld,", (long long)e->object_id);
        csv_cell(out, e->detail);
        fputs("\n", out);
    }
    return ferror(out) ? SL_ERR_IO : SL_OK;
}
