/*
 * bulk.c — the bulk path: plain CSV records parsed straight out of the read
 * buffer into per-range sums, one fused loop per record.
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
 * tests/unit/test_import.c and tests/fuzz/fuzz_csv.c check that both paths
 * give the same report.
 *
 * Where the time goes (20M rows, 50,000 keys): cutting and number parsing,
 * then finding the key's sums.  So cells are cut from SIMD bit masks,
 * numbers of up to eight digits are converted eight bytes at a time (SWAR),
 * and a key of up to eight bytes — most IDs: "v044192", "c0815" — is packed
 * into one 64-bit word and summed in a small table whose slot is a single
 * cache line (the short-key table below).  Longer keys (19-digit IDs) go to
 * the general group table, batched.  At the end of the range the short-key
 * table is added into the group table, so memory grows with keys, not rows.
 *
 * On a CPU with AVX-512 (VBMI) a record of up to 63 bytes is one register:
 * its masks come from one load and all its counts are converted at once
 * (record_avx512).  With that, the reader's mapped windows (csv.c) and the
 * UTF-8 check done here on the records parsed (plain ASCII shows in the
 * masks), the 20M-row file took 27-31 % less CPU by video and 36-40 % less
 * by creator on this project's 2-core machine (user + sys medians of two
 * passes: 1.35-1.43 s before, 0.94-1.04 after by video; 1.16-1.36 before,
 * 0.70-0.87 after by creator; measured while other work shared the cores,
 * bench/README.md).  What is left, by video: this loop about 46 % of the
 * samples, the short-key index probes (find_batch) 20 %, fresh pages for
 * the tables 7 %.
 */
