#!/bin/bash
# Faults: SIGKILL at 30 or more random moments during builds, a full file
# system, and recovery. After each kill the published feed is valid and
# every enclosure it names exists with exactly its stated size, and the next
# build completes.
. tests/lib.sh
consistent() { /usr/bin/python3 "$ROOT/tests/feed-consistent.py" "$1"; }

# A feed of five reviews in $T/feeds/f.
make_feed() {
	rm -rf feeds && mkdir -p feeds &&
	cp -r "$ROOT/feeds/example" feeds/f &&
	rm -f feeds/f/catalog.db* feeds/f/.revcast.lock &&
	for i in 1 2 3; do
		printf "Short Review $i\n\nThis is short review number $i. It is here to give the build more to do.\n\nBy Test Writer\n" >feeds/f/reviews/short-$i.txt
	done
}

test_expect_success 'a first complete build' '
	make_feed &&
	"$REVCAST" build -q -o public feeds/f &&
	consistent public/f
'

test_expect_success 'SIGKILL at 30 random moments: the feed stays consistent' '
	kills=0 tries=0
	RANDOM=4242
	while [ $kills -lt 30 ] && [ $tries -lt 90 ]; do
		tries=$((tries + 1))
		# Give the build real work: edit one or two reviews.
		n=$((RANDOM % 3 + 1))
		printf "\nEdit $tries.\n" >>feeds/f/reviews/short-$n.txt
		[ $((tries % 4)) = 0 ] && printf "\nAnother edit $tries.\n" >>feeds/f/reviews/rust-and-bone.txt
		"$REVCAST" build -q -o public feeds/f 2>/dev/null &
		pid=$!
		sleep "$(awk -v r=$RANDOM "BEGIN { printf \"%.3f\", r / 32767 * 1.2 }")"
		if kill -0 $pid 2>/dev/null; then
			kill -KILL $pid 2>/dev/null && kills=$((kills + 1))
		fi
		wait $pid 2>/dev/null || true   # 137 when killed
		consistent public/f || { echo "after kill $kills (try $tries)"; exit 1; }
	done
	echo "$kills kills in $tries builds"
	test $kills -ge 30
'

test_expect_success 'the next build completes and the output is clean' '
	"$REVCAST" build -q -o public feeds/f &&
	consistent public/f &&
	"$REVCAST" check -o public f &&
	test "$(grep -c "<item>" public/f/feed.xml)" -eq 5 &&
	sqlite3 feeds/f/catalog.db "PRAGMA integrity_check" | grep -x ok &&
	test -z "$(find public/f -name ".*tmp*")"
'

if [ "$(id -u)" = 0 ] && mkdir -p "$T/small" && mount -t tmpfs -o size=6m tmpfs "$T/small" 2>/dev/null; then
	trap 'umount "$T/small" 2>/dev/null' EXIT
	test_expect_success 'a full file system: a clear error, the previous feed intact' '
		make_feed &&
		rm feeds/f/reviews/short-*.txt &&
		"$REVCAST" build -q -o small feeds/f &&
		cp small/f/feed.xml feed.before &&
		for i in 1 2 3; do cp feeds/f/reviews/rust-and-bone.txt feeds/f/reviews/copy-$i.txt; done &&
		test_must_fail "$REVCAST" build -q -o small feeds/f 2>err &&
		cat err &&
		grep "No space left on device" err &&
		cmp feed.before small/f/feed.xml &&
		consistent small/f &&
		"$REVCAST" check -o small f
	'
	test_expect_success 'after space is freed the next build completes' '
		umount small && mount -t tmpfs -o size=64m tmpfs small &&
		"$REVCAST" build -q -o small feeds/f &&
		consistent small/f &&
		test "$(grep -c "<item>" small/f/feed.xml)" -eq 5
	'
	test_expect_success 'a render onto a full file system: one clear error, no file left' '
		umount small && mount -t tmpfs -o size=2m tmpfs small &&
		test_must_fail "$REVCAST" render -q feeds/f/reviews/rust-and-bone.txt \
			--format wav -o small/x.wav 2>err &&
		cat err &&
		test "$(wc -l <err)" -eq 1 &&
		grep "No space left on device" err &&
		test -z "$(ls -A small)"
	'
	umount "$T/small" 2>/dev/null
	trap - EXIT
else
	test_skip 'a full file system' 'needs root to mount a small tmpfs'
fi

test_done
