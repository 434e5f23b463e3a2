#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Source checks: libraries never print, exit or panic (forbidden tokens in lib/ and
# drivers/), every source file carries the SPDX licence line near its top, and no tracked
# text file keeps a merge conflict marker.
#   tools/check-source.sh        exit 0 when clean, 1 with one line per finding
set -u
cd "$(dirname "$0")/.." || exit 1
bad=0
# Forbidden in libraries: only app/ decides to print or exit.
while IFS= read -r hit; do
	echo "forbidden token: $hit"
	bad=1
done < <(grep -nE '(^|[^a-z_])(printf|exit|abort|rte_panic)[[:space:]]*\(' \
	$(git ls-files --cached --others --exclude-standard 'lib/*.c' 'lib/*.h' 'drivers/*.c' 'drivers/*.h' 2>/dev/null || \
	  find lib drivers -name '*.[ch]') | grep -vE '(snprintf|vsnprintf)[[:space:]]*\(' |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/\*|//)')
# SPDX line in the first 3 lines of every tracked source/script/build file.
files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' '*.sh' '*.py' 'meson.build' '*/meson.build' 'meson_options.txt' \
	'.ci/*' 2>/dev/null)
for f in $files; do
	case "$f" in test/data/*.h) continue ;; esac
	head -n 3 "$f" | grep -q 'SPDX-License-Identifier: BSD-3-Clause' || {
		echo "missing SPDX line: $f"
		bad=1
	}
done
# A merge that left conflict markers (one did, in README.md, once).
while IFS= read -r hit; do
	echo "merge conflict marker: $hit"
	bad=1
done < <(git ls-files --cached --others --exclude-standard 2>/dev/null | grep -vE '\.(png|pcap|pcapng|o|gz)$' |
	xargs -r grep -nIE '^(<{7}|={7}|>{7})( |$)' 2>/dev/null)
[ "$bad" = 0 ] && echo "check-source: clean"
exit "$bad"
