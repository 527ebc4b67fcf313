/*
 * import_names.c — what a header or a first cell says: the importer's side
 * of the names.
 *
 * Metric and count headers are glossary terms (their names, aliases and the
 * export vocabulary's `term` lines: one lookup).  Key and title columns come
 * from content/import/columns.txt (which also orders them: the first alias
 * of a role wins when a file has two) and from the vocabulary's `key` and
 * `label` lines.  The vocabulary also names the words that are not data:
 * the "all channels" band, total, average and percent-change rows, table
 * titles.
 */
#include "content/embedded.h"
#include "import.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- content/import/columns.txt ---- */

#define MAX_COLUMN_ALIASES 160
#define MAX_STAND_INS 8
#define MAX_CHANNEL_HEADERS 48

static struct {
    pthread_once_t once;
    sl_status status;
    column_alias aliases[MAX_COLUMN_ALIASES];
    size_t alias_count;
    struct { char slug[48]; sl_field field; } stand_ins[MAX_STAND_INS];
    size_t stand_in_count;
    struct { char key[64]; char section[24]; } channels[MAX_CHANNEL_HEADERS];
    size_t channel_count;
    unsigned bad_line;          /* the line that broke the file */
} columns = {.once = PTHREAD_ONCE_INIT};

static const char *const role_names[] = {"video", "product", "live", "creator", "day", "label",
                                         "time"};

static void load_columns(void)
{
    columns.status = SL_ERR_CONTENT;
    const sl_embedded_file *f = sl_embedded_find("import/columns.txt");
    if (!f)
        return;
    char *text = strdup(f->data);
    if (!text) {
        columns.status = SL_ERR_NO_MEMORY;
        return;
    }
    int role = -1;
    bool video_title = false;   /* a title column that names a video */
    char section[24] = "";
    sl_lines lines = {text, "content/import/columns.txt", 0};
    sl_entry e;
    int got;
    while ((got = sl_lines_entry(&lines, &e, NULL)) > 0) {
        const char *key = e.key, *value = e.value;
        if (strcmp(key, "column") == 0) {
            role = -1;
            video_title = strcmp(value, "video-title") == 0;
            for (int r = 0; r <= ROLE_TIME; r++)
                if (strcmp(value, role_names[r]) == 0 || (video_title && r == ROLE_LABEL))
                    role = r;
            if (role < 0)
                goto bad;
        } else if (strcmp(key, "alias") == 0) {
            if (role < 0 || columns.alias_count == MAX_COLUMN_ALIASES)
                goto bad;
            column_alias *a = &columns.aliases[columns.alias_count];
            a->video_title = video_title;
            sl_normalise_key(value, a->key, sizeof a->key, false);
            a->role = role;
            a->priority = (int)columns.alias_count++;
        } else if (strcmp(key, "mdy") == 0 || strcmp(key, "dmy") == 0) {
            char alias[64];
            sl_normalise_key(value, alias, sizeof alias, false);
            bool found = false;
            for (size_t i = 0; i < columns.alias_count; i++)
                if (strcmp(columns.aliases[i].key, alias) == 0) {
                    columns.aliases[i].order = key[0] == 'm' ? DATE_ORDER_MDY : DATE_ORDER_DMY;
                    found = true;
                }
            if (!found)
                goto bad;
        } else if (strcmp(key, "channel") == 0) {
            snprintf(section, sizeof section, "%s", value);
        } else if (strcmp(key, "header") == 0) {
            if (!section[0] || columns.channel_count == MAX_CHANNEL_HEADERS)
                goto bad;
            sl_normalise_key(value, columns.channels[columns.channel_count].key, 64, false);
            snprintf(columns.channels[columns.channel_count++].section, 24, "%s", section);
        } else if (strcmp(key, "stand-in") == 0) {
            char slug[48], field[48];
            if (columns.stand_in_count == MAX_STAND_INS ||
                sscanf(value, "%47s %47s", slug, field) != 2)
                goto bad;
            int id = -1;
            for (int k = 0; k < SL_FIELD__COUNT; k++)
                if (strcmp(sl_field_name((sl_field)k), field) == 0)
                    id = k;
            if (id < 0)
                goto bad;
            snprintf(columns.stand_ins[columns.stand_in_count].slug, 48, "%s", slug);
            columns.stand_ins[columns.stand_in_count++].field = (sl_field)id;
        } else {
            goto bad;
        }
    }
    if (got == 0)
        columns.status = SL_OK;
bad:
    columns.bad_line = lines.line;
    free(text);
}

