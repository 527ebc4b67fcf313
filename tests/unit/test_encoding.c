/*
 * test_encoding.c — CSV files in the encodings Excel saves besides UTF-8
 * (csv.c "text encodings"): the conversion checked byte for byte against
 * glibc's iconv, fed in chunks of every size so code units and surrogate
 * pairs split between reads; the whole-file decision (UTF-8, UTF-16 with and
 * without a byte-order mark, Windows-1252, refusals with their row and
 * cell), including a UTF-8 character split by the scan's 1 MiB read; a
 * large UTF-16 file read by the parallel path to the same report as its
 * UTF-8 form; and a large feed checked while it is read, decided as the
 * scan decides.
 */
#include "import/import.h"
#include "import/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char tmpdir[] = "/tmp/shoplab-encoding-XXXXXX";

/* What iconv makes of `in` (NULL when it refuses it); *len is the length. */
static char *iconv_utf8(const char *from, const char *in, size_t size, size_t *len)
{
    iconv_t cd = iconv_open("UTF-8", from);
    assert_true(cd != (iconv_t)-1);
    size_t cap = size * 4 + 8, left = cap;
    char *out = malloc(cap), *o = out;
    char *i = (char *)in;
    size_t in_left = size;
    size_t r = iconv(cd, &i, &in_left, &o, &left);
    iconv_close(cd);
    if (r == (size_t)-1) {
        free(out);
        return NULL;
    }
    *len = cap - left;
    return out;
}

/* Converts `in` with csv_convert_chunk in chunks of `step` bytes.  Returns
 * the result code; the text so far is in *out (malloc'd), *bad the offset. */
static csv_convert_result convert(csv_encoding enc, const unsigned char *in, size_t size,
                                  size_t step, char **out, size_t *len, uint64_t *bad)
{
    csv_converter c = {.encoding = enc};
    char *text = malloc(3 * size + 16), *chunk = malloc(3 * step + 8);
    size_t used = 0;
    csv_convert_result r = CSV_CONVERT_OK;
    for (size_t at = 0;; at += step) {
        size_t n = at >= size ? 0 : size - at < step ? size - at : step;
        bool last = at + n >= size;
        size_t written;
        r = csv_convert_chunk(&c, in + at, n, last, chunk, &written, bad);
        memcpy(text + used, chunk, written);
        used += written;
        if (r != CSV_CONVERT_OK || last)
            break;
    }
    free(chunk);
    *out = text;
    *len = used;
    return r;
}

static void windows_1252_matches_iconv(void **state)
{
    (void)state;
    int undefined = 0;
    for (int b = 0; b < 256; b++) {
        unsigned char in = (unsigned char)b;
        size_t want_len, got_len;
        uint64_t bad = 99;
        char *want = iconv_utf8("WINDOWS-1252", (const char *)&in, 1, &want_len);
        char *got;
        csv_convert_result r = convert(CSV_WINDOWS1252, &in, 1, 1, &got, &got_len, &bad);
        if (!want) { /* 0x81, 0x8D, 0x8F, 0x90, 0x9D */
            undefined++;
            assert_int_equal(r, CSV_CONVERT_UNDEFINED);
            assert_int_equal(bad, 0);
        } else {
            assert_int_equal(r, CSV_CONVERT_OK);
            assert_int_equal(got_len, want_len);
            assert_memory_equal(got, want, want_len);
        }
        free(want);
        free(got);
    }
    assert_int_equal(undefined, 5);
    /* The offset of an undefined byte counts earlier chunks. */
    const unsigned char text[] = "Caf\xe9 \x80 ok\x8f";
    char *got;
    size_t len;
    uint64_t bad;
    assert_int_equal(convert(CSV_WINDOWS1252, text, sizeof text - 1, 3, &got, &len, &bad),
                     CSV_CONVERT_UNDEFINED);
    assert_int_equal(bad, 9);
    assert_memory_equal(got, "Caf\xc3\xa9 \xe2\x82\xac ok", len);
    free(got);
}

