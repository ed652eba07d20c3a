#!/bin/bash
# revcast build: publishes the example feed and judges it with independent
# parsers (xmllint, feedparser, gPodder's podcastparser); then the life of
# a feed: unchanged, edited, new, removed and failing reviews, a deleted
# output folder, reproducible dates, two builds at once, file names that
# try to escape, and a bad feed.ini.
#
# Every feed is a copy in $T: a build writes catalog.db and a lock beside
# feed.ini, never in the repository's feeds/.
. tests/lib.sh

PY=/usr/bin/python3
SDE=1700000000

# copy_example DIR: DIR/example is a fresh copy of the example feed.
copy_example() {
	mkdir -p "$1" &&
	cp -R "$ROOT/feeds/example" "$1/example" &&
	rm -f "$1"/example/catalog.db* "$1/example/.revcast.lock"
}

# build DIR [OPTION...]: builds DIR/example into DIR/pub with progress
# lines in DIR/build.log (standard error); returns revcast's status.
build() {
	local d=$1
	shift
	"$REVCAST" build -v -o "$d/pub" "$@" "$d/example" 2>"$d/build.log"
}

# items DIR: one line per item of DIR/pub/example/feed.xml (tests/feeditems.py).
items() { $PY "$ROOT/tests/feeditems.py" "$1/pub/example/feed.xml"; }

# item_field DIR TITLE N: field N of the item titled TITLE.
item_field() {
	items "$1" | awk -F'\t' -v t="$2" -v n="$3" '$8 == t { print $n }'
}

# local_file DIR URL: the published file an enclosure URL names.
local_file() {
	local base
	base=$(sed -n 's/^base_url *= *//p' "$1/example/feed.ini")
	case "$2" in
	"$base"*) printf '%s\n' "$1/pub/example/${2#"$base"}" ;;
	*) echo "enclosure '$2' is not under '$base'" >&2; return 1 ;;
	esac
}

# rendered DIR / unchanged DIR: how many reviews the last build rendered / found unchanged.
rendered() { grep -c ': rendering$' "$1/build.log" || :; }
unchanged() { grep -c ': unchanged$' "$1/build.log" || :; }

# files DIR: "inode mtime name" of every published episode file (MP3s, and
# whatever is published beside them): what a no-op must not touch.
files() { (cd "$1/pub/example/episodes" && stat -c '%i %y %n' -- *); }

# rfc2822 SECONDS: the date as a feed writes it, by GNU date.
rfc2822() { LC_ALL=C date -u -d "@$1" '+%a, %d %b %Y %H:%M:%S +0000'; }

LH="The Quiet Lighthouse"
RB="The Tenderness of Rust And Bone"

test_expect_success 'build the example feed' '
	copy_example main &&
	SOURCE_DATE_EPOCH=$SDE build main &&
	cat main/build.log &&
	nrev=$(ls main/example/reviews | wc -l) &&
	test "$(rendered main)" -eq "$nrev" &&
	test -s main/pub/example/feed.xml &&
	test -s main/pub/example/cover.png &&
	test "$(ls main/pub/example/episodes/*.mp3 | wc -l)" -eq "$nrev" &&
	grep "$nrev episodes in .*: $nrev rendered, 0 unchanged" main/build.log
'

test_expect_success 'xmllint: the feed is well-formed XML' '
	xmllint --noout main/pub/example/feed.xml
'

cat >"$T/judge_feedparser.py" <<'EOF'
# feedparser judge: argv = feed.xml, number of reviews, base_url, published folder
import os, sys, feedparser
feed, n, base, pub = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
d = feedparser.parse(feed)
assert not d.bozo, "bozo: %r" % d.get("bozo_exception")
assert d.version == "rss20", d.version
assert len(d.entries) == n, "%d entries, %d reviews" % (len(d.entries), n)
guids = set()
for e in d.entries:
    assert e.get("title"), "an entry without a title"
    assert e.get("id"), "%s: no guid" % e.title
    guids.add(e.id)
    assert e.get("published_parsed"), "%s: no parsable pubDate" % e.title
    assert len(e.enclosures) == 1, "%s: %d enclosures" % (e.title, len(e.enclosures))
    enc = e.enclosures[0]
    assert enc.get("type") == "audio/mpeg", "%s: type %r" % (e.title, enc.get("type"))
    assert enc.get("length", "").isdigit(), "%s: length %r" % (e.title, enc.get("length"))
    assert enc.href.startswith(base), "%s: %s not under %s" % (e.title, enc.href, base)
    size = os.path.getsize(os.path.join(pub, enc.href[len(base):]))
    assert int(enc.length) == size, "%s: length %s, file %d" % (e.title, enc.length, size)
    print("ok:", e.title, e.id, enc.length)
