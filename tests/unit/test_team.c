/*
 * test_team.c — team mode in the library, on SQLite or (with
 * SHOPLAB_TEST_ENGINE=postgres) PostgreSQL: accounts and their Argon2id
 * hashes, the login rate limit on an injected clock, sessions (end, end
 * all, idle and absolute expiry, only a hash stored), CSRF, the rights
 * table for every role × action × own / other / no creator, imports and
 * journal tests seen through it (a forbidden one looks missing), and the
 * audit entries every change writes.
 */
#define _GNU_SOURCE /* memmem */
#include "shoplab.h"
#include "store/db.h"
#include "store_target.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char dir[] = "/tmp/sl_team_XXXXXX";
static const char *fixtures;

#define PW_OWNER "owner-password-1"
#define PW_OTHER "a long secret, two"
#define T0 1800000000

static sl_store *fresh(char *target, size_t size)
{
    static unsigned n;
    char name[32];
    snprintf(name, sizeof name, "team%u.db", n++);
    test_store_target(target, size, dir, name);
    sl_store *s;
    sl_error err;
    if (sl_store_open(target, &s, &err) != SL_OK)
        fail_msg("cannot open %s: %s", target, err.message);
    return s;
}

/* One whole number from the store's own connection. */
static int64_t one_int(sl_store *s, const char *sql, const char *text)
{
    db_stmt *q;
    assert_int_equal(db_prepare(sl_store_db(s), sql, false, &q, NULL), SL_OK);
    if (text)
        db_bind_text(q, 1, text);
    assert_int_equal(db_step(q), DB_ROW);
    int64_t v = db_column_int(q, 0);
    db_finalize(q);
    return v;
}

static void add_user(sl_store *s, const char *name, sl_role role, const char *creator,
                     const char *manager)
{
    sl_user_input in = {name, role, role == SL_ROLE_OWNER ? PW_OWNER : PW_OTHER, creator,
                        manager};
    sl_error err;
    if (sl_user_add(s, &in, NULL, &err) != SL_OK)
        fail_msg("cannot add %s: %s", name, err.message);
}

static bool file_holds(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = strlen(needle), have = 0, cap = 1 << 20;
    char *buf = malloc(cap);
    bool found = false;
    size_t got;
    while (!found && (got = fread(buf + have, 1, cap - have, f)) > 0) {
        have += got;
        found = memmem(buf, have, needle, n) != NULL;
        if (have > n) {
            memmove(buf, buf + have - n, n);
            have = n;
        }
    }
    free(buf);
    fclose(f);
    return found;
}

