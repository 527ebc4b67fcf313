/*
 * cmd_read.c — `shoplab read`: export files in, a funnel report out (a
 * terminal table, CSV, JSON or one HTML page), the import kept in the store.
 *
 * Output to --output goes to a temporary file next to it, renamed into
 * place only when complete, so a failed run never leaves half a report.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Table rows printed before "… more rows" (the other formats hold all). */
#define TABLE_MAX_ROWS 100
/* Files smaller than this finish before a progress bar would help. */
#define PROGRESS_MIN_BYTES ((uint64_t)4 << 20)

static const char *const by_choices[] = {"video", "product", "live", "creator", "day", "channel",
                                         NULL};
static const char *const format_choices[] = {"table", "csv", "json", "html", NULL};

enum { F_BY, F_FORMAT, F_OUTPUT, F_NO_STORE, F_EXPLAIN, F_STRICT, F_DB, F_SHEET, F_THREADS,
       F__COUNT };

static const flag_spec flags[] = {
    [F_BY] = {"by", FLAG_CHOICE, false, "KEY",
              "group rows by video, product, live, creator or day, or by channel band in files "
              "split that way (default: the file's most specific key)",
              by_choices},
    [F_FORMAT] = {"format", FLAG_CHOICE, false, "FORMAT",
                  "table (default), csv, json or html", format_choices},
    [F_OUTPUT] = {"output", FLAG_TEXT, false, "PATH",
                  "write the report to PATH (complete or not at all) instead of stdout", NULL},
    [F_NO_STORE] = {"no-store", FLAG_SWITCH, false, NULL,
                    "do not keep this import in the store", NULL},
    [F_EXPLAIN] = {"explain", FLAG_SWITCH, false, NULL,
                   "show how each column was understood (header, field, section, parser)", NULL},
    [F_STRICT] = {"strict", FLAG_SWITCH, false, NULL,
                  "stop at the first bad row (default: skip bad rows and count them)", NULL},
    [F_DB] = {"db", FLAG_TEXT, false, "PATH",
              "the store (default $SHOPLAB_DB, else ~/.local/share/shoplab/shoplab.db)", NULL},
    [F_SHEET] = {"sheet", FLAG_TEXT, false, "NAME|N",
                 "XLSX: the sheet to read, by name or number (default: the first sheet with "
                 "a header ShopLab recognises)",
                 NULL},
    [F_THREADS] = {"threads", FLAG_COUNT, false, "N",
                   "threads for large CSV files (default: one per core)", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec spec = {
    "read",
    "Read export files (CSV or XLSX, '-' for CSV on stdin) and report one row per video, "
    "product, LIVE, creator or day: summed counts, rates with intervals, each row's weakest "
    "step and next test against your own median, a rank and totals.",
    "Example: shoplab read videos.xlsx --by video --format html --output report.html",
    flags,
    1,
    64,
    "FILE...",
};

/* Opens the store of --db (or the default path) for writing, or read-only
 * for commands that only read.  Returns -1 when open, else the exit code
 * (the message printed). */
static int open_store(const command_spec *cmd, const char *db_flag, bool readonly,
                      sl_store **store)
{
    char path[4096];
    sl_error err;
    if (db_flag) {
        snprintf(path, sizeof path, "%s", db_flag);
    } else if (sl_store_default_path(path, sizeof path, &err) != SL_OK) {
        cli_fail(cmd, "%s", err.message);
        return EXIT_STORE;
    }
    sl_status st = readonly ? sl_store_open_readonly(path, store, &err)
                            : sl_store_open(path, store, &err);
    /* No store yet: an empty one in memory answers "nothing yet" without
     * creating a file a reading command has no reason to create. */
    if (readonly && st == SL_ERR_NOT_FOUND)
        st = sl_store_open(":memory:", store, &err);
    if (st != SL_OK) {
        cli_fail(cmd, "%s", err.message);
        return cli_exit_code(st);
    }
    return -1;
}

int cli_open_store(const command_spec *cmd, const char *db_flag, sl_store **store)
{
    return open_store(cmd, db_flag, false, store);
}

int cli_open_store_readonly(const command_spec *cmd, const char *db_flag, sl_store **store)
{
    return open_store(cmd, db_flag, true, store);
}

/* ---- progress ---- */

typedef struct progress {
    bool active;
    int last;
} progress;

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress *p = ctx;
    if (!p->active || total < PROGRESS_MIN_BYTES)
        return;
    int pct = total ? (int)(done * 100 / total) : 100;
    if (pct == p->last)
        return;
    p->last = pct;
    char bar[31];
    int fill = pct * 30 / 100;
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\rreading [%s] %3d%%", bar, pct);
    if (pct >= 100)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

/* ---- table ---- */

static int terminal_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 60)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    int n = c ? atoi(c) : 0;
    return n >= 60 && n <= 400 ? n : 80;
}

