/*
 * fuzz_csv.c — libFuzzer target for the CSV importer: any bytes must give a
 * report or a clean error with a message, and the fused bulk loop must give
 * exactly the report the general per-cell path gives (a differential check:
 * abort() on any difference).  The first byte picks the grouping.
 */
#include "shoplab.h"

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