static void accounts_and_their_hashes(void **state)
{
    (void)state;
    char target[1024];
    sl_store *s = fresh(target, sizeof target);
    sl_error err;
    assert_false(sl_team_mode(s));
    /* The first account must be an owner. */
    sl_user_input in = {"maya", SL_ROLE_MANAGER, PW_OTHER, NULL, NULL};
    assert_int_equal(sl_user_add(s, &in, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "role");
    /* Short and control-character passwords, bad names. */
    sl_user_input shortpw = {"ann", SL_ROLE_OWNER, "2short", NULL, NULL};
    assert_int_equal(sl_user_add(s, &shortpw, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "password");
    assert_null(strstr(err.message, "2short"));
    assert_int_equal(sl_password_check_rules("ten chars\x1b!", &err), SL_ERR_INVALID_ARGUMENT);
    /* Ten characters of UTF-8 are ten, not their bytes. */
    assert_int_equal(sl_password_check_rules("ééééééééé", &err), SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(sl_password_check_rules("éééééééééé", &err), SL_OK);
    sl_user_input badname = {"ann smith", SL_ROLE_OWNER, PW_OWNER, NULL, NULL};
    assert_int_equal(sl_user_add(s, &badname, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "name");
    assert_false(sl_team_mode(s));

    sl_user u;
    sl_user_input owner = {"ann", SL_ROLE_OWNER, PW_OWNER, NULL, NULL};
    assert_int_equal(sl_user_add(s, &owner, &u, &err), SL_OK);
    assert_true(u.all_creators);
    assert_int_equal(u.role, SL_ROLE_OWNER);
    sl_user_clear(&u);
    assert_true(sl_team_mode(s));
    assert_int_equal(sl_user_add(s, &owner, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "name");
    /* Stored as Argon2id, and the password itself is nowhere. */
    assert_int_equal(one_int(s, "SELECT COUNT(*) FROM users WHERE password_hash LIKE "
                                "'$argon2id$%' AND name = ?1",
                             "ann"),
                     1);
    /* Links: a creator account needs an existing creator, a viewer a manager. */
    sl_user_input c = {"rio", SL_ROLE_CREATOR, PW_OTHER, NULL, NULL};
    assert_int_equal(sl_user_add(s, &c, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "creator");
    c.creator = "rio.cooks";
    assert_int_equal(sl_user_add(s, &c, NULL, &err), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_creator_add(s, "rio.cooks", "Rio Cooks", NULL, &err), SL_OK);
    assert_int_equal(sl_user_add(s, &c, NULL, &err), SL_OK);
    sl_user_input v = {"vic", SL_ROLE_VIEWER, PW_OTHER, NULL, "rio"};
    assert_int_equal(sl_user_add(s, &v, NULL, &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "manager");
    add_user(s, "maya", SL_ROLE_MANAGER, NULL, NULL);
    v.manager = "maya";
    assert_int_equal(sl_user_add(s, &v, NULL, &err), SL_OK);

    sl_user *all;
    size_t n;
    assert_int_equal(sl_user_list(s, &all, &n, &err), SL_OK);
    assert_int_equal(n, 4);
    assert_string_equal(all[0].name, "ann");
    assert_string_equal(all[3].name, "vic");
    assert_int_equal(all[3].manager_id, all[1].id);
    sl_users_free(all, n);

    /* Removing: not the last owner, not a manager with viewers. */
    assert_int_equal(sl_user_remove(s, "ann", &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "owner");
    assert_int_equal(sl_user_remove(s, "maya", &err), SL_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.field, "viewers");
    assert_int_equal(sl_user_remove(s, "vic", &err), SL_OK);
    assert_int_equal(sl_user_remove(s, "maya", &err), SL_OK);
    assert_int_equal(sl_user_remove(s, "nobody", &err), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_user_passwd(s, "ann", "new owner password", &err), SL_OK);
    assert_int_equal(sl_login_attempt(s, "ann", "new owner password", "a", T0, &u, &err),
                     SL_OK);
    sl_user_clear(&u);
    sl_store_close(s);

    if (!test_on_postgres()) {
        char wal[1100];
        snprintf(wal, sizeof wal, "%s-wal", target);
        assert_true(file_holds(target, "$argon2id$") || file_holds(wal, "$argon2id$"));
        const char *pws[] = {PW_OWNER, PW_OTHER, "new owner password"};
        for (size_t i = 0; i < 3; i++) {
            assert_false(file_holds(target, pws[i]));
            assert_false(file_holds(wal, pws[i]));
        }
    } else {
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM (SELECT row_to_json(t)::text AS x FROM users t UNION ALL "
                 "SELECT row_to_json(t)::text FROM audit t UNION ALL SELECT row_to_json(t)::text "
                 "FROM login_failures t) a WHERE x LIKE '%%%s%%' OR x LIKE '%%%s%%' OR x LIKE "
                 "'%%new owner password%%'",
                 PW_OWNER, PW_OTHER);
        assert_int_equal(test_pg_int(target, sql), 0);
    }
}

static void login_is_rate_limited(void **state)
{
    (void)state;
    char target[1024];
    sl_store *s = fresh(target, sizeof target);
    sl_error err;
    sl_user u;
    add_user(s, "ann", SL_ROLE_OWNER, NULL, NULL);
    add_user(s, "bo", SL_ROLE_MANAGER, NULL, NULL);
    /* Unknown name and wrong password: one answer. */
    assert_int_equal(sl_login_attempt(s, "nobody", PW_OWNER, "10.0.0.1", T0, &u, &err),
                     SL_ERR_UNAUTHORISED);
    char unknown[256];
    snprintf(unknown, sizeof unknown, "%s", err.message);
    assert_int_equal(sl_login_attempt(s, "ann", "wrong password!", "10.0.0.1", T0, &u, &err),
                     SL_ERR_UNAUTHORISED);
    assert_string_equal(err.message, unknown);
    /* Five failures of the account from five addresses… */
    for (int i = 1; i < 5; i++) {
        char addr[32];
        snprintf(addr, sizeof addr, "10.0.1.%d", i);
        assert_int_equal(sl_login_attempt(s, "ann", "wrong password!", addr, T0 + i, &u, &err),
                         SL_ERR_UNAUTHORISED);
    }
    /* …the sixth is refused unchecked, and the right password too. */
    assert_int_equal(sl_login_attempt(s, "ann", "wrong password!", "10.0.2.1", T0 + 10, &u, &err),
                     SL_ERR_RATE_LIMITED);
    assert_int_equal(sl_login_attempt(s, "ann", PW_OWNER, "10.0.2.2", T0 + 20, &u, &err),
                     SL_ERR_RATE_LIMITED);
    assert_int_equal(
        sl_login_attempt(s, "ann", PW_OWNER, "10.0.2.2", T0 + SL_LOGIN_WINDOW_SECONDS - 1, &u,
                         &err),
        SL_ERR_RATE_LIMITED);
    /* Another account is not locked by it. */
    assert_int_equal(sl_login_attempt(s, "bo", PW_OTHER, "10.0.2.3", T0 + 30, &u, &err), SL_OK);
    assert_string_equal(u.name, "bo");
    sl_user_clear(&u);
    /* Once the window has passed since the failures, the right password works. */
    assert_int_equal(sl_login_attempt(s, "ann", PW_OWNER, "10.0.2.2",
                                      T0 + 4 + SL_LOGIN_WINDOW_SECONDS + 1, &u, &err),
                     SL_OK);
    assert_string_equal(u.name, "ann");
    assert_true(u.all_creators);
    sl_user_clear(&u);

    /* Per address: five failures of made-up names from one address lock
     * that address for every account, and no other address. */
    int64_t t = T0 + 10000;
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "guess%d", i);
        assert_int_equal(sl_login_attempt(s, name, "wrong password!", "192.0.2.7", t + i, &u,
                                          &err),
                         SL_ERR_UNAUTHORISED);
    }
    assert_int_equal(sl_login_attempt(s, "bo", PW_OTHER, "192.0.2.7", t + 6, &u, &err),
                     SL_ERR_RATE_LIMITED);
    assert_int_equal(sl_login_attempt(s, "bo", PW_OTHER, "192.0.2.8", t + 7, &u, &err), SL_OK);
    sl_user_clear(&u);

    /* A success forgives the account's failures: 4 wrong, right, 4 wrong
     * is never limited. */
    t += 10000;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 4; i++) {
            char addr[32];
            snprintf(addr, sizeof addr, "10.9.%d.%d", round, i);
            assert_int_equal(sl_login_attempt(s, "bo", "wrong password!", addr, t++, &u, &err),
                             SL_ERR_UNAUTHORISED);
        }
        assert_int_equal(sl_login_attempt(s, "bo", PW_OTHER, "10.9.9.9", t++, &u, &err), SL_OK);
        sl_user_clear(&u);
    }
    sl_store_close(s);
}

static void sessions_end_and_expire(void **state)
{
    (void)state;
    char target[1024];
    sl_store *s = fresh(target, sizeof target);
    sl_error err;
    sl_user u, ann;
    add_user(s, "ann", SL_ROLE_OWNER, NULL, NULL);
    add_user(s, "bo", SL_ROLE_MANAGER, NULL, NULL);
    assert_int_equal(sl_user_get(s, "ann", &ann, &err), SL_OK);

    char tok[SL_SESSION_TOKEN_SIZE], tok2[SL_SESSION_TOKEN_SIZE];
    assert_int_equal(sl_session_create(s, ann.id, T0, tok, &err), SL_OK);
    assert_int_equal(strlen(tok), 64);
    assert_int_equal(sl_session_create(s, ann.id, T0, tok2, &err), SL_OK);
    assert_string_not_equal(tok, tok2);
    char none[SL_SESSION_TOKEN_SIZE];
    assert_int_equal(sl_session_create(s, 999999, T0, none, &err), SL_ERR_NOT_FOUND);
    assert_string_equal(none, "");
    /* Only a hash is stored: the token is in no column of the table. */
    assert_int_equal(one_int(s, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?1", tok), 0);
    assert_int_equal(one_int(s,
                             "SELECT COUNT(*) FROM sessions WHERE token_hash LIKE '%' || ?1 || '%'",
                             tok),
                     0);
    assert_int_equal(one_int(s, "SELECT COUNT(*) FROM sessions", NULL), 2);

    assert_int_equal(sl_session_check(s, tok, T0 + 5, &u, &err), SL_OK);
    assert_string_equal(u.name, "ann");
    assert_true(u.all_creators);
    sl_user_clear(&u);
    /* Malformed and unknown tokens. */
    assert_int_equal(sl_session_check(s, "abc", T0, &u, &err), SL_ERR_UNAUTHORISED);
    char wrong[SL_SESSION_TOKEN_SIZE];
    memcpy(wrong, tok, sizeof wrong);
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    assert_int_equal(sl_session_check(s, wrong, T0, &u, &err), SL_ERR_UNAUTHORISED);
    char upper[SL_SESSION_TOKEN_SIZE];
    for (size_t i = 0; i < sizeof upper; i++)
        upper[i] = (char)(tok[i] >= 'a' && tok[i] <= 'f' ? tok[i] - 32 : tok[i]);
    assert_int_equal(sl_session_check(s, upper, T0, &u, &err), SL_ERR_UNAUTHORISED);

    /* End one: that one fails, the other still works. */
    assert_int_equal(sl_session_end(s, tok, &err), SL_OK);
    assert_int_equal(sl_session_check(s, tok, T0 + 6, &u, &err), SL_ERR_UNAUTHORISED);
    assert_int_equal(sl_session_check(s, tok2, T0 + 6, &u, &err), SL_OK);
    sl_user_clear(&u);
    assert_int_equal(sl_session_end(s, tok, &err), SL_OK);
    /* End all: a stolen cookie is useless at once. */
    assert_int_equal(sl_session_create(s, ann.id, T0, tok, &err), SL_OK);
    uint64_t ended = 0;
    assert_int_equal(sl_sessions_end_all(s, ann.id, &ended, &err), SL_OK);
    assert_int_equal(ended, 2);
    assert_int_equal(sl_session_check(s, tok, T0 + 7, &u, &err), SL_ERR_UNAUTHORISED);
    assert_int_equal(sl_session_check(s, tok2, T0 + 7, &u, &err), SL_ERR_UNAUTHORISED);

    /* Idle expiry, and a request keeps a session alive. */
    assert_int_equal(sl_session_create(s, ann.id, T0, tok, &err), SL_OK);
    assert_int_equal(sl_session_check(s, tok, T0 + SL_SESSION_IDLE_SECONDS - 100, &u, &err),
                     SL_OK);
    sl_user_clear(&u);
    assert_int_equal(sl_session_check(s, tok, T0 + 2 * SL_SESSION_IDLE_SECONDS - 200, &u, &err),
                     SL_OK);
    sl_user_clear(&u);
    assert_int_equal(sl_session_check(s, tok, T0 + 3 * SL_SESSION_IDLE_SECONDS, &u, &err),
                     SL_ERR_UNAUTHORISED);
    /* …and an expired session is gone for good, not only refused. */
    assert_int_equal(sl_session_check(s, tok, T0 + 2 * SL_SESSION_IDLE_SECONDS, &u, &err),
                     SL_ERR_UNAUTHORISED);

    /* Absolute expiry: busy every hour, still over after 7 days. */
    assert_int_equal(sl_session_create(s, ann.id, T0, tok, &err), SL_OK);
    int64_t t = T0;
    for (; t + 3600 <= T0 + SL_SESSION_MAX_SECONDS; t += 3600) {
        assert_int_equal(sl_session_check(s, tok, t + 3600, &u, &err), SL_OK);
        sl_user_clear(&u);
    }
    assert_int_equal(sl_session_check(s, tok, T0 + SL_SESSION_MAX_SECONDS + 60, &u, &err),
                     SL_ERR_UNAUTHORISED);

    /* A new password ends the sessions; removing the account too. */
    assert_int_equal(sl_session_create(s, ann.id, T0, tok, &err), SL_OK);
    assert_int_equal(sl_user_passwd(s, "ann", "another owner pass", &err), SL_OK);
    assert_int_equal(sl_session_check(s, tok, T0 + 1, &u, &err), SL_ERR_UNAUTHORISED);
    sl_user bo;
    assert_int_equal(sl_user_get(s, "bo", &bo, &err), SL_OK);
    assert_int_equal(sl_session_create(s, bo.id, T0, tok, &err), SL_OK);
    assert_int_equal(sl_user_remove(s, "bo", &err), SL_OK);
    assert_int_equal(sl_session_check(s, tok, T0 + 1, &u, &err), SL_ERR_UNAUTHORISED);
    sl_user_clear(&bo);

    /* CSRF: derived from the token, 64 hex, checked in constant time. */
    char csrf[SL_SESSION_TOKEN_SIZE], csrf2[SL_SESSION_TOKEN_SIZE];
    sl_session_csrf(tok, csrf);
    sl_session_csrf(tok2, csrf2);
    assert_int_equal(strlen(csrf), 64);
    assert_string_not_equal(csrf, tok);
    assert_string_not_equal(csrf, csrf2);
    assert_true(sl_session_csrf_check(tok, csrf));
    assert_false(sl_session_csrf_check(tok, csrf2));
    assert_false(sl_session_csrf_check(tok, ""));
    assert_false(sl_session_csrf_check("nonsense", csrf));
    sl_session_csrf("nonsense", csrf);
    assert_string_equal(csrf, "");
    sl_user_clear(&ann);
    sl_store_close(s);
}

/* The users of the rights walk: owner, manager of A, creator account of A,
 * viewer under that manager, manager of B. */
typedef struct team {
    sl_user owner, manager, creator, viewer, other_manager;
    int64_t a, b;
} team;

static void build_team(sl_store *s, team *t)
{
    sl_error err;
    sl_creator c;
    add_user(s, "olga", SL_ROLE_OWNER, NULL, NULL);
    assert_int_equal(sl_creator_add(s, "@mina.lamps", "Mina", &c, &err), SL_OK);
    t->a = c.id;
    assert_int_equal(sl_creator_add(s, "@other.creator", NULL, &c, &err), SL_OK);
    assert_string_equal(c.display_name, "@other.creator");
    t->b = c.id;
    assert_int_equal(sl_creator_add(s, "@other.creator", NULL, &c, &err),
                     SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(sl_creator_add(s, "two words", NULL, &c, &err), SL_ERR_INVALID_ARGUMENT);
    add_user(s, "max", SL_ROLE_MANAGER, NULL, NULL);
    add_user(s, "mina", SL_ROLE_CREATOR, "@mina.lamps", NULL);
    add_user(s, "val", SL_ROLE_VIEWER, NULL, "max");
    add_user(s, "mo", SL_ROLE_MANAGER, NULL, NULL);
    assert_int_equal(sl_creator_assign(s, "@mina.lamps", "max", &err), SL_OK);
    assert_int_equal(sl_creator_assign(s, "@mina.lamps", "max", &err), SL_OK);
    assert_int_equal(sl_creator_assign(s, "@other.creator", "mo", &err), SL_OK);
    assert_int_equal(sl_creator_assign(s, "@other.creator", "mina", &err),
                     SL_ERR_INVALID_ARGUMENT);
    assert_int_equal(sl_creator_assign(s, "@nobody", "max", &err), SL_ERR_NOT_FOUND);
    assert_int_equal(sl_user_get(s, "olga", &t->owner, &err), SL_OK);
    assert_int_equal(sl_user_get(s, "max", &t->manager, &err), SL_OK);
    assert_int_equal(sl_user_get(s, "mina", &t->creator, &err), SL_OK);
    assert_int_equal(sl_user_get(s, "val", &t->viewer, &err), SL_OK);
    assert_int_equal(sl_user_get(s, "mo", &t->other_manager, &err), SL_OK);
}

static void clear_team(team *t)
{
    sl_user_clear(&t->owner);
    sl_user_clear(&t->manager);
    sl_user_clear(&t->creator);
    sl_user_clear(&t->viewer);
    sl_user_clear(&t->other_manager);
}

static void rights_table(void **state)
{
    (void)state;
    char target[1024];
    sl_store *s = fresh(target, sizeof target);
    team t;
    build_team(s, &t);
    const sl_user *who[] = {&t.owner, &t.manager, &t.creator, &t.viewer};
    /* [role][action][own A, other B, none] for imports and journal tests. */
    static const bool expect[4][2][3] = {
        /* owner */ {{1, 1, 1}, {1, 1, 1}},
        /* manager of A */ {{1, 0, 0}, {1, 0, 0}},
        /* creator account of A */ {{1, 0, 0}, {1, 0, 0}},
        /* viewer under the manager of A */ {{1, 0, 0}, {0, 0, 0}},
    };
    const int64_t objects[3] = {t.a, t.b, 0};
    sl_object_kind kinds[] = {SL_OBJECT_IMPORT, SL_OBJECT_JOURNAL_TEST};
    for (int r = 0; r < 4; r++)
        for (int a = 0; a < 2; a++)
            for (int o = 0; o < 3; o++)
                for (int k = 0; k < 2; k++)
                    if (sl_can(who[r], (sl_action)a, kinds[k], objects[o]) != expect[r][a][o])
                        fail_msg("%s %s kind %d creator %d: expected %d", who[r]->name,
                                 a ? "write" : "read", k, o, expect[r][a][o]);
    /* Creators themselves: everyone reads their own, only the owner writes. */
    for (int r = 0; r < 4; r++) {
        assert_true(sl_can(who[r], SL_ACTION_READ, SL_OBJECT_CREATOR, t.a));
        assert_int_equal(sl_can(who[r], SL_ACTION_READ, SL_OBJECT_CREATOR, t.b), r == 0);
        assert_int_equal(sl_can(who[r], SL_ACTION_WRITE, SL_OBJECT_CREATOR, t.a), r == 0);
        assert_int_equal(sl_can(who[r], SL_ACTION_READ, SL_OBJECT_TEAM, 0), r == 0);
        assert_int_equal(sl_can(who[r], SL_ACTION_WRITE, SL_OBJECT_TEAM, 0), r == 0);
    }
    /* The other manager sees B and not A; no account sees anything. */
    assert_true(sl_can(&t.other_manager, SL_ACTION_WRITE, SL_OBJECT_IMPORT, t.b));
    assert_false(sl_can(&t.other_manager, SL_ACTION_READ, SL_OBJECT_IMPORT, t.a));
    assert_false(sl_can(NULL, SL_ACTION_READ, SL_OBJECT_IMPORT, t.a));
    assert_false(sl_can(&t.owner, (sl_action)7, SL_OBJECT_IMPORT, t.a));
    /* Creator lists are cut the same way. */
    sl_creator *list;
    size_t n;
    sl_error err;
    assert_int_equal(sl_creator_list(s, &t.viewer, &list, &n, &err), SL_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].handle, "@mina.lamps");
    sl_free(list);
    assert_int_equal(sl_creator_list(s, &t.owner, &list, &n, &err), SL_OK);
    assert_int_equal(n, 2);
    sl_free(list);
    /* Unassigning takes the creator from the manager and its viewer. */
    assert_int_equal(sl_creator_unassign(s, "@mina.lamps", "max", &err), SL_OK);
    sl_user v;
    assert_int_equal(sl_user_get(s, "val", &v, &err), SL_OK);
    assert_int_equal(v.creator_count, 0);
    assert_false(sl_can(&v, SL_ACTION_READ, SL_OBJECT_IMPORT, t.a));
    sl_user_clear(&v);
    clear_team(&t);
    sl_store_close(s);
}

/* A small export whose rows all name one creator; each file's videos are
 * new (the first 7400000000000009001, then …9011, …9021). */
static const char *one_creator_csv(const char *handle)
{
    static char path[600];
    static int files;
    snprintf(path, sizeof path, "%s/one-%d-%s.csv", dir, files, handle);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "Video ID,Creator username,Product impressions,Product clicks,Orders\n"
               "74000000000000090%d1,%s,1000,40,3\n74000000000000090%d2,%s,2000,50,4\n",
            files, handle, files, handle);
    files++;
    fclose(f);
    return path;
}

static int64_t import_file(sl_store *s, const char *path, int64_t creator_id)
{
    sl_read_options o = {0};
    o.store = s;
    o.creator_id = creator_id;
    sl_report *r;
    sl_error err;
    if (sl_report_read(&path, 1, &o, &r, &err) != SL_OK)
        fail_msg("cannot import %s: %s", path, err.message);
    int64_t id = r->sources[0].import_id;
    sl_report_free(r);
    return id;
}

static void objects_seen_through_the_rights(void **state)
{
    (void)state;
    char target[1024];
    sl_store *s = fresh(target, sizeof target);
    team t;
    build_team(s, &t);
    sl_error err;
    sl_store_set_actor(s, "olga");
    /* One creator in the file: its creator (made when missing). */
    int64_t mina = import_file(s, one_creator_csv("@mina.lamps"), 0);
    int64_t fresh_one = import_file(s, one_creator_csv("@newcomer"), 0);
    /* Several creators: none, owners only. */
    char several[600];
    snprintf(several, sizeof several, "%s/y_day1.csv", fixtures);
    int64_t agency = import_file(s, several, 0);
    /* Chosen by the caller: wins over the file. */
    char day2[600];
    snprintf(day2, sizeof day2, "%s/y_day2.csv", fixtures);
    int64_t chosen = import_file(s, day2, t.b);

    int64_t c;
    assert_int_equal(sl_import_creator(s, mina, &c, &err), SL_OK);
    assert_int_equal(c, t.a);
    assert_int_equal(sl_import_creator(s, agency, &c, &err), SL_OK);
    assert_int_equal(c, 0);
    assert_int_equal(sl_import_creator(s, chosen, &c, &err), SL_OK);
    assert_int_equal(c, t.b);
    assert_int_equal(sl_import_creator(s, fresh_one, &c, &err), SL_OK);
    sl_creator made;
    assert_int_equal(sl_creator_get(s, "@newcomer", &made, &err), SL_OK);
    assert_int_equal(c, made.id);

    /* Lists, cut by the rights. */
    sl_import *items;
    size_t n;
    assert_int_equal(sl_store_imports_visible(s, &t.owner, &items, &n, &err), SL_OK);
    assert_int_equal(n, 4);
    sl_free(items);
    const sl_user *readers[] = {&t.manager, &t.creator, &t.viewer};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(sl_store_imports_visible(s, readers[i], &items, &n, &err), SL_OK);
        assert_int_equal(n, 1);
        assert_int_equal(items[0].id, mina);
        assert_int_equal(items[0].creator_id, t.a);
        sl_free(items);
    }
    assert_int_equal(sl_store_imports_visible(s, &t.other_manager, &items, &n, &err), SL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(items[0].id, chosen);
    sl_free(items);

    /* A forbidden import reads exactly like a missing one. */
    sl_error missing, forbidden;
    assert_int_equal(sl_access(s, &t.manager, SL_ACTION_READ, SL_OBJECT_IMPORT, 424242,
                               &missing),
                     SL_ERR_NOT_FOUND);
    assert_int_equal(sl_access(s, &t.manager, SL_ACTION_READ, SL_OBJECT_IMPORT, agency,
                               &forbidden),
                     SL_ERR_NOT_FOUND);
    char expected[256];
    snprintf(expected, sizeof expected, "%s", missing.message);
    char *at = strstr(expected, "#424242");
    assert_non_null(at);
    char again[256];
    snprintf(again, sizeof again, "%.*s#%lld%s", (int)(at - expected), expected,
             (long long)agency, at + strlen("#424242"));
    assert_string_equal(forbidden.message, again);
    assert_int_equal(sl_access(s, &t.manager, SL_ACTION_WRITE, SL_OBJECT_IMPORT, mina, &err),
                     SL_OK);
    assert_int_equal(sl_access(s, &t.viewer, SL_ACTION_READ, SL_OBJECT_IMPORT, mina, &err), SL_OK);
    assert_int_equal(sl_access(s, &t.viewer, SL_ACTION_WRITE, SL_OBJECT_IMPORT, mina, &err),
                     SL_ERR_NOT_FOUND);

    /* Journal tests relate to creators by handle. */
    sl_journal_test jt;
    sl_journal_plan_input in = {0};
    in.step = SL_LOOP_TAG;
    in.metric = SL_METRIC_CTR;
    in.change = "Card at the proof moment";
    in.hypothesis = "Viewers tap while they want to check";
    in.before_video = "7400000000000009001";
    assert_int_equal(sl_journal_plan(s, &in, &jt, &err), SL_OK);
    int64_t test_a = jt.id;
    assert_string_equal(jt.creator, "@mina.lamps");
    sl_journal_test_clear(&jt);
    sl_journal_plan_input typed = in;
    typed.before_video = NULL;
    typed.before = (sl_arm){30, 1000};
    typed.creator = "@other.creator";
    assert_int_equal(sl_journal_plan(s, &typed, &jt, &err), SL_OK);
    int64_t test_b = jt.id;
    sl_journal_test_clear(&jt);
    typed.creator = NULL;
    assert_int_equal(sl_journal_plan(s, &typed, &jt, &err), SL_OK);
    int64_t test_none = jt.id;
    sl_journal_test_clear(&jt);
    assert_int_equal(sl_journal_test_creator(s, test_a, &c, &err), SL_OK);
    assert_int_equal(c, t.a);
    assert_int_equal(sl_journal_test_creator(s, test_b, &c, &err), SL_OK);
    assert_int_equal(c, t.b);
    assert_int_equal(sl_journal_test_creator(s, test_none, &c, &err), SL_OK);
    assert_int_equal(c, 0);
    assert_int_equal(sl_journal_test_creator(s, 9999, &c, &err), SL_ERR_NOT_FOUND);
    sl_journal_test *tests;
    assert_int_equal(sl_journal_list_visible(s, &t.creator, SL_JOURNAL_ALL, &tests, &n, &err),
                     SL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(tests[0].id, test_a);
    sl_journal_tests_free(tests, n);
    assert_int_equal(sl_journal_list_visible(s, &t.owner, SL_JOURNAL_ALL, &tests, &n, &err),
                     SL_OK);
    assert_int_equal(n, 3);
    sl_journal_tests_free(tests, n);
    assert_int_equal(sl_access(s, &t.creator, SL_ACTION_READ, SL_OBJECT_JOURNAL_TEST, test_b,
                               &err),
                     SL_ERR_NOT_FOUND);
    assert_int_equal(sl_access(s, &t.other_manager, SL_ACTION_WRITE, SL_OBJECT_JOURNAL_TEST,
                               test_b, &err),
                     SL_OK);
    clear_team(&t);
    sl_store_close(s);
}

static bool audit_has(const sl_audit_entry *e, size_t n, const char *user, const char *action,
                      const char *kind)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(e[i].user, user) == 0 && strcmp(e[i].action, action) == 0 &&
            strcmp(e[i].object_kind, kind) == 0)
            return true;
    return false;
}

static void every_change_is_audited(void **state)
{
    (void)state;
    char target[1024];
    sl_store *s = fresh(target, sizeof target);
    sl_error err;
    sl_store_set_actor(s, "shell:root");
    add_user(s, "olga", SL_ROLE_OWNER, NULL, NULL);
    assert_int_equal(sl_creator_add(s, "@mina.lamps", NULL, NULL, &err), SL_OK);
    add_user(s, "max", SL_ROLE_MANAGER, NULL, NULL);
    assert_int_equal(sl_creator_assign(s, "@mina.lamps", "max", &err), SL_OK);
    assert_int_equal(sl_creator_unassign(s, "@mina.lamps", "max", &err), SL_OK);
    assert_int_equal(sl_user_passwd(s, "max", "changed password", &err), SL_OK);
    sl_user max;
    assert_int_equal(sl_user_get(s, "max", &max, &err), SL_OK);
    assert_int_equal(sl_sessions_end_all(s, max.id, NULL, &err), SL_OK);
    sl_user_clear(&max);
    assert_int_equal(sl_user_remove(s, "max", &err), SL_OK);

    sl_store_set_actor(s, "olga");
    int64_t id = import_file(s, one_creator_csv("@mina.lamps"), 0);
    sl_journal_plan_input in = {0};
    in.step = SL_LOOP_TAG;
    in.metric = SL_METRIC_CTR;
    in.change = "=HYPERLINK(\"x\")";
    in.hypothesis = "Viewers tap while they want to check";
    in.before = (sl_arm){30, 1000};
    sl_journal_test jt;
    assert_int_equal(sl_journal_plan(s, &in, &jt, &err), SL_OK);
    int64_t test = jt.id;
    sl_journal_test_clear(&jt);
    assert_int_equal(sl_journal_replan(s, test, NULL, 0.3, false, &jt, &err), SL_OK);
    sl_journal_test_clear(&jt);
    sl_journal_look_input li = {.after = {40, 1100}};
    assert_int_equal(sl_journal_add_look(s, test, &li, &jt, NULL, &err), SL_OK);
    sl_journal_test_clear(&jt);
    assert_int_equal(sl_journal_close(s, test, SL_OUTCOME_ABANDONED, "Stopped", NULL, &jt, &err),
                     SL_OK);
    sl_journal_test_clear(&jt);
    assert_int_equal(sl_store_forget(s, id, &err), SL_OK);
    sl_store_set_actor(s, NULL);
    assert_int_equal(sl_audit_add(s, "login", "user", 1, "from 10.0.0.1", &err), SL_OK);
    /* A refused change leaves no entry. */
    assert_int_equal(sl_user_remove(s, "olga", &err), SL_ERR_INVALID_ARGUMENT);

    sl_audit_entry *e;
    size_t n;
    assert_int_equal(sl_audit_list(s, 0, &e, &n, &err), SL_OK);
    assert_true(audit_has(e, n, "shell:root", "user-add", "user"));
    assert_true(audit_has(e, n, "shell:root", "creator-add", "creator"));
    assert_true(audit_has(e, n, "shell:root", "creator-assign", "creator"));
    assert_true(audit_has(e, n, "shell:root", "creator-unassign", "creator"));
    assert_true(audit_has(e, n, "shell:root", "user-passwd", "user"));
    assert_true(audit_has(e, n, "shell:root", "logout-everywhere", "user"));
    assert_true(audit_has(e, n, "shell:root", "user-remove", "user"));
    assert_true(audit_has(e, n, "olga", "import", "import"));
    assert_true(audit_has(e, n, "olga", "journal-plan", "journal-test"));
    assert_true(audit_has(e, n, "olga", "journal-replan", "journal-test"));
    assert_true(audit_has(e, n, "olga", "journal-look", "journal-test"));
    assert_true(audit_has(e, n, "olga", "journal-close", "journal-test"));
    assert_true(audit_has(e, n, "olga", "forget", "import"));
    assert_true(audit_has(e, n, "local", "login", "user"));
    assert_string_equal(e[0].action, "login");       /* newest first */
    assert_int_equal(n, 15);
    size_t two;
    sl_audit_entry *newest;
    assert_int_equal(sl_audit_list(s, 2, &newest, &two, &err), SL_OK);
    assert_int_equal(two, 2);
    assert_string_equal(newest[1].action, "forget");
    sl_free(newest);

    char *csv = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&csv, &size);
    assert_int_equal(sl_audit_write_csv(e, n, out), SL_OK);
    fclose(out);
    assert_memory_equal(csv, "id,at,user,action,object_kind,object_id,detail\n", 47);
    assert_non_null(strstr(csv, ",\"'=HYPERLINK(\"\"x\"\")\"\n"));
    free(csv);
    sl_free(e);
    sl_store_close(s);
}

/* store copy carries team mode along (not the sessions). */
/* One video in two creators' imports: each account's plan takes the newest
 * import it may read, not the newest overall (then a refusal).  Drill
 * progress is each account's own. */
static void videos_and_drills_per_account(void **state)
{
    (void)state;
    char target[1024];
    sl_store *s = fresh(target, sizeof target);
    team t;
    build_team(s, &t);
    sl_error err;
    sl_store_set_actor(s, "olga");
    char path[600];
    int64_t ids[2];
    const char *handles[] = {"@mina.lamps", "@other.creator"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/shared-%d.csv", dir, i);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "Video ID,Creator username,Product impressions,Product clicks,Orders\n"
                   "7400000000000009991,%s,%d,40,3\n", handles[i], 1000 * (i + 1));
        fclose(f);
        ids[i] = import_file(s, path, 0);
    }
    sl_video_counts v;
    assert_int_equal(sl_store_video(s, "7400000000000009991", &v, &err), SL_OK);
    assert_int_equal(v.import_id, ids[1]);
    assert_int_equal(sl_store_video_visible(s, "7400000000000009991", NULL, &v, &err), SL_OK);
    assert_int_equal(v.import_id, ids[1]);
    assert_int_equal(sl_store_video_visible(s, "7400000000000009991", &t.owner, &v, &err), SL_OK);
    assert_int_equal(v.import_id, ids[1]);
    const sl_user *as[] = {&t.manager, &t.creator, &t.viewer};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sl_store_video_visible(s, "7400000000000009991", as[i], &v, &err),
                         SL_OK);
        assert_int_equal(v.import_id, ids[0]);
        double impressions = 0;
        assert_true(sl_funnel_get(&v.funnel, SL_FIELD_PRODUCT_IMPRESSIONS, &impressions));
        assert_true(impressions == 1000);
        assert_string_equal(v.creator, "@mina.lamps");
    }
    assert_int_equal(
        sl_store_video_visible(s, "7400000000000009991", &t.other_manager, &v, &err), SL_OK);
    assert_int_equal(v.import_id, ids[1]);
    /* A plan by mina's creator account takes her import. */
    sl_journal_plan_input in = {.step = SL_LOOP_PICK, .metric = SL_METRIC_CTR,
                                .change = "card at 2 s", .hypothesis = "more clicks",
                                .before_video = "7400000000000009991", .reader = &t.creator};
    sl_journal_test jt;
    assert_int_equal(sl_journal_plan(s, &in, &jt, &err), SL_OK);
    assert_int_equal(jt.before_import, ids[0]);
    assert_string_equal(jt.creator, "@mina.lamps");
    sl_journal_test_clear(&jt);
    /* A video only another creator's import holds is a missing one. */
    snprintf(path, sizeof path, "%s/only-b.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("Video ID,Creator username,Product impressions,Product clicks,Orders\n"
          "7400000000000009992,@other.creator,1000,40,3\n", f);
    fclose(f);
    import_file(s, path, 0);
    assert_int_equal(sl_store_video_visible(s, "7400000000000009992", &t.manager, &v, &err),
                     SL_ERR_NOT_FOUND);

    /* Drills: each account's own answers; solo's (0) apart. */
    const sl_content *c = sl_content_builtin(NULL);
    const sl_drill_set *tag = sl_drill_set_get(c, SL_DRILL_TAG);
    assert_int_equal(sl_store_drill_answer(s, t.manager.id, &tag->drills[0], "a", true, &err),
                     SL_OK);
    assert_int_equal(sl_store_drill_answer(s, t.viewer.id, &tag->drills[0], "b", false, &err),
                     SL_OK);
    assert_int_equal(sl_store_drill_answer(s, t.viewer.id, &tag->drills[1], "a", false, &err),
                     SL_OK);
    sl_drill_progress p;
    assert_int_equal(sl_store_drill_progress(s, t.manager.id, SL_DRILL_TAG, &p, &err), SL_OK);
    assert_int_equal(p.answered, 1);
    assert_int_equal(p.correct, 1);
    assert_int_equal(sl_store_drill_progress(s, t.viewer.id, SL_DRILL_TAG, &p, &err), SL_OK);
    assert_int_equal(p.answered, 2);
    assert_int_equal(p.correct, 0);
    assert_int_equal(sl_store_drill_progress(s, t.owner.id, SL_DRILL_TAG, &p, &err), SL_OK);
    assert_int_equal(p.answered, 0);
    assert_int_equal(sl_store_drill_progress(s, 0, SL_DRILL_TAG, &p, &err), SL_OK);
    assert_int_equal(p.answered, 0);
    /* store copy keeps whose answer it was. */
    char b[1024];
    sl_store *to = fresh(b, sizeof b);
    sl_store_copy_result r;
    assert_int_equal(sl_store_copy(s, to, &r, &err), SL_OK);
    assert_int_equal(r.drill_answers, 3);
    assert_int_equal(sl_store_drill_progress(to, t.viewer.id, SL_DRILL_TAG, &p, &err), SL_OK);
    assert_int_equal(p.answered, 2);
    assert_int_equal(sl_store_drill_progress(to, 0, SL_DRILL_TAG, &p, &err), SL_OK);
    assert_int_equal(p.answered, 0);
    sl_store_close(to);
    clear_team(&t);
    sl_store_close(s);
}

