/*
 * import_file.h — one file on its way into a report (private): the state
 * its data rows are added to, the pipe both readers feed rows into
 * (import_file.c), and the CSV side of reading it, with its threads and the
 * bulk loop (csv_parallel.c).  importer.c opens the files and owns the
 * report these fill.
 */
#ifndef SL_IMPORT_FILE_H
#define SL_IMPORT_FILE_H

#include "import.h"

/* A CSV file this large (of data after the header) is read by several
 * threads, and the bulk path checks its encoding while reading it. */
#define PARALLEL_MIN_BYTES ((uint64_t)8 << 20)
#define MAX_THREADS 8

/* Per-thread state of the data rows of one file. */
typedef struct data_state {
    group_table *groups;
    uint64_t rows, skipped, summary_rows;
    cell_log cells;             /* unreadable cells (their rows kept) */
    double sum[SL_FIELD__COUNT];    /* this file's own sums, for its total's check */
    double channel_sum[SL_MAX_CHANNELS][SL_FIELD__COUNT];
    uint32_t channel_present[SL_MAX_CHANNELS];
    char creator[SL_MAX_ID];    /* the creator of its rows, when they have one */
    bool several_creators;
    sl_row_issue issues[SL_REPORT_MAX_ISSUES];
    size_t issue_count;
    bool failed;                /* strict: stopped at issues[0] */
    sl_status status;           /* a hard error (memory, store) */
    sl_error error;
} data_state;

/* What every thread shares while reading one file. */
typedef struct file_job {
    const char *name;           /* as shown in messages */
    const import_plan *plan;
    const sl_read_options *options;
    bool grouped;
    sl_dimension by;
    uint32_t need_keys;         /* the keys read from each row */
    uint32_t vital_keys;        /* of those, the ones a row cannot do without */
    sl_store *store;            /* NULL: not storing this file */
    row_values *scratch;
    const bulk_plan *bulk;      /* plain records take the fused loop (bulk.c) */
    bool check_utf8;            /* readers check the bytes are UTF-8 (csv_check_utf8) */
} file_job;

/* One file, row by row: rows are held until the header is found and the
 * plan made, then each data row goes to data_state. */
typedef struct file_pipe {
    file_job job;
    data_state data;
    held_rows held;
    import_plan plan;
    bulk_plan bulk;             /* job.bulk, when the plan allows the bulk loop */
    bool planned;
    bool check_description;
    bool bad_utf8;              /* a reader checking UTF-8 found a byte that is not */
    uint64_t header_row_seen;
    uint64_t table_end_row;     /* the first row of the next table, when one follows */
    sl_report *report;
    size_t source_index;
    bool hash_at_commit;        /* stored: the duplicate check waits for the commit */
    /* decided by the caller once the plan exists */
    sl_status (*on_plan)(struct file_pipe *pipe, sl_error *err);
    void *owner;
} file_pipe;

/* A status a sink returns to stop a reader on purpose (strict mode's first
 * bad row, an XLSX sheet sampled far enough). */
#define STOP_READING ((sl_status)(SL_STATUS__COUNT + 1))

/* One data row: convert, group, store.  False stops the reading (d->status
 * says why, or d->failed).  With a batch, grouped rows are converted
 * straight into it and added to their groups a batch at a time (`v` is then
 * ignored). */
bool file_data_row(const file_job *job, data_state *d, const ingest_row *row, row_values *v,
                   group_batch *batch);
/* Adds a batch's rows to d->groups; false (d->status set) when memory runs out. */
bool file_flush_batch(data_state *d, group_batch *batch);
/* An ingest_sink: rows before the plan are held, later ones are data. */
sl_status file_pipe_row(void *ctx, const ingest_row *row, sl_error *err);
/* End of input: a short file is planned here. */
sl_status file_pipe_finish(file_pipe *p, sl_error *err);

/* The report being built from every file. */
typedef struct import_build {
    sl_report *report;
    const sl_read_options *options;
    group_table *groups;
    bool decided;               /* grouping decided by the first file */
    row_values scratch;
    struct content_hash *hash;  /* the stored file's hash being taken (importer.c) */
} import_build;

/* Reads a CSV file (UTF-8, `size` bytes on `fd`) through the pipe: the
 * rows up to the plan with one reader, then the data with the bulk loop
 * and one thread per core when it is large and not stored (csv_parallel.c). */
sl_status csv_read_file(import_build *b, file_pipe *p, int fd, uint64_t size, sl_error *err);

#endif /* SL_IMPORT_FILE_H */
