#!/bin/bash
# valgrind memcheck of `revcast render` on the example review: no errors
# and nothing definitely lost, in revcast and in its speech child (valgrind
# follows the fork). Slow (about a minute): part of `make check`.
. tests/lib.sh
EX=$ROOT/feeds/example/reviews/rust-and-bone.txt

if ! command -v valgrind >/dev/null; then
	test_skip 'valgrind memcheck' 'valgrind is not installed'
	test_done
	exit
fi
if [ -n "${ASAN_OPTIONS:-}" ]; then
	test_skip 'valgrind memcheck' 'the binary is built with AddressSanitizer, which valgrind cannot run'
	test_done
	exit
fi

test_expect_success 'memcheck: render the example review' '
	valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--suppressions="$ROOT/tests/valgrind.supp" \
		--show-leak-kinds=definite --log-file=vg.%p.log \
		"$REVCAST" render -q "$EX" -o ex.mp3 >report &&
	test -s ex.mp3 &&
	test "$(ls vg.*.log | wc -l)" -ge 2 &&
	for f in vg.*.log; do
		grep -q "ERROR SUMMARY: 0 errors" "$f" || { cat "$f"; exit 1; }
		if grep -q "definitely lost:" "$f"; then
			grep -q "definitely lost: 0 bytes" "$f" || { cat "$f"; exit 1; }
		fi
	done
'

# Not byte for byte: valgrind computes floating point in 64 bits, so LAME's
# psychoacoustics round differently under it (native renders are
# byte-identical; t0100 asserts that).
test_expect_success 'memcheck: the output has the same length and decodes' '
	"$REVCAST" render -q "$EX" -o plain.mp3 >plain.report &&
	test "$(cut -f3 report)" = "$(cut -f3 plain.report)" &&
	ffmpeg -v error -xerror -i ex.mp3 -f null -
'

test_done
