#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The source checker passes on the tree and catches a planted printf and a missing SPDX line.
. "$(dirname "$0")/lib.sh"
it_check "tools/check-source.sh is clean on the tree" "$TOP/tools/check-source.sh"
copy="$IT_DIR/tree"
mkdir -p "$copy"
(cd "$TOP" && git ls-files --cached --others --exclude-standard lib drivers tools | \
	tar -cf - -T -) | tar -xf - -C "$copy"
(cd "$copy" && git init -q . && git add -A >/dev/null)
echo 'static void f(void) { printf("x"); }' >>"$copy/lib/pkt/vtep_pkt.c"
sed -i '1d' "$copy/lib/fdb/vtep_fdb.h"
(cd "$copy" && git add -A >/dev/null)
out=$("$copy/tools/check-source.sh" 2>&1)
rc=$?
it_eq "checker fails on a planted violation" 1 "$rc"
it_check "it names the forbidden printf" grep -q 'forbidden token: lib/pkt/vtep_pkt.c' <<<"$out"
it_check "it names the file missing SPDX" grep -q 'missing SPDX line: lib/fdb/vtep_fdb.h' <<<"$out"
it_finish