#define _DEFAULT_SOURCE /* MADV_HUGEPAGE */
#include "import.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The record loop is compiled three times: for the baseline, for x86-64-v3
 * (AVX2, BMI2: one-uop variable shifts and tzcnt in the SWAR and mask code)
 * and for AVX-512 with VBMI (the masks of a 64-byte block from one load,
 * and every count of a record converted at once: record_avx512); bulk_read
 * picks the best the CPU has (take_for_cpu).  GCC 12 or later on x86-64
 * only: the variants rely on its target attributes and on its inlining a
 * function of the AVX-512 target into the AVX-512 variant of a generic one
 * (clang builds, the fuzzers among them, get the baseline).  Not under
 * ThreadSanitizer either, as before: its builds test the threads, and the
 * baseline loop serves them (the ifunc of an earlier version crashed the
 * sanitizer's runtime at load). */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) &&    \
    __GNUC__ >= 12 && !defined(__SANITIZE_THREAD__)
#define BULK_LEVELS 1
#define BULK_V3 __attribute__((target("arch=x86-64-v3")))
#define BULK_V4 __attribute__((target("arch=x86-64-v4,avx512vbmi,avx512vbmi2")))
#include <immintrin.h>
#endif

/* The highest level bulk_read may use (bulk_limit_level: tests run each). */
static int level_limit = BULK_AVX512;

bool bulk_plan_make(const import_plan *plan, sl_dimension by, bulk_plan *out)
{
    memset(out, 0, sizeof *out);
    out->clicks = out->impressions = -1;
    if (plan->column_count == 0 || plan->column_count > BULK_MAX_COLUMNS ||
        plan->table_ends || plan->check_row || plan->live_from_title || plan->id_in_label)
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
            out->key_column = (uint16_t)c;
            break;
        case SL_COLUMN_FIELD:
            if (col->currency[0] || col->decimal == ',')
                return false; /* "Revenue (Rp)", "1.234,50": the general path reads those */
            if (out->present & (1u << col->field))
                return false; /* one field twice: the general path decides */
            out->action[c] = sl_field_is_money(col->field) ? BULK_MONEY : BULK_COUNT;
            out->slot[c] = (uint8_t)out->values;
            out->field[out->values] = (uint8_t)col->field;
            out->column[out->values] = (uint16_t)c;
            if (sl_field_is_money(col->field))
                out->money |= 1u << out->values;
            if (col->field == SL_FIELD_PRODUCT_CLICKS)
                out->clicks = (int)out->values;
            if (col->field == SL_FIELD_PRODUCT_IMPRESSIONS)
                out->impressions = (int)out->values;
            out->present |= 1u << col->field;
            out->values++;
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

/* One fast record: its key (in the read buffer) and one value per slot. */
typedef struct bulk_row {
    const char *key;
    size_t key_len;
    bool ascii;                 /* no byte ≥ 0x80: nothing for the UTF-8 check */
    uint64_t packed, hash;      /* short keys (see the short-key table) */
    uint64_t value[SL_FIELD__COUNT];
} bulk_row;

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

/* ---- the scalar record parser: short windows and the end of the file ---- */

/* Parses one record at w[0, avail) byte by byte.  On FAST_OK fills *out and
 * *used (bytes including the newline). */
static int fast_record(const char *w, size_t avail, bool eof, const bulk_plan *bp, char delim,
                       bulk_row *out, size_t *used)
{
    const char *p = w, *end = w + avail;
    if (avail && maybe_totals(w))
        return FAST_SLOW;
    out->key = NULL;
    out->ascii = false; /* not looked at: the reader checks the record */
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
            out->value[bp->slot[col]] = x;
            break;
        }
        case BULK_MONEY: {
            uint64_t x = 0;
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
            out->value[bp->slot[col]] = x;
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
                out->key = cell;
                out->key_len = (size_t)(p - cell);
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
        if (*p != '\n' || col + 1 != bp->columns || !out->key)
            return FAST_SLOW;
        *used = (size_t)(p + 1 - w);
        break;
    }
    return FAST_OK;
}

/* ---- the block parser: SIMD masks and eight digits at a time ---- */

/* The n digits (1 ≤ n ≤ 8) at s; false when one is not a digit.  Reads
 * eight bytes (the window's padding makes that safe).  Memory order puts
 * the first digit in the lowest byte; shifting it up to byte 8 - n leaves
 * zeros (leading zero digits) below, and three multiplications combine
 * pairs, quads and the two halves. */
static inline bool swar_digits(const char *s, size_t n, uint64_t *out)
{
    uint64_t raw;
    memcpy(&raw, s, 8);
    /* The shift also drops the bytes after the cell. */
    const unsigned shift = 64 - 8 * (unsigned)n;
    const uint64_t v = raw << shift, zeros = (uint64_t)0x3030303030303030u << shift,
                   sixes = (uint64_t)0x0606060606060606u << shift,
                   high = 0xF0F0F0F0F0F0F0F0u;
    /* A digit byte is 0x30..0x39: high nibble 3, and adding 6 does not
     * carry into the high nibble. */
    if (((v & high) ^ zeros) | (((v + sixes) & high) ^ zeros))
        return false;
    uint64_t d = v ^ zeros;
    d = d * 10 + (d >> 8);
    d = ((d & 0x000000FF000000FFu) * (100 + ((uint64_t)1000000 << 32)) +
         ((d >> 16) & 0x000000FF000000FFu) * (1 + ((uint64_t)10000 << 32))) >>
        32;
    *out = d;
    return true;
}

/* A count cell: 1 to 15 digits. */
static inline bool cell_whole(const char *s, size_t n, uint64_t *out)
{
    if (n - 1 >= 15) /* n == 0 wraps */
        return false;
    if (n <= 8)
        return swar_digits(s, n, out);
    uint64_t hi, lo;
    if (!swar_digits(s, n - 8, &hi) || !swar_digits(s + n - 8, 8, &lo))
        return false;
    *out = hi * 100000000u + lo;
    return true;
}

/* "163.46", "7", "12.5" as hundredths: 1 to 13 whole digits, and a point
 * among the last three characters followed by one or two digits. */
static inline bool cell_hundredths(const char *s, size_t n, uint64_t *out)
{
    size_t whole = n, decimals = 0;
    if (n >= 3 && s[n - 3] == '.')
        whole = n - 3, decimals = 2;
    else if (n >= 2 && s[n - 2] == '.')
        whole = n - 2, decimals = 1;
    uint64_t w;
    if (whole - 1 >= 13 || !cell_whole(s, whole, &w))
        return false;
    uint64_t f = 0;
    if (decimals) {
        unsigned a = (unsigned)(s[whole + 1] - '0');
        unsigned b = decimals == 2 ? (unsigned)(s[whole + 2] - '0') : 0;
        if (a > 9 || b > 9)
            return false;
        f = a * 10 + b;
    }
    *out = w * 100 + f;
    return true;
}

/* A key cell the general path would keep as written. */
static inline bool cell_key(const char *s, size_t n)
{
    if (n - 1 >= SL_MAX_ID - 1 || is_blank(s[0]) || is_blank(s[n - 1]))
        return false; /* empty, too long, or the general path trims */
    if (s[0] < '0' || s[0] > '9')
        return true;
    /* An ID: digits only, else the ID parser decides. */
    uint64_t ignored;
    if (n <= 8)
        return swar_digits(s, n, &ignored);
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

#ifdef BULK_LEVELS
/* block_masks from one 64-byte load. */
BULK_V4 static inline void block_masks_avx512(const char *b, char delim, uint64_t *cuts,
                                              uint64_t *nls, uint64_t *odd, uint64_t *high)
{
    const __m512i v = _mm512_loadu_si512(b);
    *high = _mm512_movepi8_mask(v);
    const uint64_t n = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
    *nls = n;
    *cuts = n | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(delim));
    *odd = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')) |
           _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')) | _mm512_testn_epi8_mask(v, v);
}
#endif

#ifdef __SSE2__
/* Bit i: byte b[i] is a delimiter or newline (*cuts), a newline (*nls), a
 * quote, carriage return or NUL (*odd), or not ASCII (*high).  One load per
 * 16 bytes. */
static inline void block_masks_sse2(const char *b, char delim, uint64_t *cuts, uint64_t *nls,
                                    uint64_t *odd, uint64_t *high)
{
    const __m128i cd = _mm_set1_epi8(delim), cn = _mm_set1_epi8('\n'),
                  cq = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'), c0 = _mm_setzero_si128();
    uint64_t n = 0, c = 0, o = 0, h = 0;
    for (int i = 0; i < 4; i++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(b + 16 * i));
        h |= (uint64_t)(uint16_t)_mm_movemask_epi8(v) << (16 * i);
        __m128i isn = _mm_cmpeq_epi8(v, cn);
        uint64_t mn = (uint16_t)_mm_movemask_epi8(isn);
        uint64_t mc = (uint16_t)_mm_movemask_epi8(_mm_or_si128(isn, _mm_cmpeq_epi8(v, cd)));
        uint64_t mo = (uint16_t)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, cq), _mm_cmpeq_epi8(v, cr)),
                         _mm_cmpeq_epi8(v, c0)));
        n |= mn << (16 * i);
        c |= mc << (16 * i);
        o |= mo << (16 * i);
    }
    *cuts = c;
    *nls = n;
    *odd = o;
    *high = h;
}
#else
static inline void block_masks_bytes(const char *b, char delim, uint64_t *cuts, uint64_t *nls,
                                     uint64_t *odd, uint64_t *high)
{
    uint64_t n = 0, c = 0, o = 0, h = 0;
    for (int i = 0; i < 64; i++) {
        char x = b[i];
        n |= (uint64_t)(x == '\n') << i;
        c |= (uint64_t)(x == '\n' || x == delim) << i;
        o |= (uint64_t)(x == '"' || x == '\r' || x == '\0') << i;
        h |= (uint64_t)((unsigned char)x >= 0x80) << i;
    }
    *cuts = c;
    *nls = n;
    *odd = o;
    *high = h;
}
#endif

