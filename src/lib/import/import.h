/*
 * import.h — the importer's internal pieces (private): the column plan a
 * header turns into, row conversion and the bulk path.
 *
 * Flow: a reader hands rows (ingest.h) → import_header.c finds the header,
 * import_map.c and import_survey.c build an import_plan → every data row is converted into row_values →
 * the group table (report/group.h) adds it to its group → report.c turns
 * groups into rows.
 */
#ifndef SL_IMPORT_H
#define SL_IMPORT_H

#include "ingest.h"
#include "report/group.h"

/* Rows scanned for header rows (a sheet may hold several tables, the one
 * with a row per key below a summary). */
#define IMPORT_HEADER_SCAN_ROWS 60
/* Rows an XLSX sheet is sampled on when the sheet is picked. */
#define IMPORT_SHEET_SAMPLE_ROWS 15
/* Fewest recognised headers that make a row a header row. */
#define IMPORT_MIN_HEADER_MATCHES 2
/* Rows held before the plan is made: column-wide decisions (decimal mark,
 * day order, what a rate divides) are taken from all of them, which is
 * every row of the real exports seen so far (a daily list has at most 366,
 * a product or video list a few thousand); a longer feed is decided on its
 * first rows, so that the bulk path starts early. */
#define IMPORT_SURVEY_ROWS 5000
#define IMPORT_SURVEY_BYTES ((size_t)32 << 20)
/* A CSV file of 8 MiB or more is a bulk feed (an agency's daily rows, never
 * a downloaded report): its columns are decided on fewer rows, so that the
 * bulk loop takes over sooner. */
#define IMPORT_SURVEY_ROWS_BULK 1000

/* Day columns: how an ambiguous "8/6/2025" is ordered. */
typedef enum date_order { DATE_ORDER_UNKNOWN = 0, DATE_ORDER_MDY, DATE_ORDER_DMY } date_order;

/* The first rows of a file, kept while the plan is made (import_header.c). */
typedef struct held_rows {
    size_t count, cap, bytes;
    size_t limit;               /* rows to hold; 0 means IMPORT_SURVEY_ROWS */
    uint64_t *number;
    size_t *cells;
    char ***text;
} held_rows;

sl_status held_rows_add(held_rows *held, const ingest_row *row, sl_error *err);
/* True once IMPORT_SURVEY_ROWS rows or IMPORT_SURVEY_BYTES are held. */
bool held_rows_full(const held_rows *held);
void held_rows_free(held_rows *held);
/* Wraps held row i as an ingest_row (pointers into `held`). */
void held_rows_get(const held_rows *held, size_t i, ingest_row *row, const char **cells,
                   size_t *lengths, size_t max_cells);

/* ---- names (import_names.c) ---- */

/* Key roles: the dimensions, then a title column, then a start time. */
#define ROLE_LABEL SL_DIM__COUNT
#define ROLE_TIME (SL_DIM__COUNT + 1)

typedef struct column_alias {
    char key[64];               /* normalised */
    int role;                   /* sl_dimension, ROLE_LABEL or ROLE_TIME */
    int priority;               /* order in columns.txt: lower wins */
    date_order order;
    bool video_title;           /* a title column that names a video */
} column_alias;

/* What one header cell names. */
typedef struct header_match {
    const sl_term *term;        /* a metric or count */
    const column_alias *alias;  /* a key or title column of columns.txt */
    const sl_vocab *vocab;      /* the vocabulary line, when one matched */
    int role;                   /* key role when alias or vocab names one, else -1 */
    int priority;
    date_order order;
    bool video_title;           /* a video's title (columns.txt "video-title") */
    char currency[4];
} header_match;

/* Loads columns.txt once; SL_ERR_CONTENT if it is malformed. */
sl_status import_names_ready(sl_error *err);
bool import_match_header(const sl_content *content, const char *text, header_match *m);
/* A header not in the tables whose words contain every word of a known
 * export header ("GMV atribuido a tarjetas de productos" ⊇ "GMV atribuido"):
 * that header's term, as a guess.  False when none, or two terms, fit. */
bool import_guess_header(const sl_content *content, const char *text, header_match *m,
                         const sl_vocab **from);
/* Trims and collapses spaces; `ascii` also turns full-width brackets into ASCII. */
void import_tidy_header(const char *text, char *out, size_t size, bool ascii);
/* The channel a header is one share of by its own name ("LIVE"), or NULL. */
const char *import_channel_of(const char *header);
/* Which rate a metric's formula computes; false for formulas ShopLab does not. */
bool import_formula_rate(const char *formula, sl_rate_id *out);
/* Stand-ins of columns.txt: measure slug → field. */
size_t import_stand_in_count(void);
void import_stand_in(size_t i, const char **slug, sl_field *field);

