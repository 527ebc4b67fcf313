/*
 * cmd_team.c — `shoplab user`, `shoplab creator` and `shoplab audit`: team
 * mode's accounts, creators and their managers, and the audit log, from the
 * command line (docs/team.md).  Whoever can open the store here administers
 * it; the rules live in the library (src/lib/store/accounts.c, team.c).
 *
 * A password is read from the terminal with echo off (asked twice), or as
 * one line of stdin when stdin is not a terminal — never from the command
 * line or the environment, where other users and logs can see it.
 */
#include "cli.h"

#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define DB_HELP "the store (default $SHOPLAB_DB, else ~/.local/share/shoplab/shoplab.db)"
#define END_FLAGS {NULL, 0, false, NULL, NULL, NULL}

static const char *const roles[] = {"owner", "manager", "creator", "viewer", NULL};

/* Opens the store for writing and records its writes as "shell:LOGIN". */
static int open_for_writing(const command_spec *cmd, const char *db_flag, sl_store **store)
{
    int rc = cli_open_store(cmd, db_flag, store);
    if (rc >= 0)
        return rc;
    const struct passwd *pw = getpwuid(geteuid());
    char actor[64];
    snprintf(actor, sizeof actor, "shell:%.40s", pw && pw->pw_name ? pw->pw_name : "unknown");
    sl_store_set_actor(*store, actor);
    return -1;
}

static int fail_with(const command_spec *cmd, sl_status st, const sl_error *err)
{
    cli_fail(cmd, "%s", err->message);
    return cli_exit_code(st);
}

/* ---- reading a password ---- */

static struct termios saved_tty;
static volatile sig_atomic_t tty_changed;

