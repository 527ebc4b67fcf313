/*
 * test_import.c — the importer against every layout in exports.md, with the
 * sums worked out by hand from the fixture files; the XLSX form of each
 * layout against its CSV form; the fast CSV reader against a simple
 * reference reader; the bulk loop and the parallel path against the
 * general path; and the store round trip.
 *
 * Usage: test_import FIXTURE_DIR XLSX_DIR
 */
#include "import/import.h"
#include "csv_reference.h"

#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char *fixtures, *xlsx_dir;
static char tmpdir[] = "/tmp/shoplab-import-XXXXXX";

static char *path_of(const char *dir, const char *name)
{
    static char buf[4][1024];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

static sl_report *read_with(const char *path, const sl_read_options *o, sl_status want)
{
    sl_report *r = NULL;
    sl_error err;
    const char *paths[] = {path};
    sl_status st = sl_report_read(paths, 1, o, &r, &err);
    if (st != want)
        fail_msg("%s: status %s (%s), expected %s", path, sl_status_name(st),
                 st ? err.message : "", sl_status_name(want));
    return r;
}

static sl_report *read_file(const char *name)
{
    sl_read_options o = {0};
    return read_with(path_of(fixtures, name), &o, SL_OK);
}

static const sl_report_row *row_of(const sl_report *r, const char *key)
{
    for (size_t i = 0; i < r->row_count; i++)
        if (strcmp(r->rows[i].key, key) == 0)
            return &r->rows[i];
    fail_msg("no row %s", key);
    return NULL;
}

static void expect_field(const sl_report_row *row, sl_field f, double want)
{
    double v = -1;
    if (!sl_funnel_get(&row->funnel, f, &v))
        fail_msg("%s: %s is absent, expected %.2f", row->key, sl_field_name(f), want);
    if (v != want)
        fail_msg("%s: %s = %.4f, expected %.4f", row->key, sl_field_name(f), v, want);
}

static void expect_absent(const sl_report_row *row, sl_field f)
{
    if (sl_funnel_has(&row->funnel, f))
        fail_msg("%s: %s should be absent", row->key, sl_field_name(f));
}

/* The report's CSV text (numbers, verdicts), for comparing two reads. */
static char *report_csv(const sl_report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(sl_report_write_csv(r, f), SL_OK);
    fclose(f);
    return text;
}

/* ---- layouts (sums by hand from the fixture files) ---- */

static void live_list_english(void **state)
{
    (void)state;
    /* A LIVE list without room IDs: each LIVE is its start time + title. */
    sl_report *r = read_file("y_live_list_en.csv");
    assert_int_equal(r->by, SL_DIM_LIVE);
    assert_int_equal(r->row_count, 3);
    row_of(r, "2024-05-17 19:30 Sari");
    sl_report_free(r);
    sl_read_options by_creator = {.group = true, .by = SL_DIM_CREATOR};
    r = read_with(path_of(fixtures, "y_live_list_en.csv"), &by_creator, SL_OK);
    assert_true(r->grouped);
    assert_int_equal(r->by, SL_DIM_CREATOR);
    assert_int_equal(r->sources[0].header_row, 3);
    assert_string_equal(r->sources[0].period, "2024-05-13 ~ 2024-05-19");
    assert_int_equal(r->rows_read, 3);
    assert_int_equal(r->row_count, 2);
    const sl_report_row *sari = row_of(r, "7001234567890123456");
    expect_field(sari, SL_FIELD_VIEWS, 5400 + 8000);
    expect_field(sari, SL_FIELD_PRODUCT_IMPRESSIONS, 4000 + 6000);
    expect_field(sari, SL_FIELD_PRODUCT_CLICKS, 400 + 480);
    expect_field(sari, SL_FIELD_ORDERS, 38 + 50);          /* Orders Paid, not Orders Created */
    expect_field(sari, SL_FIELD_ITEMS_SOLD, 45 + 60);      /* Unit Sales */
    expect_field(sari, SL_FIELD_GMV, 1234500 + 2100000);   /* Revenue (Rp) 1.234.500 */
    assert_int_equal(sari->source_rows, 2);
    assert_int_equal(sari->rank, 1);
    assert_int_equal(sari->reported_present, 0); /* two rows: reported rates not combined */
    const sl_report_row *budi = row_of(r, "7009876543210987654");
    expect_field(budi, SL_FIELD_GMV, 450000);
    expect_field(budi, SL_FIELD_ORDERS, 9);
    /* one row: the file's own CTR is kept as reported (9.50 % CO rate too);
     * its counts show it is clicks / views (90 / 2500 = 3.60 %), not clicks /
     * impressions (6.00 %), so it is video CTR whatever its name says */
    assert_true(budi->reported_present & (1u << SL_RATE_VIDEO_CTR));
    assert_false(budi->reported_present & (1u << SL_RATE_PRODUCT_CTR));
    assert_true(fabs(budi->reported[SL_RATE_VIDEO_CTR] - 0.036) < 1e-12);
    assert_string_equal(r->sources[0].columns[25].how,
                        "product clicks / views, as percent, checked on 3 rows");
    assert_true(fabs(budi->reported[SL_RATE_CTOR] - 0.10) < 1e-12);
    expect_field(&r->totals, SL_FIELD_VIEWS, 15900);
    expect_field(&r->totals, SL_FIELD_GMV, 3784500);
    /* Orders Created is no funnel field: kept as an extra, with a reason */
    const sl_column *c = &r->sources[0].columns[8];
    assert_string_equal(c->header, "Orders Created");
    assert_int_equal(c->role, SL_COLUMN_EXTRA);
    assert_non_null(c->note);
    assert_string_equal(r->sources[0].columns[5].currency, "IDR");
    sl_report_free(r);
}

static void live_list_bahasa_matches_english(void **state)
{
    (void)state;
    sl_report *en = read_file("y_live_list_en.csv"), *id = read_file("y_live_list_id.csv");
    char *a = report_csv(en), *b = report_csv(id);
    assert_string_equal(a, b);
    free(a);
    free(b);
    sl_report_free(en);
    sl_report_free(id);
}

static void video_list_bahasa(void **state)
{
    (void)state;
    sl_report *r = read_file("y_video_list_id.csv");
    assert_int_equal(r->by, SL_DIM_VIDEO);
    assert_int_equal(r->sources[0].header_row, 3);
    const sl_report_row *v = row_of(r, "7301112223334445556");
    expect_field(v, SL_FIELD_VIEWS, 20000 + 9000); /* VV */
    expect_field(v, SL_FIELD_PRODUCT_IMPRESSIONS, 8000 + 3000);
    expect_field(v, SL_FIELD_PRODUCT_CLICKS, 200 + 120);
    expect_field(v, SL_FIELD_ORDERS, 10 + 5);
    expect_field(v, SL_FIELD_GMV, 310000 + 155000);
    expect_absent(v, SL_FIELD_REFUNDS); /* "--" is absent, never 0 */
    assert_string_equal(v->label, "Serum pagi: cara pakai");
    const sl_report_row *only_views = row_of(r, "7301112223334445557");
    expect_field(only_views, SL_FIELD_VIEWS, 4000);
    expect_absent(only_views, SL_FIELD_ORDERS);
    assert_string_equal(only_views->label, "Lipstik \"matte\", 3 warna");
    const sl_report_row *budi = row_of(r, "7309998887776665554");
    expect_field(budi, SL_FIELD_GMV, 90000);
    assert_true(fabs(budi->reported[SL_RATE_CTOR] - 0.03) < 1e-12);
    sl_report_free(r);
}

static void product_list_date_range_and_channels(void **state)
{
    (void)state;
    sl_report *r = read_file("y_product_list_daterange.csv");
    assert_string_equal(r->sources[0].period, "2024-05-01 ~ 2024-05-07");
    assert_int_equal(r->by, SL_DIM_PRODUCT);
    const sl_report_row *a = row_of(r, "1729000000000000001");
    expect_field(a, SL_FIELD_GMV, 1234567);    /* Rp1.234.567 */
    expect_field(a, SL_FIELD_ORDERS, 45);
    expect_field(a, SL_FIELD_ITEMS_SOLD, 48);
    expect_field(a, SL_FIELD_REFUNDS, 25000);
    /* LIVE and video blocks are channel shares, never the total */
    expect_absent(a, SL_FIELD_PRODUCT_IMPRESSIONS);
    const sl_report_row *b = row_of(r, "1729000000000000002");
    expect_field(b, SL_FIELD_GMV, 154530);     /* Rp154.530 */
    bool live_seen = false;
    for (size_t i = 0; i < r->sources[0].column_count; i++) {
        const sl_column *c = &r->sources[0].columns[i];
        if (strcmp(c->header, "Impresi produk live streaming") == 0) {
            assert_int_equal(c->role, SL_COLUMN_EXTRA);
            assert_string_equal(c->section, "LIVE");
            live_seen = true;
        }
    }
    assert_true(live_seen);
    sl_report_free(r);
}

static void product_analysis_two_level_header(void **state)
{
    (void)state;
    sl_report *r = read_file("y_product_analysis_two_level.csv");
    const sl_source *s = &r->sources[0];
    assert_int_equal(s->header_row, 4);
    assert_int_equal(s->band_row, 3);
    assert_string_equal(s->period, "2026-09-28");
    const sl_report_row *a = row_of(r, "1729384756102938475"); /* ".0" removed */
    expect_field(a, SL_FIELD_GMV, 1234.56);
    expect_field(a, SL_FIELD_ORDERS, 40);
    expect_field(a, SL_FIELD_SKU_ORDERS, 44);
    expect_field(a, SL_FIELD_PRODUCT_IMPRESSIONS, 12000); /* All, not Affiliate or LIVE */
    expect_field(a, SL_FIELD_PRODUCT_CLICKS, 480);
    expect_field(a, SL_FIELD_REFUNDS, 0);
    const sl_report_row *b = row_of(r, "1729384756102938476");
    expect_absent(b, SL_FIELD_REFUNDS); /* "-" */
    assert_string_equal(s->columns[10].section, "Affiliate");
    assert_int_equal(s->columns[10].role, SL_COLUMN_EXTRA);
    assert_string_equal(s->columns[4].section, "All");
    assert_int_equal(s->columns[4].role, SL_COLUMN_FIELD);
    sl_report_free(r);
}

static void affiliate_videos_description_row(void **state)
{
    (void)state;
    sl_report *r = read_file("y_affiliate_videos_description_row.csv");
    assert_int_equal(r->sources[0].description_row, 2);
    assert_int_equal(r->rows_read, 2);
    assert_int_equal(r->rows_skipped, 0);
    const sl_report_row *a = row_of(r, "7311111111111111111");
    expect_field(a, SL_FIELD_GMV, 205.33); /* Creator-attributed GMV stands in for GMV */
    expect_field(a, SL_FIELD_ORDERS, 9);
    expect_field(a, SL_FIELD_PRODUCT_CLICKS, 205);
    assert_string_equal(a->label, "How I pack for 3 days");
    sl_report_free(r);
}

static void chinese_video_export(void **state)
{
    (void)state;
    sl_report *r = read_file("y_chinese_video.csv");
    assert_false(r->grouped); /* no key column: one row per file row */
    assert_int_equal(r->row_count, 2);
    const sl_report_row *a = row_of(r, "row 2");
    expect_field(a, SL_FIELD_VIEWS, 12000);
    expect_field(a, SL_FIELD_ORDERS, 6);
    assert_true(fabs(a->reported[SL_RATE_VIDEO_CTR] - 0.015) < 1e-12);
    assert_string_equal(a->label, "保温杯");
    sl_report_free(r);
}

static void affiliate_video_list_month_first_dates(void **state)
{
    (void)state;
    /* No video IDs: the post day and the title name each video. */
    sl_report *r = read_file("y_affiliate_video_list.csv");
    assert_int_equal(r->by, SL_DIM_VIDEO);
    expect_field(row_of(r, "2025-08-06 Morning routine"), SL_FIELD_GMV, 120);
    sl_report_free(r);
    sl_read_options by_creator = {.group = true, .by = SL_DIM_CREATOR};
    r = read_with(path_of(fixtures, "y_affiliate_video_list.csv"), &by_creator, SL_OK);
    assert_int_equal(r->by, SL_DIM_CREATOR);
    const sl_report_row *mina = row_of(r, "@mina.cooks");
    expect_field(mina, SL_FIELD_GMV, 180.5);
    expect_field(mina, SL_FIELD_ORDERS, 8);
    expect_field(mina, SL_FIELD_ITEMS_SOLD, 8); /* "Affiliate items sold " (trailing space) */
    expect_field(mina, SL_FIELD_EST_COMMISSION, 18.05);
    expect_field(mina, SL_FIELD_REFUNDS, 10);
    sl_report_free(r);
    sl_read_options o = {.group = true, .by = SL_DIM_DAY};
    r = read_with(path_of(fixtures, "y_affiliate_video_list.csv"), &o, SL_OK);
    assert_int_equal(r->row_count, 3);
    expect_field(row_of(r, "2025-08-06"), SL_FIELD_GMV, 120); /* 8/6/2025 is 6 August */
    expect_field(row_of(r, "2025-08-13"), SL_FIELD_GMV, 60.5);
    sl_report_free(r);
}

static void malaysian_live_export(void **state)
{
    (void)state;
    sl_report *r = read_file("y_creator_live_my.csv");
    assert_int_equal(r->by, SL_DIM_LIVE);
    assert_int_equal(r->sources[0].header_row, 3);
    assert_string_equal(r->sources[0].period, "2026-06-01 ~ 2026-06-07");
    const sl_report_row *a = row_of(r, "7400000000000000001");
    expect_field(a, SL_FIELD_GMV, 1250);  /* RM1,250.00 */
    expect_field(a, SL_FIELD_ORDERS, 25);
    expect_field(a, SL_FIELD_SKU_ORDERS, 28);
    expect_field(a, SL_FIELD_VIEWS, 6000);
    expect_field(a, SL_FIELD_PRODUCT_IMPRESSIONS, 9000);
    expect_field(a, SL_FIELD_PRODUCT_CLICKS, 300);
    sl_report_free(r);
}

static void bom_crlf_semicolon(void **state)
{
    (void)state;
    sl_report *r = read_file("y_bom_crlf_semicolon.csv");
    assert_int_equal(r->row_count, 2);
    expect_field(row_of(r, "7301"), SL_FIELD_GMV, 19.98);
    expect_field(row_of(r, "7302"), SL_FIELD_GMV, 29.97);
    assert_string_equal(r->sources[0].columns[0].header, "Video ID"); /* BOM gone */
    sl_report_free(r);
}

static void quoted_titles(void **state)
{
    (void)state;
    sl_report *r = read_file("y_quoted_titles.csv");
    assert_string_equal(row_of(r, "7301")->label, "Serum, the \"honest\" review");
    assert_string_equal(row_of(r, "7302")->label, "Two lines\nin one title");
    assert_string_equal(row_of(r, "7303")->label, "<script>alert(1)</script>");
    sl_report_free(r);
}

static void html_is_self_contained_and_escaped(void **state)
{
    (void)state;
    sl_report *r = read_file("y_quoted_titles.csv");
    char *html = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&html, &len);
    assert_int_equal(sl_report_write_html(r, f), SL_OK);
    fclose(f);
    /* titles from the file are shown, never run */
    assert_null(strstr(html, "<script"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(html, "\"><img"));
    assert_non_null(strstr(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    /* one file: no external assets */
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "src=\"http"));
    assert_null(strstr(html, "url("));
    assert_non_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "not affiliated"));
    free(html);
    sl_report_free(r);
}

