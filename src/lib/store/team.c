/*
 * team.c — creators as things in the store, who manages which, and the one
 * decision of who may do what (sl_can), with the lookups that give an
 * import's or a journal test's creator and the lists cut to what an account
 * may read.
 *
 * A forbidden object is answered exactly like a missing one (sl_access):
 * the web app says 404 for both, so an id guessed by number tells nothing.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- creators ---- */

static void read_creator(db_stmt *q, sl_creator *c)
{
    memset(c, 0, sizeof *c);
    c->id = db_column_int(q, 0);
    snprintf(c->handle, sizeof c->handle, "%s", db_column_text(q, 1));
    snprintf(c->display_name, sizeof c->display_name, "%s", db_column_text(q, 2));
    snprintf(c->created_at, sizeof c->created_at, "%s", db_column_text(q, 3));
}

static sl_status handle_rule(const char *handle, sl_error *err)
{
    if (handle && sl_creator_handle_ok(handle))
        return SL_OK;
    return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "handle",
                   "a creator handle is how the exports name the creator (a username or a "
                   "creator ID): 1 to %d bytes, no spaces or control characters",
                   SL_MAX_ID - 1);
}

sl_status sl_creator_add(sl_store *s, const char *handle, const char *display_name,
                         sl_creator *out, sl_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!s)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    sl_status st = handle_rule(handle, err);
    if (st != SL_OK)
        return st;
    const char *shown = display_name && *display_name ? display_name : handle;
    if (strlen(shown) >= SL_MAX_LABEL || !sl_utf8_clean(shown, NULL))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "name",
                       "a display name is 1 to %d bytes of text on one line", SL_MAX_LABEL - 1);
    st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    int64_t id = 0;
    st = sl_store_creator_id(s, handle, false, &id, err);
    if (st == SL_OK && id)
        st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, "handle",
                     "there is already a creator with handle %s", handle);
    if (st == SL_OK)
        st = sl_store_creator_id(s, handle, true, &id, err);   /* audited there */
    db_stmt *q;
    if (st == SL_OK && (st = db_prepare(sl_store_db(s),
                                        "UPDATE creators SET display_name = ?2 WHERE id = ?1",
                                        false, &q, err)) == SL_OK) {
        db_bind_int(q, 1, id);
        db_bind_text(q, 2, shown);
        if (db_step(q) == DB_ERROR)
            st = sl_store_fail(s, err, "cannot name the creator");
        db_finalize(q);
    }
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    st = sl_store_commit(s, err);
    if (st == SL_OK && out)
        st = sl_creator_get(s, handle, out, err);
    return st;
}

sl_status sl_creator_get(sl_store *s, const char *handle, sl_creator *out, sl_error *err)
{
    if (!s || !handle || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store, handle or result given");
    memset(out, 0, sizeof *out);
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s),
                              "SELECT id, handle, display_name, created_at FROM creators "
                              "WHERE handle = ?1",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_text(q, 1, handle);
    db_result rc = db_step(q);
    if (rc == DB_ROW)
        read_creator(q, out);
    else if (rc == DB_ERROR)
        st = sl_store_fail(s, err, "cannot read the creators");
    else
        st = sl_fail(err, SL_ERR_NOT_FOUND, "handle",
                     "there is no creator with handle %s; 'shoplab creator list' lists them",
                     handle);
    db_finalize(q);
    return st;
}

sl_status sl_creator_list(sl_store *s, const sl_user *user, sl_creator **out, size_t *count,
                          sl_error *err)
{
    if (!s || !out || !count)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    *out = NULL;
    *count = 0;
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s),
                              "SELECT id, handle, display_name, created_at FROM creators "
                              "ORDER BY handle",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    sl_creator *items = NULL;
    size_t n = 0, cap = 0;
    db_result rc;
    while ((rc = db_step(q)) == DB_ROW) {
        int64_t id = db_column_int(q, 0);
        if (user && !sl_can(user, SL_ACTION_READ, SL_OBJECT_CREATOR, id))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            sl_creator *more = realloc(items, cap * sizeof *more);
            if (!more) {
                free(items);
                db_finalize(q);
                return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            }
            items = more;
        }
        read_creator(q, &items[n++]);
    }
    if (rc == DB_ERROR) {
        st = sl_store_fail(s, err, "cannot list the creators");
        free(items);
        db_finalize(q);
        return st;
    }
    db_finalize(q);
    *out = items;
    *count = n;
    return SL_OK;
}

/* Assigns (`on`) or unassigns a creator and a manager's account. */
static sl_status assignment(sl_store *s, const char *handle, const char *manager, bool on,
                            sl_error *err)
{
    if (!s || !handle || !manager)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store, creator or manager given");
    sl_status st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    int64_t creator = 0;
    sl_user m = {0};
    st = sl_store_creator_id(s, handle, false, &creator, err);
    if (st == SL_OK && !creator)
        st = sl_fail(err, SL_ERR_NOT_FOUND, "handle",
                     "there is no creator with handle %s; 'shoplab creator list' lists them",
                     handle);
    if (st == SL_OK)
        st = sl_user_load(s, manager, 0, &m, NULL, err);
    if (st == SL_OK && m.role != SL_ROLE_MANAGER)
        st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, "manager",
                     "%s is an account of role %s; creators are assigned to managers (an owner "
                     "sees them all, a viewer reads what its manager reads)",
                     m.name, sl_role_name(m.role));
    bool had = false;
    for (size_t i = 0; st == SL_OK && i < m.creator_count; i++)
        had = had || m.creators[i] == creator;
    db_stmt *q;
    if (st == SL_OK && had != on &&
        (st = db_prepare(sl_store_db(s),
                         on ? "INSERT INTO assignments(user_id, creator_id) VALUES (?1, ?2)"
                            : "DELETE FROM assignments WHERE user_id = ?1 AND creator_id = ?2",
                         false, &q, err)) == SL_OK) {
        db_bind_int(q, 1, m.id);
        db_bind_int(q, 2, creator);
        if (db_step(q) == DB_ERROR)
            st = sl_store_fail(s, err, "cannot change the assignment");
        db_finalize(q);
        if (st == SL_OK) {
            char detail[128];
            snprintf(detail, sizeof detail, "%s %s %s", handle, on ? "to" : "from", m.name);
            st = sl_store_audit(s, on ? "creator-assign" : "creator-unassign", "creator",
                                creator, detail, err);
        }
    }
    sl_user_clear(&m);
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    return sl_store_commit(s, err);
}

