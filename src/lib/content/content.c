/*
 * content.c — reads the embedded content files: practice reference values
 * and the per-step checklists the decoder's next test comes from.
 *
 * The files are plain `key: value` text (see content/README.md) compiled into
 * the binary by src/tools/embed.c.  They are parsed once, on first use, into
 * read-only tables (pthread_once keeps that safe across threads); every later
 * call only reads them.
 */
#include "embedded.h"
#include "base/internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More entries than any checklist needs; a longer file fails the content test. */
#define MAX_CHECK_ITEMS 16

typedef struct checklist {
    sl_check_item items[MAX_CHECK_ITEMS];
    size_t count;
    char *text;            /* owned copy the items point into (kept for the process) */
} checklist;

static struct {
    pthread_once_t once;
    sl_status status;
    checklist steps[SL_STEP__COUNT];
    sl_baseline practice;
    char practice_label[200];
} content = {.once = PTHREAD_ONCE_INIT};

const sl_embedded_file *sl_embedded_find(const char *name)
{
    for (size_t i = 0; i < sl_embedded_file_count; i++)
        if (strcmp(sl_embedded_files[i].name, name) == 0)
            return &sl_embedded_files[i];
    return NULL;
}

static sl_status parse_checklist(sl_step step, checklist *out)
{
    char name[64];
    snprintf(name, sizeof name, "checklists/%s.txt", sl_step_name(step));
    const sl_embedded_file *file = sl_embedded_find(name);
    if (!file)
        return SL_ERR_CONTENT;
    out->text = strdup(file->data);
    if (!out->text)
        return SL_ERR_NO_MEMORY;
    sl_lines lines = {out->text, name, 0};
    sl_entry e;
    int kind;
    bool step_seen = false;
    while ((kind = sl_lines_entry(&lines, &e, NULL)) != 0) {
        if (kind < 0)
            return SL_ERR_CONTENT;
        const char *key = e.key, *value = e.value;
        if (strcmp(key, "step") == 0) {
            if (strcmp(value, sl_step_name(step)) != 0)
                return SL_ERR_CONTENT;
            step_seen = true;
        } else if (strcmp(key, "change") == 0) {
            if (out->count == MAX_CHECK_ITEMS)
                return SL_ERR_CONTENT;
            out->items[out->count++].change = value;
        } else if (strcmp(key, "hypothesis") == 0) {
            if (out->count == 0 || out->items[out->count - 1].hypothesis)
                return SL_ERR_CONTENT;
            out->items[out->count - 1].hypothesis = value;
        } else if (strcmp(key, "metric") != 0) {
            return SL_ERR_CONTENT;
        }
    }
    if (!step_seen || out->count == 0)
        return SL_ERR_CONTENT;
    for (size_t i = 0; i < out->count; i++)
        if (!out->items[i].hypothesis)
            return SL_ERR_CONTENT;
    return SL_OK;
}

static bool parse_number(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end)
        return false;
    *out = v;
    return true;
}

static sl_status parse_practice(void)
{
    const sl_embedded_file *file = sl_embedded_find("practice/reference.txt");
    if (!file)
        return SL_ERR_CONTENT;
    char *text = strdup(file->data);
    if (!text)
        return SL_ERR_NO_MEMORY;
    sl_lines lines = {text, file->name, 0};
    sl_entry e;
    int kind;
    unsigned seen = 0;
    sl_status st = SL_OK;
    sl_baseline *b = &content.practice;
    while (st == SL_OK && (kind = sl_lines_entry(&lines, &e, NULL)) != 0) {
        const char *key = e.key, *value = e.value;
        double v = 0;
        if (kind < 0) {
            st = SL_ERR_CONTENT;
        } else if (strcmp(key, "label") == 0) {
            snprintf(content.practice_label, sizeof content.practice_label, "%s", value);
            seen |= 1;
        } else if (!parse_number(value, &v) || !(v > 0)) {
            st = SL_ERR_CONTENT;
        } else if (strcmp(key, "views") == 0) {
            b->views = v, b->views_source = SL_BASELINE_PRACTICE, seen |= 2;
        } else if (strcmp(key, "product_ctr") == 0 && v < 1) {
            b->product_ctr = v, b->product_ctr_source = SL_BASELINE_PRACTICE, seen |= 4;
        } else if (strcmp(key, "video_ctr") == 0 && v < 1) {
            b->video_ctr = v, b->video_ctr_source = SL_BASELINE_PRACTICE, seen |= 8;
        } else if (strcmp(key, "ctor") == 0 && v < 1) {
            b->ctor = v, b->ctor_source = SL_BASELINE_PRACTICE, seen |= 16;
        } else {
            st = SL_ERR_CONTENT;
        }
    }
    free(text);
    if (st == SL_OK && seen != 31)
        st = SL_ERR_CONTENT;
    return st;
}

static void load_content(void)
{
    content.status = parse_practice();
    for (int s = 0; s < SL_STEP__COUNT && content.status == SL_OK; s++)
        content.status = parse_checklist((sl_step)s, &content.steps[s]);
}

static sl_status ensure_content(void)
{
    pthread_once(&content.once, load_content);
    return content.status;
}

sl_status sl_practice_baseline(sl_baseline *out)
{
    if (!out)
        return SL_ERR_INVALID_ARGUMENT;
    sl_status st = ensure_content();
    if (st == SL_OK)
        *out = content.practice;
    return st;
}

const char *sl_practice_label(void)
{
    return ensure_content() == SL_OK ? content.practice_label
                                     : "practice reference values (invented for practice)";
}

sl_status sl_step_checklist(sl_step step, const sl_check_item **items, size_t *count)
{
    if ((unsigned)step >= SL_STEP__COUNT || !items || !count)
        return SL_ERR_INVALID_ARGUMENT;
    sl_status st = ensure_content();
    if (st != SL_OK)
        return st;
    *items = content.steps[step].items;
    *count = content.steps[step].count;
    return SL_OK;
}
