/*
 * accounts.c — team mode's accounts: names and roles, password rules, the
 * Argon2id hash (libsodium crypto_pwhash_str with its interactive limits),
 * adding, listing, changing the password of and removing an account, and
 * what an account may see (the creator ids sl_can reads).
 *
 * A password is held only as long as it takes to hash or verify it; it is
 * never written anywhere, never in a message.  Changing it ends every
 * session of the account, so a stolen cookie dies with the old password.
 */
#include "db.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[SL_ROLE__COUNT] = {"owner", "manager", "creator", "viewer"};

const char *sl_role_name(sl_role role)
{
    return (unsigned)role < SL_ROLE__COUNT ? role_names[role] : "unknown";
}

bool sl_role_parse(const char *name, sl_role *out)
{
    for (int r = 0; name && r < SL_ROLE__COUNT; r++)
        if (strcmp(name, role_names[r]) == 0) {
            *out = (sl_role)r;
            return true;
        }
    return false;
}

void sl_user_clear(sl_user *user)
{
    if (!user)
        return;
    free(user->creators);
    memset(user, 0, sizeof *user);
}

void sl_users_free(sl_user *users, size_t count)
{
    for (size_t i = 0; users && i < count; i++)
        sl_user_clear(&users[i]);
    free(users);
}

bool sl_team_mode(sl_store *store)
{
    db_stmt *q;
    if (!store || db_prepare(sl_store_db(store), "SELECT 1 FROM users LIMIT 1", false, &q, NULL))
        return true;
    db_result rc = db_step(q);
    db_finalize(q);
    return rc != DB_DONE;        /* a row, or an error: ask for a login */
}

static bool name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > SL_USER_MAX_NAME)
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr("._-@", *c)))
            return false;
    return true;
}

static sl_status check_name(const char *name, sl_error *err)
{
    if (name_ok(name))
        return SL_OK;
    return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "name",
                   "an account name is 1 to %d of the characters a-z, A-Z, 0-9, '.', '_', '-' "
                   "and '@'",
                   SL_USER_MAX_NAME);
}

sl_status sl_password_check_rules(const char *password, sl_error *err)
{
    size_t chars = 0;
    if (!password || strlen(password) > SL_PASSWORD_MAX)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "password",
                       "a password is at most %d bytes long", SL_PASSWORD_MAX);
    if (!sl_utf8_clean(password, &chars))
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "password",
                       "a password is UTF-8 text without control characters (tabs, escapes)");
    if (chars < SL_PASSWORD_MIN)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "password",
                       "the password has %zu characters; use at least %d (a few words in a row "
                       "are easy to remember and hard to guess)",
                       chars, SL_PASSWORD_MIN);
    return SL_OK;
}

/* libsodium before its first use; it is safe to call from several threads. */
static sl_status sodium_ready(sl_error *err)
{
    if (sodium_init() < 0)
        return sl_fail(err, SL_ERR_IO, NULL,
                       "libsodium could not start (no source of random numbers?)");
    return SL_OK;
}

sl_status sl_password_hash(const char *password, char out[SL_PASSWORD_HASH_SIZE], sl_error *err)
{
    sl_status st = sodium_ready(err);
    if (st != SL_OK)
        return st;
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL,
                       "out of memory while hashing the password (Argon2id needs %zu MiB)",
                       (size_t)crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20);
    return SL_OK;
}

bool sl_password_verify(const char *hash, const char *password)
{
    if (sodium_init() < 0)
        return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* ---- reading accounts ---- */

#define USER_COLUMNS \
    "id, name, role, creator_id, manager_id, created_at, password_changed_at"

static void read_user(db_stmt *q, sl_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = db_column_int(q, 0);
    snprintf(u->name, sizeof u->name, "%s", db_column_text(q, 1));
    sl_role_parse(db_column_text(q, 2), &u->role);
    u->creator_id = db_column_null(q, 3) ? 0 : db_column_int(q, 3);
    u->manager_id = db_column_null(q, 4) ? 0 : db_column_int(q, 4);
    snprintf(u->created_at, sizeof u->created_at, "%s", db_column_text(q, 5));
    snprintf(u->password_changed_at, sizeof u->password_changed_at, "%s", db_column_text(q, 6));
}

/* The creators `u` may see: a manager's assignments (a viewer's manager's),
 * a creator account's own one; an owner sees all. */
static sl_status fill_rights(sl_store *s, sl_user *u, sl_error *err)
{
    free(u->creators);
    u->creators = NULL;
    u->creator_count = 0;
    u->all_creators = u->role == SL_ROLE_OWNER;
    if (u->role == SL_ROLE_OWNER)
        return SL_OK;
    if (u->role == SL_ROLE_CREATOR) {
        if (!(u->creators = malloc(sizeof *u->creators)))
            return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
        u->creators[0] = u->creator_id;
        u->creator_count = 1;
        return SL_OK;
    }
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s),
                              "SELECT creator_id FROM assignments WHERE user_id = ?1 "
                              "ORDER BY creator_id",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_int(q, 1, u->role == SL_ROLE_VIEWER ? u->manager_id : u->id);
    size_t cap = 0;
    db_result rc;
    while ((rc = db_step(q)) == DB_ROW) {
        if (u->creator_count == cap) {
            cap = cap ? cap * 2 : 8;
            int64_t *more = realloc(u->creators, cap * sizeof *more);
            if (!more) {
                db_finalize(q);
                return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            }
            u->creators = more;
        }
        u->creators[u->creator_count++] = db_column_int(q, 0);
    }
    if (rc == DB_ERROR)
        st = sl_store_fail(s, err, "cannot read the account's creators");
    db_finalize(q);
    return st;
}