/* always_inline, as everything the record loop calls at a given `level`: so
 * that it is compiled into each variant of the loop, where `level` is a
 * constant and only one branch is left. */
static inline __attribute__((always_inline)) void
block_masks(const char *b, char delim, uint64_t *cuts, uint64_t *nls, uint64_t *odd,
            uint64_t *high, const int level)
{
#ifdef BULK_LEVELS
    if (level == BULK_AVX512) {
        block_masks_avx512(b, delim, cuts, nls, odd, high);
        return;
    }
#endif
    (void)level;
#ifdef __SSE2__
    block_masks_sse2(b, delim, cuts, nls, odd, high);
#else
    block_masks_bytes(b, delim, cuts, nls, odd, high);
#endif
}

/* The same record cut from bit masks 64 bytes at a time: first every cell
 * end is found (end[c + 1], with end[0] = -1), then only the key and value
 * cells are parsed.  Loads whole blocks past `avail` (the window's padding)
 * and ignores their bits; FAST_MORE when the newline is not within
 * `avail`. */
static inline __attribute__((always_inline)) int
block_record(const char *w, size_t avail, const bulk_plan *bp, char delim, bulk_row *out,
             size_t *used, const int level)
{
    if (maybe_totals(w))
        return FAST_SLOW;
    size_t end[BULK_MAX_COLUMNS + 1 + 64]; /* a block may overshoot by 64 */
    size_t cells = 0;
    uint64_t any_high = 0;
    end[0] = (size_t)-1;
    for (size_t block = 0;; block += 64) {
        if (block >= avail)
            return FAST_MORE;
        uint64_t cuts, nls, odd, high;
        block_masks(w + block, delim, &cuts, &nls, &odd, &high, level);
        if (avail - block < 64) {
            uint64_t inside = ((uint64_t)1 << (avail - block)) - 1;
            cuts &= inside;
            nls &= inside;
            odd &= inside;
            high &= inside;
        }
        if (nls) { /* only the part up to the newline matters */
            uint64_t upto = (nls & -nls) | ((nls & -nls) - 1);
            cuts &= upto;
            odd &= upto;
            high &= upto;
        }
        if (odd)
            return FAST_SLOW;
        any_high |= high;
        for (; cuts; cuts &= cuts - 1)
            end[++cells] = block + (size_t)__builtin_ctzll(cuts);
        if (cells > bp->columns)
            return FAST_SLOW;
        if (nls)
            break;
    }
    if (cells != bp->columns)
        return FAST_SLOW;
    const size_t kc = bp->key_column, ks = end[kc] + 1;
    if (!cell_key(w + ks, end[kc + 1] - ks))
        return FAST_SLOW;
    out->key = w + ks;
    out->key_len = end[kc + 1] - ks;
    out->ascii = !any_high;
    for (size_t v = 0; v < bp->values; v++) {
        const size_t c = bp->column[v], s = end[c] + 1, n = end[c + 1] - s;
        if (bp->money & (1u << v) ? !cell_hundredths(w + s, n, &out->value[v])
                                  : !cell_whole(w + s, n, &out->value[v]))
            return FAST_SLOW;
    }
    *used = end[cells] + 1;
    return FAST_OK;
}

