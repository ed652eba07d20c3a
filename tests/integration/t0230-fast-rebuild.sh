#!/bin/bash
# The source stamp: a rebuild finds a review unchanged by its file's size,
# times and inode, and a fingerprint of everything outside the reviews
# (feed.ini, the cover, the voices directory, the lexicons), without
# opening it. Anything that could change an episode is noticed: an edit
# that keeps the size and even the modification time, a voice profile, a
# lexicon, the explicit word list, the cover, feed.ini, a review's own
# lexicon. A review changed just before (or "after") the build starts gets
# no stamp, as git treats racy index entries.
#
# strace(1) shows which files a build opens (Debian: strace).
. tests/lib.sh

PAST='2020-01-02 03:04:05'

# build: builds $T/feed into $T/pub, progress in $T/build.log.
build() { "$REVCAST" build -v -o "$T/pub" "$T/feed" 2>"$T/build.log"; }

# traced_build: the same under strace; the review files it opened in $T/opened.
# (LeakSanitizer cannot run under ptrace: a sanitizer build checks leaks in
# the other builds.)
traced_build() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=openat -o "$T/trace" \
		"$REVCAST" build -v -o "$T/pub" "$T/feed" 2>"$T/build.log" &&
	{ grep -o 'reviews/[^"]*\.\(txt\|md\)"' "$T/trace" | tr -d '"' | sort -u >"$T/opened" || :; }
}

count() { grep -c ": $1\$" "$T/build.log" || :; }
stamp_of() { sqlite3 "$T/feed/catalog.db" "SELECT source_stamp FROM episodes WHERE key = '$1'"; }

