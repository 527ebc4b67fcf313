/*
 * sessions.c — team mode's logins and sessions: the rate limit on failed
 * logins (per account name and per client address), session tokens of 32
 * random bytes of which only a SHA-256 is stored, idle and absolute
 * expiry, logging out one session or all of an account's, and the
 * session's CSRF token derived from it.
 *
 * A login attempt is counted as a failure *before* its password is
 * checked and uncounted when it turns out right, so attempts sent in
 * parallel cannot slip past the limit while each is being verified.
 */
#include "db.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOKEN_BYTES 32
/* A session's last request is written at most this often (seconds). */
#define SEEN_EVERY 60

static int64_t clock_now(int64_t now)
{
    return now ? now : (int64_t)time(NULL);
}

/* True for 64 lowercase hex digits: the only shape a token has. */
static bool token_shape(const char *token)
{
    if (!token || strlen(token) != 2 * TOKEN_BYTES)
        return false;
    for (const char *c = token; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

/* The stored form of a token: SHA-256 of its text, in hex. */
static void token_hash(const char *token, char out[2 * crypto_hash_sha256_BYTES + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 2 * crypto_hash_sha256_BYTES + 1, digest, sizeof digest);
}

static sl_status unauthorised(sl_error *err)
{
    return sl_fail(err, SL_ERR_UNAUTHORISED, "session",
                   "no valid session: it ended, expired or never existed; log in again");
}

sl_status sl_session_create(sl_store *s, int64_t user_id, int64_t now,
                            char token[SL_SESSION_TOKEN_SIZE], sl_error *err)
{
    if (!s || !token)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or token buffer given");
    token[0] = '\0';
    if (sodium_init() < 0)
        return sl_fail(err, SL_ERR_IO, NULL, "libsodium could not start");
    unsigned char raw[TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    char made[SL_SESSION_TOKEN_SIZE], hash[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(made, sizeof made, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    token_hash(made, hash);
    now = clock_now(now);
    sl_status st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    sl_user u;
    st = sl_user_load(s, NULL, user_id, &u, NULL, err);
    sl_user_clear(&u);
    db_stmt *q = NULL;
    if (st == SL_OK)
        st = db_prepare(sl_store_db(s),
                        "INSERT INTO sessions(token_hash, user_id, created_at, last_seen_at) "
                        "VALUES (?1, ?2, ?3, ?3)",
                        false, &q, err);
    if (st == SL_OK) {
        db_bind_text(q, 1, hash);
        db_bind_int(q, 2, user_id);
        db_bind_int(q, 3, now);
        if (db_step(q) == DB_ERROR)
            st = sl_store_fail(s, err, "cannot start the session");
        db_finalize(q);
    }
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    st = sl_store_commit(s, err);
    if (st == SL_OK)
        memcpy(token, made, sizeof made);
    sodium_memzero(made, sizeof made);
    return st;
}

sl_status sl_session_check(sl_store *s, const char *token, int64_t now, sl_user *out,
                           sl_error *err)
{
    if (!s || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or result given");
    memset(out, 0, sizeof *out);
    if (!token_shape(token))
        return unauthorised(err);
    char hash[2 * crypto_hash_sha256_BYTES + 1];
    token_hash(token, hash);
    now = clock_now(now);
    sl_status st = sl_store_begin(s, false, err);
    if (st != SL_OK)
        return st;
    db_stmt *q;
    st = db_prepare(sl_store_db(s),
                    "SELECT id, user_id, created_at, last_seen_at FROM sessions "
                    "WHERE token_hash = ?1",
                    false, &q, err);
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    db_bind_text(q, 1, hash);
    int64_t id = 0, user = 0, created = 0, seen = 0;
    db_result rc = db_step(q);
    if (rc == DB_ROW) {
        id = db_column_int(q, 0);
        user = db_column_int(q, 1);
        created = db_column_int(q, 2);
        seen = db_column_int(q, 3);
    } else if (rc == DB_ERROR) {
        st = sl_store_fail(s, err, "cannot read the sessions");
    }
    db_finalize(q);
    bool expired = id && (now - seen > SL_SESSION_IDLE_SECONDS ||
                          now - created > SL_SESSION_MAX_SECONDS);
    if (st == SL_OK && id && !expired)
        st = sl_user_load(s, NULL, user, out, NULL, err);
    sl_store_rollback(s);
    if (st == SL_ERR_NOT_FOUND)
        st = unauthorised(err);       /* the account went between two reads */
    if (st != SL_OK)
        return st;
    if (!id)
        return unauthorised(err);
    if (expired) {
        /* Best effort: the answer is "no" whether or not the delete lands. */
        sl_store_run(s, "DELETE FROM sessions WHERE id = ?1", id, NULL, "", NULL);
        return unauthorised(err);
    }
    if (now - seen >= SEEN_EVERY) {
        db_stmt *u;
        if (db_prepare(sl_store_db(s),
                       "UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1 AND last_seen_at < ?2",
                       false, &u, NULL) == SL_OK) {
            db_bind_int(u, 1, id);
            db_bind_int(u, 2, now);
            db_step(u);             /* a busy store only delays the idle clock */
            db_finalize(u);
        }
    }
    return SL_OK;
}

sl_status sl_session_end(sl_store *s, const char *token, sl_error *err)
{
    if (!s)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    if (!token_shape(token))
        return SL_OK;
    char hash[2 * crypto_hash_sha256_BYTES + 1];
    token_hash(token, hash);
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s), "DELETE FROM sessions WHERE token_hash = ?1",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_text(q, 1, hash);
    if (db_step(q) == DB_ERROR)
        st = sl_store_fail(s, err, "cannot end the session");
    db_finalize(q);
    return st;
}

sl_status sl_sessions_end_all(sl_store *s, int64_t user_id, uint64_t *ended, sl_error *err)
{
    if (ended)
        *ended = 0;
    if (!s)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store given");
    sl_status st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    sl_user u;
    st = sl_user_load(s, NULL, user_id, &u, NULL, err);
    int64_t n = 0;
    db_stmt *q;
    if (st == SL_OK &&
        (st = db_prepare(sl_store_db(s), "SELECT COUNT(*) FROM sessions WHERE user_id = ?1",
                         false, &q, err)) == SL_OK) {
        db_bind_int(q, 1, user_id);
        if (db_step(q) == DB_ROW)
            n = db_column_int(q, 0);
        else
            st = sl_store_fail(s, err, "cannot count the sessions");
        db_finalize(q);
    }
    if (st == SL_OK)
        st = sl_store_run(s, "DELETE FROM sessions WHERE user_id = ?1", user_id, NULL,
                 "cannot end the sessions", err);
    if (st == SL_OK) {
        char detail[96];
        snprintf(detail, sizeof detail, "%s, %lld session%s ended", u.name, (long long)n,
                 n == 1 ? "" : "s");
        st = sl_store_audit(s, "logout-everywhere", "user", user_id, detail, err);
    }
    sl_user_clear(&u);
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    st = sl_store_commit(s, err);
    if (st == SL_OK && ended)
        *ended = (uint64_t)n;
    return st;
}

/* ---- CSRF ---- */

void sl_session_csrf(const char *token, char out[SL_SESSION_TOKEN_SIZE])
{
    out[0] = '\0';
    unsigned char key[TOKEN_BYTES];
    if (!token_shape(token) || sodium_init() < 0 ||
        sodium_hex2bin(key, sizeof key, token, strlen(token), NULL, NULL, NULL) != 0)
        return;
    static const char label[] = "shoplab csrf v1";
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)label, sizeof label - 1, key);
    sodium_memzero(key, sizeof key);
    sodium_bin2hex(out, SL_SESSION_TOKEN_SIZE, mac, sizeof mac);
}

bool sl_session_csrf_check(const char *token, const char *csrf)
{
    char want[SL_SESSION_TOKEN_SIZE];
    sl_session_csrf(token, want);
    if (!want[0] || !csrf || strlen(csrf) != strlen(want))
        return false;
    return sodium_memcmp(want, csrf, strlen(want)) == 0;
}

/* ---- logging in ---- */

/* Failures of `key` since `since`. */
static sl_status failures(sl_store *s, const char *key, int64_t since, int64_t *n, sl_error *err)
{
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s),
                              "SELECT COUNT(*) FROM login_failures WHERE key = ?1 AND at > ?2",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_text(q, 1, key);
    db_bind_int(q, 2, since);
    if (db_step(q) == DB_ROW)
        *n = db_column_int(q, 0);
    else
        st = sl_store_fail(s, err, "cannot read the failed logins");
    db_finalize(q);
    return st;
}

static sl_status add_failure(sl_store *s, const char *key, int64_t now, int64_t *id,
                             sl_error *err)
{
    db_stmt *q;
    sl_status st = db_prepare(sl_store_db(s),
                              "INSERT INTO login_failures(key, at) VALUES (?1, ?2) RETURNING id",
                              false, &q, err);
    if (st != SL_OK)
        return st;
    db_bind_text(q, 1, key);
    db_bind_int(q, 2, now);
    if (db_step(q) == DB_ROW) {
        *id = db_column_int(q, 0);
        if (db_step(q) == DB_ERROR)
            st = sl_store_fail(s, err, "cannot count the login");
    } else {
        st = sl_store_fail(s, err, "cannot count the login");
    }
    db_finalize(q);
    return st;
}

/* Checks the limit and, under it, counts this attempt as a failure of both
 * keys (ids in fail_ids) until it proves right.  One write transaction, so
 * parallel attempts are counted one after another. */
static sl_status count_attempt(sl_store *s, const char *name_key, const char *addr_key,
                               int64_t now, int64_t fail_ids[2], sl_error *err)
{
    int64_t since = now - SL_LOGIN_WINDOW_SECONDS, by_name = 0, by_addr = 0;
    sl_status st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    db_stmt *q;
    if ((st = db_prepare(sl_store_db(s), "DELETE FROM login_failures WHERE at <= ?1", false, &q,
                         err)) == SL_OK) {
        db_bind_int(q, 1, since);
        if (db_step(q) == DB_ERROR)
            st = sl_store_fail(s, err, "cannot prune the failed logins");
        db_finalize(q);
    }
    if (st == SL_OK)
        st = failures(s, name_key, since, &by_name, err);
    if (st == SL_OK)
        st = failures(s, addr_key, since, &by_addr, err);
    bool limited = st == SL_OK && (by_name >= SL_LOGIN_MAX_FAILURES ||
                                   by_addr >= SL_LOGIN_MAX_FAILURES);
    if (st == SL_OK && !limited)
        st = add_failure(s, name_key, now, &fail_ids[0], err);
    if (st == SL_OK && !limited)
        st = add_failure(s, addr_key, now, &fail_ids[1], err);
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    st = sl_store_commit(s, err);
    if (st == SL_OK && limited)
        return sl_fail(err, SL_ERR_RATE_LIMITED, "login",
                       "too many failed logins for this account or from this address: wait %d "
                       "minutes, then try again",
                       SL_LOGIN_WINDOW_SECONDS / 60);
    return st;
}

/* A right password: this attempt was no failure, and the name's earlier
 * failures are forgiven (the address's stay: they may be another's). */
static sl_status uncount(sl_store *s, const char *name_key, const int64_t fail_ids[2],
                         sl_error *err)
{
    sl_status st = sl_store_begin(s, true, err);
    if (st != SL_OK)
        return st;
    st = sl_store_run(s, "DELETE FROM login_failures WHERE id = ?1 OR key = ?2", fail_ids[1],
                      name_key, "cannot clear the failed logins", err);
    if (st != SL_OK) {
        sl_store_rollback(s);
        return st;
    }
    return sl_store_commit(s, err);
}

sl_status sl_login_attempt(sl_store *s, const char *name, const char *password,
                           const char *address, int64_t now, sl_user *out, sl_error *err)
{
    if (!s || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no store or result given");
    memset(out, 0, sizeof *out);
    if (!name || !password || strlen(name) > SL_USER_MAX_NAME || strlen(password) > SL_PASSWORD_MAX)
        return sl_fail(err, SL_ERR_UNAUTHORISED, "login", "wrong name or password");
    if (sodium_init() < 0)
        return sl_fail(err, SL_ERR_IO, NULL, "libsodium could not start");
    now = clock_now(now);
    char name_key[64], addr_key[128];
    snprintf(name_key, sizeof name_key, "account:%s", name);
    snprintf(addr_key, sizeof addr_key, "address:%.100s", address && *address ? address : "-");
    int64_t fail_ids[2] = {0, 0};
    sl_status st = count_attempt(s, name_key, addr_key, now, fail_ids, err);
    if (st != SL_OK)
        return st;
    char hash[SL_PASSWORD_HASH_SIZE] = "";
    sl_user u;
    st = sl_store_begin(s, false, err);
    if (st == SL_OK) {
        st = sl_user_load(s, name, 0, &u, hash, err);
        sl_store_rollback(s);
    }
    bool right;
    if (st == SL_OK) {
        right = sl_password_verify(hash, password);
    } else if (st == SL_ERR_NOT_FOUND) {
        /* As long as a wrong password takes, so timing tells no names. */
        char dummy[SL_PASSWORD_HASH_SIZE];
        sl_password_hash(password, dummy, NULL);
        right = false;
    } else {
        return st;
    }
    sodium_memzero(hash, sizeof hash);
    if (!right) {
        sl_user_clear(&u);
        return sl_fail(err, SL_ERR_UNAUTHORISED, "login", "wrong name or password");
    }
    st = uncount(s, name_key, fail_ids, err);
    if (st != SL_OK) {
        sl_user_clear(&u);
        return st;
    }
    *out = u;
    return SL_OK;
}
