/*
 * csv2xlsx.c — builds the XLSX test fixtures from CSV files at build time,
 * so the same layouts are tested in both formats and nothing binary is
 * committed.
 *
 * Usage: csv2xlsx OUT.xlsx SHEET=FILE.csv [SHEET=FILE.csv ...]
 *
 * Cells that are plain numbers become numeric cells (their text kept as
 * written, as Excel does for 19-digit IDs read back from XML); other text
 * goes to the shared-string table; empty cells are left out (sparse rows).
 * A cell written "=DATE:45567.5" becomes that serial number in a date style,
 * and "=INLINE:text" an inline string, to exercise those paths.
 */
#include "import/ingest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data) {
            perror("csv2xlsx");
            exit(1);
        }
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_xml(buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': puts_(b, "&amp;"); break;
        case '<': puts_(b, "&lt;"); break;
        case '>': puts_(b, "&gt;"); break;
        case '"': puts_(b, "&quot;"); break;
        default: put(b, s, 1);
        }
    }
}

static bool is_number(const char *s)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (!*p)
        return false;
    bool dot = false, digit = false;
    for (; *p; p++) {
        if (*p == '.' && !dot)
            dot = true;
        else if (*p >= '0' && *p <= '9')
            digit = true;
        else
            return false;
    }
    return digit;
}

static char **strings;
static size_t string_count;

static size_t intern(const char *s)
{
    for (size_t i = 0; i < string_count; i++)
        if (strcmp(strings[i], s) == 0)
            return i;
    strings = realloc(strings, (string_count + 1) * sizeof *strings);
    strings[string_count] = strdup(s);
    if (!strings || !strings[string_count]) {
        perror("csv2xlsx");
        exit(1);
    }
    return string_count++;
}

static void column_name(size_t col, char *out)
{
    char tmp[8];
    int n = 0;
    for (size_t c = col + 1; c; c = (c - 1) / 26)
        tmp[n++] = (char)('A' + (c - 1) % 26);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

static void sheet_from_csv(const char *path, buf *xml)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror(path);
        exit(1);
    }
    char head[4096];
    ssize_t got = pread(fd, head, sizeof head, 0);
    csv_reader *r;
    sl_error err;
    if (got < 0 || csv_open(fd, path, 0, UINT64_MAX, csv_detect_delimiter(head, (size_t)got), 1,
                            &r, &err) != SL_OK) {
        fprintf(stderr, "csv2xlsx: cannot read %s\n", path);
        exit(1);
    }
    puts_(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
               "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
               "<sheetData>");
    for (;;) {
        ingest_row row;
        bool done;
        if (csv_next(r, &row, &done, &err) != SL_OK) {
            fprintf(stderr, "csv2xlsx: %s\n", err.message);
            exit(1);
        }
        if (done)
            break;
        char tag[64];
        snprintf(tag, sizeof tag, "<row r=\"%llu\">", (unsigned long long)row.number);
        puts_(xml, tag);
        for (size_t c = 0; c < row.count; c++) {
            const char *v = row.cells[c];
            if (!*v)
                continue;
            char ref[16];
            column_name(c, ref);
            snprintf(ref + strlen(ref), sizeof ref - strlen(ref), "%llu",
                     (unsigned long long)row.number);
            char cell[160];
            if (strncmp(v, "=DATE:", 6) == 0) {
                snprintf(cell, sizeof cell, "<c r=\"%s\" s=\"1\"><v>%s</v></c>", ref, v + 6);
                puts_(xml, cell);
            } else if (strncmp(v, "=INLINE:", 8) == 0) {
                snprintf(cell, sizeof cell, "<c r=\"%s\" t=\"inlineStr\"><is><t>", ref);
                puts_(xml, cell);
                put_xml(xml, v + 8);
                puts_(xml, "</t></is></c>");
            } else if (is_number(v)) {
                snprintf(cell, sizeof cell, "<c r=\"%s\"><v>", ref);
                puts_(xml, cell);
                puts_(xml, v);
                puts_(xml, "</v></c>");
            } else {
                snprintf(cell, sizeof cell, "<c r=\"%s\" t=\"s\"><v>%zu</v></c>", ref, intern(v));
                puts_(xml, cell);
            }
        }
        puts_(xml, "</row>");
    }
    puts_(xml, "</sheetData></worksheet>\n");
    csv_close(r);
    close(fd);
}