static void bad_rows_skipped_or_strict(void **state)
{
    (void)state;
    /* Rows are bad only for contradicting counts or a missing key; an
     * unreadable cell costs its own field and the row is kept. */
    sl_report *r = read_file("i_bad_rows.csv");
    assert_int_equal(r->rows_read, 5);
    assert_int_equal(r->rows_skipped, 2);
    assert_int_equal(r->issue_count, 2);
    assert_int_equal(r->issues[0].row, 3);
    assert_int_equal(r->issues[0].column, 4);
    assert_string_equal(r->issues[0].header, "Product clicks");
    assert_string_equal(r->issues[0].value, "600");
    assert_int_equal(r->issues[1].row, 7); /* no video key */
    assert_int_equal(r->cells_unread, 3);
    assert_int_equal(r->cell_issue_count, 3);
    assert_int_equal(r->cell_issues[0].row, 4);     /* -5 views */
    assert_int_equal(r->cell_issues[1].column, 3);  /* "abc" impressions */
    assert_int_equal(r->cell_issues[2].row, 6);     /* 2.5 orders */
    assert_int_equal(r->sources[0].columns[1].bad_cells, 1);
    assert_int_equal(r->sources[0].summary_rows, 1); /* the Total row */
    expect_field(&r->totals, SL_FIELD_VIEWS, 1000 + 1000 + 1000 + 2000);
    expect_field(&r->totals, SL_FIELD_ORDERS, 2 + 2 + 2 + 4); /* 2.5 left out */
    /* the file's own Total row is the cross-check: its views are 5000 */
    assert_int_equal(r->sources[0].check_row, 0); /* a total inside the table: not a summary table */
    sl_report_free(r);
    sl_read_options strict = {.strict = true};
    sl_error err;
    const char *paths[] = {path_of(fixtures, "i_bad_rows.csv")};
    assert_int_equal(sl_report_read(paths, 1, &strict, &r, &err), SL_ERR_PARSE);
    assert_null(r);
    assert_int_equal(err.row, 3);
    assert_int_equal(err.column, 4);
    assert_string_equal(err.header, "Product clicks");
}

