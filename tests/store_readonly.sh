#!/usr/bin/env bash
# store_readonly.sh — a store this user cannot write: commands that only read
# it (history, journal list, show, export) still work and create nothing;
# commands that write say "the store PATH is read-only" and exit 9, and
# writing works again once the store is writable.  Also an old schema read
# read-only, and a store another process holds (busy).
#
# File modes do not stop root, so as root every command runs as `nobody`
# (setpriv); without setpriv, or where nobody cannot run the binary, the
# test is skipped (exit 77) rather than passing without checking anything.
#
# Usage: store_readonly.sh SHOPLAB_BINARY SAMPLE_CSV OTHER_CSV
set -u
bin=$1 sample=$2 other=$3
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
as=()
if [ "$(id -u)" = 0 ]; then
    if ! command -v setpriv >/dev/null; then
        echo "SKIP: running as root, where file modes do not stop writes, and setpriv is missing"
        exit 77
    fi
    as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    chown nobody "$tmp"
    if ! "${as[@]}" "$bin" --version >/dev/null 2>&1; then
        echo "SKIP: running as root, and nobody cannot run $bin (a private build directory?)"
        exit 77
    fi
fi
cp "$sample" "$tmp/a.csv"; cp "$other" "$tmp/b.csv"; chmod 644 "$tmp"/*.csv
run() { "${as[@]}" "$bin" "$@" >"$tmp/out" 2>"$tmp/err"; }
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $1"; cat "$tmp/err"; fi; }
as_user() { "${as[@]}" "$@"; }

db="$tmp/s/store.db"
run history --db "$db"
check "history without a store: nothing yet, exit 0 ($?)" 'grep -q "No imports yet" "$tmp/out"'
check "history without a store creates nothing" '[ ! -e "$tmp/s" ]'
run read --db "$db" "$tmp/a.csv"
check "the first import is stored" 'grep -q "stored" "$tmp/err"'
as_user mkdir "$tmp/export"

# 1. The store file is read-only (its directory is not).
as_user chmod a-w "$db"
run history --db "$db"; rc=$?
check "read-only file: history exits 0 (got $rc)" '[ $rc = 0 ] && grep -q "a.csv" "$tmp/out"'
check "read-only file: history leaves no -shm behind" '[ ! -e "$db-shm" ]'
run journal list --db "$db"; rc=$?
check "read-only file: journal list exits 0 (got $rc)" '[ $rc = 0 ]'
run journal export --db "$db" --output "$tmp/export/j.md"; rc=$?
check "read-only file: journal export exits 0 (got $rc)" '[ $rc = 0 ] && [ -s "$tmp/export/j.md" ]'
run read --db "$db" "$tmp/b.csv"; rc=$?
check "read-only file: read exits 9 (got $rc)" '[ $rc = 9 ]'
check "read-only file: read names the store as read-only" \
    'grep -q "the store $db is read-only: the file is not writable" "$tmp/err"'
run forget 1 --db "$db"; rc=$?
check "read-only file: forget exits 9 (got $rc)" '[ $rc = 9 ] && grep -q "is read-only" "$tmp/err"'
as_user chmod u+w "$db"
run read --db "$db" "$tmp/b.csv"; rc=$?
check "writable again: read stores (got $rc)" '[ $rc = 0 ] && grep -q "as import #2" "$tmp/err"'

# 2. The directory is read-only (SQLite cannot create its -wal and -shm).
as_user chmod a-w "$tmp/s"
run history --db "$db"; rc=$?
check "read-only directory: history exits 0 and lists both (got $rc)" \
    '[ $rc = 0 ] && grep -q "a.csv" "$tmp/out" && grep -q "b.csv" "$tmp/out"'
run read --db "$db" "$tmp/a.csv"; rc=$?
check "read-only directory: read exits 9 naming the directory (got $rc)" \
    '[ $rc = 9 ] && grep -q "is read-only: its directory is not writable" "$tmp/err"'
as_user chmod u+w "$tmp/s"

# 3. An older schema cannot be upgraded read-only: said, exit 9.
as_user sqlite3 "$db" "PRAGMA user_version = 3"
as_user chmod a-w "$db"
run history --db "$db"; rc=$?
check "old schema read-only: exit 9 saying it needs one writable run (got $rc)" \
    '[ $rc = 9 ] && grep -q "schema version 3, older than" "$tmp/err" &&
     grep -q "run one command that writes to it" "$tmp/err"'
as_user chmod u+w "$db"
as_user sqlite3 "$db" "PRAGMA user_version = 6"

# 4. Another process holds the write lock: reading still works at once;
#    writing waits the busy timeout, then says so (exit 9).
if command -v sqlite3 >/dev/null; then
    printf 'BEGIN IMMEDIATE;\nDELETE FROM drill_answers;\n.shell sleep 9\nCOMMIT;\n' |
        "${as[@]}" sqlite3 "$db" & holder=$!
    sleep 1
    run history --db "$db"; rc=$?
    check "locked: history exits 0 (got $rc)" '[ $rc = 0 ] && grep -q "a.csv" "$tmp/out"'
    run read --db "$db" "$tmp/a.csv"; rc=$?
    check "locked: read exits 9 and says the store is busy (got $rc)" \
        '[ $rc = 9 ] && grep -q "it is busy" "$tmp/err" && grep -q "$db" "$tmp/err"'
    wait $holder
else
    echo "note: sqlite3 missing, the locked-store checks are skipped"
fi
echo "read-only store: $pass passed, $fail failed"
[ $fail = 0 ]
