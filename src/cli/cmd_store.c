/*
 * cmd_store.c — `shoplab history`, `shoplab forget` and `shoplab store
 * copy`: what the store holds, removing one import from it, and moving a
 * whole store to another (SQLite or PostgreSQL).
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { H_CREATOR, H_JSON, H_DB, H__COUNT };

static const flag_spec history_flags[] = {
    [H_CREATOR] = {"creator", FLAG_TEXT, false, "ID",
                   "only imports holding rows of this creator (ID or username)", NULL},
    [H_JSON] = {"json", FLAG_SWITCH, false, NULL, "print JSON instead of the list", NULL},
    [H_DB] = {"db", FLAG_TEXT, false, "PATH",
              "the store (default $SHOPLAB_DB, else ~/.local/share/shoplab/shoplab.db)", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec history_spec = {
    "history",
    "List the imports kept in the store, newest first: id, when, file, sheet, period, rows.",
    "Example: shoplab history --creator 6912345678901234567",
    history_flags,
    0,
    0,
    NULL,
};

int cmd_history(int argc, char **argv)
{
    flag_value v[H__COUNT];
    int rc = cli_parse(&history_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    sl_store *store;
    if ((rc = cli_open_store_readonly(&history_spec, v[H_DB].text, &store)) >= 0)
        return rc;
    sl_import *items = NULL;
    size_t count = 0;
    sl_error err;
    sl_status st = sl_store_imports(store, v[H_CREATOR].text, &items, &count, &err);
    sl_store_close(store);
    if (st != SL_OK) {
        cli_fail(&history_spec, "%s", err.message);
        return cli_exit_code(st);
    }
    if (v[H_JSON].set) {
        rc = cli_print_json(sl_imports_to_json(items, count));
        sl_free(items);
        return rc;
    }
    if (count == 0) {
        printf(v[H_CREATOR].set ? "No imports hold rows of creator %s.\n"
                                : "No imports yet%s. Run 'shoplab read FILE' to add one.\n",
               v[H_CREATOR].set ? v[H_CREATOR].text : "");
    } else {
        printf("%s%5s  %-20s  %9s  %s%s\n", cli_bold(), "id", "imported (UTC)", "rows",
               "file", cli_reset());
        for (size_t i = 0; i < count; i++) {
            const sl_import *m = &items[i];
            char rows[32], detail[400] = "";
            printf("%5lld  %-20s  %9s  %s\n", (long long)m->id, m->imported_at,
                   cli_count(rows, (double)m->rows), m->file);
            size_t w = 0;
            if (m->sheet[0])
                w += (size_t)snprintf(detail + w, sizeof detail - w, "sheet %s", m->sheet);
            if (m->period[0] && w < sizeof detail)
                w += (size_t)snprintf(detail + w, sizeof detail - w, "%speriod %s",
                                      w ? ", " : "", m->period);
            if (m->skipped && w < sizeof detail)
                snprintf(detail + w, sizeof detail - w, "%s%llu bad rows skipped", w ? ", " : "",
                         (unsigned long long)m->skipped);
            if (detail[0])
                cli_wrap(stdout, 40, "                                        ", detail);
        }
    }
    sl_free(items);
    return cli_finish(EXIT_OK);
}

enum { G_DB, G__COUNT };

static const flag_spec forget_flags[] = {
    [G_DB] = {"db", FLAG_TEXT, false, "PATH",
              "the store (default $SHOPLAB_DB, else ~/.local/share/shoplab/shoplab.db)", NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec forget_spec = {
    "forget",
    "Remove one import and all its rows from the store ('shoplab history' lists the ids). "
    "The export file itself is not touched.",
    "Example: shoplab forget 3",
    forget_flags,
    1,
    1,
    "IMPORT_ID",
};

int cmd_forget(int argc, char **argv)
{
    flag_value v[G__COUNT];
    cli_args args;
    int rc = cli_parse(&forget_spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    char *end;
    errno = 0;
    long long id = strtoll(args.items[0], &end, 10);
    if (*end || end == args.items[0] || id <= 0 || errno) {
        cli_error(&forget_spec, "'%s' is not an import id; 'shoplab history' lists them",
                  args.items[0]);
        return EXIT_USAGE;
    }
    sl_store *store;
    if ((rc = cli_open_store(&forget_spec, v[G_DB].text, &store)) >= 0)
        return rc;
    sl_import meta;
    sl_error err;
    sl_status st = sl_store_import_get(store, id, &meta, &err);
    if (st == SL_OK)
        st = sl_store_forget(store, id, &err);
    sl_store_close(store);
    if (st != SL_OK) {
        cli_fail(&forget_spec, "%s", err.message);
        return cli_exit_code(st);
    }
    printf("Forgot import #%lld (%s, %llu rows).\n", id, meta.file,
           (unsigned long long)meta.rows);
    return cli_finish(EXIT_OK);
}

/* ---- store copy ---- */

