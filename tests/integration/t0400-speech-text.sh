#!/bin/bash
# Review-aware text: ratings, prices, years, running times, abbreviations,
# web addresses and header lines are said as a person reading the review
# aloud would say them, in English and in French. Goes through the whole
# pipeline (reader -> script -> normalisation -> lexicon) with
# `revcast text --speech`; the written text (for transcripts) is kept as
# it was. eSpeak NG itself judges that the spoken forms are read as words.
. tests/lib.sh

# spoken FILE: the sentences of every segment but the intro and outro,
# one a line, as `revcast text --speech` prints them.
spoken() {
	"$REVCAST" text --speech "$1" >speech.out &&
	awk '/^\[/ { keep = ($0 !~ /^\[(intro|outro|pause)/); next }
	     keep && NF' speech.out
}

cat >"$T/prophet.txt" <<'EOF'
A Prophet, Again

Rated: 15
Running time: 2h 35m
Director: Maren Holt
Starring: Tom Reyes, Ana Lind

The 2009 film still lands. Holt spent approx. €15m, roughly £13.5m, and every penny shows; tickets at the Roxy were £12.50, and Dr. Reyes's ★★★★☆ is earned.

I first saw it in 2010, in a cinema styled like the 1990s, on St. John's Road. It sits with the best crime films of the '70s and scores 9/10 with me, vs. 7/10 for its remake, i.e. a clear win.

Read more at https://www.example.com/reviews/a-prophet or write to letters@example.org. It runs 155 mins, etc.

Words by Sam Reed.
EOF

cat >"$T/prophete.md" <<'EOF'
---
title: Un prophète
author: Anne Martin
lang: fr
---

- Réalisation : Maren Holt
- Durée : 1h47
- Classification : -12

Ce film des années 1990 a coûté 15 M€ ; la place était à 9,50 €, 12€ en salle. M. Reyes signe un film noté ★★★★☆, soit 8/10 et 95 % d'avis positifs.

On en parle sur www.example.fr/critiques, etc.
EOF

cat >"$T/prophet.expect" <<'EOF'
Rated 15. Running time, 2 hours 35 minutes. Director, Maren Holt. Starring Tom Reyes, Ana Lind.
The two thousand and nine film still lands.
Holt spent approximately 15 million euros, roughly 13.5 million pounds, and every penny shows; tickets at the Roxy were 12 pounds 50, and Doctor Reyes's 4 out of 5 stars is earned.
I first saw it in twenty ten, in a cinema styled like the nineteen nineties, on Saint John's Road.
It sits with the best crime films of the seventies and scores 9 out of 10 with me, versus 7 out of 10 for its remake, that is a clear win.
Read more at example dot com slash reviews slash a dash prophet or write to letters at example dot org.
It runs 155 minutes, et cetera.
EOF

cat >"$T/prophete.expect" <<'EOF'
Réalisation, Maren Holt.
Durée, une heure 47.
Classification, interdit aux moins de 12 ans.
Ce film des années quatre-vingt-dix a coûté 15 millions d'euros ; la place était à 9 euros 50, 12 euros en salle.
Monsieur Reyes signe un film noté 4 étoiles sur 5, soit 8 sur 10 et 95 pour cent d'avis positifs.
On en parle sur example point FR barre oblique critiques, etcétéra.
EOF

test_expect_success 'English review: every written form is spoken' '
	spoken prophet.txt >actual &&
	test_cmp prophet.expect actual
'

test_expect_success 'French review (lang: fr): French words' '
	spoken prophete.md >actual &&
	test_cmp prophete.expect actual
'

test_expect_success 'the written text is kept for transcripts' '
	"$REVCAST" text prophet.txt >written &&
	grep -F "tickets at the Roxy were £12.50, and Dr. Reyes" written &&
	grep -F "★★★★☆" written &&
	grep -F "https://www.example.com/reviews/a-prophet" written &&
	"$REVCAST" text prophete.md >written.fr &&
	grep -F "la place était à 9,50 €" written.fr
'

test_expect_success 'eSpeak NG reads the spoken forms as words' '
	spoken prophet.txt >actual &&
	# the ratings: no "slash", and "out of" twice
	grep "9 out of 10" actual >rating &&
	espeak-ng -q -x -v en -f rating >rating.ph &&
	cat rating.ph &&
	! grep -q "sl.aS" rating.ph &&
	test "$(grep -o "aUt@v" rating.ph | wc -l)" -eq 2 &&
	# the price: "pounds", never "point five zero"
	grep "12 pounds 50" actual >price &&
	espeak-ng -q -x -v en -f price >price.ph &&
	cat price.ph &&
	grep -q "p.aUndz f.Ifti" price.ph &&
	! grep -q "pOInt f.aIv z" price.ph &&
	# the year: "twenty ten", not "two thousand and ten"
	grep "twenty ten" actual >year &&
	espeak-ng -q -x -v en -f year >year.ph &&
	cat year.ph &&
	grep -q "tw.Enti t.En" year.ph &&
	! grep -q "T.aUz@nd" year.ph &&
	# French: "une heure", feminine
	spoken prophete.md >actual.fr &&
	grep "^Durée" actual.fr >duree &&
	espeak-ng -q -x -v fr -f duree >duree.ph &&
	cat duree.ph &&
	grep -q "yn .Wr" duree.ph
'

test_expect_success 'a language without rules is spoken as written' '
	cat >de.md <<-\EOF &&
	---
	title: Ein Prophet
	lang: de
	voice: en-gb
	---

	Note: 7/10, £2.50, 1999.
	EOF
	spoken de.md >actual &&
	echo "Note: 7/10, £2.50, 1999." >expect &&
	test_cmp expect actual
'

test_done
