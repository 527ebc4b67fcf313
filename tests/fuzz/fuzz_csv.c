/*
 * fuzz_csv.c — libFuzzer target for the CSV importer, with two differential
 * checks (abort() on any difference): the fast reader must cut the records
 * the simple reference reader cuts (tests/unit/csv_reference.h) whenever it
 * accepts the input, reading with pread or through mapped windows of one
 * page (the bulk path's way), and the fused bulk loop must give exactly the
 * report the general per-cell path gives.  Any bytes must give a report or
 * a clean error with a message.  The first byte picks the grouping.  Input
 * that is not UTF-8 (UTF-16, Windows-1252, a mix) goes through the encoding
 * decision and conversion in csv.c before both paths read it.
 */
#include "import/ingest.h"
#include "../unit/csv_reference.h"

#include <fcntl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *csv_text(const sl_report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    sl_report_write_csv(r, f);
    fclose(f);
    return text;
}

/* The fast reader's records in the reference's notation, read with pread
 * or (mapped) through windows of one page; NULL when it refuses the input
 * (an unclosed quote, text after a quote, a NUL byte). */
static char *fast_records(const char *path, char delim, size_t size, bool mapped)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    csv_reader *r;
    if (csv_open(fd, path, 0, UINT64_MAX, delim, 1, &r, NULL) != SL_OK) {
        close(fd);
        return NULL;
    }
    if (mapped)
        csv_map_windows(r, 4096);
    size_t cap = size * 2 + 16, len = 0;
    char *out = malloc(cap);
    for (;;) {
        ingest_row row;
        bool done;
        if (csv_next(r, &row, &done, NULL) != SL_OK) {
            free(out);
            out = NULL;
            break;
        }
        if (done)
            break;
        for (size_t c = 0; c < row.count; c++) {
            while (len + row.lengths[c] + 4 > cap)
                out = realloc(out, cap *= 2);
            if (c)
                out[len++] = '\x1f';
            memcpy(out + len, row.cells[c], row.lengths[c]);
            len += row.lengths[c];
        }
        out[len++] = '\x1e';
    }
    if (out)
        out[len] = '\0';
    csv_close(r);
    close(fd);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char path[] = "/tmp/shoplab-fuzz-csv-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    const char *text = (const char *)data + 1;
    char delim = csv_detect_delimiter(text, size - 1);
    for (int mapped = 0; mapped <= 1; mapped++) {
        char *fast = fast_records(path, delim, size, mapped);
        if (fast) {
            char *want = reference_parse(text, size - 1, delim);
            if (strcmp(fast, want) != 0)
                abort();
            free(want);
            free(fast);
        }
    }
    const char *paths[] = {path};
    sl_read_options general = {.group = data[0] % 6 < 5, .by = (sl_dimension)(data[0] % 5),
                               .general_path = true, .threads = 1, .strict = data[0] & 0x80};
    sl_read_options bulk = general;
    bulk.general_path = false;
    sl_report *a = NULL, *b = NULL;
    sl_error ea, eb;
    sl_status sa = sl_report_read(paths, 1, &general, &a, &ea);
    sl_status sb = sl_report_read(paths, 1, &bulk, &b, &eb);
    unlink(path);
    if (sa != sb)
        abort();
    if (sa != SL_OK && (ea.message[0] == '\0' || strcmp(ea.message, eb.message) != 0))
        abort();
    if (sa == SL_OK) {
        char *ta = csv_text(a), *tb = csv_text(b);
        if (strcmp(ta, tb) != 0 || a->rows_skipped != b->rows_skipped)
            abort();
        free(ta);
        free(tb);
        char *json = sl_report_to_json(a);
        if (!json)
            abort();
        sl_free(json);
    }
    sl_report_free(a);
    sl_report_free(b);
    return 0;
}
