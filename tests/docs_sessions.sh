#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/docs_sessions.sh - run the sessions of docs/guides/*.md verbatim.
#
# The format (also in docs/guides/README.md). A fenced code block whose
# info string carries `session=NAME` is a session step, run exactly as
# written:
#
#   ```sh session=NAME [host=a|b] [id=ID] [bg] [ready=udp:PORT|pcap,...]
#         [exit=N] [timeout=S]
#
#   - session=NAME  the steps of one session run in document order, in two
#                   fresh network namespaces: host a (192.0.2.1) and host b
#                   (192.0.2.2), each with one interface `eth0` (a veth pair,
#                   192.0.2.0/24, broadcast 192.0.2.255), its own host name
#                   (hosta, hostb: `send` takes its default NetBIOS name
#                   from it) and no route beyond the subnet; both in one
#                   fresh working directory holding a copy of captures/, with
#                   `mailslot` (MAILSLOT_CLI) and `mailslotd` (MAILSLOTD)
#                   first on PATH; each host has a daemon directory of its
#                   own ($MAILSLOTD_DIR, empty at the start), so a mailslotd
#                   a step starts serves that host's programs only. Sessions
#                   run in the order of the files (sorted) and of the blocks.
#   - host=a|b      where the step runs (default a).
#   - exit=N        the exit status the step must end with (default 0). The
#                   step runs as `bash -e -o pipefail`: it ends at the first
#                   failing command.
#   - timeout=S     upper bound in seconds (default 30); then the step's
#                   processes are stopped and the step fails.
#   - bg            run in the background (a listener); with ready=... the
#                   next step starts only once a `mailslot` process in that
#                   namespace holds UDP PORT, or a packet socket (pcap), or
#                   (mailslotd) the step said it attached to mailslotd (the
#                   line `... through mailslotd (...)`), at most 10 s.
#                   A background step is waited for (bounded by
#                   its timeout) at its output block, else at the session's
#                   end, and its exit status checked then.
#   - id=ID         a name for an output block further down to refer to.
#   - after=ID      before this step, wait for the background step ID to
#                   end (bounded by its timeout) and check its status.
#
# The step runs under a pseudo-terminal (script(1)), so its output is what
# a reader sees in a terminal: standard output and standard error in the
# order written. NO_COLOR=1 is set: the guides show plain text, which is
# what a terminal without colour (or `--color=never`) shows.
#
#   ```text output[=ID]
#
# after a step: the output that step must print (`output` alone: the step
# just before; `output=ID`: the step with id=ID in this session). Lines
# compare exactly, after trailing blanks are dropped, except that `...`
# inside a line matches any text and a line that is only `...` matches any
# number of lines (none included).
#
#   ```ini fixture=nmbd session=NAME
#
# is not run: it shows the smb.conf of a Samba nmbd that the harness starts
# on host a at that point (tests/interop/netns.sh: netbios name LABPEER,
# workgroup MSLAB, local master, bound to eth0), and waits (at most 60 s)
# until nmbd is the local master browser. It is stopped at the session's
# end.
#
# Every other block is left alone; a sh/bash/console block must then say
# `manual` (the Windows steps, commands shown for the reader only), so a
# session step cannot be lost by a typo in its info string.
#
# Needs root, ip netns, script(1), nmbd when a session has fixture=nmbd,
# jq and mailslotd when a session uses them; skips (exit 77) otherwise, or fails when
# MAILSLOT_REQUIRE_ALL is set. KEEP_WORK=1 keeps the work directory;
# DOCS_SESSION=NAME runs only that session.
set -u
# shellcheck source=tests/interop/netns.sh
source "$(dirname "$0")/interop/netns.sh"

GUIDES=$IT_SRC/docs/guides
DEFAULT_TIMEOUT=30

