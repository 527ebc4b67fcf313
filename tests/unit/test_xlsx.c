/*
 * test_xlsx.c — the XLSX reader on workbooks built here with libzip: every
 * cell type, sparse rows, date styles, several sheets, and each named limit
 * hit on purpose (a zip bomb among them), plus damaged files.
 */
#include "import/ingest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include <cmocka.h>

static char dir[] = "/tmp/shoplab-xlsx-XXXXXX";

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""

static const char *workbook_1 =
    "<workbook " NS " xmlns:r=\"r\"><sheets><sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/>"
    "</sheets></workbook>";
static const char *rels_1 =
    "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>";
static const char *styles =
    "<styleSheet " NS "><numFmts><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy hh:mm\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"0.00&quot;m&quot;\"/></numFmts>"
    "<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
    "<xf numFmtId=\"165\"/></cellXfs></styleSheet>";

/* Writes a workbook from (name, text) pairs ending with NULL. */
static char *make(const char *file, ...)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int zerr;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    assert_non_null(z);
    va_list ap;
    va_start(ap, file);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
        const char *text = va_arg(ap, const char *);
        zip_source_t *src = zip_source_buffer(z, text, strlen(text), 0);
        assert_true(zip_file_add(z, name, src, ZIP_FL_OVERWRITE) >= 0);
    }
    va_end(ap);
    assert_int_equal(zip_close(z), 0);
    return path;
}

static char *make_sheet(const char *file, const char *sheet_xml, const char *shared)
{
    return make(file, "xl/workbook.xml", workbook_1, "xl/_rels/workbook.xml.rels", rels_1,
                "xl/styles.xml", styles, "xl/sharedStrings.xml", shared,
                "xl/worksheets/sheet1.xml", sheet_xml, NULL);
}

/* Collects rows as "row:cell|cell|…" lines. */
typedef struct collected {
    char text[8192];
    size_t len;
    int rows;
    int stop_after;
} collected;

static sl_status collect(void *ctx, const ingest_row *row, sl_error *err)
{
    (void)err;
    collected *c = ctx;
    c->len += (size_t)snprintf(c->text + c->len, sizeof c->text - c->len, "%llu:",
                               (unsigned long long)row->number);
    for (size_t i = 0; i < row->count; i++)
        c->len += (size_t)snprintf(c->text + c->len, sizeof c->text - c->len, "%s%s",
                                   i ? "|" : "", row->cells[i]);
    c->len += (size_t)snprintf(c->text + c->len, sizeof c->text - c->len, "\n");
    if (++c->rows == c->stop_after)
        return SL_ERR_NOT_FOUND; /* any status: the reader must hand it back */
    return SL_OK;
}

static sl_status read_all(const char *path, const xlsx_limits *limits, size_t sheet,
                          collected *c, sl_error *err)
{
    xlsx_book *b;
    sl_status st = xlsx_open(path, limits, &b, err);
    if (st != SL_OK)
        return st;
    st = xlsx_read_sheet(b, sheet, collect, c, err);
    xlsx_close(b);
    return st;
}

static const char *shared =
    "<sst " NS "><si><t>Video ID</t></si><si><r><t>Vie</t></r><r><t xml:space=\"preserve\">"
    "ws</t></r><rPh><t>ビュー</t></rPh></si><si><t>Title &amp; more</t></si></sst>";

static void cell_types(void **state)
{
    (void)state;
    const char *sheet =
        "<worksheet " NS "><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
        "<c r=\"C1\" t=\"s\"><v>2</v></c></row>"
        "<row r=\"2\"><c r=\"A2\"><v>7212345678901234567</v></c><c r=\"B2\"><v>1500</v></c>"
        "<c r=\"C2\" t=\"inlineStr\"><is><t>inline &lt;b&gt;</t></is></c>"
        "<c r=\"D2\" t=\"b\"><v>1</v></c><c r=\"E2\" t=\"e\"><v>#N/A</v></c>"
        "<c r=\"F2\" t=\"str\"><f>A1</f><v>formula text</v></c></row>"
        "<row r=\"5\"><c r=\"A5\"><v>1</v></c><c r=\"D5\"><v>4.25</v></c>"
        "<c r=\"E5\" s=\"1\"><v>45567</v></c><c r=\"F5\" s=\"2\"><v>45567.8125</v></c>"
        "<c r=\"G5\" s=\"3\"><v>12.5</v></c><c r=\"H5\"/></row>"
        "<row><c><v>6</v></c><c t=\"b\"><v>0</v></c></row>"
        "</sheetData></worksheet>";
    collected c = {0};
    sl_error err;
    assert_int_equal(read_all(make_sheet("types.xlsx", sheet, shared), NULL, 0, &c, &err), SL_OK);
    assert_string_equal(c.text,
                        "1:Video ID|Views|Title & more\n"
                        "2:7212345678901234567|1500|inline <b>|TRUE|#N/A|formula text\n"
                        "5:1|||4.25|2024-10-02|2024-10-02 19:30:00|12.5\n"
                        "6:6|FALSE\n");
}