/* Prints at most `width` display columns of `text` (UTF-8 aware), padded. */
static void print_cell(FILE *out, const char *text, int width)
{
    int used = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p && used < width) {
        size_t len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        bool wide = len >= 3; /* CJK and most 3-byte characters take two columns */
        int w = wide ? 2 : 1;
        if (used + w > width - (p[len] ? 1 : 0) && p[len]) {
            fputs("~", out);
            used++;
            break;
        }
        fwrite(p, 1, len, out);
        used += w;
        p += len;
    }
    for (; used < width; used++)
        fputc(' ', out);
}

/* A count in at most six characters: "13,400", "123.4K", "12.34M". */
static void short_count(char *buf, size_t size, double v)
{
    if (v < 100000)
        cli_count(buf, v);
    else if (v < 1e6)
        snprintf(buf, size, "%.1fK", v / 1e3);
    else if (v < 1e9)
        snprintf(buf, size, v < 1e8 ? "%.2fM" : "%.0fM", v / 1e6);
    else
        snprintf(buf, size, v < 1e11 ? "%.2fB" : "%.0fB", v / 1e9);
}

static void format_rate(char *buf, size_t size, const sl_decode_result *d, bool ok,
                        const sl_report_row *row, sl_rate_id id)
{
    double v;
    const char *mark = "";
    if (ok && d->rates[id].present)
        v = d->rates[id].value;
    else if (row->reported_present & (1u << id))
        v = row->reported[id], mark = "*";
    else {
        snprintf(buf, size, "-");
        return;
    }
    snprintf(buf, size, v < 1 ? "%.2f%%%s" : "%.1f%%%s", v * 100, mark);
}

/* Column widths of the table; the key column takes what the terminal has. */
typedef struct table_layout {
    int rank;                   /* digits of the last rank shown */
    int key;
    bool gmv;                   /* shown on terminals of 100 columns or more */
} table_layout;

static void table_line(FILE *out, const sl_report *r, size_t index, const sl_report_row *row,
                       const table_layout *t)
{
    sl_decode_result d;
    bool ok = sl_report_decode(r, index, &d, NULL) == SL_OK;
    static const sl_field counts[] = {SL_FIELD_VIEWS, SL_FIELD_PRODUCT_IMPRESSIONS,
                                      SL_FIELD_PRODUCT_CLICKS, SL_FIELD_ORDERS};
    char cell[4][24], gmv[24] = "-", ctr[16], ctor[16], rank[12] = "";
    double v;
    for (int i = 0; i < 4; i++) {
        if (sl_funnel_get(&row->funnel, counts[i], &v))
            short_count(cell[i], sizeof cell[i], v);
        else
            snprintf(cell[i], sizeof cell[i], "-");
    }
    if (sl_funnel_get(&row->funnel, SL_FIELD_GMV, &v))
        snprintf(gmv, sizeof gmv, "%.2f", v);
    format_rate(ctr, sizeof ctr, &d, ok, row, SL_RATE_PRODUCT_CTR);
    format_rate(ctor, sizeof ctor, &d, ok, row, SL_RATE_CTOR);
    const char *reading = "-";
    if (ok) {
        reading = d.has_bottleneck ? sl_step_name(d.bottleneck) : "none";
        for (int s = 0; s < SL_STEP__COUNT && !d.has_bottleneck; s++)
            if (d.steps[s].verdict == SL_VERDICT_TOO_EARLY)
                reading = "too early";
    }
    if (index != SIZE_MAX)
        snprintf(rank, sizeof rank, "%zu", row->rank);
    fprintf(out, "%*s ", t->rank, rank);
    print_cell(out, index == SIZE_MAX ? "Total" : row->key, t->key);
    fprintf(out, " %6s %6s %6s %6s", cell[0], cell[1], cell[2], cell[3]);
    if (t->gmv)
        fprintf(out, " %13s", gmv);
    fprintf(out, " %6s %6s  %s\n", ctr, ctor, reading);
}