#ifdef BULK_LEVELS
/* ---- AVX-512: a record in one register ----
 *
 * A record of up to 63 bytes (the usual feed's are about 50) is one 64-byte
 * load, and its masks come from that one register.  Its cell ends are
 * compressed into one vector (VBMI2), and a byte permutation (VBMI) lays
 * out every count cell right-aligned in its own 8-byte lane, the bytes
 * before the cell made '0'; two multiply-adds and a multiplication then
 * convert all counts at once, as swar_digits does one (converting the
 * numbers was a fifth of the CPU time, the masks a tenth).  Anything else —
 * a longer record, a count of more than eight digits or none, a byte that
 * is not a digit — is left to block_record, which decides as it does at
 * the other levels; money keeps its scalar code (its decimal point). */

/* Constants of one plan for record_avx512: byte 8v + j of `end_cell` and
 * `start_cell` selects the ends (see `ends` there) around slot v's cell. */
typedef struct wide_plan {
    uint8_t end_cell[64], start_cell[64];
    int8_t iota[64];            /* byte k: k - 1 */
    int8_t lane_offset[64];     /* byte 8v + j: j - 8 */
    uint64_t counts;            /* the bytes of count slots */
    bool usable;                /* at most eight slots and 63 columns */
} wide_plan;

static void wide_plan_make(const bulk_plan *bp, wide_plan *wp)
{
    memset(wp, 0, sizeof *wp);
    wp->usable = bp->values <= 8 && bp->columns <= 63;
    for (size_t k = 0; k < 64; k++) {
        size_t v = k / 8 < bp->values ? k / 8 : 0;
        wp->end_cell[k] = (uint8_t)(bp->column[v] + 1);
        wp->start_cell[k] = (uint8_t)bp->column[v];
        wp->iota[k] = (int8_t)((int)k - 1);
        wp->lane_offset[k] = (int8_t)((int)(k % 8) - 8);
    }
    for (size_t v = 0; v < bp->values && v < 8; v++)
        if (!(bp->money & (1u << v)))
            wp->counts |= (uint64_t)0xFF << (8 * v);
}

/* The end of cell c (exclusive) and its start, from the cut mask. */
BULK_V4 static inline size_t cut_end(uint64_t cuts, size_t c)
{
    return (size_t)__builtin_ctzll(_pdep_u64((uint64_t)1 << c, cuts));
}

BULK_V4 static inline size_t cut_start(uint64_t cuts, size_t c)
{
    return c ? cut_end(cuts, c - 1) + 1 : 0;
}

/* Every count of a record whose cut mask is `cuts` into out->value (lanes
 * of other slots get rubbish); false when one is not 1 to 8 digits. */
BULK_V4 static inline bool wide_counts(__m512i v, uint64_t cuts, const wide_plan *wp,
                                       bulk_row *out)
{
    const __m512i one = _mm512_set1_epi8(1), zero = _mm512_set1_epi8('0');
    /* ends: byte 0 is -1, byte i + 1 the position of the i-th cut, so cell c
     * is (ends[c], ends[c + 1]).  (A cut at 63 would be lost: no record
     * here reaches it.) */
    const __m512i ends = _mm512_maskz_compress_epi8((cuts << 1) | 1, _mm512_loadu_si512(wp->iota));
    const __m512i end = _mm512_permutexvar_epi8(_mm512_loadu_si512(wp->end_cell), ends);
    const __m512i start = _mm512_add_epi8(
        _mm512_permutexvar_epi8(_mm512_loadu_si512(wp->start_cell), ends), one);
    const __m512i at = _mm512_add_epi8(end, _mm512_loadu_si512(wp->lane_offset));
    const __mmask64 before = _mm512_cmplt_epi8_mask(at, start); /* signed: at may be < 0 */
    const __m512i digits =
        _mm512_sub_epi8(_mm512_mask_permutexvar_epi8(zero, ~before, at, v), zero);
    const uint64_t bad =
        _mm512_cmpgt_epu8_mask(_mm512_sub_epi8(_mm512_sub_epi8(end, start), one),
                               _mm512_set1_epi8(7)) | /* length 0 wraps */
        _mm512_cmpgt_epu8_mask(digits, _mm512_set1_epi8(9));
    if (bad & wp->counts)
        return false;
    /* Digit pairs (the first times 10), then pairs of pairs (times 100):
     * each 32-bit half of a lane holds four digits' value. */
    const __m512i pairs = _mm512_maddubs_epi16(digits, _mm512_set1_epi16(0x010A));
    const __m512i quads = _mm512_madd_epi16(pairs, _mm512_set1_epi32(0x00010064));
    const __m512i value = _mm512_add_epi64(_mm512_mul_epu32(quads, _mm512_set1_epi64(10000)),
                                           _mm512_srli_epi64(quads, 32));
    _mm512_storeu_si512(out->value, value);
    return true;
}

