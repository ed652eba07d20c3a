#!/bin/bash
# End to end, as a listener would: the published folder is served over
# HTTP on 127.0.0.1 (tests/serve.py, a free port), and gPodder's
# command-line client `gpo` subscribes to the feed and downloads every
# episode; the downloads must be byte-identical to the published files.
# gPodder keeps its state in a private GPODDER_HOME in $T.
. tests/lib.sh

PY=/usr/bin/python3
export GPODDER_HOME="$T/gpodder" GPODDER_DOWNLOAD_DIR="$T/downloads"

# The server runs for the whole script and is always stopped at the end.
mkdir -p "$T/www"
$PY "$ROOT/tests/serve.py" "$T/www" "$T/port" 300 2>"$T/http.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$T/port" 2>/dev/null)
BASE=http://127.0.0.1:$PORT/example/
URL=${BASE}feed.xml

# build [OPTION...]: builds $T/site/example into $T/www for BASE.
build() {
	"$REVCAST" build -v -o "$T/www" --base-url "$BASE" "$@" "$T/site/example" 2>"$T/build.log"
}

# items: one line per item of the published feed (tests/feeditems.py).
items() { $PY "$ROOT/tests/feeditems.py" "$T/www/example/feed.xml"; }

# gpodder_state: "guid<TAB>state<TAB>file<TAB>size<TAB>seconds<TAB>url" for
# every episode gPodder knows of this feed, read from its own database
# (state 1 is downloaded; file is where gPodder put the download).
cat >"$T/gpodder_state.py" <<'EOF'
import os, sqlite3, sys
db = sqlite3.connect(os.path.join(os.environ["GPODDER_HOME"], "Database"))
rows = db.execute("SELECT e.guid, e.state, p.download_folder, e.download_filename, "
                  "e.file_size, e.total_time, e.url FROM episode e "
                  "JOIN podcast p ON p.id = e.podcast_id WHERE p.url = ? "
                  "ORDER BY e.guid", (sys.argv[1],))
for guid, state, folder, name, size, secs, url in rows:
    path = os.path.join(os.environ["GPODDER_DOWNLOAD_DIR"], folder, name) if name else "-"
    print("\t".join(str(x) for x in (guid, state, path, size, secs, url)))
EOF

# download_all: downloads every episode of the feed by its GUID. gPodder
# may not mark every episode of a new subscription as new, so `gpo
# download URL` alone would not be enough; by GUID it is every episode.
download_all() {
	gpo episodes --guid "$URL" >"$T/episodes.txt" 2>>"$T/gpo.log" &&
	grep -Eo "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}" "$T/episodes.txt" |
		sort -u >"$T/gpo-guids" &&
	while read -r g; do
		gpo download "$URL" "$g" >>"$T/gpo.log" 2>&1 || exit 1
	done <"$T/gpo-guids"
}

# same_as_published: every item of the feed is downloaded by gPodder, and
# the download is byte-identical to the published file.
same_as_published() {
	$PY "$T/gpodder_state.py" "$URL" >"$T/state" &&
	cat "$T/state" &&
	items >"$T/items" &&
	test "$(wc -l <"$T/state")" -eq "$(wc -l <"$T/items")" &&
	while IFS="$(printf '\t')" read -r guid date num url len type dur title; do
		line=$(grep "^$guid	" "$T/state") &&
		state=$(printf '%s\n' "$line" | cut -f2) &&
		file=$(printf '%s\n' "$line" | cut -f3) &&
		test "$state" -eq 1 &&
		test "$(printf '%s\n' "$line" | cut -f6)" = "$url" &&
		cmp "$file" "$T/www/example/${url#"$BASE"}" || exit 1
	done <"$T/items"
}

test_expect_success 'a local HTTP server is running' '
	test -n "$PORT" &&
	kill -0 $SERVER
'

test_expect_success 'build the example feed for the local server' '
	mkdir -p site &&
	cp -R "$ROOT/feeds/example" site/example &&
	rm -f site/example/catalog.db* site/example/.revcast.lock &&
	build &&
	cat build.log &&
	"$REVCAST" check www/example &&
	grep -F "<atom:link href=\"$URL\"" www/example/feed.xml
'

test_expect_success 'the server gives the feed as published' '
	$PY -c "import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())" \
		"$URL" >fetched.xml &&
	cmp fetched.xml www/example/feed.xml
'

test_expect_success 'gpo subscribes to the feed' '
	gpo subscribe "$URL" >out 2>>gpo.log &&
	cat out &&
	grep -F "Successfully added $URL" out &&
	gpo list >list 2>>gpo.log &&
	grep -F "$URL" list
'

test_expect_success 'gpo lists every episode under its GUID' '
	gpo episodes --guid "$URL" >episodes.txt 2>>gpo.log &&
	cat episodes.txt &&
	grep -Eo "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}" episodes.txt |
		sort -u >gpo-guids &&
	items | cut -f1 | sort >feed-guids &&
	test_cmp feed-guids gpo-guids
'

test_expect_success 'gpo downloads every episode over HTTP, byte-identical to the published files' '
	download_all &&
	cat gpo.log &&
	same_as_published &&
	items | cut -f4 | while read -r u; do
		grep -F "\"GET /example/${u#"$BASE"} HTTP" http.log || exit 1
	done
'

test_expect_success 'gPodder read the duration and size of every episode' '
	items >items &&
	while IFS="$(printf "\t")" read -r guid date num url len type dur title; do
		line=$(grep "^$guid	" state) &&
		test "$(printf "%s\n" "$line" | cut -f4)" -eq "$len" &&
		test "$(printf "%s\n" "$line" | cut -f5)" -eq "$dur" &&
		test "$dur" -gt 0 || exit 1
	done <items
'

test_expect_success 'a new review reaches the listener as one new episode' '
	printf "A Review For Listeners\n\nShort, new, and worth a download.\n" \
		>site/example/reviews/listeners.txt &&
	build &&
	grep -E "listeners\.txt: rendering$" build.log &&
	gpo update "$URL" >update.out 2>>gpo.log &&
	cat update.out &&
	gpo pending "$URL" >pending 2>>gpo.log &&
	cat pending &&
	grep -F "A Review For Listeners" pending &&
	download_all &&
	same_as_published
'

test_expect_success 'an edited review is the same episode for gPodder, with the new file' '
	sed -i "s/The writing is plain and exact/The writing is plain and precise/" \
		site/example/reviews/the-quiet-lighthouse.md &&
	build &&
	grep -E "the-quiet-lighthouse\.md: rendering$" build.log &&
	$PY gpodder_state.py "$URL" | cut -f1 >guids.before &&
	gpo update "$URL" >update.out 2>>gpo.log &&
	$PY gpodder_state.py "$URL" | cut -f1 >guids.after &&
	test_cmp guids.before guids.after &&
	download_all &&
	same_as_published
'

test_done