/* Random text of ASCII, Latin, CJK and emoji, as UTF-16 in both byte
 * orders, converted in chunks of 1 to 7 bytes (so units and surrogate pairs
 * split every way), against iconv. */
static void utf16_matches_iconv_in_any_chunks(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "7", ",", "\t", "\r\n", "\"", "\xc3\xa9",
                                         "\xe2\x82\xac", "\xe4\xb8\xad", "\xf0\x9f\x94\xa5",
                                         "\xf0\x9f\x98\x80", "\xd1\x85"};
    srand(13);
    for (int round = 0; round < 200; round++) {
        char utf8[400];
        size_t n = 0;
        int count = rand() % 40;
        for (int i = 0; i < count; i++) {
            const char *p = pieces[rand() % (sizeof pieces / sizeof *pieces)];
            memcpy(utf8 + n, p, strlen(p));
            n += strlen(p);
        }
        for (int big = 0; big < 2; big++) {
            iconv_t cd = iconv_open(big ? "UTF-16BE" : "UTF-16LE", "UTF-8");
            unsigned char u16[1024] = {0};
            size_t pre = round % 2 ? 2 : 0; /* with a byte-order mark on odd rounds */
            if (pre) {
                u16[0] = big ? 0xFE : 0xFF;
                u16[1] = big ? 0xFF : 0xFE;
            }
            char *i = utf8, *o = (char *)u16 + pre;
            size_t il = n, ol = sizeof u16 - pre;
            assert_true(iconv(cd, &i, &il, &o, &ol) != (size_t)-1);
            iconv_close(cd);
            size_t size = sizeof u16 - ol;
            for (size_t step = 1; step <= 7; step++) {
                char *got;
                size_t len;
                uint64_t bad;
                assert_int_equal(convert(big ? CSV_UTF16BE : CSV_UTF16LE, u16, size, step, &got,
                                         &len, &bad),
                                 CSV_CONVERT_OK);
                assert_int_equal(len, n);
                assert_memory_equal(got, utf8, n);
                free(got);
            }
        }
    }
}

static void utf16_refusals(void **state)
{
    (void)state;
    char *got;
    size_t len;
    uint64_t bad;
    /* "ab" then a high surrogate followed by "c": half a character. */
    const unsigned char lone_high[] = {'a', 0, 'b', 0, 0x3D, 0xD8, 'c', 0};
    for (size_t step = 1; step <= 8; step++) {
        assert_int_equal(convert(CSV_UTF16LE, lone_high, sizeof lone_high, step, &got, &len,
                                 &bad),
                         CSV_CONVERT_SURROGATE);
        assert_int_equal(bad, 4);
        assert_int_equal(len, 2);
        free(got);
    }
    /* A high surrogate at the very end. */
    assert_int_equal(convert(CSV_UTF16LE, lone_high, 6, 4, &got, &len, &bad),
                     CSV_CONVERT_SURROGATE);
    assert_int_equal(bad, 4);
    free(got);
    /* A low surrogate alone (big-endian). */
    const unsigned char lone_low[] = {0, 'x', 0xDC, 0x00, 0, 'y'};
    assert_int_equal(convert(CSV_UTF16BE, lone_low, sizeof lone_low, 6, &got, &len, &bad),
                     CSV_CONVERT_SURROGATE);
    assert_int_equal(bad, 2);
    free(got);
    /* An odd number of bytes: cut inside the last unit. */
    const unsigned char odd[] = {0xFF, 0xFE, 'a', 0, 'b'};
    assert_int_equal(convert(CSV_UTF16LE, odd, sizeof odd, 2, &got, &len, &bad),
                     CSV_CONVERT_ODD_LENGTH);
    assert_int_equal(bad, 4);
    assert_int_equal(len, 1);
    free(got);
}

static const char *write_file(const char *name, const void *data, size_t size)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    fclose(f);
    return p;
}

/* csv_detect_encoding on a file holding `data`. */
static sl_status detect(const void *data, size_t size, csv_encoding *enc, sl_error *err)
{
    const char *path = write_file("detect.csv", data, size);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    sl_status st = csv_detect_encoding(fd, size, "detect.csv", enc, err);
    close(fd);
    return st;
}

