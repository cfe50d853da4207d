#!/usr/bin/env bash
# run-all.sh: THE test command. Installs the Debian packages the build and
# the tests need, configures and builds husk, runs every suite (unit, fuzz
# corpus replay, bats integration against the built husk-runtime, leak check)
# and prints "N passed, N failed, N skipped".
#
# Environment:
#   BUILD_DIR          build directory (default: build)
#   MESON_SETUP_ARGS   extra `meson setup` arguments, e.g. "-Dwerror=true"
#   MESON_TEST_ARGS    extra `meson test` arguments, e.g. "--suite unit"
#   HUSK_SKIP_INSTALL  1: do not call tools/install-deps.sh
#   SUMMARY_LABEL      a word with a colon to put before the summary line
#   HUSK_TEST_RUNTIME  run the integration suite against another runtime (runc)
# The integration suite needs root; as another user its tests are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD_DIR:-build}
read -r -a setup_args <<<"${MESON_SETUP_ARGS:-}"
read -r -a test_args <<<"${MESON_TEST_ARGS:-}"

if [[ ${HUSK_SKIP_INSTALL:-0} != 1 ]]; then
	tools/install-deps.sh
fi

rc=0
if [[ -f $build/meson-private/coredata.dat ]]; then
	meson setup --reconfigure "$build" "${setup_args[@]}" >/dev/null || rc=1
else
	meson setup "$build" "${setup_args[@]}" || rc=1
fi
if ((rc == 0)); then
	ninja -C "$build" || rc=1
fi
if ((rc == 0)); then
	meson test -C "$build" --print-errorlogs "${test_args[@]}" || rc=1
else
	# A failed build leaves the previous run's log behind: do not count it.
	rm -f "$build/meson-logs/testlog.json"
fi

summary_args=()
[[ -n ${SUMMARY_LABEL:-} ]] && summary_args=(--label "$SUMMARY_LABEL")
python3 tools/test-summary.py "${summary_args[@]}" "$build/meson-logs/testlog.json" || rc=1
exit "$rc"