/* One account by name or by id (name NULL), without its rights;
 * SL_ERR_NOT_FOUND when there is none.  *hash (may be NULL) receives the
 * stored password hash. */
static sl_status find_user(sl_store *s, const char *name, int64_t id, sl_user *out,
                           char hash[SL_PASSWORD_HASH_SIZE], sl_error *err)
{
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s),
                              name ? "SELECT " USER_COLUMNS ", password_hash FROM users "
                                     "WHERE name = ?1"
                                   : "SELECT " USER_COLUMNS ", password_hash FROM users "
                                     "WHERE id = ?1",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    if (name)
        db_bind_text(q, 1, name);
    else
        db_bind_int(q, 1, id);
    db_result rc = db_step(q);
    if (rc == DB_ROW) {
        read_user(q, out);
        if (hash)
            snprintf(hash, SL_PASSWORD_HASH_SIZE, "%s", db_column_text(q, 7));
    } else if (rc == DB_ERROR) {
        st = sl_store_fail(s, err, "cannot read the accounts");
    } else if (name) {
        st = sl_fail(err, SL_ERR_NOT_FOUND, "name",
                     "there is no account named %s; 'shoplab user list' lists them", name);
    } else {
        st = sl_fail(err, SL_ERR_NOT_FOUND, "user", "there is no account #%lld", (long long)id);
    }
    db_finalize(q);
    return st;
}

sl_status sl_user_load(sl_store *s, const char *name, int64_t id, sl_user *out,
                       char hash[SL_PASSWORD_HASH_SIZE], sl_error *err)
{
    memset(out, 0, sizeof *out);
    sl_status st = find_user(s, name, id, out, hash, err);
    if (st == SL_OK)
        st = fill_rights(s, out, err);
    if (st != SL_OK)
        sl_user_clear(out);
    return st;
}

sl_status sl_user_get(sl_store *s, const char *name, sl_user *out, sl_error *err)
{
    if (!s || !name || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store, name or result given");
    memset(out, 0, sizeof *out);
    sl_status st = sl_store_begin(s, false, err);
    if (st != SL_OK)
        return st;
    st = sl_user_load(s, name, 0, out, NULL, err);
    sl_store_rollback(s);
    return st;
}

sl_status sl_user_list(sl_store *s, sl_user **out, size_t *count, sl_error *err)
{
    if (!s || !out || !count)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    *out = NULL;
    *count = 0;
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s), "SELECT " USER_COLUMNS " FROM users ORDER BY name",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    sl_user *items = NULL;
    size_t n = 0, cap = 0;
    db_result rc;
    while ((rc = db_step(q)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            sl_user *more = realloc(items, cap * sizeof *more);
            if (!more) {
                db_finalize(q);
                sl_users_free(items, n);
                return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
            }
            items = more;
        }
        read_user(q, &items[n++]);
    }
    if (rc == DB_ERROR) {
        st = sl_store_fail(s, err, "cannot list the accounts");
        sl_users_free(items, n);
        db_finalize(q);
        return st;
    }
    db_finalize(q);
    *out = items;
    *count = n;
    return SL_OK;
}

/* ---- writing accounts ---- */

/* How many accounts there are, or of role `role` when not NULL. */
static sl_status count_users(sl_store *s, const char *role, int64_t *n, sl_error *err)
{
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s),
                              role ? "SELECT COUNT(*) FROM users WHERE role = ?1"
                                   : "SELECT COUNT(*) FROM users",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    if (role)
        db_bind_text(q, 1, role);
    if (db_step(q) == DB_ROW)
        *n = db_column_int(q, 0);
    else
        st = sl_store_fail(s, err, "cannot count the accounts");
    db_finalize(q);
    return st;
}

