#!/usr/bin/env bash
# team_password.sh — a password reaches `shoplab user add` and `user passwd`
# only through stdin: while the command waits for it, its argv and its
# environment (what `ps` and /proc show other users) do not hold it, and
# afterwards neither the store file nor its WAL does; the store holds an
# Argon2id hash.
# Usage: team_password.sh SHOPLAB_BINARY
set -u
bin=$1
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export SHOPLAB_DB="$tmp/team.db"
secret="correct horse battery $$"

# Runs `shoplab ARGS` with stdin from a FIFO held open, looks at the
# waiting process, then writes the password.
with_pause() {
    mkfifo "$tmp/in"
    "$bin" "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err" & pid=$!
    exec 3>"$tmp/in"
    sleep 0.3
    tr '\0' ' ' <"/proc/$pid/cmdline" >"$tmp/cmdline"
    tr '\0' '\n' <"/proc/$pid/environ" >"$tmp/environ"
    ps -o args= -p "$pid" >"$tmp/ps"
    printf '%s\n' "$secret" >&3
    exec 3>&-
    wait "$pid"; rc=$?
    rm -f "$tmp/in"
}

with_pause user add olga --role owner
check "user add exits 0 (got $rc: $(cat "$tmp/err"))" '[ $rc = 0 ]'
check "argv of the waiting process is the command alone" \
    'grep -q "user add olga --role owner" "$tmp/cmdline" && ! grep -qF "$secret" "$tmp/cmdline"'
check "ps shows no password" '! grep -qF "$secret" "$tmp/ps"'
check "the environment holds no password" '! grep -qF "$secret" "$tmp/environ"'

secret="a second secret $$"
with_pause user passwd olga
check "user passwd exits 0 (got $rc)" '[ $rc = 0 ]'
check "passwd: argv holds no password" '! grep -qF "$secret" "$tmp/cmdline"'

# Nothing of either password is kept in clear.
for f in "$tmp"/team.db*; do
    check "$(basename "$f") holds no password in clear" \
        '! grep -qaF "correct horse battery $$" "$f" && ! grep -qaF "$secret" "$f"'
done
if command -v sqlite3 >/dev/null; then
    check "the store holds an Argon2id hash" \
        '[ "$(sqlite3 "$SHOPLAB_DB" "SELECT substr(password_hash, 1, 10) FROM users")" = "\$argon2id\$" ]'
fi
echo "team passwords: $pass passed, $fail failed"
[ $fail = 0 ]
