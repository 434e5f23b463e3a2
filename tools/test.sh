#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build vtepsw (normal and ASan+UBSan) and run every unit and integration test.
#
#   tools/test.sh [--no-san] [--only PATTERN] [--keep]
#
#   --no-san        skip the sanitizer build and its runs
#   --only PATTERN  run only tests whose name contains PATTERN
#   --keep          keep each integration test's temporary directory
#
# Installs missing Debian packages first (tools/setup.sh). Needs root. Ends with one line
# "N passed, N failed, N skipped" and exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
san=1
only=""
for a in "$@"; do
	case "$a" in
	--no-san) san=0 ;;
	--only=*) only=${a#--only=} ;;
	--only) shift_only=1 ;;
	--keep) export KEEP_IT_DIR=1 ;;
	-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*)
		if [ "${shift_only:-0}" = 1 ]; then only=$a; shift_only=0; continue; fi
		echo "test.sh: unknown option '$a' (try --help)" >&2; exit 2 ;;
	esac
done

passed=0 failed=0 skipped=0
fails=() skips=()
LOGDIR="$TOP/build/test-logs"

record() { # name result(pass|fail|skip) [reason]
	case "$2" in
	pass) passed=$((passed + 1)); printf '  %-40s ok\n' "$1" ;;
	fail) failed=$((failed + 1)); fails+=("$1"); printf '  %-40s FAIL\n' "$1" ;;
	skip) skipped=$((skipped + 1)); skips+=("$1: ${3:-no reason given}"); printf '  %-40s SKIP (%s)\n' "$1" "${3:-}" ;;
	esac
}

summary() {
	echo
	for s in "${skips[@]}"; do echo "skipped: $s"; done
	for f in "${fails[@]}"; do echo "failed:  $f (log: $LOGDIR/${f//[:\/]/_}.log)"; done
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
	exit $?
}

echo "== setup"
tools/setup.sh || { echo "setup failed"; record setup fail; summary; }

build() { # dir [meson options]
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	fi
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -40 "$dir.ninja.log"; return 1; }
}

echo "== build"
mkdir -p build
build build || { record "build" fail; summary; }
record "build" pass
mkdir -p "$LOGDIR"
if [ "$san" = 1 ]; then
	mkdir -p build-san
	if build build-san -Dsanitizers=true; then record "build-san" pass; else record "build-san" fail; san=0; fi
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$TOP/test/lsan.supp:print_suppressions=0

unit() { # build dir, label
	local dir=$1 label=$2
	meson test -C "$dir" --num-processes 2 --print-errorlogs >"$LOGDIR/$label.log" 2>&1
	/usr/bin/python3 - "$dir/meson-logs/testlog.json" "$label" "$only" <<'PY' >"$LOGDIR/$label.results"
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    name = sys.argv[2] + ":" + r["name"]
    if sys.argv[3] and sys.argv[3] not in name:
        continue
    res = {"OK": "pass", "EXPECTEDFAIL": "pass", "SKIP": "skip"}.get(r["result"], "fail")
    reason = ""
    if res == "skip":
        out = (r.get("stdout") or "").strip().splitlines()
        reason = next((l for l in out if "SKIP" in l), "skipped by the test")
    print(name, res, reason, sep="\t")
PY
	while IFS=$'\t' read -r n r why; do record "$n" "$r" "$why"; done <"$LOGDIR/$label.results"
}

echo "== unit tests"
unit build unit
[ "$san" = 1 ] && unit build-san unit-san

integ() { # script, label, vtepsw binary [lcores]
	local t=$1 label=$2 bin=$3 lcores=${4:-0} rc log
	[ -n "$only" ] && [[ "$label" != *"$only"* ]] && return
	log="$LOGDIR/${label//[:\/]/_}.log"
	IT_LCORES=$lcores VTEPSW=$bin timeout -k 10 600 bash "$t" >"$log" 2>&1
	rc=$?
	case $rc in
	0) record "$label" pass ;;
	77) record "$label" skip "$(grep -m1 '^SKIP:' "$log" | sed 's/^SKIP: //')" ;;
	*) record "$label" fail; tail -25 "$log" | sed 's/^/    /' ;;
	esac
}

echo "== integration tests"
for t in test/integration/*.sh; do
	case "$(basename "$t")" in lib.sh) continue ;; esac
	n=$(basename "$t" .sh)
	integ "$t" "it:$n" "$TOP/build/app/vtepsw/vtepsw"
	# again with the sanitizer build if it runs vtepsw or vtepsw-bench
	if [ "$san" = 1 ] && grep -qE 'it_vtepsw_start|VTEPSW_BENCH' "$t"; then
		integ "$t" "it-san:$n" "$TOP/build-san/app/vtepsw/vtepsw"
	fi
	# with a worker lcore beside the main (control) lcore
	case "$n" in bridge|vxlan_kernel|two_hosts|af_xdp)
		integ "$t" "it-workers:$n" "$TOP/build/app/vtepsw/vtepsw" 0-1 ;;
	esac
done
summary
