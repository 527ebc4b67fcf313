/*
 * jobs.c — uploads imported on a worker thread of their own.
 *
 * A large export takes seconds to import.  Done on a request thread, it
 * held that thread (and, through the one shared store connection, every
 * other) for the whole time.  Here an upload becomes a job: the request
 * hands over its temporary file and answers at once; one worker imports the
 * jobs in order (SQLite takes one writer at a time anyway) over a store
 * connection of its own, and updates the job's progress as the importer
 * reports bytes read.  The import's report is dropped as soon as its rows
 * are stored — the report pages rebuild it a page at a time — so memory
 * stays bounded by the importer's, whatever the file's size.
 *
 * Jobs live in a fixed table: a finished job is kept WEB_JOB_KEPT_S (its
 * page must still answer when the browser comes back) or until its slot is
 * needed.  A job's id is random, and a job is shown only to the session
 * that uploaded it (in team mode: to the account, across its logins).
 */
#include "web.h"

#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A running job's import gets this long for another writer (a `shoplab
 * read --db` on the same store) before it fails as busy. */
#define JOB_WRITE_WAIT_MS 60000

typedef struct web_job {
    bool used;
    char id[33];
    char session[33];
    web_job_state state;
    char path[256];              /* the uploaded bytes (removed when imported) */
    char file[256];
    char sheet[128];
    char actor[SL_USER_MAX_NAME + 1]; /* team mode: who uploaded it ("" in solo mode) */
    int64_t creator_id;          /* the creator the import belongs to (0: the file's own) */
    _Atomic uint64_t bytes_done;
    _Atomic uint64_t rows_done;  /* data rows read so far (CSV) */
    uint64_t bytes_total;
    int64_t import_id;
    bool already;
    uint64_t rows, skipped;
    sl_error error;
    uint64_t order;              /* submission order: the worker takes the oldest */
    time_t finished_at;
} web_job;

struct web_jobs {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t worker;
    bool stopping;
    uint64_t next_order;
    web_server *server;
    web_job jobs[WEB_MAX_JOBS];
};

const char *web_job_state_name(web_job_state state)
{
    static const char *const names[] = {"queued", "running", "done", "failed"};
    return (unsigned)state < sizeof names / sizeof *names ? names[state] : "unknown";
}

static void view_of(const web_job *j, web_job_view *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->id, j->id, sizeof out->id);
    out->state = j->state;
    memcpy(out->file, j->file, sizeof out->file);
    out->bytes_done = atomic_load(&j->bytes_done);
    out->bytes_total = j->bytes_total;
    out->import_id = j->import_id;
    out->already = j->already;
    out->rows = j->state == WEB_JOB_DONE ? j->rows : atomic_load(&j->rows_done);
    out->skipped = j->skipped;
    out->error = j->error;
}

static void job_rows(void *ctx, uint64_t rows)
{
    web_job *j = ctx;
    atomic_store(&j->rows_done, rows);
}

static void job_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)total; /* the upload's size, known when the job was made */
    web_job *j = ctx;
    atomic_store(&j->bytes_done, done);
}

typedef struct job_result {
    int64_t import_id;
    bool already;
    uint64_t rows, skipped;
    sl_error error;
} job_result;

/* Imports one job's file over the worker's own store connection.  Reads
 * only what the submitter wrote before the job was queued; the result goes
 * back under the lock (job pages read it from other threads). */
static void run_job(sl_store *store, web_job *j, job_result *out)
{
    const char *paths[1] = {j->path};
    const char *names[1] = {j->file};
    sl_read_options o = {.store = store, .names = names, .threads = 1,
                         .progress = job_progress, .progress_rows = job_rows,
                         .progress_ctx = j};
    if (j->sheet[0])
        o.sheet = j->sheet;
    o.creator_id = j->creator_id;
    if (store)
        sl_store_set_actor(store, j->actor[0] ? j->actor : NULL);
    sl_report *r = NULL;
    memset(out, 0, sizeof *out);
    sl_error_clear(&out->error);
    sl_status st = store ? sl_report_read(paths, 1, &o, &r, &out->error)
                         : web_fail(&out->error, SL_ERR_STORE, "the store cannot be opened");
    if (st == SL_OK) {
        out->import_id = r->sources[0].import_id;
        out->already = r->sources[0].already_stored;
        out->rows = r->rows_read;
        out->skipped = r->rows_skipped;
    }
    sl_report_free(r);
    unlink(j->path);
    /* The import's buffers are free again; hand the pages back too, so the
     * server returns to its idle size after a large file. */
    malloc_trim(0);
}

static web_job *oldest_queued(struct web_jobs *q)
{
    web_job *pick = NULL;
    for (size_t i = 0; i < WEB_MAX_JOBS; i++) {
        web_job *j = &q->jobs[i];
        if (j->used && j->state == WEB_JOB_QUEUED && (!pick || j->order < pick->order))
            pick = j;
    }
    return pick;
}

static void *worker_main(void *arg)
{
    struct web_jobs *q = arg;
    sl_store *store = NULL;
    sl_error err;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        web_job *j = NULL;
        while (!q->stopping && !(j = oldest_queued(q)))
            pthread_cond_wait(&q->wake, &q->lock);
        if (q->stopping)
            break;
        j->state = WEB_JOB_RUNNING;
        pthread_mutex_unlock(&q->lock);
        if (!store && sl_store_open(q->server->db_path, &store, &err) == SL_OK)
            sl_store_set_busy_timeout(store, JOB_WRITE_WAIT_MS);
        job_result result;
        run_job(store, j, &result);
        pthread_mutex_lock(&q->lock);
        j->path[0] = '\0';
        j->import_id = result.import_id;
        j->already = result.already;
        j->rows = result.rows;
        j->skipped = result.skipped;
        j->error = result.error;
        if (j->error.code == SL_OK)
            atomic_store(&j->bytes_done, j->bytes_total);
        j->state = j->error.code == SL_OK ? WEB_JOB_DONE : WEB_JOB_FAILED;
        j->finished_at = time(NULL);
    }
    pthread_mutex_unlock(&q->lock);
    sl_store_close(store);
    return NULL;
}

sl_status web_jobs_start(web_server *server, sl_error *err)
{
    struct web_jobs *q = calloc(1, sizeof *q);
    if (!q)
        return web_fail(err, SL_ERR_NO_MEMORY, "out of memory");
    q->server = server;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->wake, NULL);
    int rc = pthread_create(&q->worker, NULL, worker_main, q);
    if (rc != 0) {
        pthread_cond_destroy(&q->wake);
        pthread_mutex_destroy(&q->lock);
        free(q);
        return web_fail(err, SL_ERR_IO, "cannot start the import worker: %s", strerror(rc));
    }
    server->jobs = q;
    return SL_OK;
}

void web_jobs_stop(web_server *server)
{
    struct web_jobs *q = server->jobs;
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stopping = true;
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    /* A running import finishes first: its rows go in as one transaction,
     * so stopping half-way would only throw the work away. */
    pthread_join(q->worker, NULL);
    for (size_t i = 0; i < WEB_MAX_JOBS; i++)
        if (q->jobs[i].used && q->jobs[i].path[0])
            unlink(q->jobs[i].path);
    pthread_cond_destroy(&q->wake);
    pthread_mutex_destroy(&q->lock);
    free(q);
    server->jobs = NULL;
}

/* A free slot: an unused one, else the job that finished first.  NULL
 * when every slot holds unfinished work. */
static web_job *free_slot(struct web_jobs *q)
{
    web_job *oldest = NULL;
    for (size_t i = 0; i < WEB_MAX_JOBS; i++) {
        web_job *j = &q->jobs[i];
        if (!j->used)
            return j;
        bool finished = j->state == WEB_JOB_DONE || j->state == WEB_JOB_FAILED;
        if (finished && (!oldest || j->finished_at < oldest->finished_at))
            oldest = j;
    }
    return oldest;
}

sl_status web_job_submit(web_request *req, web_job_view *out, sl_error *err)
{
    struct web_jobs *q = req->server->jobs;
    if (req->has_upload && req->upload_size == 0 && req->upload_name[0])
        return web_fail(err, SL_ERR_INVALID_ARGUMENT,
                        "%s is empty (0 bytes): export the file again from the platform, "
                        "or choose another one",
                        req->upload_name);
    if (!req->has_upload || req->upload_size == 0 || !req->upload_path[0])
        return web_fail(err, SL_ERR_INVALID_ARGUMENT,
                        "choose an export file (XLSX or CSV) to upload");
    const char *sheet = web_param(req, "sheet");
    if (sheet && strlen(sheet) >= sizeof ((web_job *)0)->sheet)
        return web_fail(err, SL_ERR_INVALID_ARGUMENT, "the sheet name is too long");
    int64_t creator_id = 0;
    sl_status cst = web_upload_creator(req, &creator_id, err);
    if (cst != SL_OK)
        return cst;
    char id[33];
    web_session_new(id);
    pthread_mutex_lock(&q->lock);
    web_job *j = free_slot(q);
    if (!j) {
        pthread_mutex_unlock(&q->lock);
        return web_fail(err, SL_ERR_BUSY,
                        "%d imports are already waiting; try again when one has finished",
                        WEB_MAX_JOBS);
    }
    memset(j, 0, sizeof *j);
    j->used = true;
    memcpy(j->id, id, sizeof j->id);
    memcpy(j->session, req->session, sizeof j->session);
    j->state = WEB_JOB_QUEUED;
    snprintf(j->path, sizeof j->path, "%s", req->upload_path);
    snprintf(j->file, sizeof j->file, "%s", req->upload_name);
    snprintf(j->sheet, sizeof j->sheet, "%s", sheet ? sheet : "");
    snprintf(j->actor, sizeof j->actor, "%s", req->signed_in ? req->user.name : "");
    j->creator_id = creator_id;
    j->bytes_total = req->upload_size;
    j->order = q->next_order++;
    req->upload_path[0] = '\0'; /* the job owns the file now */
    view_of(j, out);
    pthread_cond_signal(&q->wake);
    pthread_mutex_unlock(&q->lock);
    return SL_OK;
}

bool web_job_find(web_server *server, const char *id, const char *session, web_job_view *out)
{
    struct web_jobs *q = server->jobs;
    if (!q || !id || strlen(id) != 32)
        return false;
    bool found = false;
    time_t now = time(NULL);
    pthread_mutex_lock(&q->lock);
    for (size_t i = 0; i < WEB_MAX_JOBS && !found; i++) {
        web_job *j = &q->jobs[i];
        bool expired = (j->state == WEB_JOB_DONE || j->state == WEB_JOB_FAILED) &&
                       now - j->finished_at > WEB_JOB_KEPT_S;
        if (j->used && !expired && strcmp(j->id, id) == 0 && strcmp(j->session, session) == 0) {
            view_of(j, out);
            found = true;
        }
    }
    pthread_mutex_unlock(&q->lock);
    return found;
}