/* "Name (1234567890123456789)": the product ID in the name's brackets. */
static void product_id_inside_name(void **state)
{
    (void)state;
    sl_report *r = read_file("y_product_name_with_id.csv");
    assert_int_equal(r->by, SL_DIM_PRODUCT);
    assert_int_equal(r->row_count, 2);
    const sl_report_row *glow = row_of(r, "1729384756102938475");
    assert_string_equal(glow->label, "Glow Serum");
    expect_field(glow, SL_FIELD_VIEWS, 2500);
    sl_report_free(r);
}

/* Bands other than "All" are channels: summed per band, never into the
 * totals, and a report of their own with --by channel. */
static void channel_bands(void **state)
{
    (void)state;
    sl_report *r = read_file("y_product_analysis_two_level.csv");
    const sl_source *s = &r->sources[0];
    assert_int_equal(s->channel_count, 2);
    assert_string_equal(s->channels[0].name, "Affiliate");
    assert_string_equal(s->channels[1].name, "Seller LIVE");
    expect_field(&r->totals, SL_FIELD_PRODUCT_IMPRESSIONS, 12000 + 4000);
    double affiliate = s->channels[0].value[SL_FIELD_PRODUCT_IMPRESSIONS];
    double live = s->channels[1].value[SL_FIELD_PRODUCT_IMPRESSIONS];
    assert_true(affiliate == 7000 + 2500 && live == 5000 + 1500); /* they add up to All */
    assert_true(s->channels[0].value[SL_FIELD_PRODUCT_CLICKS] == 300 + 60);
    sl_report_free(r);
    sl_read_options o = {.by_channel = true};
    r = read_with(path_of(fixtures, "y_product_analysis_two_level.csv"), &o, SL_OK);
    assert_true(r->by_channel);
    assert_string_equal(sl_report_key_name(r), "channel");
    assert_int_equal(r->row_count, 2);
    expect_field(row_of(r, "Affiliate"), SL_FIELD_PRODUCT_IMPRESSIONS, affiliate);
    expect_field(row_of(r, "Seller LIVE"), SL_FIELD_PRODUCT_IMPRESSIONS, live);
    sl_report_free(r);
}

static void unusable_files(void **state)
{
    (void)state;
    sl_read_options o = {0};
    assert_null(read_with(path_of(fixtures, "n_no_header.csv"), &o, SL_ERR_UNRECOGNISED));
    assert_null(read_with(path_of(fixtures, "n_only_keys.csv"), &o, SL_ERR_UNRECOGNISED));
    assert_null(read_with(path_of(fixtures, "n_empty.csv"), &o, SL_ERR_UNRECOGNISED));
    assert_null(read_with(path_of(fixtures, "n_unclosed_quote.csv"), &o, SL_ERR_PARSE));
    assert_null(read_with(path_of(fixtures, "does-not-exist.csv"), &o, SL_ERR_READ));
    /* Nothing read is never a quiet success. */
    assert_null(read_with(path_of(fixtures, "n_header_only.csv"), &o, SL_ERR_NO_DATA));
    assert_null(read_with(path_of(fixtures, "n_all_rows_bad.csv"), &o, SL_ERR_NO_DATA));
    sl_read_options by_channel = {.by_channel = true};
    assert_null(read_with(path_of(fixtures, "y_video_list_id.csv"), &by_channel,
                          SL_ERR_UNRECOGNISED));
    sl_read_options by_live = {.group = true, .by = SL_DIM_LIVE};
    assert_null(read_with(path_of(fixtures, "y_video_list_id.csv"), &by_live,
                          SL_ERR_UNRECOGNISED));
}

/* ---- XLSX: every layout gives the report its CSV gives ---- */

static void xlsx_matches_csv(void **state)
{
    (void)state;
    static const char *const layouts[] = {
        "y_live_list_en", "y_live_list_id", "y_video_list_id", "y_product_list_daterange",
        "y_product_analysis_two_level", "y_affiliate_videos_description_row",
        "y_chinese_video", "y_affiliate_video_list", "y_creator_live_my", "y_quoted_titles",
        "i_bad_rows"};
    for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++) {
        char csv_name[128], xlsx_name[128];
        snprintf(csv_name, sizeof csv_name, "%s.csv", layouts[i]);
        snprintf(xlsx_name, sizeof xlsx_name, "%s.xlsx", layouts[i]);
        sl_read_options o = {0};
        sl_report *a = read_with(path_of(fixtures, csv_name), &o, SL_OK);
        sl_report *b = read_with(path_of(xlsx_dir, xlsx_name), &o, SL_OK);
        char *ta = report_csv(a), *tb = report_csv(b);
        if (strcmp(ta, tb) != 0)
            fail_msg("%s: the XLSX report differs from the CSV report", layouts[i]);
        assert_string_equal(b->sources[0].format, "xlsx");
        assert_string_equal(b->sources[0].sheet, "Sheet1");
        free(ta);
        free(tb);
        sl_report_free(a);
        sl_report_free(b);
    }
}

static void xlsx_sheets_and_dates(void **state)
{
    (void)state;
    sl_read_options o = {0};
    sl_report *r = read_with(path_of(xlsx_dir, "y_two_sheets.xlsx"), &o, SL_OK);
    assert_string_equal(r->sources[0].sheet, "Videos"); /* the first sheet with a header */
    assert_int_equal(r->row_count, 2);
    sl_report_free(r);
    sl_read_options by_number = {.sheet = "2"};
    r = read_with(path_of(xlsx_dir, "y_two_sheets.xlsx"), &by_number, SL_OK);
    assert_string_equal(r->sources[0].sheet, "Videos");
    sl_report_free(r);
    sl_read_options readme = {.sheet = "Read me"};
    assert_null(read_with(path_of(xlsx_dir, "y_two_sheets.xlsx"), &readme, SL_ERR_UNRECOGNISED));
    sl_read_options missing = {.sheet = "Sales"};
    assert_null(read_with(path_of(xlsx_dir, "y_two_sheets.xlsx"), &missing, SL_ERR_NOT_FOUND));
    /* Excel serial dates in a date style: 45567.8125 is 2024-10-02 19:30 */
    r = read_with(path_of(xlsx_dir, "xlsx_live_brazil.xlsx"), &o, SL_OK);
    assert_int_equal(r->by, SL_DIM_LIVE);
    row_of(r, "2024-10-02 19:30 ");
    sl_report_free(r);
    sl_read_options by_day = {.group = true, .by = SL_DIM_DAY};
    r = read_with(path_of(xlsx_dir, "xlsx_live_brazil.xlsx"), &by_day, SL_OK);
    expect_field(row_of(r, "2024-10-02"), SL_FIELD_GMV, 1250); /* R$ 1.250,00 */
    expect_field(row_of(r, "2024-10-03"), SL_FIELD_ORDERS, 3);
    sl_report_free(r);
}

