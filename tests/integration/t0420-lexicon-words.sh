#!/bin/bash
# Pronunciation lexicons and `revcast words`, through the real pipeline:
# the names of the example review are listed until a lexicon covers them,
# a lexicon entry changes what eSpeak NG says (espeak-ng itself is the
# judge), review > feed > voice, and review text cannot inject phonemes.
. tests/lib.sh
EX=$ROOT/feeds/example/reviews/rust-and-bone.txt

# The shipped voices with an empty English lexicon.
cp -r "$ROOT/voices" "$T/bare"
: >"$T/bare/en.lex"

test_expect_success 'words --help describes the command' '
	"$REVCAST" words --help >out &&
	grep "^usage: revcast words" out &&
	grep -e "--phonemes" out &&
	"$REVCAST" --help >all &&
	grep "revcast words" all
'

test_expect_success 'words without a review is a usage error (exit 2)' '
	set +e; "$REVCAST" words 2>err; st=$?; set -e
	test "$st" -eq 2 &&
	grep "usage: revcast words" err
'

test_expect_success 'with an empty lexicon it lists the names, with counts and lines' '
	"$REVCAST" words --voices bare "$EX" >list &&
	cat list &&
	grep -E "^ +2  Schoenaerts +.*/rust-and-bone\.txt:6$" list &&
	grep -E "^ +2  Cotillard +.*/rust-and-bone\.txt:10$" list &&
	grep -E "^ +1  Audiard +.*/rust-and-bone\.txt:14$" list &&
	grep -E "^ +1  Marineworld +.*/rust-and-bone\.txt:12$" list
'

test_expect_success 'the counts and lines agree with grep' '
	for w in Schoenaerts Cotillard Audiard; do
		n=$(grep -o -w "$w" "$EX" | wc -l) &&
		l=$(grep -n -w "$w" "$EX" | head -1 | cut -d: -f1) &&
		grep -E "^ +$n  $w +.*:$l$" list || exit 1
	done
'

test_expect_success 'most frequent first' '
	awk "{ print \$1 }" list >counts &&
	sort -s -n -r counts >sorted &&
	test_cmp sorted counts
'

test_expect_success 'common words and words eSpeak NG knows are not listed' '
	! grep -E "  (the|and|harrowing|Stephanie|France|Jacques|Marion)  " list
'

test_expect_success 'with the shipped lexicon none of the names is listed' '
	"$REVCAST" words "$EX" >shipped &&
	cat shipped &&
	! grep -E "Schoenaerts|Cotillard|Audiard|Marineworld|Bowditch" shipped
'

test_expect_success '--lexicon adds a lexicon over the others' '
	printf "orca = orca\nnewfound = new found\n" >extra.lex &&
	"$REVCAST" words --voices bare --lexicon extra.lex "$EX" >list2 &&
	! grep -E "  (orca|newfound)  " list2 &&
	grep Schoenaerts list2
'

test_expect_success '--phonemes shows what espeak-ng itself says' '
	"$REVCAST" words --voices bare --phonemes "$EX" >ph &&
	for w in Schoenaerts Cotillard Audiard; do
		want=$(espeak-ng -q -x -v en+m3 "$w" | tr -d " \n") &&
		got=$(grep -E "^ +[0-9]+  $w " ph | awk "{ print \$4 }") &&
		echo "$w: revcast $got, espeak-ng $want" &&
		test -n "$got" && test "$got" = "$want" || exit 1
	done
'

test_expect_success 'the shipped phonemes are not what eSpeak NG says unaided, and it takes them all' '
	for w in Schoenaerts Cotillard Audiard Marineworld; do
		group=$(sed -n "s/^$w = \[\[\(.*\)\]\].*/\1/p" "$ROOT/voices/en.lex") &&
		test -n "$group" &&
		own=$(espeak-ng -q -x -v en+m3 "$w" | tr -d " \n") &&
		read=$(espeak-ng -q -x -v en+m3 "[[$group]]" | tr -d " \n;") &&
		echo "$w: own $own, lexicon $group, read back $read" &&
		test "$own" != "$(echo "$group" | tr -d " ")" &&
		test "$read" = "$(echo "$group" | tr -d " ;")" || exit 1
	done
'

test_expect_success 'text --speech shows the lexicon applied' '
	"$REVCAST" text --speech "$EX" >speech &&
	grep -F "Ali ( [[m'\''A:ti:@s sx'\''u:nA:ts]]) is" speech &&
	grep -F "Marion [[k,0ti:j'\''A:]]" speech &&
	grep -F "Jacques [[,oUdi:'\''A:]]." speech &&
	! grep -w -e Schoenaerts -e Cotillard -e Audiard speech &&
	"$REVCAST" text --speech --voices bare "$EX" >bare-speech &&
	grep -w Schoenaerts bare-speech &&
	! grep -F "[[" bare-speech
'

cat >"$T/names.txt" <<EOF
Names

Marion Cotillard and Jacques Audiard, with Matthias Schoenaerts.
EOF

test_expect_success 'a lexicon changes the rendered audio, and the phonemes are spoken, not spelled' '
	"$REVCAST" render -q --format wav --voices bare names.txt -o bare.wav >r1 &&
	"$REVCAST" render -q --format wav names.txt -o lex.wav >r2 &&
	! cmp -s bare.wav lex.wav &&
	d1=$(cut -f2 r1) && d2=$(cut -f2 r2) &&
	echo "without $d1 s, with $d2 s" &&
	test_near "$d1" "$d2" 1.0 &&
	sox bare.wav -n stat 2>bare.stat && sox lex.wav -n stat 2>lex.stat &&
	grep "Length (seconds)" bare.stat lex.stat
