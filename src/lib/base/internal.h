/*
 * internal.h — helpers shared by the library's source files (private).
 *
 * Nothing here is part of the public contract; front ends include only
 * include/shoplab.h.
 */
#ifndef SL_INTERNAL_H
#define SL_INTERNAL_H

#include "shoplab.h"

#include <stdarg.h>
#include <string.h>

/* SL_MAX_COUNT as an integer, for exact comparisons of uint64_t counts. */
#define SL_MAX_COUNT_U64 (UINT64_C(1) << 53)

/* Fills `err` (if not NULL) with `code`, `field` and a printf-style message,
 * and returns `code`, so callers can write `return sl_fail(err, …);`. */
sl_status sl_fail(sl_error *err, sl_status code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Where in a file an error is: row (or line) and column count from 1, 0
 * when not known; `header` is the column's header or the content key. */
typedef struct sl_place {
    const char *file;
    uint64_t row;
    uint64_t column;
    const char *header;
} sl_place;

/* sl_fail for an error with a place: fills err's file, row, column and
 * header, and starts the message with "file:row:column: " (the parts that
 * are known), the form editors and terminals jump to. */
sl_status sl_fail_at(sl_error *err, sl_status code, sl_place where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- arena (arena.c) ---- */

/* Bytes per block unless the arena's block_size says otherwise. */
#define SL_ARENA_BLOCK ((size_t)64 << 10)

/* Memory handed out from big blocks and freed together by sl_arena_free.
 * A zeroed sl_arena is empty and ready; set block_size before the first
 * allocation to change the block (0 means SL_ARENA_BLOCK). */
typedef struct sl_arena {
    struct sl_arena_block *blocks;  /* newest first */
    char *next, *end;               /* the free room of the newest block */
    size_t block_size;
} sl_arena;

/* `size` zeroed bytes aligned for any type (arrays and structs), or NULL. */
void *sl_arena_alloc(sl_arena *a, size_t size);
/* Starts a new block and hands out its first `size` bytes (the slow path
 * of sl_arena_copy). */
void *sl_arena_grow(sl_arena *a, size_t size);
/* Frees every block; the arena is empty again and can be reused. */
void sl_arena_free(sl_arena *a);

/* A NUL-terminated copy of `len` bytes of `text`, or NULL.  Inline: the
 * group table copies a key per new group on the import's hot path, and
 * the common case is one comparison and a memcpy. */
static inline char *sl_arena_copy(sl_arena *a, const char *text, size_t len)
{
    char *p;
    if ((uintptr_t)a->end - (uintptr_t)a->next > len) {
        p = a->next;
        a->next += len + 1;
    } else if (!(p = sl_arena_grow(a, len + 1))) {
        return NULL;
    }
    memcpy(p, text, len);
    p[len] = '\0';
    return p;
}

/* One function a library loaded on first use must have: its name, and
 * where its pointer goes in the caller's table of functions. */
typedef struct sl_symbol {
    const char *name;
    size_t offset;
} sl_symbol;

/* Opens `soname` with dlopen and fills every symbol's pointer into `api`;
 * false, with "`needs`" and dlerror's words in `why`, when the library or
 * one of its functions is missing (nothing is then half-used).  loader.c. */
bool sl_library_load(const char *soname, const char *needs, const sl_symbol *symbols,
                     size_t count, void *api, char *why, size_t why_size);

/* Checks one arm: trials > 0, successes ≤ trials, both ≤ SL_MAX_COUNT. */
sl_status sl_arm_check(sl_arm arm);

/* Bit mask of the money fields (GMV, est. commission, refunds): the hot
 * import loop tests this instead of calling sl_field_is_money per cell. */
#define SL_MONEY_FIELDS ((1u << SL_FIELD_GMV) | (1u << SL_FIELD_EST_COMMISSION) | \
                         (1u << SL_FIELD_REFUNDS))

/* True, with the amount in whole hundredths, when `amount` is a decimal of
 * at most two places as read from text ("19.99", "9418796360494.45"):
 * such amounts are summed exactly.  False for any other amount (more
 * places, or beyond 9e15 hundredths).  funnel.c. */
bool sl_money_hundredths(double amount, int64_t *hundredths);

/* The fields and scale a rate is computed from (funnel.c). */
void sl_rate_parts(sl_rate_id id, sl_field *numerator, sl_field *denominator, double *scale);
/* True when the rate is successes out of trials (it can have an interval). */
bool sl_rate_is_proportion(sl_rate_id id);

/* ---- numeric kernels (numeric.c) ---- */

/* Regularized incomplete beta I_x(a, b), a, b > 0, x ∈ [0, 1]. */
double sl_betainc(double a, double b, double x);
/* The q with I_q(a, b) = p (inverse of the above), p ∈ [0, 1]. */
double sl_betainc_inv(double a, double b, double p);
/* ln B(a, b), accurate for large a and b. */
double sl_lbeta(double a, double b);
/* lgamma(x + h) − lgamma(x) without cancellation, x > 0, h ≥ 0. */
double sl_lgamma_diff(double x, double h);
/* Two-sided normal tail erfc(|z|/√2) and its log10, finite for any z. */
double sl_normal_two_sided_p(double z, double *log10_p);

/* ---- content trees (content_tree.c parses, content_load.c loads) ---- */

typedef struct source_file {
    const char *name;   /* path below content/, e.g. "terms/ctor.txt" */
    const char *text;   /* NUL-terminated */
} source_file;

/* Builds and validates a content tree from in-memory files (the fuzz target
 * and the directory loader share it).  content_load.c. */
sl_status sl_content_from_texts(const source_file *files, size_t count, sl_content **out,
                                sl_error *err);

/* Parses named texts into a tree, without the cross-checks (the loaders
 * run those).  `lazy`, for the built-in tree only (its files are the
 * embedded ones): its export vocabulary is read on first need instead of
 * now.  content_tree.c. */
sl_status sl_content_build(const source_file *files, size_t count, bool lazy, sl_content **out,
                           sl_error *err);
/* Parses one term file alone into *out, its strings in `arena`.
 * content_tree.c. */
sl_status sl_content_parse_term(sl_arena *arena, const char *name, const char *text,
                                sl_term *out, sl_error *err);
/* The term whose slug is `slug`, or NULL (binary search).  content_tree.c. */
const sl_term *sl_content_term_by_slug(const sl_content *content, const char *slug);
/* SL_OK, or why a lazy tree's vocabulary could not be read (read now if it
 * has not been).  content_tree.c. */
sl_status sl_content_vocabulary_status(const sl_content *content, sl_error *err);

/* ---- content files' lines (content_lines.c) ---- */

/* Reads a file's text line by line, in place (the text is cut up). */
typedef struct sl_lines {
    char *rest;         /* the text not read yet; NULL at the end */
    const char *file;   /* named in errors */
    unsigned line;      /* the number of the line returned last */
} sl_lines;

/* One `key: value` line. */
typedef struct sl_entry {
    const char *key;
    const char *value;
    unsigned line;
} sl_entry;

/* The next line that is neither blank nor a comment ('#' first), with the
 * spaces, tabs and carriage returns around it cut; NULL at the end. */
char *sl_lines_next(sl_lines *r);
/* The next line as `key: value` (spaces after the colon dropped): 1 with
 * *out set, 0 at the end, -1 for a line without a key or a value, with
 * SL_ERR_CONTENT "file:line: …" in err. */
int sl_lines_entry(sl_lines *r, sl_entry *out, sl_error *err);

/* Writes a whole count with thousands separators ("12,000") into buf. */
const char *sl_format_count(char *buf, size_t size, double count);

/* Longest normalised lookup key kept; names and aliases are far shorter. */
#define SL_MAX_KEY 256

/* The lookup key of a name: lowercase ASCII letters and digits, other
 * scripts kept, accents folded, punctuation and spaces dropped (or, with
 * `words`, single spaces between words).  text.c. */
void sl_normalise_key(const char *text, char *out, size_t size, bool words);

/* The term whose name, slug or alias has the lookup key `key`, or NULL
 * (binary search in the tree's sorted key table).  content_tree.c. */
const sl_term *sl_content_lookup_key(const sl_content *content, const char *key);

/* The built-in term whose slug is `slug`, or NULL.  Until the whole
 * built-in tree is read it parses only content/terms/SLUG.txt, so the
 * decoder's "check first" questions cost one small file, not the tree; the
 * term lives for the process.  Thread-safe.  content_load.c. */
const sl_term *sl_content_builtin_term(const char *slug);

/* sl_content_builtin with its export vocabulary read, or NULL with err set
 * when either cannot be (out of memory, a damaged build): for the importer,
 * which must not read a file with half its vocabulary.  content_load.c. */
const sl_content *sl_content_builtin_with_vocabulary(sl_error *err);

/* A term's formula split into its two canonical fields, "numerator /
 * denominator"; false when it is not of that shape.  content_check.c. */
typedef struct sl_formula_parts {
    char numerator[32];
    char denominator[32];
} sl_formula_parts;
bool sl_formula_split(const char *formula, sl_formula_parts *out);

/* Fails with SL_ERR_CONTENT when two terms share a lookup key. */
sl_status sl_content_check_keys(const sl_content *content, sl_error *err);

/* True when `text` is only a currency mark or code ("MX$", "R$", "Rp", "฿",
 * "MXN"); writes its ISO code.  values.c. */
bool sl_currency_mark(const char *text, char code[4]);
/* sl_report_decode, verdicts and numbers only (no sentences): for counting
 * and filtering every row of a large report.  report.c. */
sl_status sl_report_decode_brief(const sl_report *r, size_t row, sl_decode_result *out,
                                 sl_error *err);
/* sl_parse_value with the column's decimal mark ('.' or ','; 0 decides per
 * cell as sl_parse_value does).  values.c. */
sl_status sl_parse_value_as(const char *text, const char *currency_hint, char decimal_mark,
                            sl_value *out, sl_error *err);

/* ---- export vocabulary (vocabulary.c) ---- */

/* What an export header means (content/import/vocabulary/LANG.txt). */
typedef enum sl_vocab_meaning {
    SL_VOCAB_TERM = 0,      /* a glossary term: `what` is its slug */
    SL_VOCAB_KEY,           /* a key column: `what` is video|product|live|creator|day|time */
    SL_VOCAB_LABEL,         /* a title or name column */
    SL_VOCAB_BAND_ALL,      /* a section-band label meaning all channels */
    SL_VOCAB_BAND_CHANNEL,  /* a section-band label naming one channel */
    SL_VOCAB_ROW_TOTAL,     /* first cell of a total row */
    SL_VOCAB_ROW_AVERAGE,   /* first cell of an average row */
    SL_VOCAB_ROW_CHANGE,    /* first cell of a percent-change row */
    SL_VOCAB_TABLE_TITLE,   /* a row that titles a table inside a sheet */
    SL_VOCAB_OTHER          /* a real header ShopLab does not compute with */
} sl_vocab_meaning;

typedef struct sl_vocab {
    const char *header;         /* as the export spells it */
    char key[96];               /* its lookup key (sl_normalise_key) */
    sl_vocab_meaning meaning;
    const char *what;           /* term slug or key role; "" otherwise */
    const char *markets;        /* "MX, ES" */
    const char *seen_in;        /* where it was seen */
    char language[8];           /* from the file name: "es" */
    const char *file;
    unsigned line;
} sl_vocab;

typedef struct sl_vocabulary sl_vocabulary;

const char *sl_vocab_meaning_name(sl_vocab_meaning meaning);
/* Adds one vocabulary file's lines (SL_ERR_CONTENT names file:line). */
sl_status sl_vocabulary_add(sl_vocabulary **vocab, const char *file, const char *text,
                            sl_error *err);
/* Sorts the table and checks that a header means one thing everywhere. */
sl_status sl_vocabulary_seal(sl_vocabulary *vocab, sl_error *err);
void sl_vocabulary_free(sl_vocabulary *vocab);
size_t sl_vocabulary_count(const sl_vocabulary *vocab);
const sl_vocab *sl_vocabulary_at(const sl_vocabulary *vocab, size_t i);
/* The first entry with lookup key `key`, or NULL. */
const sl_vocab *sl_vocabulary_find(const sl_vocabulary *vocab, const char *key);
/* The entry spelt exactly `header` among those with key `key`, else the first. */
const sl_vocab *sl_vocabulary_find_spelt(const sl_vocabulary *vocab, const char *key,
                                         const char *header);
/* The content tree's vocabulary (NULL when it has none). */
const sl_vocabulary *sl_content_vocabulary(const sl_content *content);

/* ---- the store, for journal.c (store.c) ---- */

typedef struct db db;
/* The store's database connection (store/db.h). */
db *sl_store_db(sl_store *store);
/* The connection's last failure naming `what` failed (db_fail). */
sl_status sl_store_fail(sl_store *store, sl_error *err, const char *what);
/* One transaction; `write`: it will write (SQLite takes the write lock at
 * once, so two writers queue instead of failing half-way). */
sl_status sl_store_begin(sl_store *store, bool write, sl_error *err);
/* Commits; on failure rolls back. */
sl_status sl_store_commit(sl_store *store, sl_error *err);
/* Runs `sql` bound to an int (?1) and, when not NULL, a text (?2) to its
 * end; `what` names a failure.  (db.h has no count of changed rows:
 * callers count first.) */
sl_status sl_store_run(sl_store *store, const char *sql, int64_t a, const char *text,
                       const char *what, sl_error *err);
/* Rolls back the open transaction, if any. */
void sl_store_rollback(sl_store *store);
/* The current time, UTC, "YYYY-MM-DDTHH:MM:SSZ". */
void sl_store_now(char out[24]);
/* Adds an audit entry as the store's actor inside the open transaction
 * (the change and its entry are kept together or not at all). */
sl_status sl_store_audit(sl_store *store, const char *action, const char *kind,
                         int64_t object_id, const char *detail, sl_error *err);
/* True when `text` is valid UTF-8 without control characters (C0, DEL, C1);
 * *code_points (may be NULL) counts its characters.  store.c. */
bool sl_utf8_clean(const char *text, size_t *code_points);
/* A creator handle's rules: 1 to SL_MAX_ID - 1 bytes of UTF-8, no spaces or
 * control characters. */
bool sl_creator_handle_ok(const char *handle);
/* The id of the creator with `handle` (0: none), inside the open
 * transaction; `create`: add it (display name = handle) when missing. */
sl_status sl_store_creator_id(sl_store *store, const char *handle, bool create, int64_t *id,
                              sl_error *err);
/* ---- team mode, shared by accounts.c, sessions.c and team.c ---- */

/* An Argon2id string from crypto_pwhash_str (crypto_pwhash_STRBYTES). */
#define SL_PASSWORD_HASH_SIZE 128
/* Hashes with libsodium's interactive limits (accounts.c). */
sl_status sl_password_hash(const char *password, char out[SL_PASSWORD_HASH_SIZE],
                           sl_error *err);
bool sl_password_verify(const char *hash, const char *password);
/* An account by name, or by id when `name` is NULL, with its rights,
 * inside the caller's transaction; *hash (may be NULL) gets the stored
 * password hash.  SL_ERR_NOT_FOUND when none. */
sl_status sl_user_load(sl_store *store, const char *name, int64_t id, sl_user *out,
                       char hash[SL_PASSWORD_HASH_SIZE], sl_error *err);

/* Gives the open import the creator whose handle is `handle` (made when
 * missing) at its commit, unless it has one already; a handle that breaks
 * the rules leaves it without.  The importer calls it before the commit. */
sl_status sl_store_import_set_creator(sl_store *store, const char *handle, sl_error *err);

/* True when a text cell written to CSV would start a spreadsheet formula
 * (=, +, -, @, a tab or a carriage return first): the CSV writers quote it
 * and put a ' in front, so the sheet shows the text instead of running it. */
static inline bool sl_csv_formula_start(const char *s)
{
    return s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

/* ---- days and dates (calendar.c) ---- */

/* Days since 1970-01-01 → year, month, day (proleptic Gregorian; the XLSX
 * reader's serial dates and the importer's day cells). */
void sl_civil_from_days(long days, int *y, int *m, int *d);
/* Days in `month` (1–12) of `year`, leap years counted; 0 for no month. */
int sl_days_in_month(int year, int month);
/* An Excel serial day number (whole days; the 1904 system when
 * `date1904`) → days since 1970-01-01. */
long sl_days_from_excel(long serial, bool date1904);

/* Clamps to [lo, hi]. */
static inline double sl_clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

#endif