/* The rare records record_avx512 leaves to block_record, out of line so
 * that record_avx512 stays small enough to be inlined into the loop. */
BULK_V4 __attribute__((noinline)) static int
record_blocks_avx512(const char *w, size_t avail, const bulk_plan *bp, char delim,
                     bulk_row *out, size_t *used)
{
    return block_record(w, avail, bp, delim, out, used, BULK_AVX512);
}

/* block_record for a record that fits one 64-byte load; others go to
 * block_record, which then gives the same outcome as at the other levels. */
BULK_V4 static inline int record_avx512(const char *w, size_t avail, const bulk_plan *bp,
                                        const wide_plan *wp, char delim, bulk_row *out,
                                        size_t *used)
{
    if (maybe_totals(w))
        return FAST_SLOW;
    const __m512i v = _mm512_loadu_si512(w);
    uint64_t nls = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
    if (avail < 64)
        nls &= ((uint64_t)1 << avail) - 1;
    nls &= ~((uint64_t)1 << 63);
    if (!nls || !wp->usable)
        return record_blocks_avx512(w, avail, bp, delim, out, used);
    const uint64_t upto = nls ^ (nls - 1);
    const uint64_t cuts = (nls | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(delim))) & upto;
    const uint64_t odd = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')) |
                         _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')) |
                         _mm512_testn_epi8_mask(v, v);
    if ((odd & upto) || (size_t)__builtin_popcountll(cuts) != bp->columns)
        return FAST_SLOW;
    const size_t kc = bp->key_column, ks = cut_start(cuts, kc), ke = cut_end(cuts, kc);
    if (!cell_key(w + ks, ke - ks))
        return FAST_SLOW;
    if (!wide_counts(v, cuts, wp, out))
        return record_blocks_avx512(w, avail, bp, delim, out, used);
    for (uint32_t m = bp->money; m; m &= m - 1) {
        const size_t slot = (size_t)__builtin_ctz(m), c = bp->column[slot];
        const size_t s = cut_start(cuts, c);
        if (!cell_hundredths(w + s, cut_end(cuts, c) - s, &out->value[slot]))
            return FAST_SLOW;
    }
    out->key = w + ks;
    out->key_len = ke - ks;
    out->ascii = !(_mm512_movepi8_mask(v) & upto);
    *used = (size_t)__builtin_ctzll(nls) + 1;
    return FAST_OK;
}
#endif

/* ---- the short-key table ---- */

/* Two parts, so the part every row probes fits in the core's cache: an
 * open-addressing index of {packed key (0 = empty: keys hold no NUL byte),
 * entry number}, 16 bytes a slot, and the entries in first-seen order, one
 * cache line each for up to six values: the key, the row count, one sum per
 * value slot.  A row costs one index probe (prefetched when its record is
 * parsed) and one entry line (prefetched a batch ahead). */
typedef struct short_slot {
    uint64_t key, entry;
} short_slot;

typedef struct short_table {
    short_slot *slots;
    size_t mask;
    uint64_t *entries;          /* `stride` words each */
    size_t stride, count, cap;
} short_table;

#define SHORT_TABLE_MIN 4096

/* Zeroed, cache-line aligned memory.  From 2 MiB up it is aligned to and
 * asks for huge pages: rows hit random slots, and with 4 KiB pages nearly
 * every probe also missed the TLB (a costly page walk in a VM). */
#define HUGE_PAGE ((size_t)2 << 20)

