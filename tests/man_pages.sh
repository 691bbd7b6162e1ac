#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# The man pages cannot fall behind the code:
#  - man/mailslot.1 and man/libmailslot.3 render without a single warning
#    (groff -man -ww, and man --warnings -l when man-db is there);
#  - every command `mailslot --help` lists has a section `.SS "mailslot CMD"`
#    in mailslot(1), and every option (long and short) that
#    `mailslot CMD --help` prints appears in that section or in OPTIONS (the
#    options every command shares); the options of `mailslot --help` in
#    OPTIONS; every long option the page names exists in some --help;
#  - man/mailslotd.8 renders without a warning; every option `mailslotd
#    --help` prints is in its OPTIONS and every long option it names is one
#    --help prints;
#  - every ms_* function declared in include/*/mailslot/*.h is named in
#    libmailslot(3), and every function the page names as `ms_x ()` exists;
#  - the example program of libmailslot(3) compiles with -Werror against
#    the headers and the built library and decodes captures/nmbd-announce.pcap.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
need groff "groff is not installed (Debian: groff-base)"
need perl
command -v man >/dev/null || skipped+=("man (man-db) is not installed: no man --warnings checks")
[[ -x $cli ]] || { echo "FAIL: no mailslot command at $cli"; exit 1; }
man1=$src/man/mailslot.1
man3=$src/man/libmailslot.3
for p in "$man1" "$man3"; do
    [[ -f $p ]] || { echo "FAIL: $p missing"; exit 1; }
done

# ---- rendering: no warnings at all
for p in "$man1" "$man3"; do
    if groff -man -Tutf8 -ww -z "$p" 2>"$tmp/groff.err" && [[ ! -s $tmp/groff.err ]]; then
        ok
    else
        bad "groff -ww ${p#"$src/"}: $(head -5 "$tmp/groff.err")"
    fi
    if command -v man >/dev/null; then
        if LC_ALL=C MANWIDTH=80 man --warnings -l "$p" >"$tmp/man.out" 2>"$tmp/man.err" &&
            [[ ! -s $tmp/man.err && -s $tmp/man.out ]]; then
            ok
        else
            bad "man --warnings -l ${p#"$src/"}: $(head -5 "$tmp/man.err")"
        fi
    fi
done

# The page source as plain text: \- is '-', font and no-op escapes dropped.
plain() {
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' \
        -e 's/\\&//g' -e 's/\\%//g' -e 's/\\c$//' "$1"
}
plain "$man1" >"$tmp/man1.txt"
plain "$man3" >"$tmp/man3.txt"

# Lines of one section: from a line matching $1 up to the next .SS or .SH.
section() {
    awk -v start="$1" 'found && /^\.S[SH]( |$)/ { exit } $0 ~ start { found = 1 } found' "$tmp/man1.txt"
}
has_opt() { # has_opt OPTION FILE
    grep -Eq -- "(^|[^A-Za-z0-9-])$1(\$|[^A-Za-z0-9-])" "$2"
}
# Long options a --help text names; short options it lists at a line start.
long_opts() { grep -oE -- '--[a-z][a-z0-9-]*' "$1" | sort -u; }
short_opts() { grep -oE -- '^ +-[A-Za-z]([ ,]|$)' "$1" | sed 's/^ *//; s/[ ,]$//' | sort -u; }

section '^\.SH OPTIONS' >"$tmp/common.txt"
[[ -s $tmp/common.txt ]] && ok || bad "mailslot.1 has no OPTIONS section"

