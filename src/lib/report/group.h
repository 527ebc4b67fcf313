/*
 * group.h — what reports are built from (private): one row's canonical
 * values, the group table that sums them per key, and the calls that turn
 * groups into a report.  The importer fills a group table from files,
 * report_stored.c from the store; report.c reads it.
 */
#ifndef SL_GROUP_H
#define SL_GROUP_H

#include "base/internal.h"

/* One data row converted. */
typedef struct row_values {
    uint32_t present;                       /* funnel fields given */
    uint64_t count[SL_FIELD__COUNT];        /* count fields */
    double money[SL_FIELD__COUNT];          /* money fields, when not exact */
    int64_t hundredths[SL_FIELD__COUNT];    /* money fields written with ≤ 2 decimals */
    uint32_t money_exact;                   /* bit: hundredths holds the value */
    uint32_t reported_present;
    double reported[SL_RATE__COUNT];
    char key[SL_DIM__COUNT][SL_MAX_ID];     /* filled for `need_keys` dims only */
    const char *label;                      /* points into the row's cells */
    size_t label_len;
} row_values;

/* ---- the group table (group_table.c) ---- */

/* Keys up to this length live inside the group (IDs are 19 digits), so a
 * lookup touches one cache line less. */
#define GROUP_INLINE_KEY 24

typedef struct group {
    /* hot: the first two cache lines, all a row touches */
    _Alignas(64) uint64_t hash;
    uint32_t key_len;
    uint32_t present;
    uint64_t rows;
    char inline_key[GROUP_INLINE_KEY];
    /* count fields: the sum; money fields: the sum in exact hundredths */
    int64_t sum[SL_FIELD__COUNT];
    /* cold */
    char *key;                  /* inline_key, or a copy in the table's arena */
    char *label;                /* first non-empty label, or NULL */
    uint32_t money_inexact;     /* bit: money[] holds part of the sum */
    uint32_t reported_present;
    double money[SL_FIELD__COUNT];
    double reported[SL_RATE__COUNT];
} group;

typedef struct group_table group_table;

group_table *group_table_new(void);
void group_table_free(group_table *table);
/* Adds a converted row to the group `key` (created on first sight). */
sl_status group_table_add(group_table *table, const char *key, size_t key_len,
                          const row_values *row);
/* Rows waiting to be added together (see group_table_add_batch). */
#define GROUP_BATCH 16

typedef struct group_batch {
    size_t count;
    const char *keys[GROUP_BATCH];
    size_t key_lens[GROUP_BATCH];
    row_values rows[GROUP_BATCH];
    char labels[GROUP_BATCH][SL_MAX_LABEL];   /* copies: the reader's buffer moves on */
} group_batch;

/* Adds the batch's rows; faster than one by one on large tables. */
sl_status group_table_add_batch(group_table *table, const group_batch *batch);
/* Makes room for `groups` groups in all, so adding that many never grows
 * the table step by step; false when memory runs out. */
bool group_table_reserve(group_table *table, size_t groups);
/* Adds `rows` rows already summed: sum[f] for each field of `present`
 * (money in exact hundredths). */
sl_status group_table_add_sums(group_table *table, const char *key, size_t key_len,
                               uint64_t rows, uint32_t present,
                               const int64_t sum[SL_FIELD__COUNT]);

/* Adds every group of `from` into `into`. */
sl_status group_table_merge(group_table *into, const group_table *from);
/* The same result as group_table_merge(earlier, into) left in `into`, for
 * groups of rows read before `into`'s (earlier labels kept, later reported
 * rates): the cheaper way round when `into` is the larger table. */
sl_status group_table_merge_earlier(group_table *into, const group_table *earlier);
size_t group_table_count(const group_table *table);
/* The i-th group in insertion order. */
const group *group_table_at(const group_table *table, size_t i);
/* A group's sums as a funnel; SL_ERR_COUNT_TOO_LARGE names a sum over 2^53. */
sl_status group_funnel(const group *g, sl_funnel *out, sl_error *err);

/* A stored record as converted row values (report.c); the label points
 * into the record. */
void report_record_values(const sl_record *rec, row_values *v);
/* Groups into report rows, totals and medians; then baselines from the
 * store's earlier imports when the report is small (report.c). */
sl_status report_finish(sl_report *report, const group_table *groups, sl_error *err);
sl_status report_use_history(sl_report *report, sl_store *store, sl_error *err);

#endif /* SL_GROUP_H */