/* The links an account of role in->role needs: its creator or its manager. */
static sl_status resolve_links(sl_store *s, const sl_user_input *in, int64_t *creator,
                               int64_t *manager, sl_error *err)
{
    *creator = *manager = 0;
    bool wants_creator = in->role == SL_ROLE_CREATOR, wants_manager = in->role == SL_ROLE_VIEWER;
    bool has_creator = in->creator && *in->creator, has_manager = in->manager && *in->manager;
    if (wants_creator != has_creator)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "creator",
                       wants_creator ? "a creator account needs its creator: give its handle "
                                       "(--creator HANDLE; 'shoplab creator list' lists them)"
                                     : "only a creator account has a creator; a %s sees the "
                                       "creators assigned to it",
                       sl_role_name(in->role));
    if (wants_manager != has_manager)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "manager",
                       wants_manager ? "a viewer reads what its manager reads: give the "
                                       "manager's account (--manager NAME)"
                                     : "only a viewer has a manager");
    sl_status st = SL_OK;
    if (has_creator) {
        st = sl_store_creator_id(s, in->creator, false, creator, err);
        if (st == SL_OK && !*creator)
            st = sl_fail(err, SL_ERR_NOT_FOUND, "creator",
                         "there is no creator with handle %s; add it first with 'shoplab "
                         "creator add %s'",
                         in->creator, in->creator);
    }
    if (st == SL_OK && has_manager) {
        sl_user m;
        st = find_user(s, in->manager, 0, &m, NULL, err);
        if (st == SL_OK && m.role != SL_ROLE_MANAGER)
            st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, "manager",
                         "%s is an account of role %s, not a manager", m.name,
                         sl_role_name(m.role));
        *manager = m.id;
    }
    return st;
}

/* Inside the write transaction: the first account is an owner, the name
 * is free, and the creator and manager it names exist. */
static sl_status check_new_account(sl_store *s, const sl_user_input *in, int64_t *creator,
                                   int64_t *manager, sl_error *err)
{
    int64_t users = 0;
    sl_status st = count_users(s, NULL, &users, err);
    if (st == SL_OK && users == 0 && in->role != SL_ROLE_OWNER)
        st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, "role",
                     "the first account must be an owner, so that someone can add and manage "
                     "the others: shoplab user add NAME --role owner");
    sl_user existing;
    if (st == SL_OK) {
        sl_status found = find_user(s, in->name, 0, &existing, NULL, NULL);
        if (found == SL_OK)
            st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, "name",
                         "there is already an account named %s", in->name);
        else if (found != SL_ERR_NOT_FOUND)
            st = find_user(s, in->name, 0, &existing, NULL, err);
    }
    if (st == SL_OK)
        st = resolve_links(s, in, creator, manager, err);
    return st;
}

/* The account's row; *id is its id. */
static sl_status insert_account(sl_store *s, const sl_user_input *in, const char *hash,
                                int64_t creator, int64_t manager, int64_t *id, sl_error *err)
{
    db_stmt *q = NULL;
    sl_status st = db_prepare(sl_store_db(s),
                              "INSERT INTO users(name, role, password_hash, creator_id, "
                              "manager_id, created_at, password_changed_at) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    char now[24];
    sl_store_now(now);
    db_bind_text(q, 1, in->name);
    db_bind_text(q, 2, sl_role_name(in->role));
    db_bind_text(q, 3, hash);
    if (creator)
        db_bind_int(q, 4, creator);
    else
        db_bind_null(q, 4);
    if (manager)
        db_bind_int(q, 5, manager);
    else
        db_bind_null(q, 5);
    db_bind_text(q, 6, now);
    if (db_step(q) == DB_ROW) {
        *id = db_column_int(q, 0);
        if (db_step(q) == DB_ERROR)
            st = sl_store_fail(s, err, "cannot add the account");
    } else {
        st = sl_store_fail(s, err, "cannot add the account");
    }
    db_finalize(q);
    return st;
}

sl_status sl_user_add(sl_store *s, const sl_user_input *in, sl_user *out, sl_error *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!s || !in)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or account given");
    if ((unsigned)in->role >= SL_ROLE__COUNT)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, "role",
                       "the role is one of owner, manager, creator, viewer");
    sl_status st = check_name(in->name, err);
    if (st == SL_OK)
        st = sl_password_check_rules(in->password, err);
    char hash[SL_PASSWORD_HASH_SIZE];
    /* Hashed before the write lock is taken: it takes a good part of a
     * second, and nobody should wait for it. */
    if (st == SL_OK)
        st = sl_password_hash(in->password, hash, err);
    if (st != SL_OK)
        return st;
    st = sl_store_begin(s, true, err);
    if (st != SL_OK) {
        sodium_memzero(hash, sizeof hash);
        return st;
    }
    int64_t creator = 0, manager = 0, id = 0;
    st = check_new_account(s, in, &creator, &manager, err);
    if (st == SL_OK)
        st = insert_account(s, in, hash, creator, manager, &id, err);
    sodium_memzero(hash, sizeof hash);
    if (st == SL_OK) {
        char detail[64];
        snprintf(detail, sizeof detail, "%s, role %s", in->name, sl_role_name(in->role));
        st = sl_store_audit(s, "user-add", "user", id, detail, err);
    }
    if (st == SL_OK && out)
        st = sl_user_load(s, NULL, id, out, NULL, err);
    if (st != SL_OK) {
        sl_store_rollback(s);
        if (out)
            sl_user_clear(out);
        return st;
    }
    st = sl_store_commit(s, err);
    if (st != SL_OK && out)
        sl_user_clear(out);
    return st;
}