static void sheets_and_1904(void **state)
{
    (void)state;
    const char *wb = "<workbook " NS " xmlns:r=\"r\"><workbookPr date1904=\"1\"/><sheets>"
                     "<sheet name=\"Notes\" sheetId=\"1\" r:id=\"rId1\"/>"
                     "<sheet name=\"Numbers\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>";
    const char *rels = "<Relationships><Relationship Id=\"rId1\" Target=\"/xl/worksheets/a.xml\"/>"
                       "<Relationship Id=\"rId2\" Target=\"worksheets/b.xml\"/></Relationships>";
    const char *a = "<worksheet " NS "><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>hi</t>"
                    "</is></c></row></sheetData></worksheet>";
    const char *b = "<worksheet " NS "><sheetData><row r=\"1\"><c s=\"1\"><v>0</v></c></row>"
                    "</sheetData></worksheet>";
    char *path = make("two.xlsx", "xl/workbook.xml", wb, "xl/_rels/workbook.xml.rels", rels,
                      "xl/styles.xml", styles, "xl/worksheets/a.xml", a, "xl/worksheets/b.xml", b,
                      NULL);
    xlsx_book *book;
    sl_error err;
    assert_int_equal(xlsx_open(path, NULL, &book, &err), SL_OK);
    assert_int_equal(xlsx_sheet_count(book), 2);
    assert_string_equal(xlsx_sheet_name(book, 0), "Notes");
    assert_string_equal(xlsx_sheet_name(book, 1), "Numbers");
    collected c = {0};
    assert_int_equal(xlsx_read_sheet(book, 1, collect, &c, &err), SL_OK);
    assert_string_equal(c.text, "1:1904-01-01\n"); /* day 0 of the 1904 system */
    collected c0 = {0};
    assert_int_equal(xlsx_read_sheet(book, 0, collect, &c0, &err), SL_OK);
    assert_string_equal(c0.text, "1:hi\n");
    assert_int_equal(xlsx_read_sheet(book, 2, collect, &c0, &err), SL_ERR_NOT_FOUND);
    xlsx_close(book);
}

static void sink_stop_is_returned(void **state)
{
    (void)state;
    const char *sheet = "<worksheet " NS "><sheetData><row r=\"1\"><c><v>1</v></c></row>"
                        "<row r=\"2\"><c><v>2</v></c></row><row r=\"3\"><c><v>3</v></c></row>"
                        "</sheetData></worksheet>";
    collected c = {.stop_after = 2};
    sl_error err;
    assert_int_equal(read_all(make_sheet("stop.xlsx", sheet, shared), NULL, 0, &c, &err),
                     SL_ERR_NOT_FOUND);
    assert_int_equal(c.rows, 2);
}