sl_status import_names_ready(sl_error *err)
{
    pthread_once(&columns.once, load_columns);
    if (columns.status != SL_OK)
        return sl_fail_at(err, columns.status,
                          (sl_place){"content/import/columns.txt", columns.bad_line, 0, NULL},
                          "the built-in file is malformed");
    return SL_OK;
}

/* The channel a header is one share of ("LIVE"), or NULL. */
const char *import_channel_of(const char *header)
{
    char key[64];
    sl_normalise_key(header, key, sizeof key, false);
    for (size_t i = 0; i < columns.channel_count; i++)
        if (strcmp(columns.channels[i].key, key) == 0)
            return columns.channels[i].section;
    return NULL;
}

size_t import_stand_in_count(void)
{
    return columns.stand_in_count;
}

void import_stand_in(size_t i, const char **slug, sl_field *field)
{
    *slug = columns.stand_ins[i].slug;
    *field = columns.stand_ins[i].field;
}

static const column_alias *find_column_alias(const char *key)
{
    for (size_t i = 0; i < columns.alias_count; i++)
        if (strcmp(columns.aliases[i].key, key) == 0)
            return &columns.aliases[i];
    return NULL;
}

/* ---- header text ---- */

/* Trims and collapses spaces into out; for matching (`ascii`), full-width
 * brackets become ASCII too.  Display keeps them as written. */
void import_tidy_header(const char *text, char *out, size_t size, bool ascii)
{
    size_t w = 0;
    bool space = false;
    for (const unsigned char *p = (const unsigned char *)text; *p && w + 4 < size; p++) {
        if (ascii && p[0] == 0xEF && p[1] == 0xBC && (p[2] == 0x88 || p[2] == 0x89)) { /* （ ） */
            out[w++] = p[2] == 0x88 ? '(' : ')';
            p += 2;
            space = false;
            continue;
        }
        if (isspace(*p) || (p[0] == 0xC2 && p[1] == 0xA0)) {
            if (p[0] == 0xC2)
                p++;
            space = w > 0;
            continue;
        }
        if (space)
            out[w++] = ' ';
        space = false;
        out[w++] = (char)*p;
    }
    out[w] = '\0';
}

/* The currency a header names in brackets: "Revenue (Rp)" → IDR,
 * "GMV (MX$)" → MXN.  Writes the header without that bracket to `bare`. */
static void header_currency(const char *header, char currency[4], char *bare, size_t size)
{
    currency[0] = '\0';
    snprintf(bare, size, "%s", header);
    char *open = strrchr(bare, '(');
    char *close = open ? strchr(open, ')') : NULL;
    if (!open || !close || close[1] != '\0')
        return;
    char inner[16];
    size_t n = (size_t)(close - open - 1);
    if (n == 0 || n >= sizeof inner)
        return;
    memcpy(inner, open + 1, n);
    inner[n] = '\0';
    if (sl_currency_mark(inner, currency)) {
        while (open > bare && open[-1] == ' ')
            open--;
        *open = '\0';
    }
}

bool import_formula_rate(const char *formula, sl_rate_id *out)
{
    char num[48], den[48];
    double scale = 1.0;
    if (!formula || sscanf(formula, "%47s / %47s * %lf", num, den, &scale) < 2)
        return false;
    for (int id = 0; id < SL_RATE__COUNT; id++) {
        sl_field n, d;
        double s;
        sl_rate_parts((sl_rate_id)id, &n, &d, &s);
        if (strcmp(sl_field_name(n), num) == 0 && strcmp(sl_field_name(d), den) == 0 &&
            s == scale) {
            *out = (sl_rate_id)id;
            return true;
        }
    }
    return false;
}