'

test_expect_success 'the same render through espeak-ng has the same length of speech' '
	espeak-ng -v en+m3 -s 165 -w cli.wav "Marion [[k,0ti:j'\''A:]] and Jacques [[,oUdi:'\''A:]], with [[m'\''A:ti:@s sx'\''u:nA:ts]]." &&
	espeak-ng -v en+m3 -s 165 -w cli-bare.wav "Marion Cotillard and Jacques Audiard, with Matthias Schoenaerts." &&
	a=$(sox cli.wav -n stat 2>&1 | sed -n "s/^Length (seconds): *//p") &&
	b=$(sox cli-bare.wav -n stat 2>&1 | sed -n "s/^Length (seconds): *//p") &&
	echo "espeak-ng: with $a s, without $b s" &&
	test_near "$a" "$b" 1.0
'

test_expect_success 'a review cannot inject phonemes' '
	printf "Injection\n\nHe said [[h@l'\''oU]] twice, and Cotillard.\n" >inject.txt &&
	"$REVCAST" text --speech inject.txt >inj &&
	grep -F "He said [ [h@l'\''oU]] twice, and [[k,0ti:j'\''A:]]." inj
'

# A feed whose reviews folder holds a Markdown review with its own lexicon.
mkdir -p "$T/feed/reviews"
sed -e "s/^default = en-gb/default = en-gb\nlexicon = feed.lex/" \
	"$ROOT/feeds/example/feed.ini" >"$T/feed/feed.ini"
cp "$ROOT/feeds/example/cover.png" "$T/feed/"
printf "Schoenaerts = Skoonarts\nCotillard = Kotiyar\n" >"$T/feed/feed.lex"
printf "Cotillard = Koteeyar\n" >"$T/feed/reviews/names.lex"
cat >"$T/feed/reviews/r.md" <<EOF
---
title: Three names
author: Imogen Zbrowski
lexicon: names.lex
---

Matthias Schoenaerts, Marion Cotillard and Jacques Audiard, and Zbigniewska.
EOF

test_expect_success 'words uses the feed lexicon and the review lexicon' '
	grep "^lexicon = feed.lex" feed/feed.ini &&
	"$REVCAST" words --voices bare feed/reviews/r.md >fw &&
	cat fw &&
	! grep -E "Schoenaerts|Cotillard" fw &&
	grep -E "^ +1  Audiard +feed/reviews/r\.md:7$" fw &&
	grep -E "^ +1  Zbigniewska +feed/reviews/r\.md:7$" fw &&
	grep -E "^ +1  Zbrowski +feed/reviews/r\.md:3$" fw
'

test_expect_success 'the review lexicon overrides the voice lexicon in the spoken text' '
	cp feed/reviews/r.md alone.md && cp feed/reviews/names.lex . &&
	"$REVCAST" text --speech alone.md >rs &&
	grep -F "Koteeyar" rs &&
	grep -F "[[m'\''A:ti:@s sx'\''u:nA:ts]], Marion Koteeyar and Jacques [[,oUdi:'\''A:]]" rs
'

test_expect_success 'a word defined twice in one lexicon is an error naming file and line' '
	printf "# names\nAudiard = Odiar\n\naudiard = Odyar\n" >dup.lex &&
	test_must_fail "$REVCAST" words --lexicon dup.lex "$EX" 2>err &&
	grep "dup.lex:4: .audiard. is already defined at line 2" err &&
	cp -r bare dupvoices && cp dup.lex dupvoices/en.lex &&
	test_must_fail "$REVCAST" render -q --voices dupvoices names.txt -o dup.mp3 2>err2 &&
	grep "dupvoices/en.lex:4: .audiard. is already defined at line 2" err2 &&
	test ! -e dup.mp3
'

test_expect_success 'bad phoneme syntax is an error naming file and line' '
	printf "Cotillard = [[k0(ti]]\nAudiard = [[o:]] [[a]]\n" >badph.lex &&
	test_must_fail "$REVCAST" words --lexicon badph.lex "$EX" 2>err &&
	grep "badph.lex:1: phonemes are printable ASCII" err &&
	grep "badph.lex:2: phonemes must be one \[\[...\]\] group" err
'

test_expect_success 'phonemes the voice does not have are reported (when eSpeak NG can check)' '
	printf "Cotillard = [[kE~tija]]\n" >nasal.lex &&
	set +e; "$REVCAST" words --lexicon nasal.lex "$EX" >/dev/null 2>err; st=$?; set -e
	cat err &&
	if grep "nasal.lex:1: eSpeak NG voice .en. does not know every phoneme" err; then
		test "$st" -eq 1
	else
		echo "speech_phonemes() does not read [[...]]: not checked" &&
		test "$st" -eq 0
	fi
'

cat >"$T/fr.md" <<EOF
---
title: Un film
lang: fr
---

Le film d'Audiard, avec Matthias Schoenaerts et Marion Cotillard.
EOF

test_expect_success 'French: fr.lex and elisions' '
	"$REVCAST" text --speech fr.md >frs &&
	grep "voice profile: fr" frs &&
	grep -F "Le film d'\''Audiard, avec Matthias [[sxun'\''arts]] et Marion Cotillard." frs &&
	"$REVCAST" words fr.md >frw &&
	cat frw &&
	! grep -E "Schoenaerts|Cotillard|Audiard|Matthias|Marion" frw
'

test_done
