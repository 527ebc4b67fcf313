/*
 * main.c — entry point of the `shoplab` command: finds the subcommand and
 * hands it the remaining arguments.  Each command lives in its own cmd_*.c;
 * this file only knows their names, the global help and the exit codes.
 */
#include "cli.h"

#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"decode", cmd_decode, "read one video's funnel: verdict per step, bottleneck, next test"},
    {"compare", cmd_compare, "one-change test: is video B really different from video A?"},
    {"stats", cmd_stats, "one statistic at a time: intervals, tests, sample size"},
    {"define", cmd_define, "a glossary term: meaning, other names, formula, checklist, Q&A"},
    {"terms", cmd_terms, "list the glossary by loop step (pick, tag, read)"},
    {"same", cmd_same, "are two words the same measure, related, or different?"},
    {"guide", cmd_guide, "list the guides, or read one"},
    {"drill", cmd_drill, "practise Pick, Tag and Read on fictional scenarios"},
    {"read", cmd_read, "a funnel report from export files (CSV, XLSX), row by row"},
    {"history", cmd_history, "list the imports kept in the store"},
    {"forget", cmd_forget, "remove one import from the store"},
    {"store", cmd_store, "copy a whole store, between SQLite and PostgreSQL"},
    {"journal", cmd_journal, "plan, look at and close one-change tests, kept in the store"},
    {"serve", cmd_serve, "the web app in your browser, on this computer only"},
    {"user", cmd_user, "team mode's accounts: add, list, passwd, remove, logout-everywhere"},
    {"creator", cmd_creator, "team mode's creators and the managers they are assigned to"},
    {"audit", cmd_audit, "who imported, deleted, planned, added or removed what, and when"},
};

static void print_usage(FILE *out)
{
    fprintf(out,
            "Usage: shoplab COMMAND [flags]\n"
            "\n"
            "ShopLab reads the numbers of shoppable videos (views, product impressions,\n"
            "product clicks, orders) and turns them into one next decision. It runs\n"
            "offline; nothing you type leaves this machine.\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-10s%s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "Run 'shoplab COMMAND --help' for the flags of a command.\n"
            "\n"
            "Exit codes:\n"
            "  0  success\n"
            "  1  internal error (out of memory, damaged build)\n"
            "  2  usage error: unknown command or flag, missing flag, not a number\n"
            "  3  invalid input: negative, fractional or too large count, rate out of\n"
            "     range, inconsistent funnel (e.g. more clicks than impressions), a file\n"
            "     ShopLab cannot recognise or over a size limit, a bad row with --strict,\n"
            "     a journal change its rules refuse (frozen plan, closed test, second\n"
            "     open test without --force, looks that go backwards)\n"
            "  4  no data: zero trials where a rate is needed\n"
            "  5  cannot be computed: infeasible sample size, above a method's size cap\n"
            "  6  not found: unknown glossary term, guide, sheet, import, video or test\n"
            "  7  the output could not be written\n"
            "  8  an input file cannot be opened or read\n"
            "  9  the database cannot be opened or written\n"
            "  10 serve: the address cannot be listened on (port in use, not permitted)\n"
            "  11 refused: wrong name or password, no session, too many failed logins\n"
            "\n"
            "ShopLab is independent software, not affiliated with TikTok or TikTok Shop.\n"
            "It promises no views, clicks, orders or earnings.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_usage(stdout);
        return cli_finish(EXIT_OK);
    }
    if (strcmp(name, "--version") == 0) {
        printf("shoplab %s\n", SL_VERSION);
        return cli_finish(EXIT_OK);
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    cli_error(NULL, "unknown command '%s'; run 'shoplab --help' for the list", name);
    return EXIT_USAGE;
}