#define DETECT(text, want)                                                                  \
    do {                                                                                    \
        csv_encoding e_;                                                                    \
        sl_error err_;                                                                      \
        assert_int_equal(detect(text, sizeof text - 1, &e_, &err_), SL_OK);                 \
        assert_int_equal(e_, want);                                                         \
    } while (0)

static void whole_file_decision(void **state)
{
    (void)state;
    DETECT("Video ID,Views\n1,2\n", CSV_UTF8);
    DETECT("\xef\xbb\xbfVideo ID,T\xc3\xadtulo\n1,Ni\xc3\xb1o\n", CSV_UTF8);
    DETECT("\xff\xfeV\0i\0", CSV_UTF16LE);
    DETECT("\xfe\xff\0V\0i", CSV_UTF16BE);
    DETECT("V\0i\0d\0e\0o\0 \0I\0D\0,\0V\0i\0e\0w\0s\0\n\0", CSV_UTF16LE);
    DETECT("\0V\0i\0d\0e\0o\0 \0I\0D\0,\0V\0i\0e\0w\0s\0\n", CSV_UTF16BE);
    DETECT("ID;GMV (\x80)\n1;Ni\xf1o\n", CSV_WINDOWS1252);
    /* A NUL or two is not UTF-16: the reader refuses the NUL itself. */
    DETECT("Video ID,Views,Orders\n1,2\0,3\n4,5,6\n", CSV_UTF8);

    csv_encoding e;
    sl_error err;
    /* UTF-8 in row 2, a stray byte in row 4, cell 2, after a quoted line
     * break in row 3 (one record, two lines). */
    const char mixed[] = "ID,T\n1,Caf\xc3\xa9\n2,\"two\nlines\"\n3,Ni\xf1o\n";
    assert_int_equal(detect(mixed, sizeof mixed - 1, &e, &err), SL_ERR_PARSE);
    assert_int_equal(err.row, 4);
    assert_int_equal(err.column, 2);
    assert_non_null(strstr(err.message, "detect.csv:4:2: byte 0xF1 is not UTF-8, yet row 2"));
    assert_non_null(strstr(err.message, "CSV UTF-8"));
    /* A UTF-8 byte-order mark, then bytes that are not UTF-8. */
    const char bom[] = "\xef\xbb\xbfID;T\r\n1;Ni\xf1o\r\n";
    assert_int_equal(detect(bom, sizeof bom - 1, &e, &err), SL_ERR_PARSE);
    assert_int_equal(err.row, 2);
    assert_non_null(strstr(err.message, "byte-order mark"));
    /* UTF-32 is named, not misread as UTF-16. */
    const char u32[] = "\xff\xfe\0\0I\0\0\0D\0\0\0";
    assert_int_equal(detect(u32, sizeof u32 - 1, &e, &err), SL_ERR_PARSE);
    assert_non_null(strstr(err.message, "UTF-32"));
    /* Overlong forms and surrogates are not UTF-8 either. */
    DETECT("A,B\n1,\xc0\xaf\n", CSV_WINDOWS1252);
    DETECT("A,B\n1,\xed\xa0\x80\n", CSV_WINDOWS1252);
}

/* A UTF-8 character split by the scan's 1 MiB reads is still UTF-8, and
 * one stray byte far past the first MiB is still found. */
static void scan_across_read_boundaries(void **state)
{
    (void)state;
    size_t size = ((size_t)1 << 20) + 64;
    char *data = malloc(size);
    memset(data, 'a', size);
    for (size_t i = 99; i < size; i += 100)
        data[i] = '\n';
    for (size_t start = ((size_t)1 << 20) - 3; start < ((size_t)1 << 20); start++) {
        memset(data + ((size_t)1 << 20) - 4, 'a', 8);
        memcpy(data + start, "\xf0\x9f\x94\xa5", 4); /* 🔥 across the boundary */
        csv_encoding e;
        sl_error err;
        assert_int_equal(detect(data, size, &e, &err), SL_OK);
        assert_int_equal(e, CSV_UTF8);
    }
    data[size - 10] = (char)0xE9; /* é in Windows-1252, but the file holds UTF-8 */
    csv_encoding e;
    sl_error err;
    assert_int_equal(detect(data, size, &e, &err), SL_ERR_PARSE);
    assert_int_equal(err.row, size / 100 + 1);
    free(data);
}