/* The vocabulary's entry for a header, trying it also without its
 * currency bracket ("GMV (MX$)" is seen as written and as "GMV"). */
static const sl_vocab *vocab_of(const sl_content *content, const char *tidy, const char *bare)
{
    const sl_vocabulary *vocab = sl_content_vocabulary(content);
    char key[96];
    sl_normalise_key(tidy, key, sizeof key, false);
    const sl_vocab *v = sl_vocabulary_find_spelt(vocab, key, tidy);
    if (!v && strcmp(bare, tidy) != 0) {
        sl_normalise_key(bare, key, sizeof key, false);
        v = sl_vocabulary_find_spelt(vocab, key, bare);
    }
    return v;
}

static const sl_term *term_by_slug(const sl_content *content, const char *slug)
{
    for (size_t i = 0; i < sl_term_count(content); i++) {
        const sl_term *t = sl_term_at(content, i);
        if (strcmp(t->slug, slug) == 0)
            return t;
    }
    return NULL;
}

static int vocab_role(const sl_vocab *v)
{
    for (int r = 0; r <= ROLE_TIME; r++)
        if (strcmp(v->what, role_names[r]) == 0)
            return r;
    return ROLE_LABEL;
}

bool import_match_header(const sl_content *content, const char *text, header_match *m)
{
    memset(m, 0, sizeof *m);
    m->role = -1;
    char tidy[128], bare[128], key[64];
    import_tidy_header(text, tidy, sizeof tidy, true);
    if (!tidy[0])
        return false;
    header_currency(tidy, m->currency, bare, sizeof bare);
    sl_normalise_key(tidy, key, sizeof key, false);
    if ((m->alias = find_column_alias(key)) != NULL) {
        m->role = m->alias->role;
        m->video_title = m->alias->video_title;
        m->priority = m->alias->priority;
        m->order = m->alias->order;
        return true;
    }
    m->vocab = vocab_of(content, tidy, bare);
    /* Vocabulary keys and titles come after columns.txt's, which order them. */
    if (m->vocab && m->vocab->meaning == SL_VOCAB_KEY) {
        m->role = vocab_role(m->vocab);
        m->priority = 1000 + (int)m->vocab->line;
        return true;
    }
    if (m->vocab && m->vocab->meaning == SL_VOCAB_LABEL) {
        m->role = ROLE_LABEL;
        m->priority = 1000 + (int)m->vocab->line;
        return true;
    }
    /* The vocabulary says what an export header means even where a glossary
     * name is spelt the same ("Commission" in a creator's product list is the
     * commission earned, not the rate the glossary explains). */
    if (m->vocab && m->vocab->meaning == SL_VOCAB_TERM)
        m->term = term_by_slug(content, m->vocab->what);
    else if (m->vocab && m->vocab->meaning == SL_VOCAB_OTHER)
        return true; /* a column the vocabulary knows ShopLab does not use */
    if (!m->term)
        m->term = sl_term_find(content, tidy);
    if (!m->term && strcmp(bare, tidy) != 0)
        m->term = sl_term_find(content, bare);
    /* Concepts ("Hook", "Pick") are words of the loop, never export columns. */
    if (m->term && m->term->kind == SL_TERM_CONCEPT)
        m->term = NULL;
    /* A real header ShopLab does not compute with still marks a header row. */
    return m->term != NULL || (m->vocab && m->vocab->meaning == SL_VOCAB_OTHER);
}

/* ---- words that are not data ---- */

