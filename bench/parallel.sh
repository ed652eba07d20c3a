#!/bin/bash
# 50 example-sized reviews: revcast build -j N against the plain shell
# pipeline espeak-ng | sox | lame run by xargs -P N with the same output
# settings; and revcast -j 2 against -j 1. Also peak memory of the build's
# largest process (one worker or its speech child). Usage:
# bench/parallel.sh [REVIEWS [RUNS]]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
n=${1:-50}
runs=${2:-3}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
machine
cores=$(nproc)
mkdir -p "$w/feeds/bench/reviews" "$w/text"
cp feeds/example/feed.ini feeds/example/cover.png "$w/feeds/bench/"
ex=feeds/example/reviews/rust-and-bone.txt
for i in $(seq -w 1 "$n"); do
	sed "1s/.*/Review $i: The Tenderness of Rust And Bone/" "$ex" >"$w/feeds/bench/reviews/r$i.txt"
	"$REVCAST" text --speech "$w/feeds/bench/reviews/r$i.txt" | grep -v '^\[' | sed -n '/^$/,$p' >"$w/text/r$i.txt"
done
echo "reviews: $n, each $(wc -w <"$ex") words"
build() { echo "rm -rf $w/out $w/feeds/bench/catalog.db*; $REVCAST build -q -j $1 -o $w/out $w/feeds/bench"; }
pipeline="ls $w/text/*.txt | xargs -P $cores -I{} sh -c 'espeak-ng -v en+m3 -s 165 -p 48 -b 1 -f {} --stdout | sox -q -t wav - -t wav -r 44100 - | lame --silent -m m -b 96 -q 5 - {}.mp3'"
hyperfine --runs "$runs" --export-json "$w/h.json" \
	-n "revcast -j $cores" "$(build "$cores")" \
	-n "revcast -j 1" "$(build 1)" \
	-n "pipeline xargs -P $cores" "$pipeline"
python3 - "$w/h.json" "$cores" "$n" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
c, n = sys.argv[2], int(sys.argv[3])
jn, j1, p = r[f"revcast -j {c}"], r["revcast -j 1"], r[f"pipeline xargs -P {c}"]
print(f"revcast -j {c}: {jn:.2f} s ({jn / n * 1000:.0f} ms a review); -j 1: {j1:.2f} s; pipeline: {p:.2f} s")
print(f"revcast -j {c} / pipeline -P {c}: {jn / p:.2f}x (target <= 0.9x)")
print(f"revcast -j 1 / -j {c}: {j1 / jn:.2f}x faster with {c} (target >= 1.8x on 2 cores)")
PY
rm -rf "$w/out" "$w"/feeds/bench/catalog.db*
/usr/bin/time -v "$REVCAST" build -q -j "$cores" -o "$w/out" "$w/feeds/bench" 2>"$w/time.txt"
sed -n 's/^\t*Maximum resident set size (kbytes): /peak memory of one worker or speech child (KiB): /p' "$w/time.txt"
