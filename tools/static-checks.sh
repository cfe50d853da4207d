#!/usr/bin/env bash
# static-checks.sh: clang-format and cppcheck over the C sources, as CI runs
# them. cppcheck does not understand __attribute__((cleanup)), so its leak
# checks would only report our cleanup helpers: they are off, and
# LeakSanitizer in the ASan build covers leaks instead.
set -euo pipefail
cd "$(dirname "$0")/.."
rc=0
tools/check-format.sh || rc=1
cppcheck --quiet --enable=warning,portability --inline-suppr --error-exitcode=1 \
	-I src -D_GNU_SOURCE -DHUSK_SOURCE_DIR=\"$PWD\" \
	--suppress=missingIncludeSystem --suppress=missingInclude \
	--suppress=memleak --suppress=resourceLeak --suppress=leakReturnValNotUsed \
	src tests/unit tests/fuzz || rc=1
exit "$rc"
