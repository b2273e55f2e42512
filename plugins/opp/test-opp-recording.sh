#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Open Pump Profile plugin tested from a recording: the emulator's
# session (recordings/opp-session.ini) recorded by client/emu-record must be
# the committed recordings/opp-session.lactdcap byte for byte, and
# lactd-replay must turn it, through the opp plugin, into the readings the
# scenario says: features, phases, volumes up to 42.5 and 38.0 mL, the
# history record 7 and the new record 8, with nothing rejected.
#
# --update writes the recording again instead of comparing.
set -eu

src=${G_TEST_SRCDIR:-$(dirname "$0")/../..}
build=${LACTD_BUILDDIR:-${G_TEST_BUILDDIR:-.}}
rec=$src/plugins/opp/recordings
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "not ok - $*"
	exit 1
}

"$build/client/emu-record" "$rec/opp-session.ini" pump "$tmp/opp-session.lactdcap" \
	--write 0.25:df840006-84b3-444b-a8f5-c3bc3142a562:017035a569 \
	--write 0.25:df840006-84b3-444b-a8f5-c3bc3142a562:0200000000 \
	--mark "0.5:switched on, app connected" \
	--mark "61:screen: expression, L 0 R 0" \
	--mark "181:screen: L 31.8 mL R 28.4 mL" \
	--mark "301.5:screen: done, L 42.5 R 38.0"
if [ "${1:-}" = --update ]; then
	cp "$tmp/opp-session.lactdcap" "$rec/opp-session.lactdcap"
	echo "updated $rec/opp-session.lactdcap"
	exit 0
fi
cmp "$tmp/opp-session.lactdcap" "$rec/opp-session.lactdcap" ||
	fail "the emulator no longer makes the committed recording (--update if meant)"
echo "ok 1 - recording made again identical"

"$build/client/lactd-replay" "$rec/opp-session.lactdcap" --plugin opp \
	--plugin-dir "$build/plugins/opp/.libs" > "$tmp/out" || fail "lactd-replay failed: $(cat "$tmp/out")"
cat "$tmp/out"

expect() {
	grep -q -- "$1" "$tmp/out" || fail "no line matching: $1"
}
expect "features  channels=3 measures_volume=yes max_suction=9 stores_records=yes has_clock=yes"
expect "+1.000000  2026-03-02T07:00:01.000000Z  phase     phase=stimulation session=8 elapsed_s=0"
expect "+61.000000  2026-03-02T07:01:01.000000Z  phase     phase=expression session=8 elapsed_s=60"
expect "record    session=7 start=2026-03-01T15:00:00.000000Z duration_s=1500 left_ml=60.5 mL right_ml=55.0 mL flags=0"
expect "+301.000000  2026-03-02T07:05:01.000000Z  volume    session=8 sequence=87 elapsed_s=300 left_ml=42.5 mL right_ml=38.0 mL"
expect "+301.000000  2026-03-02T07:05:01.000000Z  phase     phase=idle session=0 elapsed_s=300"
expect "record    session=8 start=2026-03-02T07:00:00.000000Z duration_s=300 left_ml=42.5 mL right_ml=38.0 mL flags=1"
expect "mark      text=screen: L 31.8 mL R 28.4 mL"
expect "^# [0-9]* values, [0-9]* readings, 0 rejected$"
echo "ok 2 - replay through the opp plugin"

# The same in JSON, and a damaged copy refused with its line.
"$build/client/lactd-replay" "$rec/opp-session.lactdcap" --plugin opp --json \
	--plugin-dir "$build/plugins/opp/.libs" > "$tmp/json" || fail "--json failed"
grep -q '"rejected": 0' "$tmp/json" || fail "JSON without its counts"
grep -q '"type": "record", "session": 8' "$tmp/json" || fail "JSON without record 8"
sed 's/^\(notify [0-9]* df840004[^ ]* 0x0017 \)08/\100/' "$rec/opp-session.lactdcap" > "$tmp/bad.lactdcap"
status=0
"$build/client/lactd-replay" "$tmp/bad.lactdcap" --plugin opp \
	--plugin-dir "$build/plugins/opp/.libs" > "$tmp/out" || status=$?
[ "$status" = 1 ] || fail "a refused value must exit 1, got $status"
grep -q "rejected  reason=" "$tmp/out" || fail "no rejection printed"
head -n 9 "$rec/opp-session.lactdcap" > "$tmp/cut.lactdcap"
status=0
"$build/client/lactd-replay" "$tmp/cut.lactdcap" --plugin opp \
	--plugin-dir "$build/plugins/opp/.libs" 2> "$tmp/err" || status=$?
[ "$status" = 2 ] || fail "a cut file must exit 2, got $status"
grep -q "line 9: file ends with 2 characteristics" "$tmp/err" || fail "no line in: $(cat "$tmp/err")"
status=0
"$build/client/lactd-replay" "$rec/opp-session.lactdcap" --plugin nosuch \
	--plugin-dir "$build/plugins/opp/.libs" 2> "$tmp/err" || status=$?
[ "$status" = 2 ] || fail "an unknown plugin must exit 2, got $status"
echo "ok 3 - JSON, refusals and exit codes"
echo "1..3"