static void print_table(FILE *out, const sl_report *r)
{
    int width = terminal_width();
    table_layout t = {.gmv = width >= 100, .rank = 1};
    size_t shown = r->row_count < TABLE_MAX_ROWS ? r->row_count : TABLE_MAX_ROWS;
    for (size_t n = shown; n >= 10; n /= 10)
        t.rank++;
    /* rank, four counts 28, two rates 14, gap 2, weakest step 13 (+14 GMV) */
    int room = width - (t.rank + 1) - 28 - 14 - 2 - 13 - (t.gmv ? 14 : 0) - 1;
    int longest = 5;
    for (size_t i = 0; i < shown; i++) {
        int len = (int)strlen(r->rows[i].key);
        if (len > longest)
            longest = len;
    }
    t.key = longest < room ? longest : room;
    if (t.key < 8)
        t.key = 8;
    fprintf(out, "%s%*s ", cli_bold(), t.rank, "#");
    print_cell(out, sl_report_key_name(r), t.key);
    fprintf(out, " %6s %6s %6s %6s", "views", "impr.", "clicks", "orders");
    if (t.gmv)
        fprintf(out, " %13s", "GMV");
    fprintf(out, " %6s %6s  %s%s\n", "CTR", "CTOR", "weakest step", cli_reset());
    for (size_t i = 0; i < shown; i++)
        table_line(out, r, i, &r->rows[i], &t);
    if (shown < r->row_count)
        fprintf(out, "    ... %zu more rows (--format csv, json or html lists them all)\n",
                r->row_count - shown);
    table_line(out, r, SIZE_MAX, &r->totals, &t);
}

/* What a CSV file not in UTF-8 was read as, or NULL for UTF-8 and XLSX.
 * Windows-1252 is a guess (no byte says it), so its note says how to check
 * and what to do instead. */
static const char *encoding_note(const sl_source *s)
{
    if (strcmp(s->encoding, "windows-1252") == 0)
        return "not UTF-8, so read as Windows-1252 (Excel's \"CSV\" on Windows) and "
               "converted; if a letter or a currency sign reads wrong, save the file as \"CSV "
               "UTF-8\" and read it again.";
    if (strcmp(s->encoding, "utf-16le") == 0)
        return "UTF-16LE (Excel's \"Unicode text\"), converted to UTF-8.";
    if (strcmp(s->encoding, "utf-16be") == 0)
        return "UTF-16BE, converted to UTF-8.";
    return NULL;
}

/* One source's lines: file, header row, rows read and what was left out;
 * its title, encoding, channels and its own total's check. */
