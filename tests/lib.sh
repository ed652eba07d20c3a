# tests/lib.sh - a small shell test library in the style of git's test-lib:
#   test_expect_success 'title' 'commands'
# Each test runs in a subshell with `set -e`; its output goes to a log
# shown only when it fails. Sourced by tests/integration/t*.sh.

: "${REVCAST:=$PWD/revcast}"
: "${TEST_OUT:=$PWD/tests/out}"
ROOT=$PWD
# The shipped voices, wherever the binary under test lives (build-asan/...).
: "${REVCAST_VOICES:=$ROOT/voices}"
export REVCAST_VOICES
T=$TEST_OUT/$(basename "$0" .sh)
rm -rf "$T"
mkdir -p "$T"
test_count=0
test_failed=0
test_skipped=0

say() { printf '%s\n' "$*"; }

test_expect_success() {
	test_count=$((test_count + 1))
	log=$T/test-$test_count.log
	# Not in an `if`: bash ignores set -e inside a condition, and every
	# command of a test must count.
	(set -e; cd "$T"; eval "$2") >"$log" 2>&1
	if [ $? -eq 0 ]; then
		say "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		say "not ok $test_count - $1"
		sed 's/^/#   /' "$log" | tail -40
	fi
}

test_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	say "ok $test_count - # skip $1 ($2)"
}

# Fails unless the two files are equal, showing the difference.
test_cmp() { diff -u "$1" "$2"; }

# Fails unless the command fails (exit status 1-125, not a crash).
test_must_fail() {
	set +e
	"$@"
	st=$?
	set -e
	if [ $st -eq 0 ]; then echo "expected failure: $*" >&2; return 1; fi
	if [ $st -gt 125 ]; then echo "crashed ($st): $*" >&2; return 1; fi
	return 0
}

# |a - b| <= tol for decimal numbers.
test_near() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; if (d > t) { printf "%s and %s differ by %g (> %s)\n", a, b, d, t; exit 1 } }'
}

test_done() {
	say "# $(basename "$0" .sh): $((test_count - test_failed)) passed, $test_failed failed"
	echo "$test_count $test_failed $test_skipped" >"$T/.result"
	[ $test_failed -eq 0 ]
}
