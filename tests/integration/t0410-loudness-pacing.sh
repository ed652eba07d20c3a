#!/bin/bash
# Loudness, pauses, jingles and block quotes, judged on the decoded audio
# by independent tools: ffmpeg's ebur128 filter (loudness, true peak),
# ffmpeg's silencedetect (pauses), ffprobe (chapters), and an
# autocorrelation pitch estimate in awk on sox's decoding (voices).
. tests/lib.sh
EX=$ROOT/feeds/example/reviews/rust-and-bone.txt
LH=$ROOT/feeds/example/reviews/the-quiet-lighthouse.md

# "I TP": integrated loudness (LUFS) and true peak (dBTP) by ffmpeg.
loudness() {
	ffmpeg -nostats -hide_banner -i "$1" -filter_complex ebur128=peak=true -f null - 2>&1 |
	awk '/Summary:/ { s = 1 } s && $1 == "I:" { i = $2 } s && $1 == "Peak:" { p = $2 }
	     END { if (i == "" || p == "") exit 1; print i, p }'
}

# Fails unless FILE measures TARGET +/- 1 LUFS with a true peak <= -1 dBTP.
check_loudness() {
	set -- "$1" "$2" $(loudness "$1")
	echo "$1: integrated $3 LUFS, true peak $4 dBTP"
	test_near "$3" "$2" 1.0 &&
	awk -v p="$4" 'BEGIN { exit !(p <= -1.0) }'
}

# Silences of at least 0.8 s, one "END DURATION" a line (seconds).
silences() {
	ffmpeg -nostats -hide_banner -i "$1" -af silencedetect=noise=-50dB:d=0.8 -f null - 2>&1 |
	sed -n 's/.*silence_end: \([0-9.]*\) | silence_duration: \([0-9.]*\).*/\1 \2/p'
}

# Chapter start times (seconds), one a line.
chapters() {
	ffprobe -v error -show_entries chapter=start_time -of csv=p=0 "$1"
}

# Median fundamental frequency (Hz) of the voiced parts of FILE, from START
# for DURATION seconds (to the end without one): normalised autocorrelation over 40 ms frames of the
# audio decoded at 8 kHz, 80-500 Hz, shortest lag nearly as good as the best.
f0() {
	sox "$1" -r 8000 -c 1 -t dat - trim "$2" ${3:+"$3"} | awk '
	!/^;/ { x[n++] = $2 }
	END {
		N = 320; nv = 0
		for (s = 0; s + N + 100 < n; s += 160) {
			e = 0
			for (i = 0; i < N; i++) e += x[s+i] * x[s+i]
			if (e < N * 0.0004) continue
			best = 0; bl = 0
			for (l = 16; l <= 100; l++) {
				r = 0; e2 = 0
				for (i = 0; i < N; i++) { r += x[s+i] * x[s+i+l]; e2 += x[s+i+l] * x[s+i+l] }
				c[l] = r / sqrt(e * e2 + 1e-12)
				if (c[l] > best) { best = c[l]; bl = l }
			}
			if (best < 0.6) continue
			for (l = 17; l < bl; l++)
				if (c[l] > 0.9 * best && c[l] >= c[l-1] && c[l] >= c[l+1]) { bl = l; break }
			f[nv++] = 8000 / bl
		}
		if (nv < 10) exit 1
		for (i = 1; i < nv; i++) { v = f[i]; for (j = i - 1; j >= 0 && f[j] > v; j--) f[j+1] = f[j]; f[j+1] = v }
		print f[int(nv / 2)]
	}'
}

# A voices directory with the shipped profiles and test variants.
mkdir -p "$T/voices"
cp "$ROOT"/voices/* "$T/voices/"
for v in 30 180; do
	sed "s/^volume = .*/volume = $v/" "$ROOT/voices/en-gb.ini" >"$T/voices/vol$v.ini"
done
# Distinctive pauses: title 3100, heading 2300, paragraph 1500, end 1700 ms.
sed -e 's/^title = .*/title = 3100/' -e 's/^paragraph = .*/paragraph = 1500/' \
    -e 's/^heading = .*/heading = 2300/' -e 's/^end = .*/end = 1700/' \
    "$ROOT/voices/en-gb.ini" >"$T/voices/pauses.ini"
# No intro: the file is just the review.
sed -e 's/^intro = .*/intro =/' -e 's/^intro_anonymous = .*/intro_anonymous =/' \
    "$ROOT/voices/en-gb.ini" >"$T/voices/nointro.ini"

cat >"$T/pauses.md" <<'EOF'
---
title: A Test of Pauses
author: Ada Lovelace
---

# First part

The first paragraph is short. It has two sentences.

The second paragraph follows the first one.