/* ---- the CSV reader against a reference reader ---- */

/* Read with pread rather than through mapped windows (fast_parse). */
#define PREAD ((size_t)-1)

/* The records csv_next gives, read with pread (window PREAD) or through
 * mapped windows of `window` bytes (0: the default size). */
static char *fast_parse(const char *path, char delim, size_t window)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    csv_reader *r;
    assert_int_equal(csv_open(fd, path, 0, UINT64_MAX, delim, 1, &r, NULL), SL_OK);
    if (window != PREAD)
        csv_map_windows(r, window);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    for (;;) {
        ingest_row row;
        bool done;
        sl_error err;
        sl_status st = csv_next(r, &row, &done, &err);
        if (st != SL_OK)
            fail_msg("%s", err.message);
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
    out[len] = '\0';
    csv_close(r);
    close(fd);
    return out;
}

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Well-formed CSV with quoted cells, doubled quotes, embedded newlines and
 * delimiters, CRLF, long cells that straddle the 1 MiB read buffer. */
static size_t generate_csv(char *out, size_t size, char delim)
{
    static const char *const plain[] = {"7301", "abc", "", "1,234", "x y", "9.5%", "--"};
    size_t len = 0;
    while (len + 5000 < size) {
        int cells = 1 + (int)(next_rand() % 6);
        for (int c = 0; c < cells; c++) {
            if (c)
                out[len++] = delim;
            int kind = (int)(next_rand() % 10);
            if (kind < 6) {
                const char *p = plain[next_rand() % 7];
                if (strchr(p, delim))
                    p = "safe";
                len += (size_t)sprintf(out + len, "%s", p);
            } else {
                out[len++] = '"';
                int n = (int)(next_rand() % (kind == 9 ? 3000 : 12));
                for (int k = 0; k < n; k++) {
                    static const char pick[] = "ab\"\n\r,;\t z";
                    char ch = pick[next_rand() % 10];
                    out[len++] = ch;
                    if (ch == '"')
                        out[len++] = '"';
                }
                out[len++] = '"';
            }
        }
        if (next_rand() % 3 == 0)
            out[len++] = '\r';
        out[len++] = '\n';
    }
    return len;
}

static void csv_reader_matches_reference(void **state)
{
    (void)state;
    static const char delims[] = {',', ';', '\t'};
    size_t size = (size_t)3 << 20; /* several buffer refills */
    char *data = malloc(size);
    if (!data)
        abort(); /* (and GCC at -O2 then knows the memmove below has room) */
    for (int round = 0; round < 6; round++) {
        char delim = delims[round % 3];
        size_t n = generate_csv(data, size, delim);
        if (round == 1) { /* a BOM */
            memmove(data + 3, data, n);
            memcpy(data, "\xEF\xBB\xBF", 3);
            n += 3;
        }
        char *path = path_of(tmpdir, "fuzz.csv");
        FILE *f = fopen(path, "wb");
        fwrite(data, 1, n, f);
        fclose(f);
        char *want = reference_parse(data, n, delim);
        /* pread; mapped windows of one page (records of several pages make
         * them grow), of a few pages and part of one, and of the default */
        static const size_t windows[] = {PREAD, 4096, 12288, 12289, 0};
        for (size_t w = 0; w < sizeof windows / sizeof *windows; w++) {
            char *got = fast_parse(path, delim, windows[w]);
            if (strcmp(want, got) != 0) {
                size_t at = 0;
                while (want[at] && want[at] == got[at])
                    at++;
                fail_msg("round %d, window %zu: the reader differs from the reference at "
                         "output byte %zu", round, windows[w], at);
            }
            free(got);
        }
        free(want);
    }
    free(data);
}

/* ---- bulk loop, parallel path and general path agree ---- */

static void write_feed(const char *path, size_t rows, bool with_quote)
{
    FILE *f = fopen(path, "w");
    fprintf(f, "date,creator_id,video_id,product_id,views,product_impressions,product_clicks,"
               "orders,gmv\n");
    for (size_t i = 0; i < rows; i++) {
        uint64_t v = next_rand() % 3000, imp = v / 2, clk = imp / 20, ord = clk / 5;
        int odd = (int)(next_rand() % 1000);
        if (odd == 0) /* a bad row: more clicks than impressions */
            fprintf(f, "2024-01-01,c%03d,v%05d,p1,%llu,%llu,%llu,0,0.00\n",
                    (int)(next_rand() % 300), (int)(next_rand() % 5000),
                    (unsigned long long)v, (unsigned long long)imp,
                    (unsigned long long)imp + 1);
        else if (odd == 1) /* a value the bulk loop leaves to the full parser */
            fprintf(f, "2024-01-01,c%03d,v%05d,p1,\"%llu\",%llu,%llu,%llu,$1.5\n",
                    (int)(next_rand() % 300), (int)(next_rand() % 5000),
                    (unsigned long long)v, (unsigned long long)imp, (unsigned long long)clk,
                    (unsigned long long)ord);
        else if (odd == 2) /* an empty count: absent */
            fprintf(f, "2024-01-02,c%03d,v%05d,p2,,%llu,%llu,%llu,%llu.5\n",
                    (int)(next_rand() % 300), (int)(next_rand() % 5000),
                    (unsigned long long)imp, (unsigned long long)clk, (unsigned long long)ord,
                    (unsigned long long)ord);
        else { /* money with two, one or no decimals */
            char money[32];
            int cents = (int)(next_rand() % 100), style = (int)(next_rand() % 3);
            if (style == 0)
                snprintf(money, sizeof money, "%llu.%02d", (unsigned long long)(ord * 19), cents);
            else if (style == 1)
                snprintf(money, sizeof money, "%llu.%d", (unsigned long long)(ord * 19), cents % 10);
            else
                snprintf(money, sizeof money, "%llu", (unsigned long long)(ord * 19));
            fprintf(f, "2024-01-%02d,c%03d,v%05d,p%d,%llu,%llu,%llu,%llu,%s\n", 1 + (int)(i % 28),
                    (int)(next_rand() % 300), (int)(next_rand() % 5000), (int)(next_rand() % 90),
                    (unsigned long long)v, (unsigned long long)imp, (unsigned long long)clk,
                    (unsigned long long)ord, money);
        }
    }
    if (!with_quote)
        fprintf(f, "2024-01-03,c001,v00001,p1,1,1,1,1,1.00\n");
    fclose(f);
}

/* The bulk loop's report of `path` on one thread at each instruction-set
 * level below the CPU's best (the best is what the other reads use) is
 * `want`, the general path's, with as many rows read and skipped. */
static void levels_agree(const char *path, const char *want, const sl_report *general)
{
    int best = bulk_limit_level(BULK_AVX512);
    for (int level = best - 1; level >= BULK_BASELINE; level--) {
        if (bulk_limit_level(level) != level)
            continue;
        sl_read_options bulk = {.group = true, .by = SL_DIM_VIDEO, .threads = 1};
        sl_report *r = read_with(path, &bulk, SL_OK);
        char *text = report_csv(r);
        assert_int_equal(r->rows_read, general->rows_read);
        assert_int_equal(r->rows_skipped, general->rows_skipped);
        if (strcmp(text, want) != 0)
            fail_msg("the bulk loop at level %d and the general path disagree", level);
        free(text);
        sl_report_free(r);
    }
    bulk_limit_level(BULK_AVX512);
}

static void paths_agree(const char *path)
{
    sl_read_options general = {.group = true, .by = SL_DIM_VIDEO, .general_path = true,
                               .threads = 1};
    sl_read_options bulk = {.group = true, .by = SL_DIM_VIDEO, .threads = 1};
    sl_read_options parallel = {.group = true, .by = SL_DIM_VIDEO, .threads = 2};
    sl_report *a = read_with(path, &general, SL_OK);
    sl_report *b = read_with(path, &bulk, SL_OK);
    sl_report *c = read_with(path, &parallel, SL_OK);
    char *ta = report_csv(a), *tb = report_csv(b), *tc = report_csv(c);
    assert_true(a->rows_skipped > 0);
    assert_int_equal(a->rows_read, b->rows_read);
    assert_int_equal(a->rows_read, c->rows_read);
    assert_int_equal(a->rows_skipped, b->rows_skipped);
    assert_int_equal(a->rows_skipped, c->rows_skipped);
    for (size_t i = 0; i < a->issue_count; i++) {
        assert_int_equal(a->issues[i].row, b->issues[i].row);
        assert_int_equal(a->issues[i].row, c->issues[i].row); /* row numbers across ranges */
    }
    if (strcmp(ta, tb) != 0)
        fail_msg("the bulk loop and the general path disagree");
    if (strcmp(ta, tc) != 0)
        fail_msg("the parallel read and the general path disagree");
    levels_agree(path, ta, a);
    free(ta);
    free(tb);
    free(tc);
    sl_report_free(a);
    sl_report_free(b);
    sl_report_free(c);
}

