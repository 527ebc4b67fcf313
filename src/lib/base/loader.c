/*
 * loader.c — a shared library opened with dlopen on first use and its
 * functions filled into a table (import/zip_loader.c for libzip,
 * store/pq_loader.c for libpq), so commands that never need it do not pay
 * for loading it — and everything it pulls in — at every start.
 *
 * All or nothing: a library missing one function is closed again, and the
 * caller gets a sentence naming the package to install.
 */
#include "base/internal.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

bool sl_library_load(const char *soname, const char *needs, const sl_symbol *symbols,
                     size_t count, void *api, char *why, size_t why_size)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        snprintf(why, why_size, "%s%s", needs, e ? e : soname);
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        void *sym = dlsym(lib, symbols[i].name);
        if (!sym) {
            const char *e = dlerror();
            snprintf(why, why_size, "%s%s", needs, e ? e : symbols[i].name);
            dlclose(lib);
            return false;
        }
        /* dlsym returns an object pointer; POSIX guarantees it converts to
         * a function pointer, which ISO C alone does not, hence memcpy. */
        memcpy((char *)api + symbols[i].offset, &sym, sizeof sym);
    }
    return true;
}
