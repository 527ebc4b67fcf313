/*
 * zip_loader.h — libzip, loaded the first time an XLSX is opened (private
 * to the library; zip_loader.c).
 *
 * Linking libzip pulls libcrypto, bz2 and z into every start of every
 * command, which costs more than a decode does in all; only XLSX reading
 * needs it.  The pointer types come from <zip.h> through __typeof__, so a
 * signature that changes there is a compile error here, not a bad call.
 */
#ifndef SL_ZIP_LOADER_H
#define SL_ZIP_LOADER_H

#include "shoplab.h"

#include <zip.h>

/* The libzip functions xlsx.c calls, named without their "zip_" prefix. */
typedef struct sl_zip_api {
    __typeof__(zip_name_locate) *name_locate;
    __typeof__(zip_stat_index) *stat_index;
    __typeof__(zip_fopen_index) *fopen_index;
    __typeof__(zip_strerror) *strerror;
    __typeof__(zip_fclose) *fclose;
    __typeof__(zip_fread) *fread;
    __typeof__(zip_file_strerror) *file_strerror;
    __typeof__(zip_error_init) *error_init;
    __typeof__(zip_open_from_source) *open_from_source;
    __typeof__(zip_error_code_zip) *error_code_zip;
    __typeof__(zip_error_strerror) *error_strerror;
    __typeof__(zip_error_fini) *error_fini;
    __typeof__(zip_source_free) *source_free;
    __typeof__(zip_source_file_create) *source_file_create;
    __typeof__(zip_source_buffer_create) *source_buffer_create;
    __typeof__(zip_discard) *discard;
} sl_zip_api;

/* The loaded functions, or NULL when libzip cannot be loaded; then `why`
 * (if not NULL) is set to a static message naming the Debian package and
 * the loader's reason.  Loads once per process (pthread_once), so any
 * thread may call it; the library stays loaded until exit. */
const sl_zip_api *sl_zip_api_get(const char **why);

#endif
