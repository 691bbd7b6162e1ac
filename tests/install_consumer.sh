#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2015  # "ok" and counters never fail
# Install into a temporary prefix (cmake --install BUILD --prefix DIR) and
# build a small consumer out of tree against the installed files: once
# through pkg-config (shared and static library) and once through
# find_package(Mailslot) (Mailslot::mailslot and Mailslot::mailslot_static),
# running each. Also checks the installed layout, the SONAME, that the shared
# library exports only the public API, that the .pc file, the CMake
# version file and `mailslot --version` carry the one version, and that the
# man pages are installed where man finds them and read without warnings;
# mailslotd and its systemd unit are installed (sbin, lib/systemd/system).
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
need pkg-config
need "$cc" "no C compiler ($cc)"

version=$(sed -n 's/^project(mailslot VERSION \([0-9.]*\) .*/\1/p' "$src/CMakeLists.txt")
[[ -n $version ]] || bad "no project(VERSION) in $src/CMakeLists.txt"
# A sanitizer build's library needs the runtime in the consumer too.
san=()
if grep -q '^MAILSLOT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    # shellcheck disable=SC2054  # one option, its commas are its own
    san=(-fsanitize=address,undefined)
fi

prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 && ok ||
    { bad "cmake --install: $(tail -5 "$tmp/install.log")"; exit 1; }

pc=$(find "$prefix" -name mailslot.pc | head -1)
[[ -n $pc ]] && ok || { bad "no mailslot.pc installed"; exit 1; }
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
for f in "$prefix/bin/mailslot" "$prefix/sbin/mailslotd" \
    "$prefix/lib/systemd/system/mailslotd.service" "$libdir/libmailslot.a" "$libdir/libmailslot.so" \
    "$libdir/libmailslot.so.$version" "$prefix/include/mailslot/message.h" \
    "$prefix/include/mailslot/mailslot.h" "$libdir/cmake/Mailslot/MailslotConfig.cmake" \
    "$libdir/cmake/Mailslot/MailslotConfigVersion.cmake" \
    "$libdir/cmake/Mailslot/MailslotTargets.cmake"; do
    [[ -e $f ]] && ok || bad "not installed: ${f#"$prefix/"}"
done
[[ ! -e $prefix/include/mailslot/cursor.h && ! -e $prefix/include/capture ]] && ok ||
    bad "private headers installed"
# The man pages: installed under MANDIR/man1 and man3, found there by man
# through MANPATH, and readable with man -l.
for page in man1/mailslot.1 man3/libmailslot.3 man8/mailslotd.8; do
    f=$(find "$prefix" -path "*/$page" | head -1)
    if [[ -z $f ]]; then
        bad "not installed: $page"
        continue
    fi
    ok
    if ! command -v man >/dev/null; then
        if [[ -n ${MAILSLOT_REQUIRE_ALL:-} && ${MAILSLOT_REQUIRE_ALL:-} != 0 ]]; then
            bad "man is not installed: cannot read the installed $page"
        else
            echo "note: man is not installed; $page not read"
        fi
        continue
    fi
    name=$(basename "$f" | sed 's/\.[0-9]$//')
    LC_ALL=C MANWIDTH=80 man --warnings -l "$f" >"$tmp/page.txt" 2>"$tmp/page.err" &&
        [[ ! -s $tmp/page.err ]] && grep -q "^NAME" "$tmp/page.txt" &&
        grep -qi "^ *$name " "$tmp/page.txt" && ok ||
        bad "man -l $page: $(head -3 "$tmp/page.err")"
    mandir=$(dirname "$(dirname "$f")")
    found=$(LC_ALL=C MANPATH=$mandir man -w "${page:3:1}" "$name" 2>/dev/null)
    [[ $found == "$f" ]] && ok || bad "man -w ${page:3:1} $name with MANPATH=$mandir found '$found', not $f"
done

# The bash completion script, where bash-completion looks for it, and the
# same text the installed command writes.
comp=$(find "$prefix" -path '*/bash-completion/completions/mailslot' | head -1)
[[ -n $comp ]] && cmp -s "$comp" <("$prefix/bin/mailslot" completion bash) && bash -n "$comp" && ok ||
    bad "bash completion not installed under share/bash-completion/completions, or stale"