## Second part

The third paragraph ends the review.
EOF

test_expect_success 'the example review is -16 LUFS with true peak <= -1 dBTP' '
	"$REVCAST" render -q "$EX" -o ex.mp3 >/dev/null &&
	check_loudness ex.mp3 -16
'

test_expect_success 'so is the Markdown example' '
	"$REVCAST" render -q "$LH" -o lh.mp3 >/dev/null &&
	check_loudness lh.mp3 -16
'

test_expect_success 'a quiet voice (volume 30) and a loud one (180) land at -16 too' '
	"$REVCAST" render -q --voices "$T/voices" --voice vol30 "$EX" -o quiet.mp3 >/dev/null &&
	"$REVCAST" render -q --voices "$T/voices" --voice vol180 "$EX" -o loud.mp3 >/dev/null &&
	check_loudness quiet.mp3 -16 &&
	check_loudness loud.mp3 -16
'

test_expect_success 'WAV at 48 kHz and MP3 at 192 kbit/s are normalised as well' '
	"$REVCAST" render -q --format wav --sample-rate 48000 "$LH" -o lh.wav >/dev/null &&
	check_loudness lh.wav -16 &&
	"$REVCAST" render -q --bitrate 192 "$LH" -o lh192.mp3 >/dev/null &&
	check_loudness lh192.mp3 -16
'