static void bulk_parallel_and_general_paths_agree(void **state)
{
    (void)state;
    char *path = path_of(tmpdir, "feed.csv");
    write_feed(path, 250000, false); /* ~12 MB: the parallel path runs */
    paths_agree(path);
    write_feed(path, 250000, true);  /* quotes: the parallel path falls back */
    paths_agree(path);
}

/* A feed of exactly `size` bytes, its last record (short, as the others)
 * ending with a newline or not; the one before it is padded to fit.  Its
 * own random numbers, so that the feeds of the other tests stay as they
 * were. */
static void write_feed_of_size(const char *path, size_t size, bool newline)
{
    uint64_t saved = rng;
    char *data = malloc(size + 1);
    size_t len = (size_t)sprintf(data, "date,creator_id,video_id,product_id,views,"
                                       "product_impressions,product_clicks,orders,gmv\n");
    static const char last[] = "2024-01-02,c001,v00001,p1,5,4,3,2,1.50";
    const size_t tail = sizeof last - 1 + newline;
    while (size - len > 200) {
        uint64_t v = next_rand() % 3000, imp = v / 2, clk = imp / 20;
        len += (size_t)sprintf(data + len,
                               "2024-01-%02d,c%03d,v%05d,p%d,%llu,%llu,%llu,%llu,%llu.%02d\n",
                               1 + (int)(next_rand() % 28), (int)(next_rand() % 300),
                               (int)(next_rand() % 5000), (int)(next_rand() % 90),
                               (unsigned long long)v, (unsigned long long)imp,
                               (unsigned long long)clk, (unsigned long long)clk / 5,
                               (unsigned long long)clk * 7, (int)(next_rand() % 100));
    }
    /* the one before the last: "2024-01-03,c002,v00002,p" + pad + ",1,1,1,1,1\n" */
    size_t before = size - len - tail;
    len += (size_t)sprintf(data + len, "2024-01-03,c002,v00002,p%0*d,1,1,1,1,1\n",
                           (int)(before - 35), 7);
    len += (size_t)sprintf(data + len, "%s%s", last, newline ? "\n" : "");
    assert_int_equal(len, size);
    FILE *f = fopen(path, "wb");
    assert_int_equal(fwrite(data, 1, size, f), size);
    fclose(f);
    /* csv_next through mapped windows, to the end of the file */
    char *want = reference_parse(data, size, ',');
    char *got = fast_parse(path, ',', 0);
    assert_string_equal(got, want);
    free(got);
    free(want);
    free(data);
    rng = saved;
}

/* Files whose end meets a page or the mapped window exactly: the bulk loop
 * loads whole 64-byte blocks past the last byte, which must read as zeros
 * (a page wholly past the end of a file would raise SIGBUS), and the last
 * record, without a newline, is the general path's. */
static void mapped_file_ends(void **state)
{
    (void)state;
    static const size_t sizes[] = {4096 * 100, 4096 * 100 + 1, 4096 * 100 - 1,
                                   (size_t)2 << 20, ((size_t)2 << 20) + 1, (size_t)8 << 20};
    char *path = path_of(tmpdir, "ends.csv");
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (int newline = 0; newline <= 1; newline++) {
            write_feed_of_size(path, sizes[i], newline);
            sl_read_options general = {.group = true, .by = SL_DIM_VIDEO,
                                       .general_path = true, .threads = 1};
            sl_report *a = read_with(path, &general, SL_OK);
            char *ta = report_csv(a);
            for (unsigned threads = 1; threads <= 2; threads++) {
                sl_read_options bulk = {.group = true, .by = SL_DIM_VIDEO, .threads = threads};
                sl_report *b = read_with(path, &bulk, SL_OK);
                char *tb = report_csv(b);
                assert_int_equal(a->rows_read, b->rows_read);
                if (strcmp(ta, tb) != 0)
                    fail_msg("%zu bytes, %s newline, %u threads: the bulk loop and the "
                             "general path disagree", sizes[i], newline ? "a" : "no", threads);
                free(tb);
                sl_report_free(b);
            }
            levels_agree(path, ta, a);
            free(ta);
            sl_report_free(a);
        }
}

/* Every width the bulk loop's number and key code handles differently: keys
 * of 1 to 8 bytes (packed into one word), exactly 8, 9 and more (the group
 * table), 19-digit IDs; counts of 1 to 8 digits (one SWAR word), 9 to 13
 * (two words), 16 with leading zeros (too wide: the general path); money
 * with 0, 1 or 2 decimals and up to 13 whole digits; records longer than
 * 64 bytes (more than one mask block); more keys than the short-key table
 * starts with (it grows); and bad rows. */
static void write_mixed_feed(const char *path, size_t rows)
{
    FILE *f = fopen(path, "w");
    fprintf(f, "date,creator_id,video_id,product_id,views,product_impressions,product_clicks,"
               "orders,gmv\n");
    static const uint64_t tens[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                    100000000, 1000000000, 10000000000u, 100000000000u,
                                    1000000000000u, 10000000000000u};
    for (size_t i = 0; i < rows; i++) {
        char key[32], product[80], views[40], money[40];
        int kind = (int)(next_rand() % 10), n = (int)(next_rand() % 9000);
        if (kind <= 4)
            snprintf(key, sizeof key, "v%05d", n);
        else if (kind == 5)
            snprintf(key, sizeof key, "vid%05d", n % 500); /* exactly 8 bytes */
        else if (kind == 6)
            snprintf(key, sizeof key, "video%04d", n % 500); /* 9: the group table */
        else if (kind == 7)
            snprintf(key, sizeof key, "7%018d", n % 300); /* a 19-digit ID */
        else if (kind == 8)
            snprintf(key, sizeof key, "%c", 'a' + n % 26);
        else
            snprintf(key, sizeof key, "%07d", n % 300); /* a short numeric ID */
        bool wide = next_rand() % 2500 == 0;
        uint64_t v = next_rand() % tens[wide ? 9 + next_rand() % 5 : 1 + next_rand() % 8];
        uint64_t imp = v / 2, clk = imp / (1 + next_rand() % 40), ord = clk / (1 + next_rand() % 5);
        if (next_rand() % 5000 == 0)
            snprintf(views, sizeof views, "%016llu", (unsigned long long)v % 1000); /* 16 wide */
        else
            snprintf(views, sizeof views, "%llu", (unsigned long long)v);
        uint64_t whole = next_rand() % tens[next_rand() % 2500 == 0 ? 13 : 1 + next_rand() % 7];
        int style = (int)(next_rand() % 3), cents = (int)(next_rand() % 100);
        if (style == 0)
            snprintf(money, sizeof money, "%llu.%02d", (unsigned long long)whole, cents);
        else if (style == 1)
            snprintf(money, sizeof money, "%llu.%d", (unsigned long long)whole, cents % 10);
        else
            snprintf(money, sizeof money, "%llu", (unsigned long long)whole);
        if (next_rand() % 20 == 0) /* pushes the record past 64 bytes */
            snprintf(product, sizeof product, "p%d-%.*s", n,
                     (int)(30 + next_rand() % 40), "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz");
        else
            snprintf(product, sizeof product, "p%d", n % 90);
        if (next_rand() % 500 == 0) /* a bad row: more clicks than impressions */
            clk = imp + 1;
        fprintf(f, "2024-01-%02d,c%03d,%s,%s,%s,%llu,%llu,%llu,%s\n", 1 + (int)(i % 28), n % 300,
                key, product, views, (unsigned long long)imp, (unsigned long long)clk,
                (unsigned long long)ord, money);
    }
    fclose(f);
}