typedef enum row_word {
    ROW_WORD_NONE = 0, ROW_WORD_TOTAL, ROW_WORD_AVERAGE, ROW_WORD_CHANGE, ROW_WORD_TITLE,
    ROW_WORD_BAND_ALL, ROW_WORD_BAND_CHANNEL
} row_word;

/* What a first cell says about its row ("Valor total" → a total row). */
row_word import_row_word(const sl_content *content, const char *cell);
/* True for a band label meaning all channels ("All", "Todo", "全部") or none. */
bool import_is_all_band(const sl_content *content, const char *label);

/* What the header row says about each column. */
typedef struct import_plan {
    sl_column *columns;         /* heap; handed to the report's sl_source */
    size_t column_count;
    int field_col[SL_FIELD__COUNT];     /* column index, or -1 */
    int rate_col[SL_RATE__COUNT];
    int key_col[SL_DIM__COUNT];
    int label_col;
    int time_col;               /* a LIVE's start time, or -1 */
    bool live_from_title;       /* LIVE key = title + start time (no room ID) */
    bool label_video_title;     /* the title column names videos */
    bool video_from_title;      /* video key = post day + title (no video ID) */
    bool id_in_label;           /* product key read from "Name (1234…)" labels */
    date_order day_order;
    size_t header_index;        /* index into held rows */
    size_t data_end;            /* held index where the table ends (another begins) */
    bool table_ends;            /* rows from data_end on are another table's */
    uint64_t header_row, band_row, description_row;
    char period[64];
    char title[160];            /* first preamble text that is not a date */
    bool practice;              /* the title says practice data (invented numbers) */
    int score;                  /* recognised headers in the header row */
    int tables;                 /* header rows found on the sheet */
    /* Channel bands: each band's column for each field, or -1. */
    size_t channel_count;
    char channel_name[SL_MAX_CHANNELS][64];
    int channel_col[SL_MAX_CHANNELS][SL_FIELD__COUNT];
    /* A total row of another table (a summary above the daily rows), for
     * the cross-check of the sums. */
    uint64_t check_row;
    uint32_t check_present;
    double check[SL_FIELD__COUNT];
} import_plan;

/* ---- the header row (import_header.c) ---- */

/* Where the header is among the held rows. */
typedef struct import_header_place {
    size_t header;              /* held index of the header row */
    bool band;                  /* the row above it is a section band */
    size_t preamble_end;        /* held rows before this are the preamble */
} import_header_place;

/* Finds the header row among the held rows: the table it heads, the
 * section band above it, the preamble's title (filling plan's header_row,
 * band_row, tables, title…).  With no row reaching
 * IMPORT_MIN_HEADER_MATCHES, SL_ERR_UNRECOGNISED with the headers found and
 * the fields expected. */
sl_status import_find_header(const sl_content *content, const held_rows *held,
                             const char *file, import_plan *plan, import_header_place *out,
                             sl_error *err);
/* The best header score among the held rows (to pick an XLSX sheet). */
int import_header_score(const held_rows *held);
/* "Views, Product impressions, …": the fields an error says are expected. */
void import_expected_fields(char *out, size_t size);

/* ---- the column plan (import_map.c) ---- */

/* Finds the header among the held rows and maps its columns, then decides
 * what every column's cells mean from all held data rows.  With no row
 * reaching IMPORT_MIN_HEADER_MATCHES, SL_ERR_UNRECOGNISED with the headers
 * found and the fields expected.  `file` names the file in messages. */
sl_status import_plan_build(const held_rows *held, const char *file, import_plan *plan,
                            sl_error *err);
void import_plan_free(import_plan *plan);
/* True when held row i (below the header) is a description row to skip. */
bool import_is_description_row(const import_plan *plan, const ingest_row *row);

/* Column-wide decisions (import_survey.c): decimal marks, day order, what
 * each rate divides and in which unit; SL_ERR_PARSE when a day column is
 * ambiguous in every cell and nothing settles it. */
sl_status import_survey(const sl_content *content, const held_rows *held, const char *file,
                        import_plan *plan, sl_error *err);

/* The period written in every row's date cell ("2026-09-01-2026-09-30") when
 * the preamble gives none: earliest start ~ latest end. */
void import_period_from_rows(const held_rows *held, const import_plan *plan, char *period,
                             size_t size);

