#!/bin/bash
# Renders the example review and judges the MP3 with independent tools.
. tests/lib.sh
EX=$ROOT/feeds/example/reviews/rust-and-bone.txt

test_expect_success 'render the example review' '
	"$REVCAST" render -q "$EX" -o ex.mp3 >report &&
	test -s ex.mp3 &&
	cut -f2 report >reported-seconds &&
	cut -f3 report >reported-samples
'

test_expect_success 'it decodes without errors (ffmpeg, mp3val)' '
	ffmpeg -v error -xerror -i ex.mp3 -f null - 2>errors &&
	test ! -s errors &&
	mp3val ex.mp3 >val &&
	! grep -E "WARNING|ERROR" val
'

test_expect_success 'ffprobe duration matches the reported one within 30 ms' '
	d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 ex.mp3) &&
	test_near "$d" "$(cat reported-seconds)" 0.030
'

test_expect_success 'decoding gives exactly the reported number of samples' '
	n=$(ffmpeg -v error -i ex.mp3 -f s16le -ac 1 - | wc -c) &&
	test "$((n / 2))" -eq "$(cat reported-samples)"
'

test_expect_success '44.1 kHz mono MP3 at 96 kbit/s' '
	ffprobe -v error -select_streams a:0 -show_entries stream=codec_name,sample_rate,channels,bit_rate -of default=nw=1 ex.mp3 >info &&
	grep -x "codec_name=mp3" info &&
	grep -x "sample_rate=44100" info &&
	grep -x "channels=1" info &&
	grep -x "bit_rate=96000" info
'

test_expect_success 'ID3 title and artist' '
	ffprobe -v error -show_entries format_tags=title,artist -of default=nw=1 ex.mp3 >tags &&
	grep -x "TAG:title=The Tenderness of Rust And Bone" tags &&
	grep -x "TAG:artist=Carol Bowditch" tags
'

test_expect_success 'the speech is about as long as the text (100-250 words a minute)' '
	words=$(tail -n +3 "$EX" | wc -w) &&
	d=$(cat reported-seconds) &&
	awk -v w="$words" -v d="$d" "BEGIN { r = w / (d / 60); print r; exit !(r > 100 && r < 250) }"
'

test_expect_success 'two renders are byte-identical' '
	"$REVCAST" render -q "$EX" -o again.mp3 >/dev/null &&
	cmp ex.mp3 again.mp3
'

test_expect_success 'split in two encoders: silent at the join, the same bytes on one core' '
	"$REVCAST" render "$EX" -o split.mp3 2>msg >/dev/null &&
	cat msg &&
	at=$(sed -n "s/.*joined in a pause at \([0-9.]*\) s$/\1/p" msg) &&
	test -n "$at" &&
	cmp split.mp3 ex.mp3 &&
	taskset -c 0 "$REVCAST" render "$EX" -o one-core.mp3 2>msg1 >/dev/null &&
	grep "encoded in two pieces, joined in a pause at $at s" msg1 &&
	cmp split.mp3 one-core.mp3 &&
	from=$(python3 -c "print($at - 0.05)") &&
	ffmpeg -v error -ss "$from" -t 0.1 -i split.mp3 -f s16le -ac 1 - >join.raw &&
	test "$(wc -c <join.raw)" -ge 8000 &&
	python3 -c "import array,sys; a=array.array(\"h\"); a.frombytes(open(\"join.raw\",\"rb\").read()); m=max(abs(x) for x in a); print(\"peak\", m); sys.exit(m > 33)"
'

test_expect_success 'WAV and FLAC through libsndfile' '
	"$REVCAST" render -q --format wav "$EX" -o ex.wav >/dev/null &&
	"$REVCAST" render -q --format flac "$EX" -o ex.flac >flac.report &&
	ffprobe -v error -show_entries stream=codec_name,sample_rate,channels -of csv=p=0 ex.wav | grep -x "pcm_s16le,44100,1" &&
	ffprobe -v error -show_entries stream=codec_name,sample_rate,channels -of csv=p=0 ex.flac | grep -x "flac,44100,1" &&
	test "$(ffmpeg -v error -i ex.flac -f s16le - | wc -c)" -eq "$(($(cut -f3 flac.report) * 2))" &&
	# the MP3 only adds silence up to the end of its last frame (< 1152 samples)
	d=$(( $(cat reported-samples) - $(cut -f3 flac.report) )) &&
	test $d -ge 0 && test $d -lt 1152
'

test_expect_success 'VBR and other bitrates' '
	"$REVCAST" render -q --vbr 5 "$EX" -o vbr.mp3 >vbr.report &&
	ffmpeg -v error -xerror -i vbr.mp3 -f null - &&
	d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 vbr.mp3) &&
	test_near "$d" "$(cut -f2 vbr.report)" 0.030 &&
	"$REVCAST" render -q --bitrate 128 "$EX" -o b128.mp3 >/dev/null &&
	ffprobe -v error -show_entries stream=bit_rate -of csv=p=0 b128.mp3 | grep -x 128000
'

test_expect_success 'UTF-8 title survives in the ID3 tag' '
	printf "Caf\303\251 \342\200\234Noir\342\200\235 & Bone \342\230\205\n\nA short review of a caf\303\251 film.\n" >utf.txt &&
	"$REVCAST" render -q utf.txt -o utf.mp3 >/dev/null &&
	ffprobe -v error -show_entries format_tags=title -of default=nw=1:nk=1 utf.mp3 >t &&
	printf "Caf\303\251 \342\200\234Noir\342\200\235 & Bone \342\230\205\n" >expect &&
	test_cmp expect t
'

test_expect_success 'a cover image is embedded' '
	ffmpeg -v error -f lavfi -i color=c=red:s=1400x1400 -frames:v 1 cover.png &&
	"$REVCAST" render -q --cover cover.png "$EX" -o cov.mp3 >/dev/null &&
	ffprobe -v error -show_entries stream=codec_name,width -of csv=p=0 cov.mp3 >s &&
	grep -x "png,1400" s
'

test_expect_success '--loudness sets the integrated loudness' '
	"$REVCAST" render -q --loudness -20 "$EX" -o l20.mp3 >/dev/null &&
	ffmpeg -nostats -i l20.mp3 -filter_complex ebur128=peak=true -f null - 2>ebu &&
	i=$(sed -n "s/^ *I: *\(-[0-9.]*\) LUFS/\1/p" ebu | tail -1) &&
	test_near "$i" -20 1 &&
	test_must_fail "$REVCAST" render --loudness -5 "$EX" -o x.mp3 2>err &&
	grep "loudness" err
'

test_expect_success 'more paragraphs than ID3 chapters allow (255): merged, not refused' '
	{ echo "Many Paragraphs"; echo; for i in $(seq 300); do echo "Paragraph $i is short."; echo; done; } >many.txt &&
	"$REVCAST" render -q many.txt -o many.mp3 >/dev/null &&
	n=$(ffprobe -v error -show_chapters -of csv many.mp3 | wc -l) &&
	test "$n" -le 255 && test "$n" -gt 100
'

test_expect_success 'a French review is read by the French voice' '
	printf -- "---\ntitle: Le Bruit des glaçons\nauthor: Anne Martin\nlang: fr\n---\n\nUn film drôle et noir, servi très frais.\n" >fr.md &&
	"$REVCAST" text --speech fr.md >fr.out &&
	grep "voice profile: fr " fr.out &&
	"$REVCAST" render -q fr.md -o fr.mp3 >/dev/null &&
	ffmpeg -v error -xerror -i fr.mp3 -f null -
'

test_done