/* A large file is scanned through moving windows on two threads: a
 * character across a window's edge or across the middle (where the second
 * thread starts) is still UTF-8, and a stray byte in either half, with the
 * UTF-8 in the other, still refuses the file at the right row. */
static void scan_in_windows_and_halves(void **state)
{
    (void)state;
    size_t size = ((size_t)40 << 20) + 100, mid = size / 2, edge = (size_t)16 << 20;
    char *data = malloc(size);
    assert_non_null(data);
    memset(data, 'a', size);
    for (size_t i = 99; i < size; i += 100)
        data[i] = '\n';
    size_t cuts[] = {mid - 3, mid - 2, mid - 1, edge - 3, edge - 1, mid + edge - 2};
    for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
        if (data[cuts[c] + 4] == '\n' || data[cuts[c] - 1] == '\n')
            continue;
        memcpy(data + cuts[c], "\xf0\x9f\x94\xa5", 4); /* across the edge */
        csv_encoding e;
        sl_error err;
        assert_int_equal(detect(data, size, &e, &err), SL_OK);
        assert_int_equal(e, CSV_UTF8);
        memset(data + cuts[c], 'a', 4);
    }
    memcpy(data + 1000, "\xc3\xa9", 2);   /* UTF-8 in the first half */
    data[size - 150] = (char)0xE9;           /* a stray byte in the second */
    csv_encoding e;
    sl_error err;
    assert_int_equal(detect(data, size, &e, &err), SL_ERR_PARSE);
    assert_int_equal(err.row, (size - 150) / 100 + 1);
    memset(data + 1000, 'a', 2);
    data[size - 150] = 'a';
    data[2000] = (char)0xE9;                 /* the stray byte first ... */
    memcpy(data + size - 250, "\xc3\xa9", 2); /* ... the UTF-8 in the second half */
    assert_int_equal(detect(data, size, &e, &err), SL_ERR_PARSE);
    assert_int_equal(err.row, 2000 / 100 + 1);
    free(data);
}

/* csv_convert_to_utf8 names the row and cell of a bad byte or unit. */
static void conversion_errors_name_row_and_cell(void **state)
{
    (void)state;
    const char text[] = "ID;T\n1;Ni\xf1o\n2;\"a\nb\";\x9d\n";
    const char *path = write_file("undefined.csv", text, sizeof text - 1);
    int fd = open(path, O_RDONLY), out = -1;
    sl_error err;
    assert_int_equal(csv_convert_to_utf8(fd, CSV_WINDOWS1252, "undefined.csv", &out, &err),
                     SL_ERR_PARSE);
    assert_int_equal(out, -1);
    assert_int_equal(err.row, 3);
    assert_int_equal(err.column, 3);
    assert_non_null(strstr(err.message, "undefined.csv:3:3: byte 0x9D"));
    close(fd);
    /* UTF-16LE: row 2, cell 2 holds half a surrogate pair. */
    const unsigned char u16[] = {0xFF, 0xFE, 'A', 0, '\t', 0, 'B', 0, '\r', 0, '\n', 0,
                                 '1', 0, '\t', 0, 'x', 0, 0x3D, 0xD8, '\r', 0, '\n', 0};
    path = write_file("surrogate.csv", u16, sizeof u16);
    fd = open(path, O_RDONLY);
    assert_int_equal(csv_convert_to_utf8(fd, CSV_UTF16LE, "surrogate.csv", &out, &err),
                     SL_ERR_PARSE);
    assert_int_equal(err.row, 2);
    assert_int_equal(err.column, 2);
    assert_non_null(strstr(err.message, "half a character"));
    close(fd);
}