# The feed's [audio] loudness is the target; the render key includes it.
test_expect_success 'a feed at -20 LUFS, then at -16: rendered again, each on target' '
	cp -r "$ROOT/feeds/example" feed &&
	rm -f feed/reviews/rust-and-bone.txt feed/catalog.db* &&
	sed -i "s/^loudness = .*/loudness = -20/" feed/feed.ini &&
	"$REVCAST" build -q -o pub feed &&
	check_loudness pub/feed/episodes/*.mp3 -20 &&
	sed -i "s/^loudness = .*/loudness = -16/" feed/feed.ini &&
	"$REVCAST" build -v -o pub feed 2>log &&
	grep "the-quiet-lighthouse.md: rendering" log &&
	check_loudness pub/feed/episodes/*.mp3 -16
'

test_expect_success 'a target louder than the voice can reach warns, and keeps the peak limit' '
	sed -i "s/^loudness = .*/loudness = -10/" feed/feed.ini &&
	"$REVCAST" build -q -o pub feed 2>err &&
	cat err &&
	grep "warning: .*the-quiet-lighthouse.md: -10.0 LUFS is louder than voice .en-gb. can be made" err &&
	set -- $(loudness pub/feed/episodes/*.mp3) &&
	echo "$1 LUFS, $2 dBTP" &&
	awk -v i="$1" -v p="$2" "BEGIN { exit !(i > -14 && p <= -1.0) }" &&
	# the warning predicted it
	test_near "$1" "$(sed -n "s/.*will be about \(.*\) LUFS/\1/p" err)" 0.3
'

test_expect_success 'normalised renders are still byte-identical' '
	"$REVCAST" render -q "$EX" -o again.mp3 >/dev/null &&
	cmp ex.mp3 again.mp3
'

test_expect_success 'pauses after the title, at headings and between paragraphs are as configured' '
	"$REVCAST" render -q --voices "$T/voices" --voice pauses pauses.md -o pz.mp3 >pz.report &&
	silences pz.mp3 >sil &&
	cat sil &&
	# title, heading, paragraph, paragraph before a heading, heading, end
	printf "3.1\n2.3\n1.5\n2.3\n2.3\n1.7\n" >expect &&
	test "$(wc -l <sil)" -eq 6 &&
	cut -d" " -f2 sil | paste -d" " - expect | while read -r got want; do
		test_near "$got" "$want" 0.060 || exit 1
	done
'

test_expect_success 'heading chapters start where the pauses before them end' '
	chapters pz.mp3 >ch &&
	cat ch &&
	test "$(wc -l <ch)" -eq 3 &&
	test_near "$(sed -n 1p ch)" 0 0.001 &&
	test_near "$(sed -n 2p ch)" "$(sed -n "1s/ .*//p" sil)" 0.060 &&
	test_near "$(sed -n 3p ch)" "$(sed -n "4s/ .*//p" sil)" 0.060
'

test_expect_success 'jingles: 48 kHz stereo WAV before, FLAC after' '
	sox -n -r 48000 -c 2 -b 16 "$T/voices/intro.wav" synth 2.5 sine 440 fade 0.02 2.5 0.2 &&
	sox -n -r 44100 -c 1 outro.flac synth 1.5 sine 330 fade 0.02 1.5 0.2 &&
	cp "$T/voices/pauses.ini" "$T/voices/jingles.ini" &&
	printf "intro_jingle = intro.wav\noutro_jingle = %s\n" "$T/outro.flac" >>"$T/voices/jingles.ini" &&
	"$REVCAST" render -q --voices "$T/voices" --voice jingles pauses.md -o jg.mp3 >jg.report &&
	ffmpeg -v error -xerror -i jg.mp3 -f null -
'

# (In WAV: an MP3's length is rounded up to whole MPEG frames of 1152 samples.)
test_expect_success 'the episode grows by exactly the jingles lengths' '
	"$REVCAST" render -q --format wav --voices "$T/voices" --voice pauses pauses.md -o pz.wav >pzw.report &&
	"$REVCAST" render -q --format wav --voices "$T/voices" --voice jingles pauses.md -o jg.wav >jgw.report &&
	test "$(($(cut -f3 jgw.report) - $(cut -f3 pzw.report)))" -eq $((110250 + 66150))
'

test_expect_success 'the intro jingle plays first and the speech starts after it' '
	test_near "$(f0 jg.mp3 0 2.4)" 440 10 &&
	silences jg.mp3 >jsil &&
	test "$(wc -l <jsil)" -eq 6 &&
	cut -d" " -f1 sil | paste -d" " - jsil | head -5 | while read -r plain jingled dur; do
		test_near "$jingled" "$(awk -v p="$plain" "BEGIN { print p + 2.5 }")" 0.002 || exit 1
	done &&
	test_near "$(tail -1 jsil | cut -d" " -f2)" 1.7 0.060
'

test_expect_success 'chapter times account for the intro jingle' '
	chapters jg.mp3 >jch &&
	test_near "$(sed -n 1p jch)" 0 0.001 &&
	test_near "$(sed -n 2p jch)" "$(awk "NR == 2 { print \$1 + 2.5 }" ch)" 0.001 &&
	test_near "$(sed -n 3p jch)" "$(awk "NR == 3 { print \$1 + 2.5 }" ch)" 0.001
'

test_expect_success 'the outro jingle plays last, after the end pause' '
	d=$(cut -f2 jgw.report) &&
	test_near "$(f0 jg.wav "$(awk -v d="$d" "BEGIN { print d - 1.45 }")" 1.4)" 330 10 &&
	silences jg.wav | tail -1 | cut -d" " -f1 >end &&
	test_near "$(cat end)" "$(awk -v d="$d" "BEGIN { print d - 1.5 }")" 0.060
'

test_expect_success 'an episode with jingles is -16 LUFS and renders byte-identically' '
	check_loudness jg.mp3 -16 &&
	"$REVCAST" render -q --voices "$T/voices" --voice jingles pauses.md -o jg2.mp3 >/dev/null &&
	cmp jg.mp3 jg2.mp3
'

test_expect_success 'a missing or unreadable jingle is an error, and no file is left' '
	mkdir out &&
	cp "$T/voices/pauses.ini" "$T/voices/nojingle.ini" &&
	echo "intro_jingle = nowhere.wav" >>"$T/voices/nojingle.ini" &&
	test_must_fail "$REVCAST" render -q --voices "$T/voices" --voice nojingle pauses.md -o out/a.mp3 2>err &&
	cat err &&
	grep "nojingle.ini:[0-9]*: .intro_jingle.: no file" err &&
	echo "not audio" >"$T/voices/text.wav" &&
	cp "$T/voices/pauses.ini" "$T/voices/badjingle.ini" &&
	echo "outro_jingle = text.wav" >>"$T/voices/badjingle.ini" &&
	test_must_fail "$REVCAST" render -q --voices "$T/voices" --voice badjingle pauses.md -o out/b.mp3 2>err &&
	cat err &&
	grep "cannot read jingle .*text.wav" err &&
	test "$(ls -A out)" = ""
'

test_expect_success 'a block quote is heard in another voice (quote_variant)' '
	printf -- "---\ntitle: Q\n---\n\nThe quick brown fox jumps over the lazy dog, and then it runs away.\n" >para.md &&
	printf -- "---\ntitle: Q\n---\n\n> The quick brown fox jumps over the lazy dog, and then it runs away.\n" >quote.md &&
	"$REVCAST" render -q --voices "$T/voices" --voice nointro para.md -o para.wav --format wav >/dev/null &&
	"$REVCAST" render -q --voices "$T/voices" --voice nointro quote.md -o quote.wav --format wav >/dev/null &&
	p=$(f0 para.wav 0) && q=$(f0 quote.wav 0) &&
	echo "paragraph (m3) $p Hz, quote (f3) $q Hz" &&
	awk -v p="$p" -v q="$q" "BEGIN { exit !(q > 1.4 * p) }"
'

test_done