row_word import_row_word(const sl_content *content, const char *cell)
{
    /* Checked on every row: rule out the common case (an ID such as
     * "v044192", a date) cheaply; no summary label holds a digit. */
    if (!cell[0] || strpbrk(cell, "0123456789"))
        return ROW_WORD_NONE;
    char key[64];
    sl_normalise_key(cell, key, sizeof key, false);
    static const struct { const char *key; row_word word; } builtin[] = {
        {"total", ROW_WORD_TOTAL}, {"totals", ROW_WORD_TOTAL}, {"grandtotal", ROW_WORD_TOTAL},
        {"jumlah", ROW_WORD_TOTAL}, {"合计", ROW_WORD_TOTAL}, {"总计", ROW_WORD_TOTAL},
        {"average", ROW_WORD_AVERAGE}, {"all", ROW_WORD_BAND_ALL},
    };
    for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
        if (strcmp(key, builtin[i].key) == 0)
            return builtin[i].word;
    const sl_vocab *v = sl_vocabulary_find(sl_content_vocabulary(content), key);
    if (!v)
        return ROW_WORD_NONE;
    switch (v->meaning) {
    case SL_VOCAB_ROW_TOTAL: return ROW_WORD_TOTAL;
    case SL_VOCAB_ROW_AVERAGE: return ROW_WORD_AVERAGE;
    case SL_VOCAB_ROW_CHANGE: return ROW_WORD_CHANGE;
    case SL_VOCAB_TABLE_TITLE: return ROW_WORD_TITLE;
    case SL_VOCAB_BAND_ALL: return ROW_WORD_BAND_ALL;
    case SL_VOCAB_BAND_CHANNEL: return ROW_WORD_BAND_CHANNEL;
    default: return ROW_WORD_NONE;
    }
}

bool import_is_all_band(const sl_content *content, const char *label)
{
    return !label[0] || import_row_word(content, label) == ROW_WORD_BAND_ALL;
}

/* ---- guesses from shared words ---- */

/* Words that carry no meaning in a header: articles, prepositions and
 * currency marks. */
static bool filler(const char *w, size_t n)
{
    static const char *const words[] = {"a", "al", "de", "del", "do", "da", "la", "el", "los",
                                        "las", "the", "of", "per", "by", "to", "in", "en", "e",
                                        "y", "and", "mx", "rp", "rm", "usd", "s", "r", NULL};
    for (size_t i = 0; words[i]; i++)
        if (strlen(words[i]) == n && strncmp(w, words[i], n) == 0)
            return true;
    return false;
}

/* Splits "gmv atribuido a tarjetas" into its meaningful words. */
static size_t header_words(const char *text, char words[][32], size_t max)
{
    char norm[256];
    sl_normalise_key(text, norm, sizeof norm, true);
    size_t n = 0;
    for (char *p = norm; *p && n < max;) {
        size_t len = strcspn(p, " ");
        if (len && len < 32 && !filler(p, len)) {
            memcpy(words[n], p, len);
            words[n++][len] = '\0';
        }
        p += len;
        while (*p == ' ')
            p++;
    }
    return n;
}

bool import_guess_header(const sl_content *content, const char *text, header_match *m,
                         const sl_vocab **from)
{
    char mine[16][32];
    size_t n = header_words(text, mine, 16);
    const sl_vocabulary *vocab = sl_content_vocabulary(content);
    const sl_vocab *best = NULL;
    size_t best_words = 0;
    bool tie = false;
    for (size_t i = 0; i < sl_vocabulary_count(vocab); i++) {
        const sl_vocab *v = sl_vocabulary_at(vocab, i);
        if (v->meaning != SL_VOCAB_TERM)
            continue;
        char theirs[16][32];
        size_t k = header_words(v->header, theirs, 16);
        if (k < 2 || k > n)
            continue;
        size_t shared = 0;
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < n; b++)
                if (strcmp(theirs[a], mine[b]) == 0) {
                    shared++;
                    break;
                }
        /* Every word of the known header is in this one: the most specific
         * such header wins; two of equal length naming different terms tie. */
        if (shared != k)
            continue;
        if (k > best_words) {
            best = v, best_words = k, tie = false;
        } else if (k == best_words && best && strcmp(best->what, v->what) != 0) {
            tie = true;
        }
    }
    if (!best || tie)
        return false;
    memset(m, 0, sizeof *m);
    m->role = -1;
    m->vocab = best;
    m->term = term_by_slug(content, best->what);
    char tidy[128], bare[128];
    import_tidy_header(text, tidy, sizeof tidy, true);
    header_currency(tidy, m->currency, bare, sizeof bare);
    *from = best;
    return m->term != NULL && m->term->kind != SL_TERM_CONCEPT;
}
