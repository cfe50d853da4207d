#!/usr/bin/env bash
# check-format.sh: fail when a C file differs from .clang-format's style.
# `clang-format -i $(git ls-files '*.c' '*.h')` fixes it.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r f; do
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "check-format: $f is not formatted (clang-format -i $f)"
		bad=1
	fi
done < <(git ls-files '*.c' '*.h')
exit "$bad"
