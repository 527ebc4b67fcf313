/*
 * bulk.c — the bulk path: plain CSV records parsed straight out of the read
 * buffer into the group table, one fused loop per record.
 *
 * Agency feeds are millions of records like
 *     2024-01-01,c0815,v044192,p00725,4940,2320,210,13,163.46
 * For those, cutting cells into arrays, copying keys and running the full
 * value parser costs more than the arithmetic.  Here each column has one
 * action decided from the header (skip it, it is the key, it is a count, it
 * is money), a record is scanned once, and anything unusual — a quote, a
 * carriage return, an empty or non-digit number, a missing or extra cell,
 * more clicks than impressions — sends that one record to the general path
 * (the `slow` callback), which gives the same result or the same error.
 * tests/unit/test_import.c checks both paths agree on fuzzed input.
 */
#include "import.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

bool bulk_plan_make(const import_plan *plan, sl_dimension by, bulk_plan *out)
{
    memset(out, 0, sizeof out->action);
    if (plan->column_count == 0 || plan->column_count > BULK_MAX_COLUMNS)
        return false;
    out->columns = plan->column_count;
    for (size_t c = 0; c < plan->column_count; c++) {
        const sl_column *col = &plan->columns[c];
        switch (col->role) {
        case SL_COLUMN_KEY:
            if ((int)c != plan->key_col[by])
                break;
            if (col->dimension == SL_DIM_DAY)
                return false; /* days are normalised: general path */
            out->action[c] = BULK_KEY;
            break;
        case SL_COLUMN_FIELD:
            out->action[c] = sl_field_is_money(col->field) ? BULK_MONEY : BULK_COUNT;
            out->field[c] = (uint8_t)col->field;
            if (col->currency[0])
                return false; /* "Revenue (Rp)": separators depend on the currency */
            break;
        case SL_COLUMN_RATE:
        case SL_COLUMN_LABEL:
            return false;
        default:
            break;
        }
    }
    return plan->key_col[by] >= 0;
}

/* A record whose first cell could be a totals row ("Total", "Grand total",
 * "Jumlah", "合计") goes to the general path, which decides. */
static inline bool maybe_totals(const char *w)
{
    unsigned char c = (unsigned char)w[0];
    return c == 'T' || c == 't' || c == 'G' || c == 'g' || c == 'J' || c == 'j' || c >= 0x80;
}

static inline bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Outcome of one record. */
enum { FAST_OK, FAST_SLOW, FAST_MORE };

/* Parses one record at w[0, avail).  On FAST_OK fills *v (present, counts,
 * hundredths), the key span and *used (bytes including the newline). */
static int fast_record(const char *w, size_t avail, bool eof, const bulk_plan *bp, char delim,
                       row_values *v, const char **key, size_t *key_len, size_t *used)
{
    const char *p = w, *end = w + avail;
    if (avail && maybe_totals(w))
        return FAST_SLOW;
    v->present = 0;
    v->money_exact = 0;
    v->reported_present = 0;
    v->label = NULL;
    *key = NULL;
    for (size_t col = 0;; col++) {
        if (col >= bp->columns)
            return FAST_SLOW;
        const char *cell = p;
        switch (bp->action[col]) {
        case BULK_COUNT: {
            uint64_t x = 0;
            unsigned d;
            while (p < end && (d = (unsigned)(*p - '0')) <= 9)
                x = x * 10 + d, p++;
            if (p == cell || p - cell > 15)
                return p == end && !eof ? FAST_MORE : FAST_SLOW;
            v->count[bp->field[col]] = x;
            v->present |= 1u << bp->field[col];
            break;
        }
        case BULK_MONEY: {
            int64_t x = 0;
            unsigned d;
            while (p < end && (d = (unsigned)(*p - '0')) <= 9)
                x = x * 10 + d, p++;
            size_t whole = (size_t)(p - cell), decimals = 0;
            if (p < end && *p == '.') {
                p++;
                while (p < end && decimals < 3 && (d = (unsigned)(*p - '0')) <= 9)
                    x = x * 10 + d, p++, decimals++;
                if (decimals == 0 || decimals > 2)
                    return p == end && !eof ? FAST_MORE : FAST_SLOW;
            }
            if (whole == 0 || whole > 13)
                return p == end && !eof ? FAST_MORE : FAST_SLOW;
            for (; decimals < 2; decimals++)
                x *= 10;
            v->hundredths[bp->field[col]] = x;
            v->money_exact |= 1u << bp->field[col];
            v->present |= 1u << bp->field[col];
            break;
        }
        default: { /* key or skipped text: up to the next delimiter */
            while (p < end && *p != delim && *p != '\n' && *p != '"' && *p != '\r' && *p)
                p++;
            if (bp->action[col] == BULK_KEY) {
                if (p == end && !eof)
                    return FAST_MORE;
                if (p == cell || p - cell >= SL_MAX_ID || is_blank(*cell) || is_blank(p[-1]))
                    return FAST_SLOW; /* the general path trims */
                if (*cell >= '0' && *cell <= '9') /* an ID: digits only, else the ID parser */
                    for (const char *k = cell; k < p; k++)
                        if (*k < '0' || *k > '9')
                            return FAST_SLOW;
                *key = cell;
                *key_len = (size_t)(p - cell);
            }
            break;
        }
        }
        if (p == end)
            return eof ? FAST_SLOW : FAST_MORE;
        if (*p == delim) {
            p++;
            continue;
        }
        if (*p != '\n' || col + 1 != bp->columns || !*key)
            return FAST_SLOW;
        *used = (size_t)(p + 1 - w);
        break;
    }
    return FAST_OK;
}