# ---- commands and their options
"$cli" --help >"$tmp/help.top" 2>&1 || bad "mailslot --help exits $?"
mapfile -t cmds < <(awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' "$tmp/help.top")
[[ ${#cmds[@]} -ge 6 ]] && ok || bad "mailslot --help lists ${#cmds[@]} commands: ${cmds[*]}"
: >"$tmp/all_long"
for o in $(long_opts "$tmp/help.top") $(short_opts "$tmp/help.top"); do
    echo "$o" >>"$tmp/all_long"
    has_opt "$o" "$tmp/common.txt" && ok || bad "mailslot --help option $o is not in mailslot.1 OPTIONS"
done
for c in "${cmds[@]}"; do
    section "^\\.SS \"mailslot $c\"\$" >"$tmp/sec.$c"
    if [[ ! -s $tmp/sec.$c ]]; then
        bad "mailslot.1 has no section .SS \"mailslot $c\""
        continue
    fi
    ok
    cat "$tmp/sec.$c" "$tmp/common.txt" >"$tmp/where.$c"
    if ! "$cli" "$c" --help >"$tmp/help.$c" 2>&1; then
        bad "mailslot $c --help exits non-zero"
        continue
    fi
    n=0
    for o in $(long_opts "$tmp/help.$c") $(short_opts "$tmp/help.$c"); do
        n=$((n + 1))
        echo "$o" >>"$tmp/all_long"
        has_opt "$o" "$tmp/where.$c" && ok || bad "mailslot $c: option $o (in --help) is not in its mailslot.1 section"
    done
    [[ $n -gt 0 ]] && ok || bad "mailslot $c --help names no option"
done
# Every long option the page names is one some --help prints (or, for
# --version, which `mailslot --help` does not list, one the command takes).
"$cli" --version >/dev/null 2>&1 && echo --version >>"$tmp/all_long"
sort -u "$tmp/all_long" -o "$tmp/all_long"
while read -r o; do
    grep -qxF -- "$o" "$tmp/all_long" && ok || bad "mailslot.1 names $o, which no --help prints"
done < <(grep -oE -- '(^|[^A-Za-z0-9-])--[a-z][a-z0-9-]*' "$tmp/man1.txt" | sed 's/^[^-]*//' | sort -u)

# ---- library functions
# Declarations of the public headers, comments removed (a comment's
# "ms_server (" is not a function).
perl -0777 -ne 's{/\*.*?\*/}{}gs; print "$1\n" while /\b(ms_[a-z0-9_]+)\s*\(/g' \
    "$src"/include/*/mailslot/*.h | sort -u >"$tmp/funcs"
nf=$(wc -l <"$tmp/funcs")
[[ $nf -ge 100 ]] && ok || bad "only $nf functions found in include/*/mailslot/*.h"
while read -r f; do
    grep -qw -- "$f" "$tmp/man3.txt" && ok || bad "libmailslot.3 does not name $f ($(grep -lw -- "$f" "$src"/include/*/mailslot/*.h | head -1 | sed "s|^$src/||"))"
done <"$tmp/funcs"
while read -r f; do
    grep -qxF "$f" "$tmp/funcs" && ok || bad "libmailslot.3 names $f (), which no public header declares"
done < <(grep -oE 'ms_[a-z0-9_]+"? \(\)' "$tmp/man3.txt" | sed 's/"\? ()//' | sort -u)

# ---- mailslotd(8) against mailslotd --help
man8=$src/man/mailslotd.8
if [[ ! -f $man8 ]]; then
    bad "$man8 missing"
elif [[ ! -x $mailslotd ]]; then
    bad "no mailslotd at $mailslotd"
else
    if groff -man -Tutf8 -ww -z "$man8" 2>"$tmp/groff.err" && [[ ! -s $tmp/groff.err ]]; then
        ok
    else
        bad "groff -ww man/mailslotd.8: $(head -5 "$tmp/groff.err")"
    fi
    if command -v man >/dev/null; then
        LC_ALL=C MANWIDTH=80 man --warnings -l "$man8" >"$tmp/man8.out" 2>"$tmp/man8.err" &&
            [[ ! -s $tmp/man8.err && -s $tmp/man8.out ]] && ok ||
            bad "man --warnings -l man/mailslotd.8: $(head -5 "$tmp/man8.err")"
    fi
    plain "$man8" >"$tmp/man8.txt"
    awk 'found && /^\.S[SH]( |$)/ { exit } /^\.SH OPTIONS/ { found = 1 } found' "$tmp/man8.txt" \
        >"$tmp/opts8.txt"
    "$mailslotd" --help >"$tmp/help.d" 2>&1 || bad "mailslotd --help exits non-zero"
    n=0
    for o in $(long_opts "$tmp/help.d") $(short_opts "$tmp/help.d"); do
        n=$((n + 1))
        has_opt "$o" "$tmp/opts8.txt" && ok || bad "mailslotd: option $o (in --help) is not in mailslotd.8 OPTIONS"
    done
    [[ $n -ge 10 ]] && ok || bad "mailslotd --help names only $n options"
    while read -r o; do
        grep -qxF -- "$o" <(long_opts "$tmp/help.d") && ok || bad "mailslotd.8 names $o, which mailslotd --help does not print"
    done < <(grep -oE -- '(^|[^A-Za-z0-9-])--[a-z][a-z0-9-]*' "$tmp/opts8.txt" | sed 's/^[^-]*//' | sort -u)
fi

# ---- the example program
if command -v "$cc" >/dev/null; then
    awk '/example-end/ { exit } on && !/^\./ { print } /example-begin/ { on = 1 }' "$man3" |
        sed -e 's/\\-/-/g' -e 's/\\e/\\/g' >"$tmp/example.c"
    [[ -s $tmp/example.c ]] && ok || bad "libmailslot.3 has no example-begin/example-end program"
    incs=()
    for d in "$src"/include/*/; do incs+=(-I"$d"); done
    san=()
    if grep -q '^MAILSLOT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
        # shellcheck disable=SC2054  # one option, its commas are its own
        san=(-fsanitize=address,undefined)
    fi
    if "$cc" -std=c11 -Wall -Wextra -Werror "${san[@]}" "${incs[@]}" -o "$tmp/example" \
        "$tmp/example.c" -L"$build" -lmailslot -Wl,-rpath,"$build" 2>"$tmp/cc.err"; then
        ok
        if "$tmp/example" "$src/captures/nmbd-announce.pcap" >"$tmp/example.out" 2>&1 &&
            grep -q '\\MAILSLOT\\BROWSE HostAnnouncement' "$tmp/example.out"; then
            ok
        else
            bad "the example did not decode nmbd-announce.pcap: $(head -3 "$tmp/example.out")"
        fi
    else
        bad "the example of libmailslot.3 does not compile: $(head -5 "$tmp/cc.err")"
    fi
else
    skipped+=("no C compiler ($cc) for the example of libmailslot.3")
fi

finish
