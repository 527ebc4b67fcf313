/*
 * content_load.c — where content trees come from: named texts (the fuzz
 * target, the tests), a directory on disk (`--content DIR`, the content
 * checks before a build) and the built-in copy compiled into the binary,
 * plus one built-in term read alone.
 *
 * Loading is its own file so the steps run one way: content_tree.c parses
 * the texts into a tree, then content_check.c cross-checks it; neither
 * calls back into the other or into this file.
 */
#include "embedded.h"
#include "base/internal.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest content file read from a directory: content files are short text. */
#define MAX_CONTENT_FILE (1u << 20)

/* A tree from named texts, parsed and then cross-checked. */
static sl_status build_checked(const source_file *files, size_t count, sl_content **out,
                               sl_error *err)
{
    sl_status st = sl_content_build(files, count, false, out, err);
    if (st == SL_OK && (st = sl_content_validate(*out, err)) != SL_OK) {
        if (st == SL_ERR_NO_MEMORY)
            sl_fail(err, st, NULL, "out of memory while reading content");
        sl_content_free(*out);
        *out = NULL;
    }
    return st;
}

sl_status sl_content_from_texts(const source_file *files, size_t count, sl_content **out,
                                sl_error *err)
{
    if (!out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no output given");
    return build_checked(files, count, out, err);
}

/* ---- the built-in tree ---- */

static struct {
    pthread_once_t once;
    sl_content *tree;
    sl_error err;
    atomic_bool loaded;         /* load_builtin has run (sl_content_builtin_term) */
} builtin = {.once = PTHREAD_ONCE_INIT};

static source_file *embedded_sources(void)
{
    source_file *files = calloc(sl_embedded_file_count ? sl_embedded_file_count : 1, sizeof *files);
    for (size_t i = 0; files && i < sl_embedded_file_count; i++)
        files[i] = (source_file){sl_embedded_files[i].name, sl_embedded_files[i].data};
    return files;
}

static void load_builtin(void)
{
    source_file *files = embedded_sources();
    if (!files) {
        sl_fail(&builtin.err, SL_ERR_NO_MEMORY, NULL, "out of memory while reading content");
        return;
    }
    /* Lazy: the vocabulary waits for its first need and the cross-checks
     * for the test suite, so a command that needs one term does not pay
     * for all of it. */
    sl_content_build(files, sl_embedded_file_count, true, &builtin.tree, &builtin.err);
    free(files);
    atomic_store(&builtin.loaded, true);
}

const sl_content *sl_content_builtin(sl_error *err)
{
    pthread_once(&builtin.once, load_builtin);
    if (!builtin.tree && err)
        *err = builtin.err;
    return builtin.tree;
}

const sl_content *sl_content_builtin_with_vocabulary(sl_error *err)
{
    const sl_content *c = sl_content_builtin(err);
    return c && sl_content_vocabulary_status(c, err) == SL_OK ? c : NULL;
}

/* ---- one built-in term without the tree ---- */

/* Terms read on their own, kept for the process (a handful: the decoder
 * asks for one of four). */
#define MAX_SINGLE_TERMS 16

static struct {
    pthread_mutex_t lock;
    sl_arena arena;
    sl_term terms[MAX_SINGLE_TERMS];
    size_t count;
} single = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Parses terms/SLUG.txt alone into single.terms (lock held). */
static const sl_term *read_single_term(const char *slug)
{
    for (size_t i = 0; i < single.count; i++)
        if (strcmp(single.terms[i].slug, slug) == 0)
            return &single.terms[i];
    char name[256];
    if (single.count == MAX_SINGLE_TERMS ||
        snprintf(name, sizeof name, "terms/%s.txt", slug) >= (int)sizeof name)
        return NULL;
    const sl_embedded_file *file = sl_embedded_find(name);
    sl_term *t = &single.terms[single.count];
    if (!file || sl_content_parse_term(&single.arena, name, file->data, t, NULL) != SL_OK ||
        strcmp(t->slug, slug) != 0)
        return NULL; /* what the arena holds stays until exit, like the tree */
    single.count++;
    return t;
}

const sl_term *sl_content_builtin_term(const char *slug)
{
    if (!slug)
        return NULL;
    /* Once the tree is read, its own copy: a term file's slug is its name
     * (sl_content_validate checks it), so this is sl_term_find's answer. */
    if (atomic_load(&builtin.loaded)) {
        return sl_content_term_by_slug(sl_content_builtin(NULL), slug);
    }
    pthread_mutex_lock(&single.lock);
    const sl_term *t = read_single_term(slug);
    pthread_mutex_unlock(&single.lock);
    return t;
}

/* ---- a tree from a directory ---- */

static sl_status read_text_file(const char *path, char **out, sl_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sl_fail(err, SL_ERR_IO, NULL, "cannot open %s: %s", path, strerror(errno));
    char *buf = malloc(MAX_CONTENT_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_CONTENT_FILE + 1, f) : 0;
    bool bad = ferror(f);
    fclose(f);
    if (!buf)
        return sl_fail(err, SL_ERR_NO_MEMORY, NULL, "out of memory reading %s", path);
    if (bad || n > MAX_CONTENT_FILE) {
        free(buf);
        return sl_fail(err, SL_ERR_IO, NULL, "%s: %s", path,
                       bad ? "read error" : "larger than the 1 MiB content-file limit");
    }
    buf[n] = '\0';
    *out = buf;
    return SL_OK;
}

sl_status sl_content_load_dir(const char *dir, sl_content **out, sl_error *err)
{
    if (!dir || !out)
        return sl_fail(err, SL_ERR_INVALID_ARGUMENT, NULL, "no directory given");
    *out = NULL;
    static const char *const subdirs[] = {"terms", "guides", "drills", "import/vocabulary"};
    source_file *files = NULL;
    size_t count = 0, cap = 0;
    sl_status st = SL_OK;
    for (size_t s = 0; s < 4 && st == SL_OK; s++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, subdirs[s]);
        DIR *d = opendir(path);
        if (!d && s == 3 && errno == ENOENT)
            continue; /* a tree without export vocabulary */
        if (!d) {
            st = sl_fail(err, SL_ERR_IO, NULL, "cannot open %s: %s", path, strerror(errno));
            break;
        }
        struct dirent *de;
        while (st == SL_OK && (de = readdir(d))) {
            size_t len = strlen(de->d_name);
            if (len < 5 || strcmp(de->d_name + len - 4, ".txt") != 0)
                continue;
            if (count == cap) {
                cap = cap ? cap * 2 : 64;
                source_file *grown = realloc(files, cap * sizeof *files);
                if (!grown) {
                    st = SL_ERR_NO_MEMORY;
                    break;
                }
                files = grown;
            }
            char name[512], file_path[4608];
            snprintf(name, sizeof name, "%s/%s", subdirs[s], de->d_name);
            snprintf(file_path, sizeof file_path, "%s/%s", path, de->d_name);
            char *text = NULL;
            st = read_text_file(file_path, &text, err);
            if (st == SL_OK) {
                char *name_copy = strdup(name);
                if (!name_copy) {
                    free(text);
                    st = SL_ERR_NO_MEMORY;
                } else {
                    files[count++] = (source_file){name_copy, text};
                }
            }
        }
        closedir(d);
    }
    if (st == SL_OK)
        st = build_checked(files, count, out, err);
    else if (st == SL_ERR_NO_MEMORY)
        sl_fail(err, st, NULL, "out of memory reading %s", dir);
    for (size_t i = 0; i < count; i++) {
        free((char *)files[i].name);
        free((char *)files[i].text);
    }
    free(files);
    return st;
}