static void *zeroed_lines(size_t bytes)
{
    bool huge = bytes >= HUGE_PAGE;
    if (huge)
        bytes = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(huge ? HUGE_PAGE : 64, bytes);
    if (!p)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (huge)
        madvise(p, bytes, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
#endif
    memset(p, 0, bytes);
    return p;
}

static bool short_init(short_table *t, size_t values)
{
    t->stride = (2 + values + 7) / 8 * 8;
    t->mask = SHORT_TABLE_MIN - 1;
    t->count = 0;
    t->cap = SHORT_TABLE_MIN / 2;
    t->slots = zeroed_lines(SHORT_TABLE_MIN * sizeof *t->slots);
    t->entries = zeroed_lines(t->cap * t->stride * sizeof *t->entries);
    if (!t->slots || !t->entries) {
        free(t->slots);
        free(t->entries);
        return false;
    }
    return true;
}

static void short_free(short_table *t)
{
    free(t->slots);
    free(t->entries);
}

/* Up to eight key bytes as one word (the first byte lowest). */
static inline uint64_t pack_key(const char *key, size_t len)
{
    uint64_t k;
    memcpy(&k, key, 8); /* the window's padding makes 8 bytes readable */
    return len == 8 ? k : k & (((uint64_t)1 << (8 * len)) - 1);
}

/* IDs differ in their last bytes, the high ones: fold them down (the
 * murmur3 finaliser's first half). */
static inline uint64_t short_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xFF51AFD7ED558CCDu;
    return k ^ (k >> 33);
}

static inline const short_slot *short_probe_start(const short_table *t, uint64_t h)
{
    return &t->slots[h & t->mask];
}

/* Doubles the index and the entries; false when memory runs out. */
static bool short_grow(short_table *t)
{
    size_t cap = (t->mask + 1) * 2;
    short_slot *slots = zeroed_lines(cap * sizeof *slots);
    uint64_t *entries = zeroed_lines(cap / 2 * t->stride * sizeof *entries);
    if (!slots || !entries) {
        free(slots);
        free(entries);
        return false;
    }
    memcpy(entries, t->entries, t->count * t->stride * sizeof *entries);
    for (size_t i = 0; i <= t->mask; i++) {
        if (!t->slots[i].key)
            continue;
        size_t s = short_hash(t->slots[i].key) & (cap - 1);
        while (slots[s].key)
            s = (s + 1) & (cap - 1);
        slots[s] = t->slots[i];
    }
    short_free(t);
    t->slots = slots;
    t->mask = cap - 1;
    t->entries = entries;
    t->cap = cap / 2;
    return true;
}

/* The entry of key k (hash h), created when new; SIZE_MAX when memory runs
 * out.  The index stays under half full, so probes stay short. */
static inline size_t short_find(short_table *t, uint64_t k, uint64_t h)
{
    for (size_t s = h & t->mask;; s = (s + 1) & t->mask) {
        if (t->slots[s].key == k)
            return (size_t)t->slots[s].entry;
        if (t->slots[s].key == 0) {
            if (t->count == t->cap) {
                if (!short_grow(t))
                    return SIZE_MAX;
                return short_find(t, k, h); /* once: the new index has room */
            }
            size_t e = t->count++;
            t->slots[s] = (short_slot){.key = k, .entry = e};
            t->entries[e * t->stride] = k;
            return e;
        }
    }
}

/* Adds every key of the short table into the group table. */
static sl_status short_flush(const short_table *t, const bulk_plan *bp, group_table *groups)
{
    if (!group_table_reserve(groups, group_table_count(groups) + t->count))
        return SL_ERR_NO_MEMORY;
    for (size_t i = 0; i < t->count; i++) {
        const uint64_t *entry = t->entries + i * t->stride;
        char key[8];
        size_t len = 0;
        for (uint64_t k = entry[0]; k && len < 8; k >>= 8)
            key[len++] = (char)(k & 0xFF);
        int64_t sum[SL_FIELD__COUNT] = {0};
        for (size_t v = 0; v < bp->values; v++)
            sum[bp->field[v]] = (int64_t)entry[2 + v];
        sl_status st = group_table_add_sums(groups, key, len, entry[1], bp->present, sum);
        if (st != SL_OK)
            return st;
    }
    return SL_OK;
}

/* ---- the loop ---- */

/* Fast records on their way to their sums, in three batches, so that each
 * memory wait overlaps the parsing of a whole batch: one batch is being
 * parsed (each short key's index slot is prefetched as its record is);
 * the one before waits for its entries to be found (and their lines
 * prefetched); the one before that waits to be summed.  Long keys point
 * into the read buffer, so they go to the group table as soon as their
 * batch is parsed; short keys are packed and need no buffer. */
#define PENDING 16

typedef struct row_batch {
    size_t count;
    bulk_row rows[PENDING];
    size_t entry[PENDING];      /* short keys, once found */
} row_batch;

typedef struct bulk_state {
    csv_reader *reader;         /* for csv_check_text */
    const bulk_plan *bp;
#ifdef BULK_LEVELS
    wide_plan wide;
#endif
    group_table *groups;
    group_batch *batch;         /* long keys, for group_table_add_batch */
    short_table shorts;
    row_batch *parsing, *finding, *summing;
    row_batch batches[3];
} bulk_state;

