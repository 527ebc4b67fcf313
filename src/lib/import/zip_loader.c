/*
 * zip_loader.c — opens libzip with dlopen the first time an XLSX is read,
 * so commands that never read one (decode, compare, define…) do not pay for
 * loading it and its dependencies at every start.
 *
 * A machine without libzip can still do everything but read XLSX: that file
 * gets a clear error naming the package, never a crash.
 */
#include "zip_loader.h"
#include "base/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

/* The soname of the libzip ABI <zip.h> describes (Debian package libzip4). */
#define LIBZIP_SONAME "libzip.so.4"

static struct {
    pthread_once_t once;
    sl_zip_api api;
    const sl_zip_api *ready;   /* &api once every function resolved */
    char why[400];
} loader = {.once = PTHREAD_ONCE_INIT};

static const sl_symbol zip_symbols[] = {
    {"zip_name_locate", offsetof(sl_zip_api, name_locate)},
    {"zip_stat_index", offsetof(sl_zip_api, stat_index)},
    {"zip_fopen_index", offsetof(sl_zip_api, fopen_index)},
    {"zip_strerror", offsetof(sl_zip_api, strerror)},
    {"zip_fclose", offsetof(sl_zip_api, fclose)},
    {"zip_fread", offsetof(sl_zip_api, fread)},
    {"zip_file_strerror", offsetof(sl_zip_api, file_strerror)},
    {"zip_error_init", offsetof(sl_zip_api, error_init)},
    {"zip_open_from_source", offsetof(sl_zip_api, open_from_source)},
    {"zip_error_code_zip", offsetof(sl_zip_api, error_code_zip)},
    {"zip_error_strerror", offsetof(sl_zip_api, error_strerror)},
    {"zip_error_fini", offsetof(sl_zip_api, error_fini)},
    {"zip_source_free", offsetof(sl_zip_api, source_free)},
    {"zip_source_file_create", offsetof(sl_zip_api, source_file_create)},
    {"zip_source_buffer_create", offsetof(sl_zip_api, source_buffer_create)},
    {"zip_discard", offsetof(sl_zip_api, discard)},
};

static void load(void)
{
    if (sl_library_load(LIBZIP_SONAME, "reading XLSX needs libzip (Debian package libzip4): ",
                        zip_symbols, sizeof zip_symbols / sizeof *zip_symbols, &loader.api,
                        loader.why, sizeof loader.why))
        loader.ready = &loader.api;
}

const sl_zip_api *sl_zip_api_get(const char **why)
{
    pthread_once(&loader.once, load);
    if (!loader.ready && why)
        *why = loader.why;
    return loader.ready;
}
