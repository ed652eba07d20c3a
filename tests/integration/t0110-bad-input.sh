#!/bin/bash
# Bad input: one clear error naming the file (and line), a non-zero exit,
# no crash and no partial output left behind.
. tests/lib.sh
EX=$ROOT/feeds/example/reviews/rust-and-bone.txt

# expect_error FILE PATTERN [args]: render fails, message matches, no output.
expect_error() {
	f=$1 pat=$2
	shift 2
	rm -rf outdir && mkdir outdir
	test_must_fail "$REVCAST" render "$@" "$f" -o outdir/x.mp3 2>err
	cat err
	test "$(wc -l <err)" -eq 1
	grep -E "$pat" err
	test -z "$(ls -A outdir)"
}

test_expect_success 'missing file' '
	expect_error nonexistent.txt "nonexistent.txt.*No such file"
'

test_expect_success 'empty file' '
	: >empty.txt &&
	expect_error empty.txt "empty.txt.*empty"
'

test_expect_success 'title only' '
	printf "Just A Title\n\n\n" >title.txt &&
	expect_error title.txt "title.txt.*nothing to speak"
'

test_expect_success 'binary data' '
	head -c 4096 "$REVCAST" >bin.txt &&
	expect_error bin.txt "bin.txt(:[0-9]+)?:.*binary"
'

test_expect_success 'invalid UTF-8 names the line' '
	printf "Title\n\nGood line.\nStill good.\n\nBad \377 here.\n" >bad.txt &&
	expect_error bad.txt "bad.txt:6:.*UTF-8"
'

test_expect_success 'a 10 MB review is refused' '
	yes "All work and no play makes Jack a dull boy." | head -c 10000000 >big.txt &&
	expect_error big.txt "big.txt.*too large"
'

test_expect_success 'an unknown voice' '
	expect_error "$EX" "unknown voice .nosuchvoice." --voice nosuchvoice
'

test_expect_success 'an unwritable output path' '
	test_must_fail "$REVCAST" render "$EX" -o /proc/nonexistent/x.mp3 2>err &&
	grep "/proc/nonexistent" err
'

test_expect_success 'text that crashes libespeak-ng is an error, not a crash' '
	{ echo "Hostile"; echo; for i in $(seq 150); do printf "A."; done; echo; } >hostile.txt &&
	"$REVCAST" text --speech hostile.txt >speech.out &&
	"$REVCAST" render -q hostile.txt -o outdir2.mp3 >/dev/null
'

# crashed_render ENV REVIEW PATTERN: rendering REVIEW with the fault ENV
# fails with exactly one error line matching PATTERN and leaves no file.
crashed_render() {
	rm -rf outdir && mkdir outdir &&
	test_must_fail env "$1" "$REVCAST" render "$2" -o outdir/x.mp3 2>err &&
	cat err &&
	test "$(wc -l <err)" -eq 1 &&
	grep "$3" err &&
	test -z "$(ls -A outdir)"
}

test_expect_success 'a crash inside libespeak-ng is one error naming the line' '
	printf "Crash\n\nFirst paragraph.\n\nSecond paragraph.\n" >crash.txt &&
	crashed_render REVCAST_TEST_SPEECH_ABORT=2 crash.txt "crash.txt:5:.*crashed"
'

# The audio stage and the second encoder run in children only with two
# cores or more.
if [ "$(nproc)" -ge 2 ]; then
test_expect_success 'a crash in the audio stage process is one error, no file left' '
	crashed_render REVCAST_TEST_STAGE_ABORT=1 crash.txt \
		"crash.txt: the audio stage stopped unexpectedly"
'

test_expect_success 'a crash of the second encoder is one error, no file left' '
	crashed_render REVCAST_TEST_STAGE_ABORT=1 "$ROOT/feeds/example/reviews/rust-and-bone.txt" \
		"rust-and-bone.txt: the second encoder stopped unexpectedly"
'
else
	test_skip 'crashes of the audio stage and second encoder' 'needs two cores'
fi

test_expect_success 'U+0001 cannot change the speed of what follows' '
	printf "Speed\n\nFirst \001 400S paragraph here.\n\nSecond paragraph is read normally.\n" >ctl.txt &&
	printf "Speed\n\nFirst  400S paragraph here.\n\nSecond paragraph is read normally.\n" >plain.txt &&
	"$REVCAST" render -q ctl.txt -o ctl.wav --format wav >a &&
	"$REVCAST" render -q plain.txt -o plain.wav --format wav >b &&
	cmp ctl.wav plain.wav
'

test_done