/* A long-key row as the group table's row_values. */
static void long_row(const bulk_plan *bp, const bulk_row *r, row_values *v)
{
    v->present = bp->present;
    v->money_exact = bp->present & SL_MONEY_FIELDS;
    v->reported_present = 0;
    v->label = NULL;
    v->label_len = 0;
    for (size_t i = 0; i < bp->values; i++) {
        if (sl_field_is_money((sl_field)bp->field[i]))
            v->hundredths[bp->field[i]] = (int64_t)r->value[i];
        else
            v->count[bp->field[i]] = r->value[i];
    }
}

/* Adds a batch's short-key rows to their entries. */
static void sum_batch(short_table *t, row_batch *b, size_t values)
{
    for (size_t i = 0; i < b->count; i++) {
        if (b->rows[i].key_len > 8)
            continue;
        uint64_t *e = t->entries + b->entry[i] * t->stride;
        e[1]++;
        for (size_t v = 0; v < values; v++)
            e[2 + v] += b->rows[i].value[v];
    }
    b->count = 0;
}

/* Finds (or creates) the entries of a batch's short keys and prefetches
 * their lines; false when memory runs out. */
static bool find_batch(short_table *t, row_batch *b)
{
    for (size_t i = 0; i < b->count; i++) {
        const bulk_row *r = &b->rows[i];
        if (r->key_len > 8)
            continue;
        if ((b->entry[i] = short_find(t, r->packed, r->hash)) == SIZE_MAX)
            return false;
        __builtin_prefetch(t->entries + b->entry[i] * t->stride, 1);
    }
    return true;
}

/* The parsed batch is full (or the buffer is about to move): its long keys
 * go to the group table, the three batches move one stage on, and with
 * `drain` every batch is summed. */
static sl_status flush_pending(bulk_state *s, bool drain)
{
    short_table *t = &s->shorts;
    const size_t values = s->bp->values;
    row_batch *parsed = s->parsing;
    s->batch->count = 0;
    for (size_t i = 0; i < parsed->count; i++) {
        const bulk_row *r = &parsed->rows[i];
        if (r->key_len <= 8)
            continue;
        size_t n = s->batch->count++;
        s->batch->keys[n] = r->key;
        s->batch->key_lens[n] = r->key_len;
        long_row(s->bp, r, &s->batch->rows[n]);
    }
    sl_status st = s->batch->count ? group_table_add_batch(s->groups, s->batch) : SL_OK;
    s->batch->count = 0;
    sum_batch(t, s->summing, values);
    if (!find_batch(t, s->finding))
        return SL_ERR_NO_MEMORY;
    row_batch *empty = s->summing;
    s->summing = s->finding;
    s->finding = parsed;
    s->parsing = empty;
    if (drain) {
        sum_batch(t, s->summing, values);
        if (!find_batch(t, s->finding))
            return SL_ERR_NO_MEMORY;
        sum_batch(t, s->finding, values);
    }
    return st;
}

/* Parses fast records from the front of w[0, avail) into the pending rows;
 * stops at the first record that is not fast and returns its outcome, with
 * *taken records of *consumed bytes done.  Compiled once per `level`. */
static inline __attribute__((always_inline)) int
take_records_at(bulk_state *s, const char *w, size_t avail, bool eof, char delim,
                size_t *consumed, uint64_t *taken, sl_status *st, const int level)
{
    const bulk_plan *bp = s->bp;
    size_t off = 0;
    uint64_t n = 0;
    int outcome;
    *st = SL_OK;
    for (;;) {
        bulk_row *r = &s->parsing->rows[s->parsing->count];
        size_t used = 0;
        /* A mapped window comes straight from memory, page by page (the
         * hardware's prefetcher stops at each 4 KiB page); 2 KiB is about
         * forty records ahead.  Past the window's end it is only a hint. */
        __builtin_prefetch(w + off + 2048);
        if (off >= avail)
            outcome = FAST_MORE;
#ifdef BULK_LEVELS
        else if (level == BULK_AVX512)
            outcome = record_avx512(w + off, avail - off, bp, &s->wide, delim, r, &used);
#endif
        else
            outcome = block_record(w + off, avail - off, bp, delim, r, &used, level);
        if (outcome == FAST_MORE)
            outcome = fast_record(w + off, avail - off, eof, bp, delim, r, &used);
        if (outcome == FAST_OK && bp->clicks >= 0 && bp->impressions >= 0 &&
            r->value[bp->clicks] > r->value[bp->impressions])
            outcome = FAST_SLOW; /* the general path words the error */
        if (outcome != FAST_OK)
            break;
        if (!r->ascii)
            csv_check_text(s->reader, w + off, used);
        if (r->key_len <= 8) {
            r->packed = pack_key(r->key, r->key_len);
            r->hash = short_hash(r->packed);
            __builtin_prefetch(short_probe_start(&s->shorts, r->hash));
        }
        off += used;
        n++;
        if (++s->parsing->count == PENDING && (*st = flush_pending(s, false)) != SL_OK)
            break;
    }
    *consumed = off;
    *taken = n;
    return outcome;
}