static void print_source(FILE *out, const sl_report *r, const sl_source *s)
{
    char buf[32];
    char line[800];
    char skipped[160] = "";
    size_t w = 0;
    if (s->skipped)
        w += (size_t)snprintf(skipped + w, sizeof skipped - w, ", %llu bad rows skipped",
                              (unsigned long long)s->skipped);
    if (s->bad_cells)
        w += (size_t)snprintf(skipped + w, sizeof skipped - w,
                              ", %llu unreadable cell%s left out",
                              (unsigned long long)s->bad_cells, s->bad_cells == 1 ? "" : "s");
    if (s->summary_rows)
        w += (size_t)snprintf(skipped + w, sizeof skipped - w,
                              ", %llu total or change row%s not counted",
                              (unsigned long long)s->summary_rows,
                              s->summary_rows == 1 ? "" : "s");
    if (s->tables > 1)
        snprintf(skipped + w, sizeof skipped - w, ", the table of %d on the sheet with a row "
                 "per key", s->tables);
    snprintf(line, sizeof line, "%s%s%s: header on row %llu, %s data rows%s%s%s%s", s->file,
             s->sheet[0] ? ", sheet " : "", s->sheet, (unsigned long long)s->header_row,
             cli_count(buf, (double)s->rows), skipped, s->period[0] ? ", period " : "",
             s->period, s->description_row ? ", description row skipped" : "");
    cli_wrap(out, 2, "Source: ", line);
    if (s->title[0])
        cli_wrap(out, 4, "  Title: ", s->title);
    if (encoding_note(s))
        cli_wrap(out, 4, "  Encoding: ", encoding_note(s));
    if (s->channel_count && !r->by_channel) {
        char list[400];
        size_t w = 0;
        for (size_t ch = 0; ch < s->channel_count && w + 70 < sizeof list; ch++)
            w += (size_t)snprintf(list + w, sizeof list - w, "%s%s", ch ? ", " : "",
                                  s->channels[ch].name);
        snprintf(list + w, sizeof list - w, " (the totals above are the all-channels band; "
                                            "--by channel shows each)");
        cli_wrap(out, 4, "  Channels: ", list);
    }
    if (s->check_row) {
        char check[400];
        sl_report_check_text(s, check, sizeof check);
        cli_wrap(out, 4, "  Check: ", check);
    }
}

/* The totals' reading in one line: the weakest step and the next test, or
 * why there is none. */
static void print_totals_reading(FILE *out, const sl_report *r)
{
    sl_decode_result d;
    if (sl_report_decode(r, SIZE_MAX, &d, NULL) == SL_OK) {
        char line[700];
        const sl_step_reading *early = NULL;
        for (int s = 0; s < SL_STEP__COUNT && !early; s++)
            if (d.steps[s].verdict == SL_VERDICT_TOO_EARLY)
                early = &d.steps[s];
        if (d.has_bottleneck)
            snprintf(line, sizeof line, "weakest step %s. %s", sl_step_name(d.bottleneck),
                     d.next_test_text);
        else if (early)
            snprintf(line, sizeof line, "too early to tell. %s", early->explanation);
        else
            snprintf(line, sizeof line, "no weak step against the baseline. Change nothing yet; "
                                        "read again when more data is in.");
        cli_wrap(out, 2, "Totals: ", line);
    }
}

/* What each row was read against, and what the rate columns mean. */
static void print_baseline(FILE *out, const sl_report *r)
{
    sl_baseline b;
    sl_report_baseline(r, 0, &b);
    bool own = b.views_source == SL_BASELINE_HISTORY ||
               b.product_ctr_source == SL_BASELINE_HISTORY || b.ctor_source == SL_BASELINE_HISTORY;
    char stored[300];
    snprintf(stored, sizeof stored,
             "each row is read against the median of %zu %ss from your earlier imports "
             "(practice reference values, invented for practice, where fewer than five have "
             "the number).",
             r->baseline_groups, sl_dimension_name(r->by));
    cli_wrap(out, 2, "Baseline: ",
             !own                 ? sl_practice_label()
             : r->baseline_stored ? stored
                                  : "each row is read against the median of the other rows "
                                    "(where at least five have the number; practice reference "
                                    "values, invented for practice, for the rest).");
    cli_wrap(out, 2, "",
             "CTR is Product CTR (product clicks / product impressions), CTOR is orders / "
             "product clicks; * marks a rate as the file reports it (its parts are missing).");
}

static void print_summary(FILE *out, const sl_report *r)
{
    fputc('\n', out);
    for (size_t i = 0; i < r->source_count; i++)
        print_source(out, r, &r->sources[i]);
    print_totals_reading(out, r);
    print_baseline(out, r);
}

/* The first few problems, each as file:row:column, header, value and why. */
static void print_issue_list(FILE *err, const sl_row_issue *issues, size_t count)
{
    for (size_t i = 0; i < count; i++)
        fprintf(err, "  %s:%llu:%llu: column \"%s\", value \"%s\": %s\n", issues[i].file,
                (unsigned long long)issues[i].row, (unsigned long long)issues[i].column,
                issues[i].header, issues[i].value, issues[i].message);
}

