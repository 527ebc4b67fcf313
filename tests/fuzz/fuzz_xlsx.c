/*
 * fuzz_xlsx.c — libFuzzer target for the XLSX reader: any bytes must open
 * and read as a workbook or fail cleanly with a message, within small
 * limits (so a zip bomb costs the fuzzer nothing), touching every cell.
 */
#include "import/ingest.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sl_status touch(void *ctx, const ingest_row *row, sl_error *err)
{
    (void)err;
    size_t *sum = ctx;
    for (size_t i = 0; i < row->count; i++) {
        if (strlen(row->cells[i]) != row->lengths[i])
            abort();
        *sum += row->lengths[i];
    }
    return SL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xlsx_limits limits;
    xlsx_default_limits(&limits);
    limits.max_part_bytes = 4 << 20;
    limits.max_cells = 100000;
    limits.max_shared_strings = 100000;
    xlsx_book *book;
    sl_error err;
    sl_status st = xlsx_open_buffer(data, size, "fuzz.xlsx", &limits, &book, &err);
    if (st != SL_OK) {
        if (err.message[0] == '\0')
            abort();
        return 0;
    }
    size_t sum = 0;
    for (size_t i = 0; i < xlsx_sheet_count(book); i++) {
        st = xlsx_read_sheet(book, i, touch, &sum, &err);
        if (st != SL_OK && err.message[0] == '\0')
            abort();
    }
    xlsx_close(book);
    return 0;
}
