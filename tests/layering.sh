#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The layers link downward only, and the build enforces it: a source file
# of one layer, compiled with its real command line (compile_commands.json),
# includes each header of every layer in turn. A header of its own layer
# or of a layer below compiles; one of a higher or a sibling layer does
# not. The expected answers come from the table below (docs/ARCHITECTURE.md),
# not from the build, so a build that let an arrow run upward fails here.
# Also: no include climbs out of its folder with "../", and the codec links
# without libpcap and libcrypto.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
make_tmp
db=$build/compile_commands.json
[[ -f $db ]] || skip "no $db (configure with CMAKE_EXPORT_COMPILE_COMMANDS)"

# Layer -> the folders under src/ that make it, and the layers it may use.
declare -A dirs=([codec]="common netbios smb mailslot" [check]=check [reassembly]=reassembly
                 [capture]=capture [transport]=transport [runtime]=runtime)
declare -A below=([codec]="" [check]="codec" [reassembly]="codec"
                  [capture]="codec reassembly" [transport]="codec"
                  [runtime]="codec check reassembly capture transport")
layers=(codec check reassembly capture transport runtime)

# The headers of a layer: "mailslot/x.h" (public) and "x.h" (private).
headers_of() {
    local l=$1 d h
    for h in "$src"/include/"$l"/mailslot/*.h; do echo "mailslot/$(basename "$h")"; done
    for d in ${dirs[$l]}; do
        for h in "$src"/src/"$d"/*.h; do [[ -e $h ]] && basename "$h"; done
    done
}

# The compile command of one file of the layer, minus -o/-c and the file.
command_of() {
    /usr/bin/python3 - "$db" "$1" <<'PY'
import json, shlex, sys
for e in json.load(open(sys.argv[1])):
    if e["file"] == sys.argv[2]:
        a = shlex.split(e["command"])
        out, skip = [], False
        for x in a:
            if skip: skip = False; continue
            if x == "-o": skip = True; continue
            if x in ("-c", e["file"]): continue
            out.append(x)
        print("\n".join(out)); break
PY
}

for l in "${layers[@]}"; do
    first=$(ls "$src"/src/"${dirs[$l]%% *}"/*.c | head -1)
    mapfile -t cmd < <(command_of "$(realpath "$first")")
    [[ ${#cmd[@]} -gt 1 ]] || { bad "no compile command for $first"; continue; }
    allowed=" $l ${below[$l]} "
    for m in "${layers[@]}"; do
        while read -r h; do
            { cat "$first"; printf '\n#include "%s"\n' "$h"; } >"$tmp/probe.c"
            if "${cmd[@]}" -iquote "$(dirname "$first")" -fsyntax-only "$tmp/probe.c" \
                2>"$tmp/err"; then got=yes; else got=no; fi
            if [[ $allowed == *" $m "* ]]; then want=yes; else want=no; fi
            if [[ $got == "$want" ]]; then
                ok
            elif [[ $want == yes ]]; then
                bad "$l may use $m, but $h does not compile in $first: $(head -2 "$tmp/err")"
            else
                bad "$l must not see $m, but $h compiles in $first"
            fi
            # A refusal must be the missing header, not some other error.
            if [[ $want == no && $got == no ]] && ! grep -q "$h: No such file" "$tmp/err"; then
                bad "$h in $first failed for another reason: $(head -2 "$tmp/err")"
            fi
        done < <(headers_of "$m")
    done
done

# No include climbs out of its folder.
hits=$(grep -rn '#include "\.\./' "$src"/src "$src"/tools "$src"/include 2>/dev/null)
[[ -z $hits ]] && ok || bad "includes that climb out of their folder: $hits"

# The codec alone links into a program with neither libpcap nor libcrypto.
codec_bin=$build/fuzz/replay_name
if [[ -x $codec_bin ]]; then
    libs=$(ldd "$codec_bin" 2>/dev/null | grep -E 'libpcap|libcrypto')
    [[ -z $libs ]] && ok || bad "$codec_bin (codec only) links $libs"
else
    bad "no $codec_bin"
fi
finish
