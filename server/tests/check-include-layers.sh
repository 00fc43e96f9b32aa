#!/bin/sh
# The server's areas (server/src/<area>, docs/architecture.md "Areas and their order") form
# layers: an area may include areas below it, never one that includes it back, directly or
# through others. This reads every `#include "<area>/..."` under server/src, prints the area
# graph, and fails on any cycle, naming the include lines that make it.
# Usage: check-include-layers.sh [server/src directory]
set -eu

src=${1:-$(dirname "$0")/../src}
edges=$(mktemp)
lines=$(mktemp)
trap 'rm -f "$edges" "$lines"' EXIT

# "<file>:<n>:#include "<area>/..." for includes of another area.
for dir in "$src"/*/; do
    area=$(basename "$dir")
    grep -Hn '^#include "[A-Za-z0-9_]*/' "$dir"*.hpp "$dir"*.cpp 2>/dev/null |
        sed -n "s|^\(.*\):\([0-9]*\):#include \"\([A-Za-z0-9_]*\)/.*|$area \3 \1:\2|p" |
        awk '$1 != $2' >>"$lines" || true
done
awk '{ print $1, $2 }' "$lines" | sort -u >"$edges"
if [ ! -s "$edges" ]; then
    echo "FAIL: no includes between areas found under $src: wrong directory?" >&2
    exit 1
fi

echo "area include graph (area -> areas it includes):"
awk '{ to[$1] = to[$1] " " $2 } END { for (a in to) print "  " a " ->" to[a] }' "$edges" | sort

# tsort prints the areas in a valid order, or reports the areas of a loop on stderr.
if order=$(tsort "$edges" 2>/dev/null); then
    echo "layers, top first: $(echo "$order" | tr '\n' ' ')"
    exit 0
fi

echo "FAIL: the areas include each other in a cycle; tsort reports:" >&2
tsort "$edges" 2>&1 >/dev/null | sed 's/^/  /' >&2 || true
# A two-area cycle is the common case: name the includes of both directions.
awk '{ print $1, $2 }' "$edges" | while read -r from to; do
    if grep -q "^$to $from\$" "$edges"; then
        echo "$from <-> $to:" >&2
        awk -v f="$from" -v t="$to" '$1 == f && $2 == t { print "  " $3 }' "$lines" >&2
    fi
done
exit 1
