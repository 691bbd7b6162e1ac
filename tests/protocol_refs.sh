#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every "PROTOCOL.md §N.M" the sources, headers, man pages, docs, tests and
# README cite lands on a heading of docs/PROTOCOL.md with that number, so a
# citation can never dangle. Forms read: "PROTOCOL.md §5.4", "PROTOCOL §1.1",
# lists and ranges after it ("§4.6/§4.7", "§2.2–§2.7", "§3, §4.2", "4.2,
# 8.6"), troff's "\fIPROTOCOL.md\fP \(sc7", and a citation wrapped onto the
# next comment line. The matcher is first tried on made-up text, so a
# matcher that finds nothing fails here instead of passing.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
[[ -x $py ]] || skip "no $py"
doc=$src/docs/PROTOCOL.md
[[ -f $doc ]] || { echo "FAIL: no $doc"; exit 1; }

out=$("$py" - "$src" "$doc" <<'EOF'
import os, re, sys

src, doc = sys.argv[1], sys.argv[2]
NUM = r"\d{1,2}(?:\.\d+)*(?![\d.]*\d)"
# Space, or a line break and the comment leader of the next line.
WS = r"(?:[ \t]|\n[ \t]*(?:\*(?!/)|#|//)?[ \t]*)"
SEP = r"(?:" + WS + r"*(?:,|/|–|-|and|or)" + WS + r"*)"
CITE = re.compile(r"PROTOCOL(?:\.md)?" + WS + r"+§?(" + NUM + r")((?:" + SEP + r"§?" + NUM + r")*)")
MORE = re.compile(NUM)

def troff(text):
    # Same line count: citations keep their line numbers.
    text = text.replace("\\(sc", "§").replace("\\~", " ")
    return re.sub(r"\\f[BIPR]", "", text)

def cites(text):
    text = troff(text)
    for m in CITE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        yield line, m.group(1)
        for n in MORE.findall(m.group(2)):
            yield line, n

# The matcher itself, on text with a known answer.
sample = ("/* (PROTOCOL.md §2.4, §7.1) and PROTOCOL.md §4.6/§4.7 and\n"
          " * PROTOCOL.md\n * §2.2–§2.7 */ \\fIPROTOCOL.md\\fP \\(sc7.3), PROTOCOL §1.1;\n"
          "PROTOCOL.md 4.2, 8.6 | PROTOCOL.md §5.4. RFC 1002 §4.4.1; PROTOCOL.md §99.9\n")
got = [n for _, n in cites(sample)]
want = ["2.4", "7.1", "4.6", "4.7", "2.2", "2.7", "7.3", "1.1", "4.2", "8.6", "5.4", "99.9"]
if got != want:
    print("FAIL: matcher read %s, want %s" % (got, want))

heads = []
with open(doc, encoding="utf-8") as f:
    for line in f:
        m = re.match(r"#{2,4} (\d+(?:\.\d+)*)\.? ", line)
        if m:
            heads.append(m.group(1))
dups = sorted({h for h in heads if heads.count(h) > 1})
if dups:
    print("FAIL: docs/PROTOCOL.md numbers more than one heading %s" % ", ".join(dups))
if len(heads) < 60:
    print("FAIL: docs/PROTOCOL.md has only %d numbered headings" % len(heads))
heads = set(heads)

dirs = ["src", "include", "tools", "daemon", "man", "docs", "tests", "bench", "fuzz",
        "examples", "scripts"]
exts = (".c", ".h", ".md", ".sh", ".py", ".1", ".3", ".8", ".txt", ".cmake", ".json")
files = [os.path.join(src, "README.md"), os.path.join(src, "CHANGELOG.md")]
for d in dirs:
    for root, _, names in os.walk(os.path.join(src, d)):
        files += [os.path.join(root, n) for n in sorted(names)
                  if n.endswith(exts) or n == "CMakeLists.txt"]
skip = {os.path.realpath(doc), os.path.realpath(os.path.join(src, "tests", "protocol_refs.sh"))}
total = 0
seen = set()
for path in files:
    if os.path.realpath(path) in skip or not os.path.isfile(path):
        continue
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for line, n in cites(text):
        total += 1
        seen.add(n)
        if n not in heads:
            print("FAIL: %s:%d cites PROTOCOL.md §%s, which has no heading"
                  % (os.path.relpath(path, src), line, n))
if total < 100:
    print("FAIL: only %d citations found; the scan is broken" % total)
print("%d citations of %d sections, %d numbered headings" % (total, len(seen), len(heads)))
EOF
) || { echo "FAIL: the scan did not run"; exit 1; }
echo "$out"
while IFS= read -r l; do
    case $l in
        FAIL:*) failed=$((failed + 1)) ;;
        *citations*) ok ;;
    esac
done <<<"$out"
[[ $out == *citations* ]] || bad "no summary line"
finish