/* The CSV report of many rows (written by two threads) has every row once,
 * in rank order, then the totals. */
static void expect_csv_in_rank_order(const sl_report *r)
{
    char *text = report_csv(r);
    size_t line = 0;
    for (char *p = text, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1, line++) {
        *nl = '\0';
        if (line == 0)
            continue; /* the header */
        const char *rank = strrchr(p, ',') + 1;
        if (line <= r->row_count)
            assert_int_equal(strtoull(rank, NULL, 10), line);
        else
            assert_int_equal(strncmp(p, "TOTAL,", 6), 0);
    }
    assert_int_equal(line, r->row_count + 2);
    free(text);
}

static int cmp_views(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A row's views baseline is the plain median of the other rows' views. */
static void expect_views_median(const sl_report *r, size_t row)
{
    double *others = malloc(r->row_count * sizeof *others);
    size_t n = 0;
    for (size_t i = 0; i < r->row_count; i++)
        if (i != row && sl_funnel_get(&r->rows[i].funnel, SL_FIELD_VIEWS, &others[n]))
            n++;
    qsort(others, n, sizeof *others, cmp_views);
    double want = n % 2 ? others[n / 2] : (others[n / 2 - 1] + others[n / 2]) / 2;
    sl_baseline b;
    sl_report_baseline(r, row, &b);
    assert_int_equal(b.views_source, SL_BASELINE_HISTORY);
    assert_true(b.views == want);
    free(others);
}

/* Amounts of 13 digits and two decimals (16 characters, past the inline
 * reader) are summed in exact hundredths on every path.  They used to be
 * taken for inexact (their product by 100 is off by more than the old
 * tolerance, a millionth) and summed as doubles: this file's total GMV
 * came out .16 instead of .15 on both paths. */
static void long_amounts_sum_exactly_on_every_path(void **state)
{
    (void)state;
    char *path = path_of(tmpdir, "long-amounts.csv");
    FILE *f = fopen(path, "w");
    /* the layout the bulk loop takes (write_mixed_feed's) */
    fputs("date,creator_id,video_id,product_id,views,product_impressions,product_clicks,"
          "orders,gmv\n"
          "2024-01-01,c1,v1,p1,100,50,10,3,9418796360494.45\n"
          "2024-01-01,c1,v1,p1,100,50,10,2,1234567890123.99\n"
          "2024-01-02,c1,v1,p2,100,50,10,1,0.07\n"
          "2024-01-02,c1,v2,p2,7,5,1,1,3672773905865.59\n"
          "2024-01-02,c1,v2,p2,7,5,1,1,5564832869982.62\n"
          "2024-01-02,c1,v2,p2,7,5,1,1,9217000957795.65\n"
          "2024-01-02,c1,v2,p2,7,5,1,1,5763313671501.65\n"
          "2024-01-02,c1,v2,p2,7,5,1,1,8432830185365.08\n"
          "2024-01-02,c1,v2,p2,7,5,1,1,2178346514063.84\n"
          "2024-01-02,c1,v2,p2,7,5,1,1,1345497835965.21\n",
          f);
    fclose(f);
    sl_read_options general = {.group = true, .by = SL_DIM_VIDEO, .general_path = true,
                               .threads = 1};
    sl_read_options bulk = {.group = true, .by = SL_DIM_VIDEO, .threads = 1};
    sl_report *a = read_with(path, &general, SL_OK);
    sl_report *b = read_with(path, &bulk, SL_OK);
    char *ta = report_csv(a), *tb = report_csv(b);
    if (strcmp(ta, tb) != 0)
        fail_msg("the general path and the bulk path disagree:\n%s\n%s", ta, tb);
    /* 941879636049445 + 123456789012399 + 7 hundredths; v2's seven amounts
     * end in .64 summed exactly, in .63 summed as doubles; and the total */
    assert_non_null(strstr(ta, ",10653364250618.51,"));
    assert_non_null(strstr(ta, ",36174595940539.64,"));
    assert_non_null(strstr(ta, ",46827960191158.15,"));
    free(ta);
    free(tb);
    sl_report_free(a);
    sl_report_free(b);
    int64_t k = 0;
    assert_true(sl_money_hundredths(9418796360494.45, &k));
    assert_true(k == 941879636049445);
    assert_true(sl_money_hundredths(19.99, &k) && k == 1999);
    assert_false(sl_money_hundredths(0.125, &k));   /* three places */
    assert_false(sl_money_hundredths(1e-9, &k));    /* not 0 hundredths */
    assert_false(sl_money_hundredths(1e14, &k));    /* 1e16 hundredths: beyond 2^53 */
}

static void bulk_number_and_key_widths(void **state)
{
    (void)state;
    char *path = path_of(tmpdir, "mixed.csv");
    write_mixed_feed(path, 250000); /* ~15 MB: the parallel path runs */
    paths_agree(path);
    sl_read_options o = {.group = true, .by = SL_DIM_VIDEO};
    sl_report *r = read_with(path, &o, SL_OK);
    assert_true(r->row_count > 8192);
    expect_csv_in_rank_order(r);
    for (size_t i = 0; i < r->row_count; i += r->row_count / 7)
        expect_views_median(r, i);
    sl_report_free(r);
}

/* ---- store ---- */

static void store_round_trip(void **state)
{
    (void)state;
    sl_store *store;
    sl_error err;
    assert_int_equal(sl_store_open(path_of(tmpdir, "db/store.db"), &store, &err), SL_OK);
    sl_read_options o = {.store = store};
    sl_report *r = read_with(path_of(fixtures, "y_video_list_id.csv"), &o, SL_OK);
    assert_false(r->sources[0].already_stored);
    int64_t id = r->sources[0].import_id;
    assert_true(id > 0);
    sl_report_free(r);
    r = read_with(path_of(fixtures, "y_video_list_id.csv"), &o, SL_OK);
    assert_true(r->sources[0].already_stored); /* same content: nothing added */
    assert_int_equal(r->sources[0].import_id, id);
    char first_hash[65];
    memcpy(first_hash, r->sources[0].hash, sizeof first_hash);
    sl_report_free(r);
    /* the same bytes under another name: imported while its hash is taken,
     * then found at the commit to be the same content */
    char *renamed = path_of(tmpdir, "renamed copy.csv");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path_of(fixtures, "y_video_list_id.csv"), renamed);
    assert_int_equal(system(cmd), 0);
    r = read_with(renamed, &o, SL_OK);
    assert_true(r->sources[0].already_stored);
    assert_int_equal(r->sources[0].import_id, id);
    assert_string_equal(r->sources[0].hash, first_hash);
    assert_int_equal(r->rows_read, 4); /* the report is the file's all the same */
    sl_report_free(r);
    sl_import first; /* stored by the first read, its hash given at the commit */
    assert_int_equal(sl_store_import_get(store, id, &first, &err), SL_OK);
    assert_string_equal(first.hash, first_hash);
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", renamed); /* and it is the file's SHA-256 */
    FILE *sum = popen(cmd, "r");
    char want[65] = "";
    assert_non_null(sum);
    assert_int_equal(fscanf(sum, "%64s", want), 1);
    pclose(sum);
    assert_string_equal(first_hash, want);
    sl_import *items;
    size_t count;
    assert_int_equal(sl_store_imports(store, NULL, &items, &count, &err), SL_OK);
    assert_int_equal(count, 1);
    assert_int_equal(items[0].rows, 4);
    assert_int_equal(items[0].header_row, 3);
    assert_string_equal(items[0].period, "2024-05-20");
    assert_string_equal(items[0].currency, "IDR"); /* "Penghasilan Video (Rp)" */
    sl_free(items);
    /* The stored report shows amounts in the file's currency, as the file did. */
    sl_read_options back = {0};
    assert_int_equal(sl_report_from_import(store, id, &back, &r, &err), SL_OK);
    assert_string_equal(sl_report_currency(r), "IDR");
    char *html = NULL;
    size_t html_size = 0;
    FILE *mem = open_memstream(&html, &html_size);
    assert_int_equal(sl_report_write_html_body(r, mem, NULL), SL_OK);
    fclose(mem);
    assert_non_null(strstr(html, "Rp"));
    free(html);
    sl_report_free(r);
    assert_int_equal(sl_store_imports(store, "7009876543210987654", &items, &count, &err), SL_OK);
    assert_int_equal(count, 1);
    sl_free(items);
    assert_int_equal(sl_store_imports(store, "nobody", &items, &count, &err), SL_OK);
    assert_int_equal(count, 0);
    /* a strict failure stores nothing of the file */
    sl_read_options strict = {.store = store, .strict = true};
    assert_null(read_with(path_of(fixtures, "i_bad_rows.csv"), &strict, SL_ERR_PARSE));
    assert_int_equal(sl_store_imports(store, NULL, &items, &count, &err), SL_OK);
    assert_int_equal(count, 1);
    sl_free(items);
    assert_int_equal(sl_store_forget(store, id, &err), SL_OK);
    assert_int_equal(sl_store_forget(store, id, &err), SL_ERR_NOT_FOUND);
    sl_store_close(store);
}

