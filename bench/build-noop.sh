#!/bin/bash
# A no-op rebuild of a feed of N reviews (default 1,000): generates N short,
# different reviews (one or two sentences each), renders them once with
# `revcast build -j NPROC`, then times a rebuild in which nothing changed
# with hyperfine. Target: under 0.2 s for 1,000 reviews.
#
# Usage: bench/build-noop.sh [N [RUNS]]
# The work folder is removed at the end unless BENCH_KEEP=1. BENCH_COVER=FILE.png
# uses another cover (PNG: feed.ini names cover.png).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
n=${1:-1000}
runs=${2:-20}
target=0.2
w=$(mktemp -d "${TMPDIR:-/tmp}/revcast-noop.XXXXXX")
if [ "${BENCH_KEEP:-0}" = 1 ]; then
	echo "work folder: $w (kept)"
else
	trap 'rm -rf "$w"' EXIT
fi
machine
echo "reviews: $n"

# The feed: the example's feed.ini and cover, and N generated reviews.
feed=$w/bench
mkdir -p "$feed/reviews"
cp feeds/example/feed.ini "$feed/"
# BENCH_COVER: another cover (a real one is 1400-3000 px and often megabytes).
cp "${BENCH_COVER:-feeds/example/cover.png}" "$feed/cover.png"
echo "cover: $(wc -c <"$feed/cover.png") bytes"
adj=(quiet bold tender harsh bright slow clever gentle strange warm)
noun=(harbour winter mother river city garden machine island letter storm)
verb=(charms drags surprises moves delights tires haunts amuses grips soothes)
i=1
while [ "$i" -le "$n" ]; do
	a=${adj[$((i % 10))]} b=${noun[$((i / 10 % 10))]} v=${verb[$((i / 100 % 10))]}
	printf '%s\n\nThe %s %s %s from the first scene. Review %d gives it %d out of ten.\n' \
		"The ${a^} $b, part $i" "$a" "$b" "$v" "$i" $((i % 10 + 1)) \
		>"$feed/reviews/review-$(printf %05d "$i").txt"
	i=$((i + 1))
done

build="$REVCAST build -q -j $(nproc) -o $w/pub $feed"
echo "first build (renders everything): $build"
start=$(date +%s.%N)
$build
end=$(date +%s.%N)
items=$(grep -c '<item>' "$w/pub/bench/feed.xml")
test "$items" -eq "$n" || { echo "the feed has $items items, expected $n" >&2; exit 1; }
awk -v s="$start" -v e="$end" -v n="$n" \
	'BEGIN { printf "first build: %.1f s wall, %.3f s per review\n", e - s, (e - s) / n }'

# The timed command must really be a no-op.
"$REVCAST" build -v -o "$w/pub" "$feed" 2>"$w/noop.log"
tail -1 "$w/noop.log"
grep -q " 0 rendered, $n unchanged, 0 updated, 0 removed, 0 failed" "$w/noop.log" ||
	{ echo "the rebuild was not a no-op" >&2; exit 1; }

hyperfine --warmup 3 --runs "$runs" --export-json "$w/h.json" \
	-n "no-op rebuild of $n reviews" "$REVCAST build -q -o $w/pub $feed"
python3 - "$w/h.json" "$target" "$n" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
target, n = float(sys.argv[2]), int(sys.argv[3])
print("no-op rebuild of %d reviews: mean %.4f s, sd %.4f s, min %.4f s, max %.4f s; "
      "target < %.1f s at 1,000 reviews: %s" % (n, r["mean"], r["stddev"] or 0, r["min"], r["max"],
      target, ("met" if r["mean"] < target else "missed") if n == 1000 else "(not at full scale)"))
PY
