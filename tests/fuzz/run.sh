#!/bin/sh
# tests/fuzz/run.sh SECONDS TARGET... - runs each libFuzzer target for
# SECONDS, starting from its seed corpus, after replaying every saved
# regression input. New corpus entries and crash artefacts go to
# tests/out/fuzz/. Ends with "N passed, N failed".
secs=$1
shift
out=tests/out/fuzz
mkdir -p "$out"
passed=0
failed=0
for t in "$@"; do
	bin=build-fuzz/fuzz_$t
	seeds=tests/fuzz/corpus/$t
	regr=tests/fuzz/regressions/$t
	work=$out/corpus-$t
	mkdir -p "$work" "$seeds"
	ok=1
	if [ -d "$regr" ] && [ -n "$(ls -A "$regr" 2>/dev/null)" ]; then
		"$bin" -close_fd_mask=2 -runs=0 "$regr" >"$out/$t-regressions.log" 2>&1 || ok=0
	fi
	if [ $ok = 1 ]; then
		"$bin" -close_fd_mask=2 -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
			-max_len=65536 -artifact_prefix="$out/$t-" -print_final_stats=1 \
			"$work" "$seeds" >"$out/$t.log" 2>&1 || ok=0
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" 2>/dev/null | tail -1)
	if [ $ok = 1 ]; then
		passed=$((passed + 1))
		echo "ok - fuzz $t: ${execs:-0} inputs in ${secs}s, no crash"
	else
		failed=$((failed + 1))
		echo "not ok - fuzz $t (see $out/$t.log; crashing input saved as $out/$t-*)"
		tail -30 "$out/$t.log" 2>/dev/null || tail -30 "$out/$t-regressions.log"
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