static void small_report_reads_against_earlier_imports(void **state)
{
    (void)state;
    sl_store *store;
    sl_error err;
    assert_int_equal(sl_store_open(path_of(tmpdir, "db/history.db"), &store, &err), SL_OK);
    /* The practice file is stored, but it is nobody's baseline. */
    char sample[1024];
    snprintf(sample, sizeof sample, "%s/../../../samples/practice-video-list.csv", fixtures);
    sl_read_options o = {.store = store};
    sl_report *r = read_with(sample, &o, SL_OK);
    assert_true(r->sources[0].practice);
    sl_report_free(r);
    r = read_with(path_of(fixtures, "y_quoted_titles.csv"), &o, SL_OK);
    assert_false(r->baseline_stored);
    sl_report_free(r);
    /* The same eight videos in a real export are. */
    r = read_with(path_of(fixtures, "y_video_history.csv"), &o, SL_OK);
    assert_false(r->sources[0].practice);
    assert_false(r->baseline_stored); /* eight rows: each against the other seven */
    sl_baseline b;
    sl_report_baseline(r, 0, &b); /* video …103 left out: median of the other seven views */
    assert_true(b.views == 15300 || b.views == 16700);
    assert_int_equal(b.views_source, SL_BASELINE_HISTORY);
    sl_report_free(r);
    /* four videos of its own: the eight stored ones give the baseline */
    r = read_with(path_of(fixtures, "y_quoted_titles.csv"), &o, SL_OK);
    assert_true(r->baseline_stored);
    assert_int_equal(r->baseline_groups, 8);
    sl_report_baseline(r, 0, &b);
    assert_true(b.views == (15300 + 16700) / 2.0);
    assert_int_equal(b.views_source, SL_BASELINE_HISTORY);
    sl_report_free(r);
    /* Another creator's videos are not this account's history. */
    r = read_with(path_of(fixtures, "y_video_list_id.csv"), &o, SL_OK);
    assert_false(r->baseline_stored);
    sl_report_free(r);
    /* without the store: practice references */
    sl_read_options none = {0};
    r = read_with(path_of(fixtures, "y_quoted_titles.csv"), &none, SL_OK);
    assert_false(r->baseline_stored);
    sl_report_baseline(r, 0, &b);
    assert_int_equal(b.views_source, SL_BASELINE_PRACTICE);
    sl_report_free(r);
    sl_store_close(store);
}

/* One page of a report: sorted by the column asked for, missing values last
 * either way, totals and readings those of the whole report. */
static void report_pages(void **state)
{
    (void)state;
    const char *path = path_of(tmpdir, "pages.csv");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("Video ID,Video views,Product impressions,Product clicks,Orders,GMV\n"
          "7400000000000000001,5000,1000,50,5,50.00\n"
          "7400000000000000002,,2000,40,2,20.00\n" /* no views */
          "7400000000000000003,9000,3000,30,9,90.00\n"
          "7400000000000000004,1000,500,45,1,10.00\n"
          "7400000000000000005,7000,1500,60,3,30.00\n",
          f);
    fclose(f);
    sl_read_options o = {0};
    sl_report *whole = read_with(path, &o, SL_OK);
    sl_decode_result before;
    size_t row4 = 0;
    for (size_t i = 0; i < whole->row_count; i++)
        if (strcmp(whole->rows[i].key, "7400000000000000004") == 0)
            row4 = i;
    assert_int_equal(sl_report_decode(whole, row4, &before, NULL), SL_OK);

    struct {
        sl_report_order order;
        bool descending;
        size_t first, count;
        const char *keys; /* last digits of the keys on the page, in order */
    } cases[] = {
        {SL_ORDER_VIEWS, true, 0, 5, "35142"},   /* 9000 7000 5000 1000, none last */
        {SL_ORDER_VIEWS, false, 0, 5, "41532"},  /* still last when ascending */
        {SL_ORDER_VIEWS, true, 1, 2, "51"},
        {SL_ORDER_RANK, false, 0, 5, "31524"},   /* by GMV: 90 50 30 20 10 */
        {SL_ORDER_KEY, true, 0, 2, "54"},
        {SL_ORDER_PRODUCT_CTR, true, 0, 5, "41523"}, /* 9%, 5%, 4%, 2%, 1% */
        {SL_ORDER_CTOR, false, 0, 3, "452"},     /* 1/45, then 3/60 = 2/40 by rank */
        {SL_ORDER_CLICKS, true, 4, 10, "3"},
        {SL_ORDER_GMV, true, 5, 10, ""},         /* past the end: no rows */
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        sl_report *r = read_with(path, &o, SL_OK);
        assert_int_equal(sl_report_page(r, cases[c].order, cases[c].descending, cases[c].first,
                                         cases[c].count, NULL),
                         SL_OK);
        char got[8] = "";
        for (size_t i = 0; i < r->row_count && i < 7; i++)
            got[i] = r->rows[i].key[strlen(r->rows[i].key) - 1], got[i + 1] = '\0';
        if (strcmp(got, cases[c].keys) != 0)
            fail_msg("case %zu (%s): rows %s, expected %s", c,
                     sl_report_order_name(cases[c].order), got, cases[c].keys);
        assert_int_equal(r->all_rows, 5);
        assert_int_equal(r->first_row, cases[c].first);
        assert_memory_equal(&r->totals.funnel, &whole->totals.funnel, sizeof whole->totals.funnel);
        for (size_t i = 0; i < r->row_count; i++) {
            if (strcmp(r->rows[i].key, "7400000000000000004") != 0)
                continue;
            sl_decode_result after; /* the same reading on any page, in any order */
            assert_int_equal(sl_report_decode(r, i, &after, NULL), SL_OK);
            assert_int_equal(after.has_bottleneck, before.has_bottleneck);
            for (int s = 0; s < SL_STEP__COUNT; s++) {
                assert_int_equal(after.steps[s].verdict, before.steps[s].verdict);
                assert_memory_equal(&after.steps[s].baseline, &before.steps[s].baseline,
                                    sizeof before.steps[s].baseline);
            }
        }
        assert_int_equal(sl_report_page(r, SL_ORDER__COUNT, false, 0, 1, NULL),
                         SL_ERR_INVALID_ARGUMENT);
        sl_report_free(r);
    }
    sl_report_order parsed;
    assert_true(sl_report_order_parse("ctor", &parsed));
    assert_int_equal(parsed, SL_ORDER_CTOR);
    assert_false(sl_report_order_parse("CTOR", &parsed));
    assert_false(sl_report_order_parse(NULL, &parsed));
    sl_report_free(whole);
}

/* The practice export's readings are counted over the whole report before
 * anything is dropped; the weak-step filter keeps those rows (and the whole
 * report's totals) and pages them; the HTML names each row's weak step,
 * plans the test on that step's metric, draws linear funnel bars, and a
 * report by day gets its trend chart. */
static char *html_of(const sl_report *r, const sl_report_html_options *ho)
{
    char *html = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&html, &len);
    assert_int_equal(ho ? sl_report_write_html_body_with(r, f, ho) : sl_report_write_html(r, f),
                     SL_OK);
    fclose(f);
    return html;
}