export REVCAST_VOICES=$T/voices
cp -R "$ROOT/voices" "$T/voices"
mkdir -p "$T/feed/reviews"
cp "$ROOT/feeds/example/feed.ini" "$ROOT/feeds/example/cover.png" "$T/feed/"
printf 'Night Train\n\nA short film about a long night on a train.\n' >"$T/feed/reviews/a.txt"
printf 'Low Tide\n\nThe sea goes out and the town waits.\n' >"$T/feed/reviews/b.txt"
cat >"$T/feed/reviews/c.md" <<'EOF'
---
title: Harbour Lights
lexicon: c.lex
---
The zorbleflat harbour at dusk.
EOF
printf '# its own lexicon\n' >"$T/feed/reviews/c.lex"
touch -d "$PAST" "$T"/feed/reviews/*

# settle: waits until files changed now are old enough to be stamped
# (their change time, which touch cannot set, must be 2 s before a build).
settle() { sleep 3; }
settle

test_expect_success 'the first build renders and records stamps' '
	build &&
	test "$(count rendering)" -eq 3 &&
	grep -q "3 rendered, 0 unchanged" build.log &&
	test -n "$(stamp_of a.txt)" &&
	test -n "$(stamp_of b.txt)" &&
	# a review with its own lexicon depends on a file outside it: no stamp
	test -z "$(stamp_of c.md)"
'

test_expect_success 'a rebuild with nothing changed opens no stamped review' '
	cp pub/feed/feed.xml feed-before.xml &&
	traced_build &&
	grep -q "0 rendered, 3 unchanged, 0 updated, 0 removed, 0 failed" build.log &&
	test "$(count unchanged)" -eq 3 &&
	# the trace does show the files a build opens
	grep -q "catalog.db" trace &&
	echo reviews/c.md >expect &&
	test_cmp expect opened &&
	test_cmp feed-before.xml pub/feed/feed.xml
'

test_expect_success 'an edit that keeps the size and the time is noticed' '
	before=$(stat -c %s feed/reviews/a.txt) &&
	sed -i "s/long night/cold night/" feed/reviews/a.txt &&
	test "$(stat -c %s feed/reviews/a.txt)" -eq "$before" &&
	touch -d "$PAST" feed/reviews/a.txt &&
	traced_build &&
	grep -qx reviews/a.txt opened &&
	! grep -qx reviews/b.txt opened &&
	test "$(count rendering)" -eq 1 &&
	grep -q "a.txt: rendering" build.log &&
	grep -q "cold night" pub/feed/feed.xml
'

test_expect_success 'an edit with another time (touch -d) is noticed' '
	sed -i "s/cold night/calm night/" feed/reviews/a.txt &&
	touch -d "2021-05-06 07:08:09" feed/reviews/a.txt &&
	build &&
	test "$(count rendering)" -eq 1 &&
	grep -q "a.txt: rendering" build.log &&
	grep -q "calm night" pub/feed/feed.xml
'

test_expect_success 'a review changed during the build gets no stamp, then one' '
	printf "Low Tide\n\nThe sea goes out and the harbour waits.\n" >feed/reviews/b.txt &&
	touch -d "+1 hour" feed/reviews/b.txt &&
	build &&
	grep -q "b.txt: rendering" build.log &&
	test -z "$(stamp_of b.txt)" &&
	traced_build &&
	grep -qx reviews/b.txt opened &&
	test "$(count unchanged)" -eq 3 &&
	touch -d "$PAST" feed/reviews/b.txt &&
	settle &&
	build &&
	test -n "$(stamp_of b.txt)" &&
	traced_build &&
	! grep -qx reviews/b.txt opened
'

# read_all: a build that reads every review.
read_all() {
	traced_build &&
	grep -qx reviews/a.txt opened &&
	grep -qx reviews/b.txt opened &&
	grep -qx reviews/c.md opened
}

# comment_reprepares FILE: a comment added to FILE makes the next build
# read every review (and find each unchanged), the one after only c.md
# (the review with a lexicon of its own, which has no stamp).
comment_reprepares() {
	echo "; a comment" >>"$1" &&
	read_all &&
	test "$(count unchanged)" -eq 3 &&
	traced_build &&
	echo reviews/c.md >expect &&
	test_cmp expect opened
}

test_expect_success 'editing a voice profile re-prepares every review' '
	# a profile no review uses: read again, rendered again by render key only
	comment_reprepares voices/fr.ini
'

test_expect_success 'editing the voice lexicon re-prepares and re-renders what it changes' '
	echo "zorbleflat = zorble flat" >>voices/en.lex &&
	read_all &&
	test "$(count rendering)" -eq 1 &&
	grep -q "c.md: rendering" build.log &&
	echo "waits = wates" >>voices/en.lex &&
	read_all &&
	test "$(count rendering)" -eq 1 &&
	grep -q "b.txt: rendering" build.log
'

test_expect_success 'editing the explicit word list updates the details' '
	grep -q "<itunes:explicit>false</itunes:explicit>" pub/feed/feed.xml &&
	echo "train" >>voices/explicit-en.txt &&
	read_all &&
	test "$(count rendering)" -eq 0 &&
	grep -q "1 updated" build.log &&
	grep -q "<itunes:explicit>true</itunes:explicit>" pub/feed/feed.xml
'

test_expect_success 'editing feed.ini re-prepares every review' '
	comment_reprepares feed/feed.ini
'

test_expect_success 'a review that names its own lexicon is always read' '
	echo "harbour = harbor" >feed/reviews/c.lex &&
	traced_build &&
	grep -qx reviews/c.md opened &&
	test "$(count rendering)" -eq 1 &&
	grep -q "c.md: rendering" build.log
'

test_expect_success 'replacing the cover re-renders every episode' '
	# the same picture, other bytes: pad the PNG after its end chunk
	printf "padding" >>feed/cover.png &&
	read_all &&
	test "$(count rendering)" -eq 3 &&
	cmp feed/cover.png pub/feed/cover.png
'

# deleted_is_rendered KEY COLUMN: deletes the file that review KEY's row
# names in COLUMN; a build must render that review (only) and put it back.
deleted_is_rendered() {
	f=$(sqlite3 feed/catalog.db "SELECT $2 FROM episodes WHERE key = '$1'") &&
	rm "pub/feed/$f" &&
	build &&
	test "$(count rendering)" -eq 1 &&
	grep -q "$1: rendering" build.log &&
	test -f "pub/feed/$f"
}

test_expect_success 'a deleted episode file is rendered again' '
	deleted_is_rendered a.txt file
'

test_expect_success 'a deleted transcript is rendered again' '
	deleted_is_rendered b.txt transcript_srt
'

# feed_id: feed.xml's inode and modification time (ns).
feed_id() { stat -c "%i %.9Y" pub/feed/feed.xml; }

test_expect_success 'a no-op build neither reads nor rewrites feed.xml' '
	build &&
	cp pub/feed/feed.xml feed-before.xml &&
	feed_id >id-before &&
	traced_build &&
	grep -q "0 rendered, 3 unchanged, 0 updated, 0 removed, 0 failed" build.log &&
	# the trace does show what a build opens: the site manifest beside the catalog
	grep -q "\.revcast-site\"" trace &&
	! grep -q "/feed\.xml\"" trace &&
	feed_id >id-after &&
	test_cmp id-before id-after &&
	test_cmp feed-before.xml pub/feed/feed.xml
'

test_expect_success 'a deleted feed.xml is written again' '
	rm pub/feed/feed.xml &&
	build &&
	test_cmp feed-before.xml pub/feed/feed.xml
'

test_expect_success 'feed.xml edited in place (same size and inode) is restored' '
	feed_id >id-before &&
	printf X | dd of=pub/feed/feed.xml bs=1 seek=200 conv=notrunc 2>/dev/null &&
	! cmp -s feed-before.xml pub/feed/feed.xml &&
	build &&
	test_cmp feed-before.xml pub/feed/feed.xml &&
	feed_id >id-after &&
	! test_cmp id-before id-after
'

test_expect_success 'a damaged feed record only costs a rewrite' '
	printf "nonsense\n" >feed/.revcast-feed &&
	build &&
	test_cmp feed-before.xml pub/feed/feed.xml &&
	grep -q "^revcast-feed 1 " feed/.revcast-feed
'

test_expect_success 'a feed.ini change shows in feed.xml' '
	sed -i "s/^description = .*/description = A new description of the feed./" feed/feed.ini &&
	build &&
	grep -q "A new description of the feed." pub/feed/feed.xml &&
	xmllint --noout pub/feed/feed.xml
'

test_expect_success '--force renders every review' '
	"$REVCAST" build -v --force -o pub feed 2>build.log &&
	test "$(count rendering)" -eq 3
'

test_done