assert len(guids) == n, "duplicate guids"
EOF

test_expect_success 'feedparser: not bozo; every entry has title, guid, date and an audio/mpeg enclosure of the right length' '
	base=$(sed -n "s/^base_url *= *//p" main/example/feed.ini) &&
	$PY judge_feedparser.py main/pub/example/feed.xml "$(ls main/example/reviews | wc -l)" \
		"$base" main/pub/example
'

cat >"$T/judge_podcastparser.py" <<'EOF'
# gPodder's parser: argv = feed.xml, feed URL, number of reviews, base_url, published folder
import os, subprocess, sys, podcastparser
feed, url, n, base, pub = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
with open(feed, "rb") as f:
    p = podcastparser.parse(url, f)
eps = p["episodes"]
assert len(eps) == n, "%d episodes, %d reviews" % (len(eps), n)
for e in eps:
    t = e["title"]
    assert t, "an episode without a title"
    assert e["guid"] and not e["guid"].startswith("http"), "%s: guid %r" % (t, e["guid"])
    assert e["published"] > 0, "%s: no published date" % t
    assert e["total_time"] > 0, "%s: no duration" % t
    assert len(e["enclosures"]) == 1, "%s: %d enclosures" % (t, len(e["enclosures"]))
    enc = e["enclosures"][0]
    assert enc["mime_type"] == "audio/mpeg", "%s: %r" % (t, enc["mime_type"])
    assert enc["file_size"] > 0, "%s: file_size %r" % (t, enc["file_size"])
    path = os.path.join(pub, enc["url"][len(base):])
    assert enc["url"].startswith(base) and os.path.getsize(path) == enc["file_size"], \
        "%s: file_size %d, %s" % (t, enc["file_size"], path)
    real = float(subprocess.check_output(["ffprobe", "-v", "error", "-show_entries",
        "format=duration", "-of", "csv=p=0", path]).decode())
    assert abs(real - e["total_time"]) <= 1.0, "%s: total_time %d, ffprobe %.3f" % (t, e["total_time"], real)
    print("ok:", t, e["guid"], e["published"], e["total_time"], enc["file_size"])
EOF

test_expect_success 'podcastparser (gPodder): every episode has duration, size, date and guid' '
	base=$(sed -n "s/^base_url *= *//p" main/example/feed.ini) &&
	$PY judge_podcastparser.py main/pub/example/feed.xml "${base}feed.xml" \
		"$(ls main/example/reviews | wc -l)" "$base" main/pub/example
'

test_expect_success 'a rebuild renders nothing and touches no MP3' '
	files main >before.files &&
	cp main/pub/example/feed.xml before.xml &&
	SOURCE_DATE_EPOCH=$((SDE + 100)) build main &&
	cat main/build.log &&
	test "$(rendered main)" -eq 0 &&
	test "$(unchanged main)" -eq "$(ls main/example/reviews | wc -l)" &&
	files main >after.files &&
	test_cmp before.files after.files &&
	cmp before.xml main/pub/example/feed.xml
'

test_expect_success 'a serial feed numbers its episodes, and changing the type renders nothing' '
	sed -i "s/^type = episodic/type = serial/" main/example/feed.ini &&
	grep -x "type = serial" main/example/feed.ini &&
	files main >before.files &&
	build main &&
	test "$(rendered main)" -eq 0 &&
	files main >after.files &&
	test_cmp before.files after.files &&
	items main | cut -f3 | sort -n >numbers &&
	seq 1 "$(ls main/example/reviews | wc -l)" >expect &&
	test_cmp expect numbers
'