sl_status sl_user_passwd(sl_store *s, const char *name, const char *password, sl_error *err)
{
    if (!s || !name)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or name given");
    sl_status st = sl_password_check_rules(password, err);
    char hash[SL_PASSWORD_HASH_SIZE];
    if (st == SL_OK)
        st = sl_password_hash(password, hash, err);
    if (st != SL_OK)
        return st;
    st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    sl_user u;
    st = find_user(s, name, 0, &u, NULL, err);
    if (st == SL_OK) {
        char now[24];
        sl_store_now(now);
        db_stmt *q;
        st = db_prepare(sl_store_db(s),
                        "UPDATE users SET password_hash = ?2, password_changed_at = ?3 "
                        "WHERE id = ?1",
                        false, &q, err);
        if (st == SL_OK) {
            db_bind_int(q, 1, u.id);
            db_bind_text(q, 2, hash);
            db_bind_text(q, 3, now);
            if (db_step(q) == DB_ERROR)
                st = sl_store_fail(s, err, "cannot change the password");
            db_finalize(q);
        }
    }
    sodium_memzero(hash, sizeof hash);
    if (st == SL_OK)
        st = sl_store_run(s, "DELETE FROM sessions WHERE user_id = ?1", u.id, NULL,
                 "cannot end the account's sessions", err);
    if (st == SL_OK)
        st = sl_store_audit(s, "user-passwd", "user", u.id, u.name, err);
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    return sl_store_commit(s, err);
}

sl_status sl_user_remove(sl_store *s, const char *name, sl_error *err)
{
    if (!s || !name)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or name given");
    sl_status st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    sl_user u;
    int64_t owners = 0;
    st = find_user(s, name, 0, &u, NULL, err);
    if (st == SL_OK && u.role == SL_ROLE_OWNER) {
        st = count_users(s, "owner", &owners, err);
        if (st == SL_OK && owners <= 1)
            st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, "owner",
                         "%s is the last owner; add another owner first, or nobody could manage "
                         "the accounts",
                         u.name);
    }
    if (st == SL_OK && u.role == SL_ROLE_MANAGER) {
        db_stmt *q;
        st = db_prepare(sl_store_db(s),
                        "SELECT COUNT(*) FROM users WHERE manager_id = ?1", false, &q, err);
        if (st == SL_OK) {
            db_bind_int(q, 1, u.id);
            int64_t viewers = db_step(q) == DB_ROW ? db_column_int(q, 0) : -1;
            db_finalize(q);
            if (viewers < 0)
                st = sl_store_fail(s, err, "cannot read the accounts");
            else if (viewers > 0)
                st = sl_fail(err, SL_ERR_INVALID_ARGUMENT, "viewers",
                             "%s is the manager of %lld viewer account%s; remove those first "
                             "(a viewer reads what its manager reads)",
                             u.name, (long long)viewers, viewers == 1 ? "" : "s");
        }
    }
    if (st == SL_OK)
        st = sl_store_run(s, "DELETE FROM users WHERE id = ?1", u.id, NULL,
                          "cannot remove the account", err);
    if (st == SL_OK) {
        char detail[64];
        snprintf(detail, sizeof detail, "%s, role %s", u.name, sl_role_name(u.role));
        st = sl_store_audit(s, "user-remove", "user", u.id, detail, err);
    }
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    return sl_store_commit(s, err);
}
