#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The query benchmark runs to its end on a small history (one year, two runs
# of each call) and prints every figure it promises. Its times are not
# judged here: benchmarks print figures, tests pass or fail on behaviour.
# What this catches is a benchmark that no longer runs (a schema change it
# does not follow, a reply it cannot read), which nothing else would.
set -u
builddir=${LACTD_BUILDDIR:-$(pwd)}
out=$(mktemp "${TMPDIR:-/tmp}/bench-smoke-XXXXXX")
trap 'rm -f "$out"' EXIT

if ! "$builddir/bench/bench-queries" --years 1 --repeat 2 >"$out" 2>&1; then
	cat "$out"
	echo "not ok 1 - bench-queries ran to its end"
	exit 1
fi
echo "ok 1 - bench-queries ran to its end"
n=1
failed=0
for want in "schema 5 (samples format 2)" "migration 4 -> " "(a) raw sqlite3 SELECT" \
	"(b) store call in process, baseline" "(c) ListSessions (aa{sv})" \
	"(d) ListSessionsColumns" "(e) ListSessionsFd, columns read" \
	"(e) / (b), target <= 2" "GetDailySummaryFd / direct, target <= 1.2"; do
	n=$((n + 1))
	line=$(grep -F -- "$want" "$out" | head -n 1)
	# Every figure is a number: no "nan", "inf" or an empty median.
	if [ -n "$line" ] && ! printf '%s\n' "$line" | grep -Eqi 'nan|inf'; then
		echo "ok $n - $line"
	else
		echo "not ok $n - no figure for '$want'"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ] || { cat "$out"; exit 1; }