static void print_issues(FILE *err, const sl_report *r)
{
    /* The guessed encoding is said whatever the format, as skipped rows are. */
    for (size_t i = 0; i < r->source_count; i++)
        if (strcmp(r->sources[i].encoding, "windows-1252") == 0)
            fprintf(err, "shoplab read: %s is not UTF-8: read as Windows-1252; if a letter or "
                         "a currency sign reads wrong, save it as \"CSV UTF-8\" and read it "
                         "again\n",
                    r->sources[i].file);
    if (r->cells_unread) {
        fprintf(err,
                "shoplab read: %llu cell%s could not be read; each is left out, the rest of "
                "its row is kept; the first:\n",
                (unsigned long long)r->cells_unread, r->cells_unread == 1 ? "" : "s");
        print_issue_list(err, r->cell_issues, r->cell_issue_count);
    }
    if (!r->rows_skipped)
        return;
    fprintf(err, "shoplab read: skipped %llu bad row%s; the first:\n",
            (unsigned long long)r->rows_skipped, r->rows_skipped == 1 ? "" : "s");
    print_issue_list(err, r->issues, r->issue_count);
    fprintf(err, "  (--strict stops at the first bad row instead)\n");
}

static void print_explain(FILE *out, const sl_report *r)
{
    for (size_t i = 0; i < r->source_count; i++) {
        const sl_source *s = &r->sources[i];
        fprintf(out, "%s%s%s%s: header on row %llu", cli_bold(), s->file, s->sheet[0] ? " / " : "",
                s->sheet, (unsigned long long)s->header_row);
        if (s->band_row)
            fprintf(out, ", section band on row %llu", (unsigned long long)s->band_row);
        if (s->description_row)
            fprintf(out, ", description row %llu skipped", (unsigned long long)s->description_row);
        fprintf(out, "%s\n", cli_reset());
        for (size_t c = 0; c < s->column_count; c++) {
            const sl_column *col = &s->columns[c];
            char letters[8];
            uint32_t n = col->index + 1;
            int len = 0;
            char tmp[8];
            while (n && len < 7) {
                tmp[len++] = (char)('A' + (n - 1) % 26);
                n = (n - 1) / 26;
            }
            for (int k = 0; k < len; k++)
                letters[k] = tmp[len - 1 - k];
            letters[len] = '\0';
            char header[200];
            snprintf(header, sizeof header, "%s%s%s", col->section, col->section[0] ? " / " : "",
                     col->header[0] ? col->header : "(empty)");
            char target[160];
            switch (col->role) {
            case SL_COLUMN_FIELD:
                snprintf(target, sizeof target, "%s (%s%s%s)", sl_field_name(col->field),
                         sl_parser_name(col->parser), col->currency[0] ? ", " : "",
                         col->currency);
                break;
            case SL_COLUMN_RATE:
                snprintf(target, sizeof target, "%s as reported (rate)", sl_rate_name(col->rate));
                break;
            case SL_COLUMN_KEY:
                snprintf(target, sizeof target, "key %s (%s)", sl_dimension_name(col->dimension),
                         col->parser == SL_PARSER_TIME && col->dimension == SL_DIM_LIVE
                             ? "start time, with the title"
                             : sl_parser_name(col->parser));
                break;
            case SL_COLUMN_LABEL:
                snprintf(target, sizeof target, "label (text)");
                break;
            default:
                snprintf(target, sizeof target, "extra: %s%s%s%s", col->note ? col->note : "kept",
                         col->term ? " [" : "", col->term ? col->term : "", col->term ? "]" : "");
            }
            fprintf(out, "  %-3s ", letters);
            print_cell(out, header, 34);
            fprintf(out, " -> %s%s\n", col->guessed ? "guessed: " : "", target);
            if (col->how[0])
                cli_wrap(out, 8, "", col->how);
            if (col->bad_cells)
                fprintf(out, "        %llu cell%s could not be read (left out, rows kept)\n",
                        (unsigned long long)col->bad_cells, col->bad_cells == 1 ? "" : "s");
        }
    }
    fputc('\n', out);
}

/* ---- output ---- */