static char *report_csv(const char *path, unsigned threads, sl_report **keep)
{
    sl_read_options o = {.threads = threads};
    const char *paths[] = {path};
    sl_report *r = NULL;
    sl_error err;
    sl_status st = sl_report_read(paths, 1, &o, &r, &err);
    if (st != SL_OK)
        fail_msg("%s: %s", path, err.message);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    sl_report_write_csv(r, f);
    fclose(f);
    if (keep)
        *keep = r;
    else
        sl_report_free(r);
    return text;
}

/* A UTF-16LE file whose UTF-8 form (over 9 MiB) takes the parallel path:
 * the same report as the UTF-8 file, with one and with four threads (so
 * the ranges are cut in the converted copy, by its size), and the source
 * says what it was. */
static void large_utf16_reads_like_utf8(void **state)
{
    (void)state;
    size_t cap = 10u << 20, n = 0;
    char *utf8 = malloc(cap);
    n += (size_t)snprintf(utf8, cap, "Video ID\tVideo title\tVideo views\tProduct impressions\t"
                                     "Product clicks\tOrders\r\n");
    for (int i = 0; n < (9u << 20); i++)
        n += (size_t)snprintf(utf8 + n, cap - n,
                              "74%06d\tCaf\xc3\xa9 \xf0\x9f\x94\xa5 %d\t%d\t%d\t%d\t%d\r\n",
                              i % 5000, i, 1000 + i % 97, 400 + i % 31, 10 + i % 7, i % 3);
    const char *plain = write_file("large-utf8.csv", utf8, n);
    size_t wlen;
    char *wide = NULL;
    iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
    char *in = utf8;
    size_t il = n, ol = 2 * n + 2;
    wide = malloc(ol);
    wide[0] = (char)0xFF;
    wide[1] = (char)0xFE;
    char *o = wide + 2;
    ol -= 2;
    assert_true(iconv(cd, &in, &il, &o, &ol) != (size_t)-1);
    iconv_close(cd);
    wlen = (size_t)(o - wide);
    assert_true(n > ((size_t)9 << 20));
    char plain_path[512];
    snprintf(plain_path, sizeof plain_path, "%s", plain);
    const char *u16 = write_file("large-utf16.csv", wide, wlen);
    char *want = report_csv(plain_path, 1, NULL);
    sl_report *r;
    char *one = report_csv(u16, 1, NULL);
    char *four = report_csv(u16, 4, &r);
    assert_string_equal(one, want);
    assert_string_equal(four, want);
    assert_string_equal(r->sources[0].encoding, "utf-16le");
    char *json = sl_report_to_json(r);
    assert_non_null(strstr(json, "\"encoding\": \"utf-16le\""));
    sl_free(json);
    sl_report_free(r);
    sl_report *p;
    free(report_csv(plain_path, 1, &p));
    assert_string_equal(p->sources[0].encoding, "utf-8");
    sl_report_free(p);
    free(want);
    free(one);
    free(four);
    free(wide);
    free(utf8);
}

/* A bulk feed of `rows` rows "vNNNNN,views,impressions,clicks,orders"
 * (row r has views r % 1000) in a buffer; *size is set. */
static char *bulk_feed(size_t rows, size_t *size)
{
    size_t cap = rows * 48 + 100, n = 0;
    char *data = malloc(cap);
    assert_non_null(data);
    n += (size_t)snprintf(data, cap, "Video ID,Video views,Product impressions,Product clicks,"
                                     "Orders\n");
    for (size_t r = 0; r < rows; r++)
        n += (size_t)snprintf(data + n, cap - n, "v%05zu,%zu,%zu,%zu,%zu\n", r % 20000,
                              r % 1000, 500 + r % 7, 10 + r % 5, r % 3);
    *size = n;
    return data;
}

static sl_status read_feed(const char *path, unsigned threads, bool strict, sl_report **out,
                           sl_error *err)
{
    sl_read_options o = {.threads = threads, .strict = strict};
    const char *paths[] = {path};
    *out = NULL;
    return sl_report_read(paths, 1, &o, out, err);
}