soname=$(readelf -d "$libdir/libmailslot.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[[ $soname == "libmailslot.so.${version%%.*}" ]] && ok || bad "SONAME '$soname'"
[[ -e $libdir/$soname ]] && ok || bad "no $soname link"

# Exported: the public API; local: the internal helpers of src/.
nm -D --defined-only "$libdir/libmailslot.so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' >"$tmp/syms"
grep -qx ms_message_decode "$tmp/syms" && grep -qx ms_capture_next "$tmp/syms" && ok ||
    bad "public functions not exported"
# Exactly the public API: the functions the installed headers mark
# MS_EXTERN, no more (a helper that leaked) and no fewer (a declaration
# whose definition is missing or hidden).
cat "$prefix"/include/mailslot/*.h | tr '\n' ' ' | grep -o 'MS_EXTERN [^;(]*(' |
    grep -o 'ms_[a-z0-9_]*($' | tr -d '(' | sort -u >"$tmp/declared"
sort -u "$tmp/syms" | grep '^ms_' >"$tmp/exported"
[[ $(wc -l <"$tmp/declared") -gt 100 ]] && ok || bad "too few MS_EXTERN declarations found"
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
[[ -z $missing ]] && ok || bad "declared MS_EXTERN but not exported: $missing"
extra=$(comm -13 "$tmp/declared" "$tmp/exported")
[[ -z $extra ]] && ok || bad "exported but not declared MS_EXTERN: $extra"
for s in ms_reasm_new ms_frame_process ms_udp_parse ms_link_from_dlt; do
    grep -qx "$s" "$tmp/syms" && bad "internal $s exported" || ok
done
grep -v '^ms_' "$tmp/syms" | grep -v '^_' >"$tmp/other"
[[ ! -s $tmp/other ]] && ok || bad "symbols outside ms_*: $(tr '\n' ' ' <"$tmp/other")"

export PKG_CONFIG_PATH=$pcdir
[[ $(pkg-config --modversion mailslot) == "$version" ]] && ok || bad "pkg-config version"
[[ $("$prefix/bin/mailslot" --version) == "mailslot $version" ]] && ok ||
    bad "mailslot --version: $("$prefix/bin/mailslot" --version)"
[[ $("$prefix/sbin/mailslotd" --version) == "mailslotd $version" ]] && ok ||
    bad "mailslotd --version: $("$prefix/sbin/mailslotd" --version)"
# The unit names the daemon where the configured prefix puts it.
grep -qx "ExecStart=.*/sbin/mailslotd -F" "$prefix/lib/systemd/system/mailslotd.service" && ok ||
    bad "mailslotd.service: no ExecStart of sbin/mailslotd -F"
grep -q "PACKAGE_VERSION \"$version\"" "$libdir/cmake/Mailslot/MailslotConfigVersion.cmake" && ok ||
    bad "CMake version file"
pkg-config --print-requires-private mailslot | grep -q '^libpcap' && ok || bad "libpcap not in Requires.private"
if grep -q '^MAILSLOT_AUTH:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    pkg-config --print-requires-private mailslot | grep -q '^libcrypto' && ok ||
        bad "libcrypto not in Requires.private (auth on)"
fi

mkdir -p "$tmp/consumer"
cat >"$tmp/consumer/consumer.c" <<'C'
/* SPDX-License-Identifier: MIT */
/* A program outside the tree: decode one browser announcement. */
#include <stdio.h>

#include <mailslot/message.h>

static const uint8_t frame[] = {
    0x11, 0x0a, 0x6b, 0x73, 0xc0, 0x00, 0x02, 0x0a, 0x00, 0x8a, 0x00, 0xc7,
    0x00, 0x00, 0x20, 0x45, 0x4d, 0x45, 0x42, 0x45, 0x43, 0x46, 0x41, 0x45,
    0x46, 0x45, 0x46, 0x46, 0x43, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x43,
    0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x41, 0x41, 0x00,
    0x20, 0x45, 0x4e, 0x46, 0x44, 0x45, 0x4d, 0x45, 0x42, 0x45, 0x43, 0x43,
    0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x43,
    0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x42, 0x4e, 0x00, 0xff, 0x53,
    0x4d, 0x42, 0x25, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x2d, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x2d, 0x00, 0x56, 0x00, 0x03, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x02, 0x00, 0x3e, 0x00, 0x5c, 0x4d, 0x41, 0x49, 0x4c,
    0x53, 0x4c, 0x4f, 0x54, 0x5c, 0x42, 0x52, 0x4f, 0x57, 0x53, 0x45, 0x00,
    0x01, 0x00, 0x60, 0xea, 0x00, 0x00, 0x4c, 0x41, 0x42, 0x50, 0x45, 0x45,
    0x52, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x01,
    0x03, 0x9a, 0x81, 0x00, 0x0f, 0x01, 0x55, 0xaa, 0x6d, 0x61, 0x69, 0x6c,
    0x73, 0x6c, 0x6f, 0x74, 0x20, 0x6c, 0x61, 0x62, 0x00,
};

int main(void)
{
    static ms_message m;
    if (ms_message_decode(frame, sizeof frame, &m) != MS_OK || !m.payload_ok)
        return 1;
    printf("%s %.15s \"%.*s\"\n", ms_browser_opcode_name(m.browser.opcode),
           (const char *)m.browser.server_name, (int)m.browser.comment.len,
           (const char *)m.browser.comment.p);
    return 0;
}
C
want='HostAnnouncement LABPEER "mailslot lab"'

# pkg-config, shared library.
# shellcheck disable=SC2046  # pkg-config's flags are words
"$cc" -std=c11 -Wall -Wextra -Werror "${san[@]}" -o "$tmp/consumer/pc_shared" \
    "$tmp/consumer/consumer.c" $(pkg-config --cflags --libs mailslot) \
    -Wl,-rpath,"$libdir" 2>"$tmp/cc.log" && ok || bad "pkg-config shared build: $(cat "$tmp/cc.log")"
[[ $("$tmp/consumer/pc_shared") == "$want" ]] && ok || bad "pkg-config shared consumer printed '$("$tmp/consumer/pc_shared")'"
readelf -d "$tmp/consumer/pc_shared" | grep -q "NEEDED.*\[libmailslot.so.${version%%.*}\]" && ok ||
    bad "shared consumer does not need libmailslot.so.${version%%.*}"

# pkg-config, static library: libmailslot.a and the libraries of its
# Requires.private (as shared libraries: `pkg-config --static` would ask for
# libpcap's own private dependencies, libsystemd and libdbus, as archives).
mapfile -t deps < <(pkg-config --print-requires-private mailslot | awk '{print $1}')
# shellcheck disable=SC2046  # pkg-config's flags are words
"$cc" -std=c11 -Wall -Wextra -Werror "${san[@]}" -o "$tmp/consumer/pc_static" \
    "$tmp/consumer/consumer.c" $(pkg-config --cflags mailslot) "$libdir/libmailslot.a" \
    $(pkg-config --libs "${deps[@]}") 2>"$tmp/cc.log" && ok ||
    bad "pkg-config static build: $(cat "$tmp/cc.log")"
[[ $("$tmp/consumer/pc_static") == "$want" ]] && ok || bad "pkg-config static consumer"
readelf -d "$tmp/consumer/pc_static" | grep -q 'NEEDED.*libmailslot' && bad "static consumer needs libmailslot.so" || ok

# find_package(Mailslot), both targets, and a version it must refuse.
cat >"$tmp/consumer/CMakeLists.txt" <<C
# SPDX-License-Identifier: MIT
cmake_minimum_required(VERSION 3.18)
project(consumer LANGUAGES C)
find_package(Mailslot $version REQUIRED)
add_executable(consumer consumer.c)
target_link_libraries(consumer PRIVATE Mailslot::mailslot)
add_executable(consumer_static consumer.c)
target_link_libraries(consumer_static PRIVATE Mailslot::mailslot_static)
C
cflags="${san[*]}"
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$cflags" \
    >"$tmp/cmake.log" 2>&1 && cmake --build "$tmp/consumer/build" >>"$tmp/cmake.log" 2>&1 && ok ||
    bad "find_package consumer build: $(tail -20 "$tmp/cmake.log")"
for exe in consumer consumer_static; do
    [[ $("$tmp/consumer/build/$exe") == "$want" ]] && ok || bad "find_package $exe"
done
readelf -d "$tmp/consumer/build/consumer" | grep -q 'NEEDED.*libmailslot.so' && ok ||
    bad "Mailslot::mailslot is not the shared library"
sed -i "s/find_package(Mailslot $version REQUIRED)/find_package(Mailslot $((${version%%.*} + 1)) REQUIRED)/" \
    "$tmp/consumer/CMakeLists.txt"
cmake -S "$tmp/consumer" -B "$tmp/consumer/build2" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$tmp/cmake2.log" 2>&1 && bad "find_package accepted the next major version" || ok

finish