#ifdef __SSE2__
/* Digits of cell [s, s+n) as a whole number; false for anything else. */
static inline bool cell_whole(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 15)
        return false;
    uint64_t x = 0;
    unsigned bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        bad |= d > 9;
        x = x * 10 + d;
    }
    *out = x;
    return !bad;
}

/* "163.46", "7", "12.5" as hundredths. */
static inline bool cell_hundredths(const char *s, size_t n, int64_t *out)
{
    const char *dot = NULL;
    for (size_t i = n; i-- > 0 && i + 4 > n;) /* a point is among the last three */
        if (s[i] == '.')
            dot = s + i;
    size_t whole = dot ? (size_t)(dot - s) : n, decimals = dot ? n - whole - 1 : 0;
    uint64_t w, f = 0;
    if (whole == 0 || whole > 13 || (dot && (decimals == 0 || decimals > 2)) ||
        !cell_whole(s, whole, &w) || (decimals && !cell_whole(dot + 1, decimals, &f)))
        return false;
    if (decimals == 1)
        f *= 10;
    *out = (int64_t)(w * 100 + f);
    return true;
}

/* The same record cut by SIMD masks: delimiters and the newline of 64 bytes
 * at a time; needs the whole record and 64 bytes past its start. */
static int fast_record_simd(const char *w, size_t avail, const bulk_plan *bp, char delim,
                            row_values *v, const char **key, size_t *key_len, size_t *used)
{
    const __m128i cd = _mm_set1_epi8(delim), cn = _mm_set1_epi8('\n'),
                  cq = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'), c0 = _mm_setzero_si128();
    if (maybe_totals(w))
        return FAST_SLOW;
    v->present = 0;
    v->money_exact = 0;
    v->reported_present = 0;
    v->label = NULL;
    *key = NULL;
    size_t col = 0, start = 0;
    for (size_t block = 0; block + 64 <= avail; block += 64) {
        const char *b = w + block;
        /* One load per 16 bytes, four comparisons each. */
        uint64_t nls = 0, cuts = 0, odd = 0;
        for (int i = 0; i < 4; i++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(b + 16 * i));
            uint64_t n = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cn));
            uint64_t d = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cd));
            uint64_t o = (uint16_t)_mm_movemask_epi8(
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, cq), _mm_cmpeq_epi8(v, cr)),
                             _mm_cmpeq_epi8(v, c0)));
            nls |= n << (16 * i);
            cuts |= (n | d) << (16 * i);
            odd |= o << (16 * i);
        }
        if (nls) {
            uint64_t upto = (nls & -nls) | ((nls & -nls) - 1);
            cuts &= upto;
            odd &= upto;
        }
        if (odd)
            return FAST_SLOW;
        for (; cuts; cuts &= cuts - 1) {
            size_t at = block + (size_t)__builtin_ctzll(cuts);
            if (col >= bp->columns)
                return FAST_SLOW;
            const char *cell = w + start;
            size_t n = at - start;
            uint8_t f = bp->field[col];
            switch (bp->action[col]) {
            case BULK_COUNT:
                if (!cell_whole(cell, n, &v->count[f]))
                    return FAST_SLOW;
                v->present |= 1u << f;
                break;
            case BULK_MONEY:
                if (!cell_hundredths(cell, n, &v->hundredths[f]))
                    return FAST_SLOW;
                v->money_exact |= 1u << f;
                v->present |= 1u << f;
                break;
            case BULK_KEY:
                if (n == 0 || n >= SL_MAX_ID || is_blank(cell[0]) || is_blank(cell[n - 1]))
                    return FAST_SLOW; /* the general path trims */
                if (cell[0] >= '0' && cell[0] <= '9') {
                    uint64_t ignored;
                    if (n > 15 ? strspn(cell, "0123456789") < n : !cell_whole(cell, n, &ignored))
                        return FAST_SLOW;
                }
                *key = cell;
                *key_len = n;
                break;
            default:
                break;
            }
            col++;
            start = at + 1;
            if (w[at] == '\n') {
                if (col != bp->columns || !*key)
                    return FAST_SLOW;
                *used = at + 1;
                return FAST_OK;
            }
        }
    }
    return FAST_MORE;
}
#endif