sl_status sl_creator_assign(sl_store *s, const char *handle, const char *manager, sl_error *err)
{
    return assignment(s, handle, manager, true, err);
}

sl_status sl_creator_unassign(sl_store *s, const char *handle, const char *manager,
                              sl_error *err)
{
    return assignment(s, handle, manager, false, err);
}

/* ---- rights ---- */

/* sl_can is in store.c, so the store's own reads (sl_store_video_visible)
 * can ask it without store.c and team.c calling each other. */

sl_status sl_import_creator(sl_store *s, int64_t import_id, int64_t *creator_id, sl_error *err)
{
    if (!s || !creator_id)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or result given");
    sl_import m;
    sl_status st = sl_store_import_get(s, import_id, &m, err);
    *creator_id = st == SL_OK ? m.creator_id : 0;
    return st;
}

sl_status sl_journal_test_creator(sl_store *s, int64_t test_id, int64_t *creator_id,
                                  sl_error *err)
{
    if (!s || !creator_id)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or result given");
    *creator_id = 0;
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s),
                              "SELECT c.id FROM journal_tests t LEFT JOIN creators c "
                              "ON c.handle = t.creator WHERE t.id = ?1",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_int(q, 1, test_id);
    db_result rc = db_step(q);
    if (rc == DB_ROW)
        *creator_id = db_column_null(q, 0) ? 0 : db_column_int(q, 0);
    else if (rc == DB_ERROR)
        st = sl_store_fail(s, err, "cannot read the journal");
    else
        st = sl_fail(err, SL_ERR_NOT_FOUND, "id",
                     "there is no journal test #%lld; 'shoplab journal list' lists them",
                     (long long)test_id);
    db_finalize(q);
    return st;
}

sl_status sl_access(sl_store *s, const sl_user *user, sl_action action, sl_object_kind kind,
                    int64_t object_id, sl_error *err)
{
    int64_t creator = 0;
    sl_status st;
    if (kind == SL_OBJECT_IMPORT)
        st = sl_import_creator(s, object_id, &creator, err);
    else if (kind == SL_OBJECT_JOURNAL_TEST)
        st = sl_journal_test_creator(s, object_id, &creator, err);
    else
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "kind",
                       "sl_access takes an import or a journal test");
    if (st != SL_OK || sl_can(user, action, kind, creator))
        return st;
    /* The very words a missing object gets. */
    if (kind == SL_OBJECT_IMPORT)
        return sl_fail(err, SL_ERR_NOT_FOUND, NULL,
                       "there is no import #%lld in the store; 'shoplab history' lists them",
                       (long long)object_id);
    return sl_fail(err, SL_ERR_NOT_FOUND, "id",
                   "there is no journal test #%lld; 'shoplab journal list' lists them",
                   (long long)object_id);
}

sl_status sl_store_imports_visible(sl_store *s, const sl_user *user, sl_import **out,
                                   size_t *count, sl_error *err)
{
    sl_status st = sl_store_imports(s, NULL, out, count, err);
    if (st != SL_OK)
        return st;
    size_t kept = 0;
    for (size_t i = 0; i < *count; i++)
        if (sl_can(user, SL_ACTION_READ, SL_OBJECT_IMPORT, (*out)[i].creator_id))
            (*out)[kept++] = (*out)[i];
    *count = kept;
    if (!kept) {
        free(*out);
        *out = NULL;
    }
    return SL_OK;
}

sl_status sl_journal_list_visible(sl_store *s, const sl_user *user, sl_journal_filter filter,
                                  sl_journal_test **out, size_t *count, sl_error *err)
{
    sl_status st = sl_journal_list(s, filter, out, count, err);
    if (st != SL_OK)
        return st;
    /* Tests name their creator by handle: one lookup per handle seen. */
    sl_creator *creators = NULL;
    size_t n = 0;
    st = sl_creator_list(s, NULL, &creators, &n, err);
    if (st != SL_OK) {
        sl_journal_tests_free(*out, *count);
        *out = NULL;
        *count = 0;
        return st;
    }
    size_t kept = 0;
    for (size_t i = 0; i < *count; i++) {
        sl_journal_test *t = &(*out)[i];
        int64_t creator = 0;
        for (size_t c = 0; c < n && !creator; c++)
            if (strcmp(creators[c].handle, t->creator) == 0)
                creator = creators[c].id;
        if (sl_can(user, SL_ACTION_READ, SL_OBJECT_JOURNAL_TEST, creator))
            (*out)[kept++] = *t;
        else
            sl_journal_test_clear(t);
    }
    free(creators);
    *count = kept;
    if (!kept) {
        free(*out);
        *out = NULL;
    }
    return SL_OK;
}
