#!/bin/sh
# tests/run.sh - runs every test: the cmocka unit test binaries given as
# arguments, then every tests/integration/t*.sh. Ends with one line
# "N passed, N failed" and exits non-zero if anything failed.
passed=0
failed=0
skipped=0
failures=

for t in "$@"; do
	name=$(basename "$t")
	out=$(mktemp)
	if "$t" >"$out" 2>&1; then
		st=0
	else
		st=$?
	fi
	# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)..."
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures="$failures $name"
		cat "$out"
	fi
	echo "unit $name: $p passed, $f failed"
	rm -f "$out"
done

for t in tests/integration/t*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	bash "$t"
	res=${TEST_OUT:-tests/out}/$name/.result
	if [ -f "$res" ]; then
		read -r n f s <"$res"
		passed=$((passed + n - f - s))
		failed=$((failed + f))
		skipped=$((skipped + s))
		[ "$f" -ne 0 ] && failures="$failures $name"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "integration $name: did not finish"
	fi
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