test_expect_success 'editing a review keeps its guid, date and number and renders only it' '
	items main >before.items &&
	old_lh=$(local_file main "$(item_field main "$LH" 4)") &&
	old_rb=$(local_file main "$(item_field main "$RB" 4)") &&
	ino_rb=$(stat -c %i "$old_rb") &&
	sed -i "s/The writing is plain and exact/The writing is plain and precise/" \
		main/example/reviews/the-quiet-lighthouse.md &&
	grep "plain and precise" main/example/reviews/the-quiet-lighthouse.md &&
	SOURCE_DATE_EPOCH=$((SDE + 200)) build main &&
	cat main/build.log &&
	grep -E "the-quiet-lighthouse\.md: rendering$" main/build.log &&
	grep -E "rust-and-bone\.txt: unchanged$" main/build.log &&
	test "$(rendered main)" -eq 1 &&
	items main >after.items &&
	cut -f1-3,8 before.items >expect &&
	cut -f1-3,8 after.items >actual &&
	test_cmp expect actual &&
	new_lh=$(local_file main "$(item_field main "$LH" 4)") &&
	test "$new_lh" != "$old_lh" &&
	test -s "$new_lh" &&
	test ! -e "$old_lh" &&
	old_stem=$(basename "$old_lh" .mp3) &&
	test -z "$(ls main/pub/example/episodes | grep -F "$old_stem")" &&
	test "$(local_file main "$(item_field main "$RB" 4)")" = "$old_rb" &&
	test "$(stat -c %i "$old_rb")" = "$ino_rb"
'

test_expect_success 'after deleting the output folder a rebuild gives the same feed and byte-identical files' '
	items main >before.items &&
	cp main/pub/example/feed.xml before.xml &&
	rm -rf saved && cp -R main/pub/example/episodes saved &&
	rm -rf main/pub &&
	SOURCE_DATE_EPOCH=$((SDE + 86400 * 365)) build main &&
	test "$(rendered main)" -eq "$(ls main/example/reviews | wc -l)" &&
	items main >after.items &&
	test_cmp before.items after.items &&
	cmp before.xml main/pub/example/feed.xml &&
	for f in saved/*; do
		cmp "$f" "main/pub/example/episodes/${f##*/}" || exit 1
	done
'

test_expect_success 'a new review appears first, with the next number and the build date' '
	printf "Brand New Review\n\nA short new review. It was fine, really.\n" \
		>main/example/reviews/zz-new.txt &&
	SOURCE_DATE_EPOCH=$((SDE + 86400)) build main &&
	test "$(rendered main)" -eq 1 &&
	grep -E "zz-new\.txt: rendering$" main/build.log &&
	items main >after.items &&
	head -1 after.items | cut -f8 >actual &&
	echo "Brand New Review" >expect &&
	test_cmp expect actual &&
	test "$(head -1 after.items | cut -f2)" = "$(rfc2822 $((SDE + 86400)))" &&
	test "$(head -1 after.items | cut -f3)" -eq "$(wc -l <after.items)"
'

test_expect_success 'SOURCE_DATE_EPOCH: two fresh builds give the same dates and the same bytes' '
	for d in sdeA sdeB; do
		copy_example $d &&
		rm -f $d/example/reviews/* &&
		printf "First Short One\n\nIt is short. It is fine.\n" >$d/example/reviews/one.txt &&
		printf -- "---\ntitle: Second Short One\n---\n\nShorter still.\n" \
			>$d/example/reviews/two.md &&
		SOURCE_DATE_EPOCH=1234567890 build $d || exit 1
	done &&
	items sdeA | cut -f2 | sort -u >dates &&
	rfc2822 1234567890 >expect &&
	test_cmp expect dates &&
	cmp sdeA/pub/example/feed.xml sdeB/pub/example/feed.xml &&
	for f in sdeA/pub/example/episodes/*; do
		cmp "$f" "sdeB/pub/example/episodes/${f##*/}" || exit 1
	done
'

test_expect_success 'a removed review leaves the feed; its MP3 goes only once the new feed is written' '
	url=$(item_field main "Brand New Review" 4) &&
	mp3=$(local_file main "$url") &&
	test -s "$mp3" &&
	rm main/example/reviews/zz-new.txt &&
	# feed.xml cannot be replaced (a folder is in its place): the build fails
	# and the MP3 that the last written feed names must still be there
	mv main/pub/example/feed.xml old.xml &&
	mkdir main/pub/example/feed.xml &&
	test_must_fail build main &&
	cat main/build.log &&
	grep "zz-new.txt: removed from the feed" main/build.log &&
	test -s "$mp3" &&
	rmdir main/pub/example/feed.xml &&
	mv old.xml main/pub/example/feed.xml &&
	build main &&
	cat main/build.log &&
	! grep -F "$url" main/pub/example/feed.xml &&
	! grep "Brand New Review" main/pub/example/feed.xml &&
	test ! -e "$mp3" &&
	stem=$(basename "$mp3" .mp3) &&
	test -z "$(ls main/pub/example/episodes | grep -F "$stem")" &&
	test "$(items main | wc -l)" -eq "$(ls main/example/reviews | wc -l)"
