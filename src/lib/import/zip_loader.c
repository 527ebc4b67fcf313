/*
 * zip_loader.c — opens libzip with dlopen the first time an XLSX is read,
 * so commands that never read one (decode, compare, define…) do not pay for
 * loading it and its dependencies at every start.
 *
 * A machine without libzip can still do everything but read XLSX: that file
 * gets a clear error naming the package, never a crash.
 */
#include "zip_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The soname of the libzip ABI <zip.h> describes (Debian package libzip4). */
#define LIBZIP_SONAME "libzip.so.4"

static struct {
    pthread_once_t once;
    sl_zip_api api;
    const sl_zip_api *ready;   /* &api once every function resolved */
    char why[400];
} loader = {.once = PTHREAD_ONCE_INIT};

/* dlsym returns an object pointer; POSIX guarantees it converts to a
 * function pointer, which ISO C alone does not, hence the memcpy. */
static bool resolve(void *lib, const char *name, void *slot, size_t size)
{
    void *sym = dlsym(lib, name);
    if (!sym) {
        const char *e = dlerror();
        snprintf(loader.why, sizeof loader.why,
                 "reading XLSX needs libzip (Debian package libzip4): %s",
                 e ? e : name);
        return false;
    }
    memcpy(slot, &sym, size);
    return true;
}

static void load(void)
{
    void *lib = dlopen(LIBZIP_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        snprintf(loader.why, sizeof loader.why,
                 "reading XLSX needs libzip (Debian package libzip4): %s",
                 e ? e : "cannot load " LIBZIP_SONAME);
        return;
    }
    sl_zip_api *a = &loader.api;
#define RESOLVE(field) resolve(lib, "zip_" #field, &a->field, sizeof a->field)
    bool ok = RESOLVE(name_locate) && RESOLVE(stat_index) && RESOLVE(fopen_index) &&
              RESOLVE(strerror) && RESOLVE(fclose) && RESOLVE(fread) &&
              RESOLVE(file_strerror) && RESOLVE(error_init) && RESOLVE(open_from_source) &&
              RESOLVE(error_code_zip) && RESOLVE(error_strerror) && RESOLVE(error_fini) &&
              RESOLVE(source_free) && RESOLVE(source_file_create) &&
              RESOLVE(source_buffer_create) && RESOLVE(discard);
#undef RESOLVE
    if (!ok) {
        /* A libzip too old for one of the functions: nothing is half-used. */
        dlclose(lib);
        return;
    }
    loader.ready = a;
}

const sl_zip_api *sl_zip_api_get(const char **why)
{
    pthread_once(&loader.once, load);
    if (!loader.ready && why)
        *why = loader.why;
    return loader.ready;
}