static void restore_tty(int sig)
{
    if (tty_changed)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void wipe(char *buf, size_t size)
{
    volatile char *p = buf;
    while (size--)
        *p++ = 0;
}

/* One line of stdin without its line end into buf; false at end of input
 * or when the line does not fit. */
static bool read_line(char *buf, size_t size)
{
    if (!fgets(buf, (int)size, stdin))
        return false;
    size_t n = strlen(buf);
    bool whole = n && buf[n - 1] == '\n';
    if (!whole && !feof(stdin))
        return false;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return true;
}

/* Asks `prompt` on the terminal with echo off. */
static bool ask_hidden(const char *prompt, char *buf, size_t size)
{
    fputs(prompt, stderr);
    fflush(stderr);
    struct termios quiet;
    if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
        return false;
    quiet = saved_tty;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    signal(SIGINT, restore_tty);
    signal(SIGTERM, restore_tty);
    tty_changed = 1;
    bool ok = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0 && read_line(buf, size);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
    tty_changed = 0;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    return ok;
}

/* The new password for `name` into buf (SL_PASSWORD_MAX + 2 bytes), checked
 * against the rules; on a terminal typed twice.  Returns -1 or an exit code
 * after printing why. */
static int read_password(const command_spec *cmd, const char *name, char *buf, size_t size)
{
    sl_error err;
    if (!isatty(STDIN_FILENO)) {
        if (!read_line(buf, size)) {
            cli_fail(cmd, "no password on stdin: give it as one line (it is never taken from "
                          "the command line or the environment)");
            return EXIT_INVALID;
        }
        sl_status st = sl_password_check_rules(buf, &err);
        return st == SL_OK ? -1 : fail_with(cmd, st, &err);
    }
    char prompt[96], again[SL_PASSWORD_MAX + 2];
    snprintf(prompt, sizeof prompt, "New password for %s: ", name);
    if (!ask_hidden(prompt, buf, size)) {
        cli_fail(cmd, "no password read from the terminal");
        return EXIT_INVALID;
    }
    sl_status st = sl_password_check_rules(buf, &err);
    if (st != SL_OK)
        return fail_with(cmd, st, &err);
    bool same = ask_hidden("The same again: ", again, sizeof again) && strcmp(buf, again) == 0;
    wipe(again, sizeof again);
    if (!same) {
        cli_fail(cmd, "the two passwords differ; nothing was changed");
        return EXIT_INVALID;
    }
    return -1;
}

/* ---- user ---- */

enum { UA_ROLE, UA_CREATOR, UA_MANAGER, UA_DB, UA__COUNT };

static const flag_spec user_add_flags[] = {
    [UA_ROLE] = {"role", FLAG_CHOICE, true, "owner|manager|creator|viewer",
                 "owner: everything; manager: its assigned creators; creator: its own "
                 "creator; viewer: reads what its manager reads",
                 roles},
    [UA_CREATOR] = {"creator", FLAG_TEXT, false, "HANDLE",
                    "for a creator account: its creator's handle", NULL},
    [UA_MANAGER] = {"manager", FLAG_TEXT, false, "NAME",
                    "for a viewer: the manager's account whose creators it reads", NULL},
    [UA_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec user_add_spec = {
    "user add",
    "Add an account. The password is asked on the terminal (twice, not shown), or read as one "
    "line of stdin; never give it on the command line. The first account must be an owner, "
    "and it turns on team mode: the web app then asks everyone to log in.",
    "Example: shoplab user add maya --role manager; printf '%s\\n' \"$PW\" | shoplab user add "
    "rio --role creator --creator rio.cooks",
    user_add_flags,
    1,
    1,
    "NAME",
};

static int run_user_add(int argc, char **argv)
{
    flag_value v[UA__COUNT];
    cli_args args;
    int rc = cli_parse(&user_add_spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    sl_role role;
    sl_role_parse(v[UA_ROLE].text, &role);
    sl_store *store;
    if ((rc = open_for_writing(&user_add_spec, v[UA_DB].text, &store)) >= 0)
        return rc;
    bool first = !sl_team_mode(store);
    char password[SL_PASSWORD_MAX + 2];
    if ((rc = read_password(&user_add_spec, args.items[0], password, sizeof password)) >= 0) {
        sl_store_close(store);
        return rc;
    }
    sl_user_input in = {args.items[0], role, password, v[UA_CREATOR].text, v[UA_MANAGER].text};
    sl_error err;
    sl_status st = sl_user_add(store, &in, NULL, &err);
    wipe(password, sizeof password);
    sl_store_close(store);
    if (st != SL_OK)
        return fail_with(&user_add_spec, st, &err);
    printf("Added %s account %s.\n", v[UA_ROLE].text, args.items[0]);
    if (first)
        printf("The store is now in team mode: the web app asks everyone to log in "
               "(docs/team.md).\n");
    return cli_finish(EXIT_OK);
}

enum { UL_DB, UL__COUNT };
static const flag_spec db_only_flags[] = {
    [UL_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec user_list_spec = {
    "user list",
    "List the accounts: name, role, a creator account's creator or a viewer's manager, and "
    "when the password was last set (UTC).",
    "Example: shoplab user list",
    db_only_flags,
    0,
    0,
    NULL,
};

static int run_user_list(int argc, char **argv)
{
    flag_value v[UL__COUNT];
    int rc = cli_parse(&user_list_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    sl_store *store;
    if ((rc = cli_open_store_readonly(&user_list_spec, v[UL_DB].text, &store)) >= 0)
        return rc;
    sl_user *users = NULL;
    size_t count = 0;
    sl_creator *creators = NULL;
    size_t creator_count = 0;
    sl_error err;
    sl_status st = sl_user_list(store, &users, &count, &err);
    if (st == SL_OK)
        st = sl_creator_list(store, NULL, &creators, &creator_count, &err);
    sl_store_close(store);
    if (st != SL_OK) {
        sl_users_free(users, count);
        return fail_with(&user_list_spec, st, &err);
    }
    if (count == 0)
        printf("No accounts: the store is in solo mode. 'shoplab user add NAME --role owner' "
               "starts team mode.\n");
    else
        printf("%s%-20s  %-8s  %-24s  %s%s\n", cli_bold(), "name", "role", "creator / manager",
               "password set (UTC)", cli_reset());
    for (size_t i = 0; i < count; i++) {
        const sl_user *u = &users[i];
        char link[96] = "";
        for (size_t c = 0; u->creator_id && c < creator_count; c++)
            if (creators[c].id == u->creator_id)
                snprintf(link, sizeof link, "creator %s", creators[c].handle);
        for (size_t m = 0; u->manager_id && m < count; m++)
            if (users[m].id == u->manager_id)
                snprintf(link, sizeof link, "manager %s", users[m].name);
        printf("%-20s  %-8s  %-24s  %s\n", u->name, sl_role_name(u->role), link,
               u->password_changed_at);
    }
    sl_users_free(users, count);
    sl_free(creators);
    return cli_finish(EXIT_OK);
}

static const command_spec user_passwd_spec = {
    "user passwd",
    "Set a new password for an account (asked on the terminal, or one line of stdin). Every "
    "session of the account ends: it logs in again everywhere.",
    "Example: shoplab user passwd maya",
    db_only_flags,
    1,
    1,
    "NAME",
};

static int run_user_passwd(int argc, char **argv)
{
    flag_value v[UL__COUNT];
    cli_args args;
    int rc = cli_parse(&user_passwd_spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    sl_store *store;
    if ((rc = open_for_writing(&user_passwd_spec, v[UL_DB].text, &store)) >= 0)
        return rc;
    sl_user u;
    sl_error err;
    sl_status st = sl_user_get(store, args.items[0], &u, &err);
    sl_user_clear(&u);
    if (st != SL_OK) {
        sl_store_close(store);
        return fail_with(&user_passwd_spec, st, &err);
    }
    char password[SL_PASSWORD_MAX + 2];
    if ((rc = read_password(&user_passwd_spec, args.items[0], password, sizeof password)) >= 0) {
        sl_store_close(store);
        return rc;
    }
    st = sl_user_passwd(store, args.items[0], password, &err);
    wipe(password, sizeof password);
    sl_store_close(store);
    if (st != SL_OK)
        return fail_with(&user_passwd_spec, st, &err);
    printf("Changed the password of %s; every session of the account has ended.\n",
           args.items[0]);
    return cli_finish(EXIT_OK);
}

static const command_spec user_remove_spec = {
    "user remove",
    "Remove an account with its sessions and assignments. The last owner, and a manager who "
    "still has viewers, cannot be removed. What the account imported or wrote stays.",
    "Example: shoplab user remove maya",
    db_only_flags,
    1,
    1,
    "NAME",
};

static int run_user_remove(int argc, char **argv)
{
    flag_value v[UL__COUNT];
    cli_args args;
    int rc = cli_parse(&user_remove_spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    sl_store *store;
    if ((rc = open_for_writing(&user_remove_spec, v[UL_DB].text, &store)) >= 0)
        return rc;
    sl_error err;
    sl_status st = sl_user_remove(store, args.items[0], &err);
    sl_store_close(store);
    if (st != SL_OK)
        return fail_with(&user_remove_spec, st, &err);
    printf("Removed account %s.\n", args.items[0]);
    return cli_finish(EXIT_OK);
}

static const command_spec user_logout_spec = {
    "user logout-everywhere",
    "End every session of an account at once (a lost phone, a shared computer): a stolen "
    "cookie stops working on its next request.",
    "Example: shoplab user logout-everywhere maya",
    db_only_flags,
    1,
    1,
    "NAME",
};

static int run_user_logout(int argc, char **argv)
{
    flag_value v[UL__COUNT];
    cli_args args;
    int rc = cli_parse(&user_logout_spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    sl_store *store;
    if ((rc = open_for_writing(&user_logout_spec, v[UL_DB].text, &store)) >= 0)
        return rc;
    sl_user u;
    sl_error err;
    uint64_t ended = 0;
    sl_status st = sl_user_get(store, args.items[0], &u, &err);
    if (st == SL_OK)
        st = sl_sessions_end_all(store, u.id, &ended, &err);
    sl_user_clear(&u);
    sl_store_close(store);
    if (st != SL_OK)
        return fail_with(&user_logout_spec, st, &err);
    printf("Ended %llu session%s of %s.\n", (unsigned long long)ended, ended == 1 ? "" : "s",
           args.items[0]);
    return cli_finish(EXIT_OK);
}

/* ---- creator ---- */

enum { CA_NAME, CA_DB, CA__COUNT };
static const flag_spec creator_add_flags[] = {
    [CA_NAME] = {"name", FLAG_TEXT, false, "TEXT", "the name shown (default: the handle)",
                 NULL},
    [CA_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec creator_add_spec = {
    "creator add",
    "Add a creator: the handle is how the export files name them (their creator column: a "
    "username or a creator ID), so imports of their files belong to them.",
    "Example: shoplab creator add rio.cooks --name \"Rio Cooks\"",
    creator_add_flags,
    1,
    1,
    "HANDLE",
};

static int run_creator_add(int argc, char **argv)
{
    flag_value v[CA__COUNT];
    cli_args args;
    int rc = cli_parse(&creator_add_spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    sl_store *store;
    if ((rc = open_for_writing(&creator_add_spec, v[CA_DB].text, &store)) >= 0)
        return rc;
    sl_creator c;
    sl_error err;
    sl_status st = sl_creator_add(store, args.items[0], v[CA_NAME].text, &c, &err);
    sl_store_close(store);
    if (st != SL_OK)
        return fail_with(&creator_add_spec, st, &err);
    printf("Added creator %s (%s).\n", c.handle, c.display_name);
    return cli_finish(EXIT_OK);
}

static const command_spec creator_list_spec = {
    "creator list",
    "List the creators: handle, name, and the managers each is assigned to.",
    "Example: shoplab creator list",
    db_only_flags,
    0,
    0,
    NULL,
};

static int run_creator_list(int argc, char **argv)
{
    flag_value v[UL__COUNT];
    int rc = cli_parse(&creator_list_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    sl_store *store;
    if ((rc = cli_open_store_readonly(&creator_list_spec, v[UL_DB].text, &store)) >= 0)
        return rc;
    sl_creator *creators = NULL;
    size_t count = 0, user_count = 0;
    sl_user *users = NULL;
    sl_error err;
    sl_status st = sl_creator_list(store, NULL, &creators, &count, &err);
    if (st == SL_OK)
        st = sl_user_list(store, &users, &user_count, &err);
    /* Each manager's assignments, for the third column. */
    for (size_t i = 0; st == SL_OK && i < user_count; i++)
        if (users[i].role == SL_ROLE_MANAGER) {
            char name[SL_USER_MAX_NAME + 1];
            memcpy(name, users[i].name, sizeof name);
            sl_user_clear(&users[i]);
            st = sl_user_get(store, name, &users[i], &err);
        }
    sl_store_close(store);
    if (st != SL_OK) {
        sl_free(creators);
        sl_users_free(users, user_count);
        return fail_with(&creator_list_spec, st, &err);
    }
    if (count == 0)
        printf("No creators yet. 'shoplab creator add HANDLE' adds one; an import whose rows "
               "all name one creator adds it too.\n");
    else
        printf("%s%-24s  %-24s  %s%s\n", cli_bold(), "handle", "name", "managers", cli_reset());
    for (size_t c = 0; c < count; c++) {
        char managers[256] = "";
        size_t w = 0;
        for (size_t i = 0; i < user_count && w < sizeof managers; i++)
            for (size_t k = 0; k < users[i].creator_count; k++)
                if (users[i].role == SL_ROLE_MANAGER && users[i].creators[k] == creators[c].id)
                    w += (size_t)snprintf(managers + w, sizeof managers - w, "%s%s",
                                          w ? ", " : "", users[i].name);
        printf("%-24s  %-24s  %s\n", creators[c].handle, creators[c].display_name,
               managers[0] ? managers : "-");
    }
    sl_free(creators);
    sl_users_free(users, user_count);
    return cli_finish(EXIT_OK);
}

enum { AS_TO, AS_DB, AS__COUNT };
static const flag_spec assign_flags[] = {
    [AS_TO] = {"to", FLAG_TEXT, true, "MANAGER", "the manager's account name", NULL},
    [AS_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};
static const flag_spec unassign_flags[] = {
    [AS_TO] = {"from", FLAG_TEXT, true, "MANAGER", "the manager's account name", NULL},
    [AS_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec creator_assign_spec = {
    "creator assign",
    "Assign a creator to a manager: the manager (and the viewers under it) then see that "
    "creator's imports and journal tests.",
    "Example: shoplab creator assign rio.cooks --to maya",
    assign_flags,
    1,
    1,
    "HANDLE",
};

static const command_spec creator_unassign_spec = {
    "creator unassign",
    "Take a creator away from a manager.",
    "Example: shoplab creator unassign rio.cooks --from maya",
    unassign_flags,
    1,
    1,
    "HANDLE",
};

static int assign_command(const command_spec *spec, bool on, int argc, char **argv)
{
    flag_value v[AS__COUNT];
    cli_args args;
    int rc = cli_parse(spec, argc, argv, v, &args);
    if (rc >= 0)
        return rc;
    sl_store *store;
    if ((rc = open_for_writing(spec, v[AS_DB].text, &store)) >= 0)
        return rc;
    sl_error err;
    sl_status st = on ? sl_creator_assign(store, args.items[0], v[AS_TO].text, &err)
                      : sl_creator_unassign(store, args.items[0], v[AS_TO].text, &err);
    sl_store_close(store);
    if (st != SL_OK)
        return fail_with(spec, st, &err);
    printf(on ? "Creator %s is assigned to %s.\n" : "Creator %s is no longer assigned to %s.\n",
           args.items[0], v[AS_TO].text);
    return cli_finish(EXIT_OK);
}

static int run_creator_assign(int argc, char **argv)
{
    return assign_command(&creator_assign_spec, true, argc, argv);
}

static int run_creator_unassign(int argc, char **argv)
{
    return assign_command(&creator_unassign_spec, false, argc, argv);
}

/* ---- audit ---- */

enum { AU_CSV, AU_LIMIT, AU_DB, AU__COUNT };
static const flag_spec audit_flags[] = {
    [AU_CSV] = {"csv", FLAG_SWITCH, false, NULL, "print CSV (every entry unless --limit)",
                NULL},
    [AU_LIMIT] = {"limit", FLAG_COUNT, false, "N", "the newest N entries (default 50; 0: all)",
                  NULL},
    [AU_DB] = {"db", FLAG_TEXT, false, "PATH", DB_HELP, NULL},
    END_FLAGS,
};

static const command_spec audit_spec = {
    "audit",
    "Show the audit log, newest first: who imported, forgot, planned, looked, closed, added or "
    "removed an account or a creator, and when (UTC).",
    "Example: shoplab audit --csv > audit.csv",
    audit_flags,
    0,
    0,
    NULL,
};

int cmd_audit(int argc, char **argv)
{
    flag_value v[AU__COUNT];
    int rc = cli_parse(&audit_spec, argc, argv, v, NULL);
    if (rc >= 0)
        return rc;
    size_t limit = v[AU_LIMIT].set ? (size_t)v[AU_LIMIT].number : v[AU_CSV].set ? 0 : 50;
    sl_store *store;
    if ((rc = cli_open_store_readonly(&audit_spec, v[AU_DB].text, &store)) >= 0)
        return rc;
    sl_audit_entry *entries = NULL;
    size_t count = 0;
    sl_error err;
    sl_status st = sl_audit_list(store, limit, &entries, &count, &err);
    sl_store_close(store);
    if (st != SL_OK)
        return fail_with(&audit_spec, st, &err);
    if (v[AU_CSV].set) {
        st = sl_audit_write_csv(entries, count, stdout);
    } else if (count == 0) {
        printf("The audit log is empty.\n");
    } else {
        for (size_t i = 0; i < count; i++) {
            const sl_audit_entry *e = &entries[i];
            char line[512];
            snprintf(line, sizeof line, "%s %s #%lld %s", e->action, e->object_kind,
                     (long long)e->object_id, e->detail);
            char first[96];
            snprintf(first, sizeof first, "%-20s  %-14.14s  ", e->at, e->user);
            cli_wrap(stdout, 38, first, line);
        }
    }
    sl_free(entries);
    if (st != SL_OK) {
        cli_fail(&audit_spec, "the output could not be written");
        return EXIT_IO;
    }
    return cli_finish(EXIT_OK);
}

/* ---- dispatch ---- */

typedef struct subcommand {
    const command_spec *spec;
    int (*run)(int argc, char **argv);
} subcommand;

static const subcommand user_subcommands[] = {
    {&user_add_spec, run_user_add},       {&user_list_spec, run_user_list},
    {&user_passwd_spec, run_user_passwd}, {&user_remove_spec, run_user_remove},
    {&user_logout_spec, run_user_logout},
};

static const subcommand creator_subcommands[] = {
    {&creator_add_spec, run_creator_add},
    {&creator_list_spec, run_creator_list},
    {&creator_assign_spec, run_creator_assign},
    {&creator_unassign_spec, run_creator_unassign},
};

static int dispatch(const char *group, const char *about, const subcommand *subs, size_t n,
                    int argc, char **argv)
{
    size_t skip = strlen(group) + 1;
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        FILE *out = argc < 1 ? stderr : stdout;
        fprintf(out, "Usage: shoplab %s SUBCOMMAND [flags]\n\n", group);
        cli_wrap(out, 0, "", about);
        fprintf(out, "\nSubcommands:\n");
        for (size_t i = 0; i < n; i++) {
            const char *name = subs[i].spec->name + skip;
            char first[32];
            snprintf(first, sizeof first, "  %-18s", name);
            cli_wrap(out, 20, first, subs[i].spec->summary);
        }
        fprintf(out, "\nRun 'shoplab %s SUBCOMMAND --help' for its flags.\n", group);
        return argc < 1 ? EXIT_USAGE : cli_finish(EXIT_OK);
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[0], subs[i].spec->name + skip) == 0)
            return subs[i].run(argc - 1, argv + 1);
    cli_error(NULL, "unknown %s subcommand '%s'; try 'shoplab %s --help'", group, argv[0], group);
    return EXIT_USAGE;
}

int cmd_user(int argc, char **argv)
{
    return dispatch("user",
                    "Team mode's accounts (docs/team.md): add, list, set a password, remove, "
                    "log out everywhere. Passwords are read from the terminal or stdin, never "
                    "from the command line, and stored as Argon2id hashes.",
                    user_subcommands, sizeof user_subcommands / sizeof *user_subcommands, argc,
                    argv);
}

int cmd_creator(int argc, char **argv)
{
    return dispatch("creator",
                    "The creators whose numbers the store holds, and the managers they are "
                    "assigned to (docs/team.md).",
                    creator_subcommands,
                    sizeof creator_subcommands / sizeof *creator_subcommands, argc, argv);
}