# ------------------------------------------------------------ extraction
# One record per interesting block: FILE<TAB>LINE<TAB>INFO, body in
# $BLOCKS/N.body. Fences: a line starting with 3 or more backticks opens
# a block (the rest of the line is its info string); a line of at least as
# many backticks and nothing else closes it.
extract() {
    local out=$1
    shift
    mkdir -p "$out"
    : >"$out/index"
    awk -v dir="$out" '
        BEGIN { idx = 0; fence = 0 }
        FNR == 1 && fence { printf "%s:%d: unclosed code block\n", file, start > "/dev/stderr"; bad = 1; fence = 0 }
        {
            line = $0
            sub(/\r$/, "", line)
            if (!fence) {
                if (match(line, /^```+/)) {
                    fence = RLENGTH
                    info = substr(line, RLENGTH + 1)
                    sub(/^[ \t]+/, "", info); sub(/[ \t]+$/, "", info)
                    start = FNR; file = FILENAME; body = ""
                }
                next
            }
            if (line ~ /^```+[ \t]*$/) {
                t = line; sub(/[ \t]+$/, "", t)
                if (length(t) >= fence) {
                    fence = 0; idx++
                    printf "%s", body > (dir "/" idx ".body"); close(dir "/" idx ".body")
                    printf "%d\t%s\t%d\t%s\n", idx, file, start, info > (dir "/index")
                    next
                }
            }
            body = body line "\n"
        }
        END {
            if (fence) { printf "%s:%d: unclosed code block\n", file, start > "/dev/stderr"; bad = 1 }
            exit bad
        }
    ' "$@"
}

# attr INFO KEY: the value of KEY=VALUE in INFO ("" if absent); flag INFO
# WORD: WORD is present as a bare word or as WORD=...
attr() {
    local w
    for w in $1; do
        [[ $w == "$2="* ]] && { printf '%s\n' "${w#*=}"; return 0; }
    done
    return 1
}
flag() {
    local w
    for w in $1; do
        [[ $w == "$2" || $w == "$2="* ]] && return 0
    done
    return 1
}

# ------------------------------------------------------------ matching
# match_output EXPECTED ACTUAL: 0 when ACTUAL matches the EXPECTED pattern
# lines (see the header).
glob_of() {   # a literal line with "..." as the only wildcard -> bash pattern
    local s=$1 out="" c
    while [[ -n $s ]]; do
        if [[ $s == ...* ]]; then
            out+='*'
            s=${s:3}
            continue
        fi
        c=${s:0:1}
        case $c in
            '*' | '?' | '[' | ']' | "\\") out+="\\$c" ;;
            *) out+=$c ;;
        esac
        s=${s:1}
    done
    printf '%s' "$out"
}
norm() {   # drop CRs, trailing blanks, and trailing empty lines
    sed -e 's/\r$//' -e 's/[[:space:]]*$//' "$1" | awk '
        { lines[NR] = $0 } END { n = NR; while (n > 0 && lines[n] == "") n--; for (i = 1; i <= n; i++) print lines[i] }'
}
match_lines() {   # recursive over arrays EXP and ACT from indexes $1 $2
    local i=$1 j=$2 k pat
    while ((i < ${#EXP[@]})); do
        if [[ ${EXP[i]} == "..." ]]; then
            ((i + 1 == ${#EXP[@]})) && return 0
            for ((k = j; k <= ${#ACT[@]}; k++)); do
                match_lines $((i + 1)) "$k" && return 0
            done
            return 1
        fi
        ((j < ${#ACT[@]})) || return 1
        pat=$(glob_of "${EXP[i]}")
        # shellcheck disable=SC2053  # the right side is a pattern on purpose
        [[ ${ACT[j]} == $pat ]] || return 1
        i=$((i + 1))
        j=$((j + 1))
    done
    ((j == ${#ACT[@]}))
}
match_output() {
    mapfile -t EXP < <(norm "$1")
    mapfile -t ACT < <(norm "$2")
    match_lines 0 0
}

# ------------------------------------------------------------ processes
# Every PID below PID (children first collected, then signalled).
tree_pids() {
    local p c
    for p in "$@"; do
        for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
            tree_pids "$c"
        done
        printf '%s\n' "$p"
    done
}
tree_kill() {   # PID: TERM the tree, KILL what is left after 2 s
    local pids i p alive
    mapfile -t pids < <(tree_pids "$1")
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
        alive=0
        for p in "${pids[@]}"; do it_is_running "$p" && alive=1; done
        ((alive)) || break
        sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# ------------------------------------------------------------ sessions
NS_A=""
NS_B=""
SDIR=""
declare -A BG_PID BG_EXIT BG_TIMEOUT BG_T0 BG_WHERE STEP_OUT STEP_DONE
BG_IDS=()
SESSION_FAILED=0
FAILED_STEPS=0
STEPS=0

step_fail() {   # WHERE MESSAGE [OUTPUT FILE]
    FAILED_STEPS=$((FAILED_STEPS + 1))
    SESSION_FAILED=1
    echo "FAIL: $1: $2"
    if [[ -n ${3:-} && -s $3 ]]; then
        echo "  --- output:"
        sed -e 's/\r$//' -e 's/^/  | /' "$3" | head -n 60
    fi
}

session_start() {   # NAME
    local name=$1 k
    SESSION=$name
    SESSION_FAILED=0
    SESSION_T0=$(date +%s.%N)
    NS_A=ms-doc-a-$$
    NS_B=ms-doc-b-$$
    it_pair "$NS_A" eth0 192.0.2.1 "$NS_B" eth0 192.0.2.2 || return 1
    SDIR=$IT_WORK/s-$name
    mkdir -p "$SDIR/run" "$SDIR/mailslotd-a" "$SDIR/mailslotd-b" "$IT_WORK/out-$name" "$IT_WORK/bin"
    chmod 755 "$SDIR" "$SDIR/mailslotd-a" "$SDIR/mailslotd-b"
    cp -r "$IT_SRC/captures" "$SDIR/run/"
    ln -sfn "$(realpath "$IT_CLI")" "$IT_WORK/bin/mailslot"
    [[ -x $mailslotd ]] && ln -sfn "$(realpath "$mailslotd")" "$IT_WORK/bin/mailslotd"
    BG_IDS=()
    for k in "${!STEP_OUT[@]}"; do unset "STEP_OUT[$k]"; done
    for k in "${!STEP_DONE[@]}"; do unset "STEP_DONE[$k]"; done
    LAST_STEP=""
}

# start_step N WHERE INFO BODY: start the block in its namespace (always in
# the background; the caller waits). PID in STEP_PID, output in STEP_FILE.
start_step() {
    local n=$1 info=$3 body=$4 host ns hn
    host=$(attr "$info" host) || host=a
    case $host in
        a) ns=$NS_A hn=hosta ;;
        b) ns=$NS_B hn=hostb ;;
        *) step_fail "$2" "host=$host: only a and b exist"; return 1 ;;
    esac
    STEP_FILE=$IT_WORK/out-$SESSION/$n.out
    # shellcheck disable=SC2016  # expanded by the inner bash
    ip netns exec "$ns" unshare --uts /bin/bash -c '
        hostname "$1" || exit 111
        cd "$2" || exit 111
        export PATH="$3:$PATH" SHELL=/bin/bash NO_COLOR=1 MAILSLOTD_DIR="$5"
        exec script -qefc "/bin/bash -e -o pipefail $4" /dev/null' \
        docs-step "$hn" "$SDIR/run" "$IT_WORK/bin" "$body" "$SDIR/mailslotd-$host" \
        </dev/null >"$STEP_FILE" 2>&1 &
    STEP_PID=$!
    STEP_NS=$ns
}

# wait_step PID SECONDS: bounded wait; exit status in STEP_RC (124 when
# its process tree was stopped at the bound).
wait_step() {
    it_wait_pid "$1" "$2" tree_kill
    STEP_RC=$IT_RC
}

# wait_ready NS SPEC SECONDS OUT: a mailslot process in NS holds what SPEC
# says (mailslotd: the step's output OUT says it attached to mailslotd).
wait_ready() {
    local ns=$1 spec=$2 secs=$3 out=$4 i s ok
    for ((i = 0; i < secs * 10; i++)); do
        ok=1
        for s in ${spec//,/ }; do
            case $s in
                udp:*) ip netns exec "$ns" ss -Hulnp "sport = :${s#udp:}" 2>/dev/null | grep -q '"mailslot"' || ok=0 ;;
                pcap) ip netns exec "$ns" ss -H -0 -p 2>/dev/null | grep -q '"mailslot"' || ok=0 ;;
                mailslotd) grep -q ' through mailslotd (' "$out" 2>/dev/null || ok=0 ;;
                *) return 2 ;;
            esac
        done
        if ((ok)); then
            sleep 0.2
            return 0
        fi
        sleep 0.1
    done
    return 1
}

run_step() {   # N WHERE INFO BODY
    local n=$1 where=$2 info=$3 body=$4 id want t ready after
    STEPS=$((STEPS + 1))
    id=$(attr "$info" id) || id="#$n"
    want=$(attr "$info" exit) || want=0
    t=$(attr "$info" timeout) || t=$DEFAULT_TIMEOUT
    [[ $want =~ ^[0-9]+$ && $t =~ ^[0-9]+$ ]] || { step_fail "$where" "bad exit= or timeout= in '$info'"; return; }
    if after=$(attr "$info" after); then
        [[ -n ${STEP_OUT[$after]:-} ]] || { step_fail "$where" "after=$after: no such step before"; return; }
        finish_bg "$after"
    fi
    start_step "$n" "$where" "$info" "$body" || return
    STEP_OUT[$id]=$STEP_FILE
    LAST_STEP=$id
    if flag "$info" bg; then
        BG_PID[$id]=$STEP_PID
        BG_EXIT[$id]=$want
        BG_TIMEOUT[$id]=$t
        BG_T0[$id]=$(date +%s)
        BG_WHERE[$id]=$where
        BG_IDS+=("$id")
        IT_PIDS+=("$STEP_PID")
        if ready=$(attr "$info" ready); then
            if ! wait_ready "$STEP_NS" "$ready" 10 "$STEP_FILE"; then
                step_fail "$where" "not ready ($ready) within 10 s" "$STEP_FILE"
            fi
        fi
        return
    fi
    wait_step "$STEP_PID" "$t"
    STEP_DONE[$id]=1
    if ((STEP_RC == 124 && want != 124)); then
        step_fail "$where" "still running after ${t} s (timeout=)" "$STEP_FILE"
    elif ((STEP_RC != want)); then
        step_fail "$where" "exit status $STEP_RC, expected $want" "$STEP_FILE"
    fi
}

finish_bg() {   # ID: bounded wait for a background step, check its status
    local id=$1 left pid
    [[ -n ${BG_PID[$id]:-} ]] || return 0
    pid=${BG_PID[$id]}
    left=$((BG_T0[$id] + BG_TIMEOUT[$id] - $(date +%s)))
    ((left < 1)) && left=1
    wait_step "$pid" "$left"
    unset "BG_PID[$id]"
    STEP_DONE[$id]=1
    if ((STEP_RC == 124 && BG_EXIT[$id] != 124)); then
        step_fail "${BG_WHERE[$id]}" "background step still running after ${BG_TIMEOUT[$id]} s" "${STEP_OUT[$id]}"
    elif ((STEP_RC != BG_EXIT[$id])); then
        step_fail "${BG_WHERE[$id]}" "background step: exit status $STEP_RC, expected ${BG_EXIT[$id]}" "${STEP_OUT[$id]}"
    fi
}

check_output() {   # N WHERE INFO BODYFILE
    local where=$2 info=$3 body=$4 id
    id=$(attr "$info" output) || id=$LAST_STEP
    if [[ -z $id || -z ${STEP_OUT[$id]:-} ]]; then
        step_fail "$where" "output block for an unknown step '${id}'"
        return
    fi
    finish_bg "$id"
    if match_output "$body" "${STEP_OUT[$id]}"; then
        return
    fi
    step_fail "$where" "output differs from the block (expected, then actual)"
    diff <(norm "$body") <(norm "${STEP_OUT[$id]}") | head -n 40 | sed 's/^/  /'
}

fixture_nmbd() {   # WHERE
    rm -rf "$IT_WORK/nmbd"
    if ! it_nmbd_start "$NS_A" eth0; then
        step_fail "$1" "nmbd did not start"
        return
    fi
    it_nmbd_wait_master 60 || step_fail "$1" "nmbd did not become local master within 60 s"
}

session_end() {
    local id ns pid pids
    for id in "${BG_IDS[@]}"; do finish_bg "$id"; done
    if [[ -n $IT_NMBD_PID ]]; then
        it_stop_pid "$IT_NMBD_PID" TERM
        IT_NMBD_PID=""
    fi
    # Whatever a step left running in the namespaces (they are ours).
    for ns in "$NS_A" "$NS_B"; do
        mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
        for pid in "${pids[@]}"; do
            it_log "session $SESSION left PID $pid running in $ns; stopping it"
            kill -KILL "$pid" 2>/dev/null || true
        done
    done
    for ns in "$NS_A" "$NS_B"; do
        ip netns delete "$ns" 2>/dev/null || it_log "could not delete netns $ns"
    done
    IT_NS=()
    if ((SESSION_FAILED)); then
        it_fail "session $SESSION" "$(it_since "$SESSION_T0") s"
    else
        it_pass "session $SESSION" "$(it_since "$SESSION_T0") s"
    fi
}

# ------------------------------------------------------------ main
shopt -s nullglob
GUIDE_FILES=("$GUIDES"/*.md)
((${#GUIDE_FILES[@]} > 0)) || { echo "FAIL: no guides in $GUIDES"; exit 1; }

it_init docs_sessions
BLOCKS=$IT_WORK/blocks
extract "$BLOCKS" "${GUIDE_FILES[@]}" || exit 1

# Lint, and what the sessions need.
LINT=0
NEED_NMBD=0
NEED_JQ=0
NEED_MAILSLOTD=0
NSESSIONS=0
declare -A SEEN_SESSION
while IFS=$'\t' read -r n file line info; do
    lang=${info%% *}
    where="${file#"$IT_SRC"/}:$line"
    if s=$(attr "$info" session); then
        [[ $s =~ ^[a-zA-Z0-9_-]+$ ]] || { echo "FAIL: $where: bad session name '$s'"; LINT=1; }
        [[ -z ${SEEN_SESSION[$s]:-} ]] && NSESSIONS=$((NSESSIONS + 1))
        SEEN_SESSION[$s]=1
        flag "$info" fixture && NEED_NMBD=1
        grep -qE '(^|[|;&[:space:]])jq([[:space:]]|$)' "$BLOCKS/$n.body" && NEED_JQ=1
        grep -qE '(^|[|;&[:space:]])mailslotd([[:space:]]|$)' "$BLOCKS/$n.body" && NEED_MAILSLOTD=1
    elif flag "$info" output || flag "$info" manual; then
        :
    else
        case $lang in
            sh | bash | shell | console)
                echo "FAIL: $where: a '$lang' block with neither session= nor manual ($info)"
                LINT=1
                ;;
        esac
    fi
done <"$BLOCKS/index"
((LINT)) && exit 1
((NSESSIONS > 0)) || { echo "FAIL: no session= blocks in docs/guides"; exit 1; }

it_require_root_netns
need script "script(1) (util-linux) is not installed"
need unshare "unshare(1) (util-linux) is not installed"
((NEED_NMBD)) && need nmbd "Samba nmbd is not installed (a session has fixture=nmbd)"
((NEED_JQ)) && need jq "jq is not installed (a session uses it)"
((NEED_MAILSLOTD)) && { [[ -x $mailslotd ]] || skip "no mailslotd at $mailslotd (a session uses it)"; }
it_require_cli decode encode check send listen hosts

# Run, session by session, in document order.
mapfile -t ORDER < <(awk -F'\t' '{ print $4 }' "$BLOCKS/index" |
    grep -oE 'session=[a-zA-Z0-9_-]+' | awk '!seen[$0]++ { sub(/^session=/, ""); print }')
for SESSION in "${ORDER[@]}"; do
    if [[ -n ${DOCS_SESSION:-} && $SESSION != "$DOCS_SESSION" ]]; then continue; fi
    it_log "session $SESSION"
    session_start "$SESSION" || { it_fail "session $SESSION" "namespaces could not be set up"; continue; }
    cur=""
    while IFS=$'\t' read -r n file line info; do
        where="${file#"$IT_SRC"/}:$line"
        if s=$(attr "$info" session); then
            cur=$s
            [[ $s == "$SESSION" ]] || continue
            if flag "$info" fixture; then
                case $(attr "$info" fixture) in
                    nmbd) fixture_nmbd "$where" ;;
                    *) step_fail "$where" "unknown fixture in '$info'" ;;
                esac
                continue
            fi
            run_step "$n" "$where" "$info" "$BLOCKS/$n.body"
        elif flag "$info" output && [[ $cur == "$SESSION" ]]; then
            check_output "$n" "$where" "$info" "$BLOCKS/$n.body"
        fi
    done <"$BLOCKS/index"
    session_end
done
echo "$STEPS steps, $FAILED_STEPS failed"
it_finish