static void add(zip_t *z, const char *name, buf *b)
{
    zip_source_t *src = zip_source_buffer(z, b->data, b->len, 0);
    if (!src || zip_file_add(z, name, src, ZIP_FL_OVERWRITE) < 0) {
        fprintf(stderr, "csv2xlsx: %s\n", zip_strerror(z));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: csv2xlsx OUT.xlsx SHEET=FILE.csv ...\n");
        return 2;
    }
    int zerr;
    zip_t *z = zip_open(argv[1], ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!z) {
        fprintf(stderr, "csv2xlsx: cannot create %s\n", argv[1]);
        return 1;
    }
    int sheets = argc - 2;
    buf *parts = calloc((size_t)sheets + 6, sizeof *parts);
    buf *workbook = &parts[sheets], *rels = &parts[sheets + 1], *types = &parts[sheets + 2],
        *styles = &parts[sheets + 3], *shared = &parts[sheets + 4], *root = &parts[sheets + 5];
    puts_(workbook, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workbook "
                    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                    "relationships\"><sheets>");
    puts_(rels, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships "
                "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    for (int i = 0; i < sheets; i++) {
        char *spec = argv[2 + i], *eq = strchr(spec, '=');
        if (!eq) {
            fprintf(stderr, "csv2xlsx: give SHEET=FILE.csv, not %s\n", spec);
            return 2;
        }
        *eq = '\0';
        char line[512], name[64];
        puts_(workbook, "<sheet name=\"");
        put_xml(workbook, spec);
        snprintf(line, sizeof line, "\" sheetId=\"%d\" r:id=\"rId%d\"/>", i + 1, i + 1);
        puts_(workbook, line);
        snprintf(line, sizeof line,
                 "<Relationship Id=\"rId%d\" Type=\"http://schemas.openxmlformats.org/"
                 "officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet%d.xml\"/>",
                 i + 1, i + 1);
        puts_(rels, line);
        sheet_from_csv(eq + 1, &parts[i]);
        snprintf(name, sizeof name, "xl/worksheets/sheet%d.xml", i + 1);
        add(z, name, &parts[i]);
    }
    puts_(workbook, "</sheets></workbook>\n");
    puts_(rels, "</Relationships>\n");
    puts_(types, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types "
                 "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                 "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>\n");
    puts_(root, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships "
                "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
                "officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
                "</Relationships>\n");
    puts_(styles, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<styleSheet "
                  "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                  "<cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs>"
                  "</styleSheet>\n");
    puts_(shared, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst "
                  "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">");
    for (size_t i = 0; i < string_count; i++) {
        puts_(shared, "<si><t xml:space=\"preserve\">");
        put_xml(shared, strings[i]);
        puts_(shared, "</t></si>");
    }
    puts_(shared, "</sst>\n");
    add(z, "[Content_Types].xml", types);
    add(z, "_rels/.rels", root);
    add(z, "xl/workbook.xml", workbook);
    add(z, "xl/_rels/workbook.xml.rels", rels);
    add(z, "xl/styles.xml", styles);
    add(z, "xl/sharedStrings.xml", shared);
    if (zip_close(z) != 0) {
        fprintf(stderr, "csv2xlsx: cannot write %s\n", argv[1]);
        return 1;
    }
    for (int i = 0; i < sheets + 6; i++)
        free(parts[i].data);
    free(parts);
    for (size_t i = 0; i < string_count; i++)
        free(strings[i]);
    free(strings);
    return 0;
}
