#!/bin/bash
# revcast check: passes on a fresh build of the example feed, and finds
# each kind of damage done to a copy of the published folder, with exit
# status 1 and one message in plain words that names the item.
. tests/lib.sh

PY=/usr/bin/python3
LH="The Quiet Lighthouse"

# damaged NAME: NAME is a fresh copy of the published folder.
damaged() {
	rm -rf "$1" &&
	cp -R pub/example "$1"
}

# item_field DIR TITLE N: field N (tests/feeditems.py) of the item titled TITLE in DIR/feed.xml.
item_field() {
	$PY "$ROOT/tests/feeditems.py" "$1/feed.xml" | awk -F'\t' -v t="$2" -v n="$3" '$8 == t { print $n }'
}

# finds DIR PATTERN...: revcast check ./DIR exits 1 and reports exactly one
# problem, on a line that matches every PATTERN (fixed strings).
finds() {
	local dir=./$1 st=0 p
	shift
	"$REVCAST" check "$dir" 2>err || st=$?
	cat err
	test "$st" -eq 1 || { echo "exit status $st, expected 1"; return 1; }
	grep -x "$dir: 1 problem" err || return 1
	cp err matching
	for p in "$@"; do
		grep -F -- "$p" matching >matching.new || { echo "no message with '$p'"; return 1; }
		mv matching.new matching
	done
}

test_expect_success 'build the example feed' '
	cp -R "$ROOT/feeds/example" example &&
	rm -f example/catalog.db* example/.revcast.lock &&
	"$REVCAST" build -o pub example &&
	test -s pub/example/feed.xml
'

test_expect_success 'check passes on a fresh build' '
	"$REVCAST" check pub/example 2>err &&
	cat err &&
	grep "no problems" err &&
	"$REVCAST" check -o pub example
'

test_expect_success 'check fails on a folder without a feed' '
	mkdir -p empty &&
	test_must_fail "$REVCAST" check ./empty 2>err &&
	cat err &&
	grep -F "no published feed at '"'"'./empty/feed.xml'"'"'" err
'

test_expect_success 'a wrong enclosure length' '
	damaged length &&
	len=$(item_field length "$LH" 5) &&
	file=$(item_field length "$LH" 4) &&
	sed -i "\\|url=\"$file\"|s/length=\"$len\"/length=\"$((len - 1))\"/" length/feed.xml &&
	test "$(item_field length "$LH" 5)" -eq $((len - 1)) &&
	finds length "$LH" "length" "$((len - 1))" "$len"
'

test_expect_success 'a missing MP3' '
	damaged missing &&
	url=$(item_field missing "$LH" 4) &&
	name=${url##*/} &&
	rm missing/episodes/$name &&
	finds missing "$LH" "$name" "does not exist"
'

test_expect_success 'a duplicated guid' '
	damaged dup &&
	$PY "$ROOT/tests/feeditems.py" dup/feed.xml >items &&
	g1=$(sed -n 1p items | cut -f1) &&
	g2=$(sed -n 2p items | cut -f1) &&
	t2=$(sed -n 2p items | cut -f8) &&
	sed -i "s/>$g2</>$g1</" dup/feed.xml &&
	test "$(item_field dup "$t2" 1)" = "$g1" &&
	finds dup "$t2" "$g1" "same guid"
'

test_expect_success 'a bad pubDate' '
	damaged date &&
	old=$(item_field date "$LH" 2) &&
	sed -i "/<title>$LH<\/title>/,/<\/item>/s/<pubDate>$old</<pubDate>2024-03-05 09:00</" \
		date/feed.xml &&
	test "$(item_field date "$LH" 2)" = "2024-03-05 09:00" &&
	finds date "$LH" "pubDate" "2024-03-05 09:00"
'

test_expect_success 'a cover replaced by a 1000x1000 image' '
	damaged cover &&
	ffmpeg -v error -y -i pub/example/cover.png -vf scale=1000:1000 small.png &&
	ffprobe -v error -show_entries stream=width,height -of csv=p=0 small.png | grep -x "1000,1000" &&
	cp small.png cover/cover.png &&
	finds cover "cover.png" "1000x1000"
'

test_expect_success 'an itunes:duration off by 5 s' '
	damaged duration &&
	d=$(item_field duration "$LH" 7) &&
	sed -i "/<title>$LH<\/title>/,/<\/item>/s/<itunes:duration>$d</<itunes:duration>$((d + 5))</" \
		duration/feed.xml &&
	test "$(item_field duration "$LH" 7)" -eq $((d + 5)) &&
	finds duration "$LH" "itunes:duration" "$((d + 5))"
'

test_expect_success 'malformed XML' '
	damaged xml &&
	sed -i "s|<title>$LH</title>|<title>$LH \\& more</title>|" xml/feed.xml &&
	test_must_fail xmllint --noout xml/feed.xml 2>/dev/null &&
	line=$(grep -n "$LH & more" xml/feed.xml | cut -d: -f1) &&
	finds xml "feed.xml" "not well-formed" "line $line"
'

test_expect_success 'the undamaged folder still passes' '
	"$REVCAST" check pub/example
'

test_done