typedef int take_fn(bulk_state *s, const char *w, size_t avail, bool eof, char delim,
                    size_t *consumed, uint64_t *taken, sl_status *st);

static int take_records_baseline(bulk_state *s, const char *w, size_t avail, bool eof,
                                 char delim, size_t *consumed, uint64_t *taken, sl_status *st)
{
    return take_records_at(s, w, avail, eof, delim, consumed, taken, st, BULK_BASELINE);
}

#ifdef BULK_LEVELS
BULK_V3 static int take_records_v3(bulk_state *s, const char *w, size_t avail, bool eof,
                                   char delim, size_t *consumed, uint64_t *taken, sl_status *st)
{
    return take_records_at(s, w, avail, eof, delim, consumed, taken, st, BULK_X86_64_V3);
}

BULK_V4 static int take_records_avx512(bulk_state *s, const char *w, size_t avail, bool eof,
                                       char delim, size_t *consumed, uint64_t *taken,
                                       sl_status *st)
{
    return take_records_at(s, w, avail, eof, delim, consumed, taken, st, BULK_AVX512);
}
#endif

/* The best level the CPU (and the OS: AVX-512 state saved) has, up to
 * level_limit. */
static int cpu_level(void)
{
#ifdef BULK_LEVELS
    __builtin_cpu_init();
    if (level_limit >= BULK_AVX512 && __builtin_cpu_supports("x86-64-v4") &&
        __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vbmi2"))
        return BULK_AVX512;
    if (level_limit >= BULK_X86_64_V3 && __builtin_cpu_supports("x86-64-v3"))
        return BULK_X86_64_V3;
#endif
    return BULK_BASELINE;
}

int bulk_limit_level(int level)
{
    level_limit = level;
    return cpu_level();
}

static take_fn *take_for_cpu(void)
{
#ifdef BULK_LEVELS
    switch (cpu_level()) {
    case BULK_AVX512:
        return take_records_avx512;
    case BULK_X86_64_V3:
        return take_records_v3;
    default:
        break;
    }
#endif
    return take_records_baseline;
}

sl_status bulk_read(csv_reader *reader, const bulk_plan *bp, group_table *groups,
                    group_batch *batch, const bulk_hooks *hooks, uint64_t *rows, sl_error *err)
{
    bulk_state *s = malloc(sizeof *s);
    if (!s || !short_init(&s->shorts, bp->values)) {
        free(s);
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory");
    }
    s->bp = bp;
    s->reader = reader;
    s->groups = groups;
    s->batch = batch;
    s->batches[0].count = s->batches[1].count = s->batches[2].count = 0;
    s->parsing = &s->batches[0];
    s->finding = &s->batches[1];
    s->summing = &s->batches[2];
#ifdef BULK_LEVELS
    wide_plan_make(bp, &s->wide);
#endif
    take_fn *take_records = take_for_cpu();
    const char delim = csv_delimiter(reader);
    uint64_t since_progress = 0;
    sl_status st = SL_OK;
    for (;;) {
        size_t avail;
        bool eof;
        const char *w = csv_window(reader, &avail, &eof);
        if (avail == 0 && eof)
            break;
        size_t used;
        uint64_t taken;
        int outcome = take_records(s, w, avail, eof, delim, &used, &taken, &st);
        /* Keys in the pending rows point into the buffer, which may move. */
        if (st == SL_OK)
            st = flush_pending(s, true);
        if (st != SL_OK) {
            st = sl_fail(err, st, NULL, "out of memory");
            break;
        }
        csv_skip(reader, used, taken);
        *rows += taken;
        since_progress += used;
        if (since_progress >= ((uint64_t)4 << 20)) {
            hooks->progress(hooks->ctx, since_progress);
            since_progress = 0;
        }
        if (outcome == FAST_MORE) {
            if ((st = csv_fill(reader, err)) != SL_OK)
                break;
            continue;
        }
        ingest_row row;
        bool done;
        if ((st = csv_next(reader, &row, &done, err)) != SL_OK || done)
            break;
        if (!hooks->slow(hooks->ctx, &row))
            break; /* the caller's state says why */
    }
    if (st == SL_OK && (st = short_flush(&s->shorts, bp, groups)) != SL_OK)
        st = sl_fail(err, st, NULL, "out of memory");
    short_free(&s->shorts);
    free(s);
    if (since_progress)
        hooks->progress(hooks->ctx, since_progress);
    return st;
}
