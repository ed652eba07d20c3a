#!/bin/bash
# 50 example-sized reviews: revcast build -j N against the plain shell
# pipeline espeak-ng | sox | lame run by xargs -P N with the same output
# settings; and revcast -j 2 against -j 1, both on all cores and (the
# textbook speedup) against -j 1 held to one core by taskset. Also peak
# memory of the build's largest process (one worker or its speech child).
# Usage:
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
# The runs are interleaved, one of each command per round, so that a noisy
# spell on this shared machine falls on every command alike rather than on
# all the runs of one.
names=("revcast -j $cores" "revcast -j 1" "revcast -j 1, one core" "pipeline xargs -P $cores")
cmds=("$(build "$cores")" "$(build 1)" "taskset -c 0 sh -c '$(build 1)'" "$pipeline")
for round in $(seq 1 "$runs"); do
	for i in "${!names[@]}"; do
		hyperfine --style none --runs 1 --export-json "$w/h-$round-$i.json" \
			-n "${names[$i]}" "${cmds[$i]}" >/dev/null
		python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"][0]; print("round %s: %s: %.2f s" % (sys.argv[2], r["command"], r["mean"]))' \
			"$w/h-$round-$i.json" "$round"
	done
done
python3 - "$w" "$cores" "$n" <<'PY'
import glob, json, statistics, sys
w, c, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = {}
for f in sorted(glob.glob(f"{w}/h-*.json")):
    r = json.load(open(f))["results"][0]
    t.setdefault(r["command"], []).append(r["mean"])
jn, j1, j1c, p = (t[k] for k in (f"revcast -j {c}", "revcast -j 1", "revcast -j 1, one core",
                                 f"pipeline xargs -P {c}"))
def show(name, v):
    print(f"{name}: mean {statistics.mean(v):.2f} s, median {statistics.median(v):.2f} s, "
          f"min {min(v):.2f} s ({len(v)} runs)")
show(f"revcast -j {c}", jn); show("revcast -j 1", j1); show("revcast -j 1, one core", j1c)
show(f"pipeline xargs -P {c}", p)
def ratio(name, a, b, target):
    print(f"{name}: mean {statistics.mean(a) / statistics.mean(b):.2f}x, median "
          f"{statistics.median(a) / statistics.median(b):.2f}x, min {min(a) / min(b):.2f}x ({target})")
print(f"revcast -j {c}: {statistics.median(jn) / n * 1000:.0f} ms a review (median)")
ratio(f"revcast -j {c} / pipeline -P {c}", jn, p, "target <= 0.9x")
ratio(f"revcast -j 1 / -j {c}, faster with {c}", j1, jn, "target >= 1.8x on 2 cores")
ratio(f"revcast -j 1 on one core / -j {c} on {c}", j1c, jn, f"the speedup from 1 core to {c}")
PY
rm -rf "$w/out" "$w"/feeds/bench/catalog.db*
/usr/bin/time -v "$REVCAST" build -q -j "$cores" -o "$w/out" "$w/feeds/bench" 2>"$w/time.txt"
sed -n 's/^\t*Maximum resident set size (kbytes): /peak memory of one worker or speech child (KiB): /p' "$w/time.txt"