static void copy_keeps_the_team(void **state)
{
    (void)state;
    char a[1024], b[1024];
    sl_store *s = fresh(a, sizeof a);
    team t;
    build_team(s, &t);
    import_file(s, one_creator_csv("@mina.lamps"), 0);
    sl_store *to = fresh(b, sizeof b);
    sl_store_copy_result r;
    sl_error err;
    assert_int_equal(sl_store_copy(s, to, &r, &err), SL_OK);
    assert_int_equal(r.users, 5);
    assert_int_equal(r.creators, 2);
    sl_user u;
    assert_int_equal(sl_login_attempt(to, "val", PW_OTHER, "x", T0, &u, &err), SL_OK);
    assert_int_equal(u.creator_count, 1);
    assert_int_equal(u.creators[0], t.a);
    sl_import *items;
    size_t n;
    assert_int_equal(sl_store_imports_visible(to, &u, &items, &n, &err), SL_OK);
    assert_int_equal(n, 1);
    sl_free(items);
    sl_user_clear(&u);
    /* A store with accounts is not empty. */
    sl_store *third = fresh(b, sizeof b);
    assert_int_equal(sl_store_copy(third, to, &r, &err), SL_ERR_INVALID_ARGUMENT);
    sl_store_close(third);
    clear_team(&t);
    sl_store_close(to);
    sl_store_close(s);
}

int main(int argc, char **argv)
{
    test_require_cluster();
    if (argc < 2) {
        fprintf(stderr, "usage: test_team FIXTURES/journal\n");
        return 2;
    }
    fixtures = argv[1];
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accounts_and_their_hashes),
        cmocka_unit_test(login_is_rate_limited),
        cmocka_unit_test(sessions_end_and_expire),
        cmocka_unit_test(rights_table),
        cmocka_unit_test(objects_seen_through_the_rights),
        cmocka_unit_test(every_change_is_audited),
        cmocka_unit_test(copy_keeps_the_team),
        cmocka_unit_test(videos_and_drills_per_account),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return failed;
}