'

test_expect_success 'a review that fails keeps its previous episode; the others are published; exit 1' '
	items main >before.items &&
	rb_line=$(grep -F "$RB" before.items) &&
	rb=$(local_file main "$(printf "%s\n" "$rb_line" | cut -f4)") &&
	printf "Broken \377\376 title\n\nNot UTF-8 at all.\n" >main/example/reviews/rust-and-bone.txt &&
	printf "Another Short Review\n\nPublished while the other one fails.\n" \
		>main/example/reviews/another.txt &&
	st=0 && { build main || st=$?; } &&
	cat main/build.log &&
	test "$st" -eq 1 &&
	grep "rust-and-bone.txt" main/build.log | grep -i "utf-8" &&
	items main >after.items &&
	grep -F "$RB" after.items >actual &&
	printf "%s\n" "$rb_line" >expect &&
	test_cmp expect actual &&
	test -s "$rb" &&
	grep -F "Another Short Review" after.items &&
	xmllint --noout main/pub/example/feed.xml
'

test_expect_success 'restoring the review publishes it again without rendering it' '
	cp "$ROOT/feeds/example/reviews/rust-and-bone.txt" main/example/reviews/ &&
	build main &&
	cat main/build.log &&
	grep -E "rust-and-bone\.txt: unchanged$" main/build.log &&
	test "$(rendered main)" -eq 0
'

test_expect_success 'two builds started together: both succeed, one waits and finds the work done' '
	copy_example par &&
	{ "$REVCAST" build -v -o par/pub par/example 2>par/a.log & pa=$!; } &&
	{ "$REVCAST" build -v -o par/pub par/example 2>par/b.log & pb=$!; } &&
	sa=0 && { wait $pa || sa=$?; } &&
	sb=0 && { wait $pb || sb=$?; } &&
	cat par/a.log par/b.log &&
	test "$sa" -eq 0 && test "$sb" -eq 0 &&
	n=$(ls par/example/reviews | wc -l) &&
	ra=$(grep -c ": rendering$" par/a.log || :) &&
	rb=$(grep -c ": rendering$" par/b.log || :) &&
	ua=$(grep -c ": unchanged$" par/a.log || :) &&
	ub=$(grep -c ": unchanged$" par/b.log || :) &&
	{ { test "$ra" -eq "$n" && test "$ub" -eq "$n" && test "$rb" -eq 0; } ||
	  { test "$rb" -eq "$n" && test "$ua" -eq "$n" && test "$ra" -eq 0; }; } &&
	xmllint --noout par/pub/example/feed.xml &&
	test "$(items par | wc -l)" -eq "$n" &&
	test "$(ls par/pub/example/episodes/*.mp3 | wc -l)" -eq "$n" &&
	"$REVCAST" check par/pub/example
'

test_expect_success 'a build waits while another holds the feed lock' '
	cp par/pub/example/feed.xml before.xml &&
	printf "Waiting Review\n\nWritten while the lock was held.\n" >par/example/reviews/wait.txt &&
	exec 9>par/example/.revcast.lock &&
	flock -x 9 &&
	{ "$REVCAST" build -v -o par/pub par/example 9>&- 2>par/w.log & pw=$!; } &&
	i=0 &&
	while ! grep -q "waiting for another build" par/w.log && test $i -lt 300; do
		sleep 0.1; i=$((i + 1))
	done &&
	cat par/w.log &&
	grep "waiting for another build of this feed to finish" par/w.log &&
	kill -0 $pw &&
	cmp before.xml par/pub/example/feed.xml &&
	exec 9>&- &&
	sw=0 && { wait $pw || sw=$?; } &&
	cat par/w.log &&
	test "$sw" -eq 0 &&
	grep -F "Waiting Review" par/pub/example/feed.xml
