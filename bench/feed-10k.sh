#!/bin/bash
# Writing the feed for N catalogued episodes (default 10,000) without
# rendering them: one short review is rendered once; then N reviews with
# the same text (so the same render key) are catalogued directly with the
# sqlite3 command-line tool, in the schema of src/catalog.c, each with its
# own GUID, slug, date and number, and each with its own episode file (a
# hard link to the one MP3, so sizes match). `revcast build` then finds
# every review unchanged and only writes the feed. hyperfine times:
#   - "feed write": feed.xml is removed before each run, so the build
#     writes all N items (target: under 0.5 s for 10,000);
#   - "no-op": feed.xml is in place, so the build only compares it.
# Both include reading the N reviews and the catalog.
#
# Usage: bench/feed-10k.sh [N [RUNS]]
# The work folder is removed at the end unless BENCH_KEEP=1. BENCH_COVER=FILE.png
# uses another cover (PNG: feed.ini names cover.png).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
n=${1:-10000}
runs=${2:-10}
target=0.5
w=$(mktemp -d "${TMPDIR:-/tmp}/revcast-feed.XXXXXX")
if [ "${BENCH_KEEP:-0}" = 1 ]; then
	echo "work folder: $w (kept)"
else
	trap 'rm -rf "$w"' EXIT
fi
machine
echo "episodes: $n"

feed=$w/bench
pub=$w/pub
db=$feed/catalog.db
mkdir -p "$feed/reviews"
cp feeds/example/feed.ini "$feed/"
# BENCH_COVER: another cover (a real one is 1400-3000 px and often megabytes).
cp "${BENCH_COVER:-feeds/example/cover.png}" "$feed/cover.png"
echo "cover: $(wc -c <"$feed/cover.png") bytes"
review='Benchmark Review

One short review, catalogued many times over. It is read aloud once.
'
printf '%s' "$review" >"$feed/reviews/review-00001.txt"
# SOURCE_DATE_EPOCH: the seed's date; the others are an hour older each.
SOURCE_DATE_EPOCH=1700000000 "$REVCAST" build -q -o "$pub" "$feed"

# The seed row, as revcast wrote it, is the template for the others.
sqlite3 "$db" "SELECT count(*) FROM episodes" | grep -qx 1
sqlite3 "$db" <<SQL
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TEMP TABLE seq AS
	WITH RECURSIVE s(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
	SELECT i FROM s;
INSERT INTO history (key, guid, number, pub_date)
	SELECT printf('review-%05d.txt', i),
	       printf('%08x-0000-5000-8000-%012x', i, i), i,
	       (SELECT pub_date FROM episodes) - 3600 * i
	FROM seq;
INSERT INTO episodes (key, guid, slug, pub_date, render_key, file, bytes, samples,
		      sample_rate, duration, title, author, summary, content_html,
		      explicit, number, transcript_vtt, transcript_srt, chapters, page)
	SELECT h.key, h.guid, e.slug || '-' || h.number, h.pub_date, e.render_key,
	       replace(e.file, '/' || e.slug || '-', '/' || e.slug || '-' || h.number || '-'),
	       e.bytes, e.samples, e.sample_rate, e.duration, e.title, e.author, e.summary,
	       e.content_html, e.explicit, h.number,
	       replace(e.transcript_vtt, '/' || e.slug || '-', '/' || e.slug || '-' || h.number || '-'),
	       replace(e.transcript_srt, '/' || e.slug || '-', '/' || e.slug || '-' || h.number || '-'),
	       replace(e.chapters, '/' || e.slug || '-', '/' || e.slug || '-' || h.number || '-'),
	       replace(e.page, '/' || e.slug || '-', '/' || e.slug || '-' || h.number || '-')
	FROM history h, (SELECT * FROM episodes WHERE key = 'review-00001.txt') e
	WHERE h.key <> 'review-00001.txt';
COMMIT;
SQL
test "$(sqlite3 "$db" "SELECT count(*) FROM episodes")" -eq "$n"

# The reviews (same text), and each episode's files (the MP3 and whatever
# the build publishes beside it: transcripts, chapters, page) as hard links
# to the seed's.
i=2
while [ "$i" -le "$n" ]; do
	printf '%s' "$review" >"$feed/reviews/review-$(printf %05d "$i").txt"
	i=$((i + 1))
done
sqlite3 -separator ' ' "$db" "
	SELECT s.file, e.file FROM episodes e, episodes s
		WHERE s.key = 'review-00001.txt' AND e.key <> s.key
	UNION ALL SELECT s.transcript_vtt, e.transcript_vtt FROM episodes e, episodes s
		WHERE s.key = 'review-00001.txt' AND e.key <> s.key AND s.transcript_vtt IS NOT NULL
	UNION ALL SELECT s.transcript_srt, e.transcript_srt FROM episodes e, episodes s
		WHERE s.key = 'review-00001.txt' AND e.key <> s.key AND s.transcript_srt IS NOT NULL
	UNION ALL SELECT s.chapters, e.chapters FROM episodes e, episodes s
		WHERE s.key = 'review-00001.txt' AND e.key <> s.key AND s.chapters IS NOT NULL
	UNION ALL SELECT s.page, e.page FROM episodes e, episodes s
		WHERE s.key = 'review-00001.txt' AND e.key <> s.key AND s.page IS NOT NULL" |
	python3 -c '
import os, sys
pub = sys.argv[1]
for line in sys.stdin:
    seed, new = line.split()
    os.link(os.path.join(pub, seed), os.path.join(pub, new))
' "$pub/bench"
echo "episode files: $(ls "$pub/bench/episodes" | wc -l)"

# One build with progress: every review must be unchanged.
"$REVCAST" build -v -o "$pub" "$feed" 2>"$w/build.log"
tail -1 "$w/build.log"
grep -q "^bench: $n episodes in .*: 0 rendered, $n unchanged, 0 updated, 0 removed, 0 failed" \
	"$w/build.log" || { echo "the build rendered or failed something" >&2; exit 1; }
xmllint --noout "$pub/bench/feed.xml"
items=$(grep -c '<item>' "$pub/bench/feed.xml")
test "$items" -eq "$n" || { echo "the feed has $items items, expected $n" >&2; exit 1; }
echo "feed.xml: $items items, $(wc -c <"$pub/bench/feed.xml") bytes"

# The setup wrote some 60,000 files: let the kernel write them back now,
# or the first timed builds' fsyncs (feed.xml, pages) wait for that.
sync
build="$REVCAST build -q -o $pub $feed"
hyperfine --warmup 2 --runs "$runs" --export-json "$w/h.json" \
	--prepare "rm -f $pub/bench/feed.xml" --prepare true \
	-n "feed write, $n episodes" "$build" \
	-n "no-op, $n episodes" "$build"
test -s "$pub/bench/feed.xml"
python3 - "$w/h.json" "$target" "$n" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
target, n = float(sys.argv[2]), int(sys.argv[3])
for r in res:
    print("%s: mean %.4f s, sd %.4f s, min %.4f s, max %.4f s"
          % (r["command"], r["mean"], r["stddev"] or 0, r["min"], r["max"]))
w = res[0]["mean"]
print("target: feed write < %.1f s at 10,000 episodes: %s"
      % (target, ("met" if w < target else "missed") if n == 10000 else "(not at full scale)"))
PY
