#!/bin/bash
# CPU per review, split into synthesis (libespeak-ng), resampling
# (libsoxr), loudness (libebur128 and the limiter in loudness.c),
# encoding (libmp3lame) and the rest, from `perf record` of one render of
# the example review (both processes). The hardware limit for a feed is
# this CPU time times the reviews, divided by the cores.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
machine
ex=feeds/example/reviews/rust-and-bone.txt
/usr/bin/time -f "%e s wall, %U s user, %S s system" -o "$w/t" \
	"$REVCAST" render -q "$ex" -o "$w/x.mp3" >"$w/report"
echo "render: $(cat "$w/t"); $(cut -f2 "$w/report") s of audio"
perf record -q -F 4999 -g -o "$w/perf.data" "$REVCAST" render -q "$ex" -o "$w/y.mp3" >/dev/null 2>&1
perf report -i "$w/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null |
	awk '/^ +[0-9.]+%/ { pct = $1; sub("%", "", pct); dso = $2; sym = $0; print pct "\t" dso "\t" sym }' |
	python3 -c '
import sys
cats = {"synthesis": 0.0, "resampling": 0.0, "loudness": 0.0, "encoding": 0.0, "other": 0.0}
for line in sys.stdin:
    pct, dso, sym = line.rstrip("\n").split("\t", 2)
    p = float(pct)
    if "espeak" in dso: cats["synthesis"] += p
    elif "soxr" in dso: cats["resampling"] += p
    elif "ebur128" in dso or any(k in sym for k in ("limiter", "loudness", "ring", "gain_read", "sinc")): cats["loudness"] += p
    elif "mp3lame" in dso: cats["encoding"] += p
    else: cats["other"] += p
t = sum(cats.values()) or 1
for k, v in cats.items():
    print(f"{k:11s} {v / t * 100:5.1f}% of the CPU")
'