static void report_weak_rows(void **state)
{
    (void)state;
    const char *sample = path_of(fixtures, "../../../samples/practice-video-list.csv");
    sl_read_options o = {.group = true, .by = SL_DIM_VIDEO};
    sl_report *r = read_with(sample, &o, SL_OK);
    sl_funnel totals = r->totals.funnel;
    sl_report_count_steps(r);
    assert_true(r->steps.counted);
    assert_int_equal(r->steps.rows, 8);
    assert_int_equal(r->steps.weak[SL_STEP_ATTENTION], 1);
    assert_int_equal(r->steps.weak[SL_STEP_CLICK_THROUGH], 1);
    assert_int_equal(r->steps.weak[SL_STEP_CONVERSION], 1);
    assert_int_equal(r->steps.too_early, 5);
    assert_int_equal(r->steps.clear, 0);
    assert_string_equal(sl_report_currency(r), ""); /* its GMV header names none */
    assert_int_equal(sl_report_keep_weak(r, NULL), SL_OK);
    assert_int_equal(r->row_count, 3);
    assert_string_equal(r->rows[0].key, "7400000000000000104"); /* still in rank order */
    assert_string_equal(r->rows[1].key, "7400000000000000102");
    assert_string_equal(r->rows[2].key, "7400000000000000107");
    assert_int_equal(sl_report_page(r, SL_ORDER_VIEWS, true, 0, 2, NULL), SL_OK);
    assert_int_equal(r->all_rows, 3);
    assert_int_equal(r->row_count, 2);
    assert_string_equal(r->rows[0].key, "7400000000000000104"); /* 12,800 views */
    assert_string_equal(r->rows[1].key, "7400000000000000102"); /* 9,100 */
    assert_int_equal(r->steps.rows, 8); /* the whole report's, kept through both */
    assert_memory_equal(&r->totals.funnel, &totals, sizeof totals);
    assert_int_equal(sl_report_keep_weak(r, NULL), SL_ERR_INVALID_ARGUMENT);
    sl_report_html_options ho = {.plan_link = "/journal/new?", .sort_link = "/r?per=2&",
                                 .order = SL_ORDER_VIEWS, .descending = true,
                                 .all_link = "/r?"};
    char *html = html_of(r, &ho);
    assert_non_null(strstr(html, "metric=ctor&amp;before-video=7400000000000000104"));
    assert_non_null(strstr(html, "metric=ctr&amp;before-video=7400000000000000102"));
    assert_non_null(strstr(html, "conversion is weak"));
    assert_non_null(strstr(html, "click-through is weak"));
    assert_non_null(strstr(html, "Showing only the rows with a weak step"));
    /* the current column sorts the other way next; another, largest first */
    assert_non_null(strstr(html, "aria-sort=descending><a href=\"/r?per=2&amp;sort=views&amp;dir=asc\""));
    assert_non_null(strstr(html, "href=\"/r?per=2&amp;sort=gmv&amp;dir=desc\""));
    assert_non_null(strstr(html, "no single one")); /* a three-way tie names no step */
    assert_non_null(strstr(html, "117,200"));
    /* linear bars: views full width (360), impressions 49,120 / 117,200 of it */
    assert_non_null(strstr(html, "width=\"360.0\""));
    assert_non_null(strstr(html, "width=\"150.9\""));
    free(html);
    sl_report_free(r);

    o.by = SL_DIM_DAY;
    r = read_with(sample, &o, SL_OK);
    html = html_of(r, NULL);
    assert_non_null(strstr(html, "class=\"chart trend-chart\""));
    assert_non_null(strstr(html, "<title id=trend-t>"));
    assert_non_null(strstr(html, "8 days from 2026-09-01 to 2026-09-13"));
    free(html);
    sl_report_free(r);
}

/* Every real export and every readable fixture, read into a store and
 * read back, gives the report the file gave: the store sends only the
 * fields a file has (sl_import.fields_given), and a field it left out
 * that a row did hold would fail the import, not vanish. */
static void compare_stored(const char *path, sl_store *store)
{
    sl_read_options o = {.store = store}, alone = {0};
    sl_report *read = NULL, *stored = NULL, *back = NULL;
    sl_error err;
    if (sl_report_read((const char *[]){path}, 1, &alone, &read, &err) != SL_OK)
        return; /* files that are not read at all are other tests' business */
    if (sl_report_read((const char *[]){path}, 1, &o, &stored, &err) != SL_OK)
        fail_msg("%s: read alone, but not into the store: %s", path, err.message);
    int64_t id = stored->sources[0].import_id;
    bool again = stored->sources[0].already_stored;
    sl_report_free(stored);
    if (again || id == 0) {
        sl_report_free(read);
        return;
    }
    sl_read_options plain = {0};
    if (sl_report_from_import(store, id, &plain, &back, &err) != SL_OK)
        fail_msg("%s: stored, then not read back: %s", path, err.message);
    if (back->row_count != read->row_count)
        fail_msg("%s: %zu rows stored, %zu read", path, back->row_count, read->row_count);
    for (size_t i = 0; i < read->row_count; i++) {
        assert_string_equal(back->rows[i].key, read->rows[i].key);
        assert_int_equal(back->rows[i].source_rows, read->rows[i].source_rows);
        for (int f = 0; f < SL_FIELD__COUNT; f++)
            if (back->rows[i].funnel.value[f] != read->rows[i].funnel.value[f])
                fail_msg("%s: row %zu, %s: %.17g stored, %.17g read", path, i,
                         sl_field_label((sl_field)f), back->rows[i].funnel.value[f],
                         read->rows[i].funnel.value[f]);
        assert_true(back->rows[i].funnel.present == read->rows[i].funnel.present);
    }
    sl_report_free(back);
    sl_report_free(read);
}

static void every_fixture_stored_reads_back(void **state)
{
    (void)state;
    sl_store *store;
    sl_error err;
    assert_int_equal(sl_store_open(path_of(tmpdir, "db/fixtures.db"), &store, &err), SL_OK);
    static const char *const dirs[] = {"", "/../exports"};
    size_t files = 0;
    for (size_t d = 0; d < 2; d++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%.400s%s", fixtures, dirs[d]);
        char command[1200];
        snprintf(command, sizeof command, "ls '%s' | grep -E '\\.(csv|xlsx)$'", dir);
        FILE *list = popen(command, "r");
        assert_non_null(list);
        char name[200];
        while (fgets(name, sizeof name, list)) {
            name[strcspn(name, "\n")] = '\0';
            compare_stored(path_of(dir, name), store);
            files++;
        }
        pclose(list);
    }
    assert_true(files >= 40);
    sl_store_close(store);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_import FIXTURE_DIR XLSX_DIR\n");
        return 2;
    }
    fixtures = argv[1];
    xlsx_dir = argv[2];
    if (!mkdtemp(tmpdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(live_list_english),
        cmocka_unit_test(live_list_bahasa_matches_english),
        cmocka_unit_test(video_list_bahasa),
        cmocka_unit_test(product_list_date_range_and_channels),
        cmocka_unit_test(product_analysis_two_level_header),
        cmocka_unit_test(affiliate_videos_description_row),
        cmocka_unit_test(chinese_video_export),
        cmocka_unit_test(affiliate_video_list_month_first_dates),
        cmocka_unit_test(malaysian_live_export),
        cmocka_unit_test(bom_crlf_semicolon),
        cmocka_unit_test(quoted_titles),
        cmocka_unit_test(html_is_self_contained_and_escaped),
        cmocka_unit_test(bad_rows_skipped_or_strict),
        cmocka_unit_test(channel_bands),
        cmocka_unit_test(product_id_inside_name),
        cmocka_unit_test(unusable_files),
        cmocka_unit_test(xlsx_matches_csv),
        cmocka_unit_test(every_fixture_stored_reads_back),
        cmocka_unit_test(xlsx_sheets_and_dates),
        cmocka_unit_test(csv_reader_matches_reference),
        cmocka_unit_test(bulk_parallel_and_general_paths_agree),
        cmocka_unit_test(mapped_file_ends),
        cmocka_unit_test(bulk_number_and_key_widths),
        cmocka_unit_test(long_amounts_sum_exactly_on_every_path),
        cmocka_unit_test(store_round_trip),
        cmocka_unit_test(small_report_reads_against_earlier_imports),
        cmocka_unit_test(report_pages),
        cmocka_unit_test(report_weak_rows),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return failed;
}