/* The offset of the key cell of data row r (0-based) in a bulk feed. */
static size_t feed_row_at(const char *data, size_t r)
{
    const char *p = strchr(data, '\n') + 1;
    for (size_t i = 0; i < r; i++)
        p = strchr(p, '\n') + 1;
    return (size_t)(p - data);
}

/* A large feed is not scanned before it is read: its readers check the
 * bytes as they read them (importer.c "encoding checked while reading").
 * Whatever the file holds, the outcome must be the one the scan gave: UTF-8
 * across every read boundary kept; a stray byte late in a file with no
 * UTF-8 read as Windows-1252; one in a file with UTF-8 refused at its row
 * and cell, also when --strict would have stopped earlier. */
static void large_feed_checked_while_read(void **state)
{
    (void)state;
    size_t rows = 480000, size;
    char *data = bulk_feed(rows, &size);
    assert_true(size > ((size_t)9 << 20));
    double views = 0;
    for (size_t r = 0; r < rows; r++)
        views += (double)(r % 1000);
    for (unsigned threads = 1; threads <= 2; threads++) {
        sl_report *rep;
        sl_error err;
        const char *path = write_file("feed.csv", data, size);
        assert_int_equal(read_feed(path, threads, false, &rep, &err), SL_OK);
        double v;
        assert_true(sl_funnel_get(&rep->totals.funnel, SL_FIELD_VIEWS, &v));
        assert_true(v == views);
        assert_int_equal(rep->rows_read, rows);
        assert_string_equal(rep->sources[0].encoding, "utf-8");
        sl_report_free(rep);
    }
    /* "v0é" as UTF-8 with its two bytes on each side of a 1 MiB read and
     * of the middle, where the second thread's range may start. */
    size_t at[] = {((size_t)1 << 20) - 1, ((size_t)2 << 20) - 1, size / 2 - 1, size - 40};
    for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
        char *copy = malloc(size + 1);
        memcpy(copy, data, size);
        size_t cell = feed_row_at(copy, 0);
        while (cell + 40 < at[k])
            cell = (size_t)(strchr(copy + cell, '\n') + 1 - copy);
        memcpy(copy + cell + 2, "\xc3\xa9", 2); /* "v0NNN" becomes "v0é…" */
        const char *path = write_file("feed-utf8.csv", copy, size);
        for (unsigned threads = 1; threads <= 2; threads++) {
            sl_report *rep;
            sl_error err;
            assert_int_equal(read_feed(path, threads, false, &rep, &err), SL_OK);
            assert_int_equal(rep->rows_read, rows);
            assert_string_equal(rep->sources[0].encoding, "utf-8");
            sl_report_free(rep);
        }
        free(copy);
    }
    /* A stray Windows-1252 é near the end and no UTF-8: converted, read. */
    size_t late = feed_row_at(data, rows - 3);
    data[late + 1] = (char)0xE9;
    const char *w1252 = write_file("feed-1252.csv", data, size);
    for (unsigned threads = 1; threads <= 2; threads++) {
        sl_report *rep;
        sl_error err;
        assert_int_equal(read_feed(w1252, threads, false, &rep, &err), SL_OK);
        assert_string_equal(rep->sources[0].encoding, "windows-1252");
        assert_int_equal(rep->rows_read, rows);
        sl_report_free(rep);
    }
    /* The same with UTF-8 in row 2: refused at the stray byte, with or
     * without --strict, even when a bad row comes first (row 5). */
    memcpy(data + feed_row_at(data, 0) + 1, "\xc3\xa9", 2);
    size_t bad = feed_row_at(data, 3);
    memcpy(data + bad + 7, "x", 1); /* views "x…": a bad row */
    const char *mixed = write_file("feed-mixed.csv", data, size);
    for (unsigned threads = 1; threads <= 2; threads++)
        for (int strict = 0; strict <= 1; strict++) {
            sl_report *rep;
            sl_error err;
            assert_int_equal(read_feed(mixed, threads, strict, &rep, &err), SL_ERR_PARSE);
            assert_null(rep);
            assert_int_equal(err.row, rows - 3 + 2);
            assert_int_equal(err.column, 1);
            assert_non_null(strstr(err.message, "byte 0xE9 is not UTF-8, yet row 2"));
        }
    /* All UTF-8 again: --strict stops at the bad row, as it always did. */
    data[late + 1] = '0';
    const char *strict_bad = write_file("feed-strict.csv", data, size);
    sl_report *rep;
    sl_error err;
    assert_int_equal(read_feed(strict_bad, 2, true, &rep, &err), SL_ERR_PARSE);
    assert_int_equal(err.row, 5);
    free(data);
}