static void damaged_files(void **state)
{
    (void)state;
    sl_error err;
    collected c = {0};
    char path[512];
    snprintf(path, sizeof path, "%s/not.xlsx", dir);
    FILE *f = fopen(path, "w");
    fputs("Video ID,Views\n1,2\n", f);
    fclose(f);
    assert_int_equal(read_all(path, NULL, 0, &c, &err), SL_ERR_PARSE);
    assert_non_null(strstr(err.message, "not a valid XLSX"));
    assert_string_equal(err.file, path);
    /* a valid workbook cut in half */
    char big[20000] = "<worksheet " NS "><sheetData>";
    for (int i = 1; i <= 300; i++)
        snprintf(big + strlen(big), sizeof big - strlen(big), "<row r=\"%d\"><c><v>%d</v></c></row>",
                 i, i * 7919);
    strcat(big, "</sheetData></worksheet>");
    char *whole = make_sheet("whole.xlsx", big, shared);
    FILE *in = fopen(whole, "rb");
    char data[40000];
    size_t n = fread(data, 1, sizeof data, in);
    fclose(in);
    snprintf(path, sizeof path, "%s/cut.xlsx", dir);
    FILE *out = fopen(path, "wb");
    fwrite(data, 1, n / 2, out);
    fclose(out);
    sl_status st = read_all(path, NULL, 0, &c, &err);
    assert_true(st == SL_ERR_PARSE || st == SL_ERR_READ);
    /* broken XML inside a valid zip */
    st = read_all(make_sheet("badxml.xlsx", "<worksheet><sheetData><row>", shared), NULL, 0, &c,
                  &err);
    assert_int_equal(st, SL_ERR_PARSE);
    assert_non_null(strstr(err.message, "XML error"));
    /* a shared-string index that does not exist */
    st = read_all(make_sheet("badidx.xlsx",
                             "<worksheet " NS "><sheetData><row r=\"1\"><c t=\"s\"><v>9</v></c>"
                             "</row></sheetData></worksheet>",
                             shared),
                  NULL, 0, &c, &err);
    assert_int_equal(st, SL_ERR_PARSE);
    assert_int_equal(err.row, 1);
    /* no workbook part */
    st = read_all(make("nowb.xlsx", "xl/other.xml", "<x/>", NULL), NULL, 0, &c, &err);
    assert_int_equal(st, SL_ERR_PARSE);
    assert_non_null(strstr(err.message, "xl/workbook.xml"));
    /* a file that is not there */
    snprintf(path, sizeof path, "%s/missing.xlsx", dir);
    assert_int_equal(read_all(path, NULL, 0, &c, &err), SL_ERR_READ);
}

/* A sheet of `rows` rows of `cells` cells each, as one string. */
static char *grid(int rows, int cells)
{
    size_t cap = (size_t)rows * (size_t)cells * 24 + 256;
    char *s = malloc(cap);
    size_t len = (size_t)sprintf(s, "<worksheet " NS "><sheetData>");
    for (int r = 1; r <= rows; r++) {
        len += (size_t)sprintf(s + len, "<row r=\"%d\">", r);
        for (int c = 0; c < cells; c++)
            len += (size_t)sprintf(s + len, "<c><v>%d</v></c>", c);
        len += (size_t)sprintf(s + len, "</row>");
    }
    sprintf(s + len, "</sheetData></worksheet>");
    return s;
}

static void limits_each_hit(void **state)
{
    (void)state;
    sl_error err;
    collected c = {0};
    xlsx_limits l;
    char *g = grid(50, 10);
    char *path = make_sheet("grid.xlsx", g, shared);
    /* cells */
    xlsx_default_limits(&l);
    l.max_cells = 100;
    assert_int_equal(read_all(path, &l, 0, &c, &err), SL_ERR_LIMIT);
    assert_non_null(strstr(err.message, "max_cells"));
    assert_int_equal(err.row, 11);
    /* columns */
    xlsx_default_limits(&l);
    l.max_columns = 5;
    assert_int_equal(read_all(path, &l, 0, &c, &err), SL_ERR_LIMIT);
    assert_non_null(strstr(err.message, "max_columns"));
    /* part size: the declared size is over the limit */
    xlsx_default_limits(&l);
    l.max_part_bytes = 1000;
    assert_int_equal(read_all(path, &l, 0, &c, &err), SL_ERR_LIMIT);
    assert_non_null(strstr(err.message, "max_part_bytes"));
    free(g);
    /* string length, in a cell and in the shared-string table */
    char longtext[400];
    memset(longtext, 'x', 300);
    longtext[300] = '\0';
    char sheet[800], sst[800];
    snprintf(sheet, sizeof sheet, "<worksheet " NS "><sheetData><row r=\"1\"><c t=\"inlineStr\">"
             "<is><t>%s</t></is></c></row></sheetData></worksheet>", longtext);
    xlsx_default_limits(&l);
    l.max_string = 100;
    assert_int_equal(read_all(make_sheet("long.xlsx", sheet, shared), &l, 0, &c, &err),
                     SL_ERR_LIMIT);
    assert_non_null(strstr(err.message, "max_string"));
    snprintf(sst, sizeof sst, "<sst " NS "><si><t>%s</t></si></sst>", longtext);
    assert_int_equal(read_all(make_sheet("longsst.xlsx", "<worksheet/>", sst), &l, 0, &c, &err),
                     SL_ERR_LIMIT);
    /* shared-string count */
    xlsx_default_limits(&l);
    l.max_shared_strings = 2;
    assert_int_equal(read_all(make_sheet("manysst.xlsx", "<worksheet/>", shared), &l, 0, &c, &err),
                     SL_ERR_LIMIT);
    assert_non_null(strstr(err.message, "max_shared_strings"));
}

