#!/bin/bash
# Renders the example review with revcast and with the plain shell pipeline
# espeak-ng | sox | lame, with the same output settings (eSpeak voice, rate,
# 44.1 kHz mono, CBR 96 kbit/s, LAME quality 5), and reports wall times
# (hyperfine) and their ratio. Then peak memory rendering a 40,000-word
# review (/usr/bin/time -v). Usage: bench/render.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=${1:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ex=feeds/example/reviews/rust-and-bone.txt
machine

# The same text for both: what revcast speaks (intro + paragraphs).
"$REVCAST" text --speech "$ex" | grep -v '^\[' | sed -n '/^$/,$p' >"$out/speech.txt"
pipeline="espeak-ng -v en+m3 -s 165 -p 48 -b 1 -f $out/speech.txt --stdout | sox -q -t wav - -t wav -r 44100 - | lame --silent -m m -b 96 -q 5 - $out/pipe.mp3"
hyperfine --warmup 1 --runs "$runs" --export-json "$out/h.json" \
	-n revcast "$REVCAST render -q $ex -o $out/rc.mp3" \
	-n pipeline "$pipeline" >"$out/h.txt"
cat "$out/h.txt"
python3 - "$out/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, b = r["revcast"]["mean"], r["pipeline"]["mean"]
print(f"wall time: revcast {a:.3f} s, pipeline {b:.3f} s, ratio {a / b:.2f}x (target <= 0.85x)")
PY

# 40,000 words: the example's paragraphs, repeated and numbered.
{
	echo "A Very Long Review"
	echo
	i=0
	while [ $i -lt 75 ]; do
		sed -n '4,18p' "$ex" | sed "s/^\([A-Z]\)/Part $i. \1/"
		i=$((i + 1))
	done
} >"$out/long.txt"
echo "long review: $(wc -w <"$out/long.txt") words"
/usr/bin/time -v "$REVCAST" render -q "$out/long.txt" -o "$out/long.mp3" 2>"$out/time.txt" >"$out/long.report"
echo "long review: $(cut -f2 "$out/long.report") s of audio"
sed -n 's/^\t*Maximum resident set size (kbytes): /peak memory (KiB, largest process): /p; s/^\t*Elapsed (wall clock) time.*: /wall: /p' "$out/time.txt"