/* The bulk loop checks the records it parses itself (plain ASCII by its
 * masks, others through csv_check_text): at each of its instruction-set
 * levels, UTF-8 in a key is kept and a stray Windows-1252 byte is found. */
static void large_feed_checked_at_each_level(void **state)
{
    (void)state;
    size_t rows = 480000, size;
    char *data = bulk_feed(rows, &size);
    size_t mid = feed_row_at(data, rows / 2), late = feed_row_at(data, rows - 3);
    memcpy(data + mid + 2, "\xc3\xa9", 2); /* "v0NNN" becomes "v0é…" */
    const char *utf8 = write_file("feed-utf8.csv", data, size);
    char *stray = malloc(size);
    memcpy(stray, data, size);
    memcpy(stray + mid + 2, "00", 2);
    stray[late + 1] = (char)0xE9;
    const char *w1252 = write_file("feed-1252.csv", stray, size);
    for (int level = BULK_AVX512; level >= BULK_BASELINE; level--) {
        if (bulk_limit_level(level) != level)
            continue;
        sl_report *rep;
        sl_error err;
        assert_int_equal(read_feed(utf8, 1, false, &rep, &err), SL_OK);
        assert_int_equal(rep->rows_read, rows);
        assert_string_equal(rep->sources[0].encoding, "utf-8");
        sl_report_free(rep);
        assert_int_equal(read_feed(w1252, 1, false, &rep, &err), SL_OK);
        assert_int_equal(rep->rows_read, rows);
        assert_string_equal(rep->sources[0].encoding, "windows-1252");
        sl_report_free(rep);
    }
    bulk_limit_level(BULK_AVX512);
    free(stray);
    free(data);
}

/* A Windows-1252 file: its source says so, and its header reads as text. */
static void windows_1252_report_says_so(void **state)
{
    (void)state;
    const char text[] = "ID del video;Vistas del video;Impresiones de productos;Clics en el "
                        "producto;Pedidos;GMV (\x80)\r\n7501;100;50;5;1;12,50\r\n";
    const char *path = write_file("w1252.csv", text, sizeof text - 1);
    sl_report *r;
    free(report_csv(path, 1, &r));
    assert_string_equal(r->sources[0].encoding, "windows-1252");
    assert_string_equal(r->sources[0].columns[5].header, "GMV (\xe2\x82\xac)");
    char *json = sl_report_to_json(r);
    assert_non_null(strstr(json, "\"encoding\": \"windows-1252\""));
    sl_free(json);
    char *html = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&html, &len);
    assert_int_equal(sl_report_write_html_body(r, f, NULL), SL_OK);
    fclose(f);
    assert_non_null(strstr(html, "not UTF-8: read as Windows-1252"));
    free(html);
    sl_report_free(r);
}

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(windows_1252_matches_iconv),
        cmocka_unit_test(utf16_matches_iconv_in_any_chunks),
        cmocka_unit_test(utf16_refusals),
        cmocka_unit_test(whole_file_decision),
        cmocka_unit_test(scan_across_read_boundaries),
        cmocka_unit_test(scan_in_windows_and_halves),
        cmocka_unit_test(conversion_errors_name_row_and_cell),
        cmocka_unit_test(large_utf16_reads_like_utf8),
        cmocka_unit_test(windows_1252_report_says_so),
        cmocka_unit_test(large_feed_checked_while_read),
        cmocka_unit_test(large_feed_checked_at_each_level),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
