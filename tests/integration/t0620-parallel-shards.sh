#!/bin/bash
# Parallel builds and sharding: -j 2 publishes the same bytes as -j 1; a
# worker that crashes, hangs past the time limit or runs out of memory
# costs only its review; three shards run through GNU parallel and
# assembled equal a single-machine build.
. tests/lib.sh
export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01: the same dates everywhere

# feeds/f in folder $1: the example plus four short reviews.
make_feed() {
	mkdir -p "$1/feeds" &&
	cp -r "$ROOT/feeds/example" "$1/feeds/f" &&
	rm -f "$1"/feeds/f/catalog.db* "$1/feeds/f/.revcast.lock" &&
	for i in 1 2 3 4; do
		printf "Short Review $i\n\nShort review number $i, rated $i/5. It exists to be rendered.\n\nBy Test Writer\n" >"$1/feeds/f/reviews/short-$i.txt"
	done
}

test_expect_success '-j 2 publishes exactly what -j 1 does' '
	make_feed one && make_feed two &&
	"$REVCAST" build -q -j 1 -o one/public one/feeds/f &&
	"$REVCAST" build -q -j 2 -o two/public two/feeds/f &&
	diff -r one/public two/public &&
	test "$(grep -c "<item>" one/public/f/feed.xml)" -eq 6
'

test_expect_success 'a lone render at -j 2 (split encode in two processes) equals -j 1' '
	make_feed lone1 && make_feed lone2 &&
	for d in lone1 lone2; do
		rm -f $d/feeds/f/reviews/short-* $d/feeds/f/reviews/[!r]* || return 1
	done &&
	test "$(ls lone1/feeds/f/reviews)" = rust-and-bone.txt &&
	"$REVCAST" build -q -j 1 -o lone1/public lone1/feeds/f &&
	"$REVCAST" build -q -j 2 -o lone2/public lone2/feeds/f &&
	diff -r lone1/public lone2/public
'

test_expect_success 'a worker that crashes costs only its review' '
	make_feed crash &&
	test_must_fail env REVCAST_TEST_WORKER_FAULT=short-2.txt:crash \
		"$REVCAST" build -q -j 2 -o crash/public crash/feeds/f 2>err &&
	cat err &&
	grep "short-2.txt: not published: rendering crashed (signal 11" err &&
	test "$(grep -c "<item>" crash/public/f/feed.xml)" -eq 5 &&
	! grep -q "Short Review 2" crash/public/f/feed.xml &&
	/usr/bin/python3 "$ROOT/tests/feed-consistent.py" crash/public/f
'

test_expect_success 'a crashed review keeps its previous episode' '
	printf "\nAn edit.\n" >>crash/feeds/f/reviews/short-3.txt &&
	"$REVCAST" build -q -o crash/public crash/feeds/f &&
	grep "Short Review 3" crash/public/f/feed.xml >before &&
	printf "\nAnother edit.\n" >>crash/feeds/f/reviews/short-3.txt &&
	test_must_fail env REVCAST_TEST_WORKER_FAULT=short-3.txt:crash \
		"$REVCAST" build -q -o crash/public crash/feeds/f 2>err &&
	grep "short-3.txt: not published: rendering crashed.*previous episode stays" err &&
	grep "Short Review 3" crash/public/f/feed.xml >after &&
	test_cmp before after &&
	/usr/bin/python3 "$ROOT/tests/feed-consistent.py" crash/public/f
'

# The limit must leave the other renders time: they are slower under ASan.
limit=5
[ -n "${ASAN_OPTIONS:-}" ] && limit=30
test_expect_success 'a worker that hangs is stopped at the time limit' '
	make_feed hang &&
	rm hang/feeds/f/reviews/rust-and-bone.txt hang/feeds/f/reviews/the-quiet-lighthouse.md &&
	test_must_fail env REVCAST_TEST_WORKER_FAULT=short-1.txt:hang \
		"$REVCAST" build -q -j 2 --time-limit $limit -o hang/public hang/feeds/f 2>err &&
	cat err &&
	grep "short-1.txt: not published: rendering took longer than the time limit" err &&
	test "$(grep -c "<item>" hang/public/f/feed.xml)" -eq 3
'

if [ -z "${ASAN_OPTIONS:-}" ]; then
test_expect_success 'a worker that runs out of memory costs only its review' '
	make_feed hog &&
	test_must_fail env REVCAST_TEST_WORKER_FAULT=short-4.txt:hog \
		"$REVCAST" build -q --memory-limit 512 -o hog/public hog/feeds/f 2>err &&
	grep "short-4.txt: not published: rendering ran out of memory" err &&
	test "$(grep -c "<item>" hog/public/f/feed.xml)" -eq 5
'
else
	test_skip 'a worker that runs out of memory' 'no memory limit under AddressSanitizer'
fi

test_expect_success 'three shards through GNU parallel equal one build' '
	make_feed single && make_feed sharded &&
	"$REVCAST" build -q -o single/public single/feeds/f &&
	parallel --halt now,fail=1 "$REVCAST" build -q -j 1 --shard {}/3 -o sharded/shard-{} sharded/feeds/f ::: 1 2 3 &&
	cat sharded/shard-*/f/shard-*-of-3.tsv | cut -f1 | sort >rendered &&
	ls sharded/feeds/f/reviews | sort >all &&
	test_cmp all rendered &&
	test ! -e sharded/shard-1/f/feed.xml &&
	"$REVCAST" build -v -o sharded/public --assemble sharded/shard-1 \
		--assemble sharded/shard-2 --assemble sharded/shard-3 sharded/feeds/f 2>log &&
	cat log &&
	test "$(grep -c "taken from a shard" log)" -eq 6 &&
	! grep -q ": rendered" log &&
	diff -r single/public sharded/public
'

test_done