static sl_status write_report(FILE *out, const char *format, const sl_report *r, bool explain)
{
    if (explain && strcmp(format, "table") == 0)
        print_explain(out, r);
    if (strcmp(format, "csv") == 0)
        return sl_report_write_csv(r, out);
    if (strcmp(format, "html") == 0)
        return sl_report_write_html(r, out);
    if (strcmp(format, "json") == 0) {
        char *json = sl_report_to_json(r);
        if (!json)
            return SL_ERR_NO_MEMORY;
        fputs(json, out);
        fputc('\n', out);
        sl_free(json);
        return ferror(out) ? SL_ERR_IO : SL_OK;
    }
    print_table(out, r);
    print_summary(out, r);
    return ferror(out) ? SL_ERR_IO : SL_OK;
}

/* Writes to PATH through PATH.tmp-XXXXXX and a rename. */
typedef struct report_output {
    const char *format;
    const sl_report *report;
    bool explain;
} report_output;

static sl_status write_report_to(FILE *out, void *ctx)
{
    const report_output *o = ctx;
    return write_report(out, o->format, o->report, o->explain);
}

static int write_to_path(const char *path, const char *format, const sl_report *r, bool explain)
{
    report_output o = {format, r, explain};
    return cli_write_file(&spec, path, write_report_to, &o);
}

int cmd_read(int argc, char **argv)
{
    flag_value v[F__COUNT];
    cli_args args;
    int rc = cli_parse(&spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    const char *format = v[F_FORMAT].set ? v[F_FORMAT].text : "table";
    if (v[F_EXPLAIN].set && strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
        cli_error(&spec, "--explain goes with the table (or see \"sources\" in --format json)");
        return EXIT_USAGE;
    }
    if (v[F_THREADS].set && (v[F_THREADS].number < 1 || v[F_THREADS].number > 64)) {
        cli_error(&spec, "--threads: give 1 to 64");
        return EXIT_USAGE;
    }
    sl_store *store = NULL;
    if (!v[F_NO_STORE].set && (rc = cli_open_store(&spec, v[F_DB].text, &store)) >= 0)
        return rc;
    progress bar = {.active = isatty(STDERR_FILENO), .last = -1};
    sl_read_options options = {
        .group = v[F_BY].set,
        .sheet = v[F_SHEET].text,
        .strict = v[F_STRICT].set,
        .threads = v[F_THREADS].set ? (unsigned)v[F_THREADS].number : 0,
        .store = store,
        .progress = show_progress,
        .progress_ctx = &bar,
    };
    if (v[F_BY].set && strcmp(v[F_BY].text, "channel") == 0) {
        options.group = false;
        options.by_channel = true;
    } else if (v[F_BY].set) {
        for (int k = 0; by_choices[k]; k++)
            if (strcmp(by_choices[k], v[F_BY].text) == 0)
                options.by = (sl_dimension)k;
    }
    sl_report *report = NULL;
    sl_error err;
    sl_status st = sl_report_read(args.items, (size_t)args.count, &options, &report, &err);
    if (bar.last >= 0 && bar.last < 100)
        fputs("\r\033[K", stderr);
    sl_store_close(store);
    if (st != SL_OK) {
        cli_fail(&spec, "%s", err.message);
        return cli_exit_code(st);
    }
    for (size_t i = 0; i < report->source_count && store; i++) {
        const sl_source *s = &report->sources[i];
        if (s->already_stored)
            fprintf(stderr, "shoplab read: %s was imported before (import #%lld): nothing "
                            "added\n",
                    s->file, (long long)s->import_id);
        else
            fprintf(stderr, "shoplab read: stored %s as import #%lld (%llu rows)\n", s->file,
                    (long long)s->import_id, (unsigned long long)s->rows);
    }
    print_issues(stderr, report);
    if (v[F_OUTPUT].set) {
        rc = write_to_path(v[F_OUTPUT].text, format, report, v[F_EXPLAIN].set);
        sl_report_free(report);
        return cli_finish(rc);
    }
    st = write_report(stdout, format, report, v[F_EXPLAIN].set);
    sl_report_free(report);
    if (st == SL_ERR_NO_MEMORY) {
        fprintf(stderr, "shoplab read: error: out of memory while writing the report\n");
        return EXIT_INTERNAL;
    }
    return cli_finish(EXIT_OK);
}
