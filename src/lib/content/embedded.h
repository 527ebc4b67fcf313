/*
 * embedded.h — the content files compiled into the library (private).
 *
 * The table is generated at build time by src/tools/embed.c from content/.
 */
#ifndef SL_EMBEDDED_H
#define SL_EMBEDDED_H

#include <stddef.h>

typedef struct sl_embedded_file {
    const char *name;   /* path below content/, e.g. "checklists/attention.txt" */
    const char *data;   /* NUL-terminated file contents */
    size_t size;
} sl_embedded_file;

extern const sl_embedded_file sl_embedded_files[];
extern const size_t sl_embedded_file_count;

/* The embedded file called `name`, or NULL. */
const sl_embedded_file *sl_embedded_find(const char *name);

#endif