/* A zip bomb: a small archive whose sheet unpacks to far more than the
 * limit.  The sheet is streamed, so the reader stops at the limit after
 * reading no more than it allows. */
static zip_int64_t bomb_source(void *state, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    uint64_t *left = state;
    static const char head[] = "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>";
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        *left = (uint64_t)64 << 20;
        return 0;
    case ZIP_SOURCE_READ: {
        zip_uint64_t n = len < *left ? len : *left;
        char *out = data;
        for (zip_uint64_t i = 0; i < n; i++) {
            uint64_t at = ((uint64_t)64 << 20) - *left + i;
            out[i] = at < sizeof head - 1 ? head[at] : 'A';
        }
        *left -= n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_CLOSE:
        return 0;
    case ZIP_SOURCE_STAT: {
        zip_stat_t *st = data;
        zip_stat_init(st);
        return sizeof *st;
    }
    case ZIP_SOURCE_ERROR:
        return 0;
    case ZIP_SOURCE_FREE:
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              -1);
    default:
        return -1;
    }
}

static void zip_bomb_stops_at_the_limit(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/bomb.xlsx", dir);
    int zerr;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    const char *parts[][2] = {{"xl/workbook.xml", workbook_1}, {"xl/_rels/workbook.xml.rels", rels_1}};
    for (int i = 0; i < 2; i++)
        zip_file_add(z, parts[i][0], zip_source_buffer(z, parts[i][1], strlen(parts[i][1]), 0), 0);
    uint64_t left = 0;
    zip_source_t *src = zip_source_function(z, bomb_source, &left);
    assert_true(zip_file_add(z, "xl/worksheets/sheet1.xml", src, 0) >= 0);
    assert_int_equal(zip_close(z), 0);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    assert_true(size < 1 << 20); /* 64 MiB of sheet in a small file */
    xlsx_limits l;
    xlsx_default_limits(&l);
    l.max_part_bytes = (uint64_t)8 << 20;
    l.max_string = (size_t)64 << 20;
    collected c = {0};
    sl_error err;
    assert_int_equal(read_all(path, &l, 0, &c, &err), SL_ERR_LIMIT);
    assert_non_null(strstr(err.message, "max_part_bytes"));
    /* with the default string limit, the one huge cell stops it first */
    xlsx_default_limits(&l);
    assert_int_equal(read_all(path, &l, 0, &c, &err), SL_ERR_LIMIT);
    assert_non_null(strstr(err.message, "max_string"));
}

static void open_from_memory(void **state)
{
    (void)state;
    char *path = make_sheet("mem.xlsx",
                            "<worksheet " NS "><sheetData><row r=\"3\"><c r=\"B3\"><v>42</v></c>"
                            "</row></sheetData></worksheet>",
                            shared);
    FILE *f = fopen(path, "rb");
    static char data[8192];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    xlsx_book *b;
    sl_error err;
    assert_int_equal(xlsx_open_buffer(data, n, "upload.xlsx", NULL, &b, &err), SL_OK);
    collected c = {0};
    assert_int_equal(xlsx_read_sheet(b, 0, collect, &c, &err), SL_OK);
    assert_string_equal(c.text, "3:|42\n");
    xlsx_close(b);
    assert_int_equal(xlsx_open_buffer("PK", 2, "upload.xlsx", NULL, &b, &err), SL_ERR_PARSE);
    assert_string_equal(err.file, "upload.xlsx");
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cell_types),
        cmocka_unit_test(sheets_and_1904),
        cmocka_unit_test(sink_stop_is_returned),
        cmocka_unit_test(damaged_files),
        cmocka_unit_test(limits_each_hit),
        cmocka_unit_test(zip_bomb_stops_at_the_limit),
        cmocka_unit_test(open_from_memory),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return failed;
}
