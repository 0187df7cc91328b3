#!/usr/bin/env bash
# Documentation checks (run in CI; no build needed):
#  1. no tracked file names the developers' working spec (the word in $spec below): the
#     product cites docs/theory.md by its own numbering;
#  2. docs/theory.md is well formed: sections `## N.`, every numbered statement `**Kind N.M`
#     sits in section N, numbers are unique, and every statement other than a definition
#     carries a status mark (**proved**, **checked** or **open**) before the next statement;
#  3. every `docs/theory.md §N` cited anywhere (also `§N–§M`, `§N/§M`, LaTeX `\S N`) names a
#     section that docs/theory.md defines, and every statement `Kind N.M` cited in the docs, the
#     README, the fixtures' READMEs, or on any line that cites docs/theory.md, exists there with
#     that kind.
# Usage: bash scripts/check-docs.sh   (exit 0: all good; 1: the problems are listed on stderr;
# 2: not run inside a git work tree)
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
theory=docs/theory.md
fail=0
problem() {
    echo "check-docs: $*" >&2
    fail=1
}

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "check-docs: not inside a git work tree (the checks search tracked files)" >&2
    exit 2
fi

# 1. The developers' spec is never cited. The word is split here so that this file does not
# contain it either, and `grep -rn` over the repository finds nothing.
spec='THEO''RY'
rc=0
hits=$(git grep -n "$spec" -- .) || rc=$?
if [ "$rc" -eq 0 ]; then
    problem "$spec is mentioned (cite docs/theory.md §n, or nothing):"
    echo "$hits" >&2
elif [ "$rc" -ne 1 ]; then
    problem "git grep failed (status $rc)"
fi

# 2. The structure of docs/theory.md.
if [ ! -f "$theory" ]; then
    problem "$theory is missing"
    exit 1
fi
sections=$(grep -oE '^## [0-9]+\.' "$theory" | grep -oE '[0-9]+' | sort -n | uniq)
kinds='Definition|Theorem|Proposition|Lemma|Corollary|Result'
statements=$(grep -oE "^\*\*($kinds) [0-9]+\.[0-9]+" "$theory" | sed 's/^\*\*//')
if ! structure=$(awk -v kinds="^[*][*](${kinds}) [0-9]+[.][0-9]+" '
    function close_statement() {
        if (cur != "" && cur !~ /^Definition/ && !marked)
            printf "%s (line %d) has no status mark (**proved**, **checked** or **open**)\n", cur, curline
        cur = ""
    }
    /^## [0-9]+\./ {
        close_statement()
        sec = $2; sub(/\.$/, "", sec)
        next
    }
    $0 ~ kinds {
        close_statement()
        s = $0; sub(/^[*][*]/, "", s)
        split(s, w, " "); num = w[2]; sub(/[^0-9.]+$/, "", num)
        split(num, p, ".")
        if (p[1] != sec) printf "%s %s (line %d) is in section %s\n", w[1], num, NR, sec
        if (num in seen) printf "statement number %s is used twice (lines %d and %d)\n", num, seen[num], NR
        seen[num] = NR
        cur = w[1] " " num; curline = NR; marked = 0
    }
    /[*][*](proved|checked|open)[*][*]/ { if (cur != "") marked = 1 }
    END { close_statement() }
' "$theory") || [ -n "$structure" ]; then
    problem "$theory is malformed:"
    echo "$structure" >&2
fi

# 3a. Section citations anywhere in the repository.
cites=$(git grep -hoE 'docs/theory\.md (§|\\S ?)[0-9]+(\.[0-9]+)?((–|-|/|, )(§|\\S ?)[0-9]+(\.[0-9]+)?)*' \
    -- . ':!scripts/check-docs.sh' || true)
while IFS= read -r cite; do
    [ -n "$cite" ] || continue
    for n in $(printf '%s\n' "${cite#docs/theory.md}" | grep -oE '[0-9]+(\.[0-9]+)?'); do
        if [[ "$n" == *.* ]]; then
            if ! grep -qE " ${n//./\\.}\$" <<<"$statements"; then
                problem "'$cite' cites $n, which is not a statement of $theory"
            fi
        elif ! grep -qx "$n" <<<"$sections"; then
            problem "'$cite' cites section $n, which $theory does not define"
        fi
    done
done <<<"$cites"

# 3b. Statement citations: in the docs, the README and the fixtures' READMEs, and on any line
# of any tracked file that cites docs/theory.md.
refs=$( {
    git grep -hoE "($kinds)s? [0-9]+\.[0-9]+" -- 'docs/*.md' README.md 'fixtures/**/README.md' || true
    git grep -h 'docs/theory\.md' -- . ':!scripts/check-docs.sh' |
        grep -oE "($kinds)s? [0-9]+\.[0-9]+" || true
} | sed -E 's/^([A-Za-z]+)s /\1 /' | sort -u)
while IFS= read -r ref; do
    [ -n "$ref" ] || continue
    if ! grep -qFx "$ref" <<<"$statements"; then
        problem "'$ref' is cited but $theory has no such statement"
    fi
done <<<"$refs"

if [ "$fail" -ne 0 ]; then
    exit 1
fi
echo "check-docs: ok ($(printf '%s\n' "$sections" | wc -l) sections, $(printf '%s\n' "$statements" | wc -l) numbered statements in $theory)"