enum { Y_FROM, Y_TO, Y__COUNT };

static const flag_spec copy_flags[] = {
    [Y_FROM] = {"from", FLAG_TEXT, false, "STORE",
                "the store to copy: a SQLite file or a postgresql:// URI (default "
                "$SHOPLAB_DB, else ~/.local/share/shoplab/shoplab.db)",
                NULL},
    [Y_TO] = {"to", FLAG_TEXT, true, "STORE",
              "the empty store to copy into: a SQLite file (created) or a postgresql:// URI",
              NULL},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const command_spec copy_spec = {
    "store copy",
    "Copy a whole store into an empty one, of the same engine or the other: every import with "
    "its rows, every journal test with its looks, every drill answer, with their ids. The "
    "counts and sums of both sides are compared before the copy is kept. A store that is not "
    "empty is never written to. Put a PostgreSQL password in ~/.pgpass or PGPASSWORD, not in "
    "the URI.",
    "Example: shoplab store copy --from ~/.local/share/shoplab/shoplab.db "
    "--to postgresql://shoplab@db.example/agency",
    copy_flags,
    0,
    0,
    NULL,
};

static int cmd_store_copy(int argc, char **argv)
{
    flag_value v[Y__COUNT];
    int rc = cli_parse(&copy_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    sl_store *from, *to;
    if ((rc = cli_open_store_readonly(&copy_spec, v[Y_FROM].text, &from)) >= 0)
        return rc;
    if ((rc = cli_open_store(&copy_spec, v[Y_TO].text, &to)) >= 0) {
        sl_store_close(from);
        return rc;
    }
    sl_store_copy_result r;
    sl_error err;
    sl_status st = sl_store_copy(from, to, &r, &err);
    if (st == SL_OK) {
        char imports[32], records[32], tests[32], looks[32], drills[32];
        printf("Copied %s imports (%s rows), %s journal tests (%s looks) and %s drill answers "
               "from %s to %s; counts and sums match on both sides.\n",
               cli_count(imports, (double)r.imports), cli_count(records, (double)r.records),
               cli_count(tests, (double)r.tests), cli_count(looks, (double)r.looks),
               cli_count(drills, (double)r.drill_answers), sl_store_name(from),
               sl_store_name(to));
    }
    sl_store_close(from);
    sl_store_close(to);
    if (st != SL_OK) {
        cli_fail(&copy_spec, "%s", err.message);
        return cli_exit_code(st);
    }
    return cli_finish(EXIT_OK);
}

int cmd_store(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        FILE *out = argc < 1 ? stderr : stdout;
        fprintf(out, "Usage: shoplab store SUBCOMMAND [flags]\n\n");
        cli_wrap(out, 0, "", "Work on a whole store (docs/store.md).");
        fprintf(out, "\nSubcommands:\n");
        cli_wrap(out, 12, "  copy      ", copy_spec.summary);
        fprintf(out, "\nRun 'shoplab store SUBCOMMAND --help' for its flags.\n");
        return argc < 1 ? EXIT_USAGE : cli_finish(EXIT_OK);
    }
    if (strcmp(argv[0], "copy") == 0)
        return cmd_store_copy(argc - 1, argv + 1);
    cli_error(NULL, "unknown store subcommand '%s'; try 'shoplab store --help'", argv[0]);
    return EXIT_USAGE;
}