sl_status bulk_read(csv_reader *reader, const bulk_plan *bp, group_table *groups,
                    group_batch *batch, const bulk_hooks *hooks, uint64_t *rows, sl_error *err)
{
    const char delim = csv_delimiter(reader);
    batch->count = 0;
    uint64_t since_progress = 0;
    sl_status st = SL_OK;
    for (;;) {
        size_t avail;
        bool eof;
        const char *w = csv_window(reader, &avail, &eof);
        if (avail == 0 && eof)
            break;
        row_values *v = &batch->rows[batch->count];
        const char *key;
        size_t key_len = 0, used = 0;
        int outcome = FAST_MORE;
#ifdef __SSE2__
        if (avail >= 64)
            outcome = fast_record_simd(w, avail, bp, delim, v, &key, &key_len, &used);
        if (outcome == FAST_MORE)
#endif
            outcome = fast_record(w, avail, eof, bp, delim, v, &key, &key_len, &used);
        if (outcome == FAST_OK) {
            uint32_t both = (1u << SL_FIELD_PRODUCT_CLICKS) | (1u << SL_FIELD_PRODUCT_IMPRESSIONS);
            if ((v->present & both) == both &&
                v->count[SL_FIELD_PRODUCT_CLICKS] > v->count[SL_FIELD_PRODUCT_IMPRESSIONS])
                outcome = FAST_SLOW; /* the general path words the error */
        }
        if (outcome == FAST_OK) {
            batch->keys[batch->count] = key;
            batch->key_lens[batch->count] = key_len;
            csv_skip(reader, used, 1);
            ++*rows;
            since_progress += used;
            if (++batch->count == GROUP_BATCH) {
                if ((st = group_table_add_batch(groups, batch)) != SL_OK)
                    return sl_fail(err, st, NULL, "out of memory");
                batch->count = 0;
                if (since_progress >= ((uint64_t)4 << 20)) {
                    hooks->progress(hooks->ctx, since_progress);
                    since_progress = 0;
                }
            }
            continue;
        }
        /* Keys in the batch point into the buffer, which is about to move. */
        if (batch->count && (st = group_table_add_batch(groups, batch)) != SL_OK)
            return sl_fail(err, st, NULL, "out of memory");
        batch->count = 0;
        if (outcome == FAST_MORE) {
            if ((st = csv_fill(reader, err)) != SL_OK)
                return st;
            continue;
        }
        ingest_row row;
        bool done;
        if ((st = csv_next(reader, &row, &done, err)) != SL_OK)
            return st;
        if (done)
            break;
        if (!hooks->slow(hooks->ctx, &row))
            return SL_OK; /* the caller's state says why */
    }
    if (batch->count && (st = group_table_add_batch(groups, batch)) != SL_OK)
        return sl_fail(err, st, NULL, "out of memory");
    batch->count = 0;
    if (since_progress)
        hooks->progress(hooks->ctx, since_progress);
    return SL_OK;
}