'

test_expect_success 'file names cannot escape the output folder' '
	copy_example esc &&
	rm -f esc/example/reviews/* &&
	printf -- "---\ntitle: Climbing Out\nslug: ../../etc\n---\n\nA review that wants to live elsewhere.\n" \
		>esc/example/reviews/climb.md &&
	printf "../../x\n\nA review with a path for a title.\n" >esc/example/reviews/dots.txt &&
	printf "..\n\nA review titled with two dots.\n" >esc/example/reviews/dotdot.txt &&
	test_must_fail "$REVCAST" text esc/example/reviews/climb.md 2>err &&
	cat err &&
	grep "climb.md:3:.*slug" err &&
	touch marker && sleep 1 &&
	test_must_fail build esc &&
	cat esc/build.log &&
	grep "climb.md" esc/build.log &&
	test "$(items esc | wc -l)" -eq 2 &&
	! grep -F "Climbing Out" esc/pub/example/feed.xml &&
	items esc | cut -f4 >urls &&
	base=$(sed -n "s/^base_url *= *//p" esc/example/feed.ini) &&
	while read -r u; do
		rel=${u#"$base"} &&
		printf "%s\n" "$rel" | grep -Ex "episodes/[a-z0-9][a-z0-9-]*\.mp3" &&
		test -s "esc/pub/example/$rel" || exit 1
	done <urls &&
	find "$T" -newer marker ! -type d ! -path "$T/esc/*" ! -path "$T/test-*.log" \
		! -name urls ! -name outside >outside &&
	find esc -newer marker ! -type d ! -path "esc/pub/example/*" ! -path "esc/example/*" \
		! -name build.log >>outside &&
	test_cmp /dev/null outside
'

# bad_ini NAME EDIT PATTERN: a feed.ini made bad by the sed script EDIT
# fails with "feed.ini:LINE:" (LINE: where PATTERN now matches), leaves the
# published feed as it was, and publishes nothing into a fresh folder.
test_expect_success 'a good feed to spoil' '
	copy_example cfg &&
	rm -f cfg/example/reviews/* &&
	printf "Tiny Review\n\nShort and sweet.\n" >cfg/example/reviews/tiny.txt &&
	build cfg &&
	cp cfg/example/feed.ini good.ini &&
	cp cfg/pub/example/feed.xml good.xml
'

bad_ini() {
	cp good.ini cfg/example/feed.ini &&
	sed -i "$2" cfg/example/feed.ini &&
	line=$(grep -n -E "$3" cfg/example/feed.ini | cut -d: -f1) &&
	test -n "$line" &&
	test_must_fail build cfg &&
	cat cfg/build.log &&
	grep -F "feed.ini:$line: " cfg/build.log &&
	cmp good.xml cfg/pub/example/feed.xml &&
	rm -rf fresh &&
	test_must_fail "$REVCAST" build -o fresh cfg/example 2>/dev/null &&
	test ! -e fresh/example/feed.xml &&
	test -z "$(find fresh -type f 2>/dev/null)"
}

test_expect_success 'feed.ini: an unknown key fails with file:line and publishes nothing' '
	bad_ini unknown "s/^explicit = false/explicit = false\ncolour = blue/" "^colour = " &&
	grep "unknown key .colour." cfg/build.log
'

test_expect_success 'feed.ini: a category not in Apple'"'"'s list fails with file:line' '
	bad_ini category "s/^category = .*/category = Films/" "^category = " &&
	grep "Films" cfg/build.log
'

test_expect_success 'feed.ini: a base_url that is not absolute fails with file:line' '
	bad_ini base "s|^base_url = .*|base_url = /podcast/example/|" "^base_url = " &&
	grep "base_url" cfg/build.log
'

test_expect_success 'feed.ini: a 1000x1000 cover fails with file:line' '
	ffmpeg -v error -y -i "$ROOT/feeds/example/cover.png" -vf scale=1000:1000 small.png &&
	cp small.png cfg/example/small.png &&
	bad_ini cover "s/^image = .*/image = small.png/" "^image = " &&
	grep "1000x1000" cfg/build.log
'

test_expect_success 'the good feed.ini builds again' '
	cp good.ini cfg/example/feed.ini &&
	build cfg &&
	cmp good.xml cfg/pub/example/feed.xml
'

test_done