/* ---- days (import_dates.c) ---- */

/* Normalises a day cell to "YYYY-MM-DD"; false when it is not a date. */
bool import_parse_day(const char *text, date_order order, char out[11], bool *ambiguous);
/* A start time as "YYYY-MM-DD HH:MM" (or the day alone); false when not a date. */
bool import_parse_time(const char *text, date_order order, char out[17], bool *ambiguous);
/* What a d/m cell says about the order: MDY, DMY, or UNKNOWN (both fit). */
date_order import_day_evidence(const char *text);
/* The report period from the preamble rows [0, before); `order` reads d/m dates. */
void import_find_period(const held_rows *held, size_t before, date_order order, char *period,
                        size_t size);
/* The order the preamble's own dates settle ("31/05/2026"), or UNKNOWN. */
date_order import_period_evidence(const held_rows *held, size_t before);

/* Outcome of converting a row. */
typedef enum row_outcome { ROW_OK = 0, ROW_EMPTY, ROW_SUMMARY, ROW_BAD } row_outcome;

/* Cells that could not be read: each costs its own field, not the row. */
typedef struct cell_log {
    uint64_t *per_column;       /* counts, one per plan column */
    uint64_t total;
    sl_row_issue issues[SL_REPORT_MAX_ISSUES];
    size_t issue_count;
} cell_log;

/* Converts one data row.  `need_keys` is a bit mask of dimensions to fill;
 * of those, an unreadable key in `vital_keys` (the grouping key) costs the
 * row, any other only its cell (the key stays empty).  ROW_EMPTY for rows with no value at all (blank lines, notes, a table's
 * title); ROW_SUMMARY for total, average and percent-change rows; ROW_BAD
 * with `issue` filled (file:row:column, header, value, reason) for a row
 * whose key cannot be read or whose counts contradict each other — and, with
 * `strict`, for any cell that cannot be read.  Otherwise an unreadable cell
 * is logged in `cells` and its field left missing. */
row_outcome import_convert_row(const import_plan *plan, const char *file, const ingest_row *row,
                               uint32_t need_keys, uint32_t vital_keys, bool strict,
                               row_values *out, sl_row_issue *issue, cell_log *cells);

/* ---- the bulk path (bulk.c) ---- */

#define BULK_MAX_COLUMNS 256

enum { BULK_SKIP = 0, BULK_KEY, BULK_COUNT, BULK_MONEY };

/* One action per column, from the header.  Count and money columns each
 * own a value slot; a fast record fills every slot (money in hundredths). */
typedef struct bulk_plan {
    size_t columns;
    uint8_t action[BULK_MAX_COLUMNS];
    uint8_t slot[BULK_MAX_COLUMNS];     /* counts and money: the value slot */
    size_t values;                      /* slots in use */
    uint8_t field[SL_FIELD__COUNT];     /* slot → sl_field */
    uint16_t column[SL_FIELD__COUNT];   /* slot → its column */
    uint32_t money;                     /* bit per slot: money (hundredths) */
    uint16_t key_column;
    uint32_t present;                   /* the fields of every fast record */
    int clicks, impressions;            /* their slots, or -1 */
} bulk_plan;

/* False when the file needs the general path for every record (rates,
 * titles, day keys, currency in a header, more than BULK_MAX_COLUMNS). */
bool bulk_plan_make(const import_plan *plan, sl_dimension by, bulk_plan *out);

typedef struct bulk_hooks {
    void *ctx;
    /* A record the fast loop does not take; false stops the reading. */
    bool (*slow)(void *ctx, const ingest_row *row);
    /* Bytes consumed since the last call. */
    void (*progress)(void *ctx, uint64_t bytes);
} bulk_hooks;

/* Instruction sets of the record loop, from the baseline up; bulk_read
 * uses the best one the CPU has. */
enum { BULK_BASELINE, BULK_X86_64_V3, BULK_AVX512 };

/* For tests and benchmarks: bulk_read then uses no level above `level`.
 * Returns the level it will use.  Not for use while a read runs. */
int bulk_limit_level(int level);

/* Reads the rest of `reader`'s range into `groups`; counts fast records in
 * *rows.  Returns the reader's or the table's error; a stop requested by
 * `slow` returns SL_OK. */
sl_status bulk_read(csv_reader *reader, const bulk_plan *plan, group_table *groups,
                    group_batch *batch, const bulk_hooks *hooks, uint64_t *rows, sl_error *err);

#endif /* SL_IMPORT_H */
