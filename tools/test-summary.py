#!/usr/bin/env python3
"""Count test cases in meson test logs and print 'N passed, N failed, N skipped'.

test-summary.py [--label WORD] LOG.json...

Each LOG is a meson testlog JSON file (one JSON object per line). A test
whose output is TAP (the bats files) counts once per case; a cmocka test
once per cmocka case; anything else once. A log that does not exist counts
as one failure (its build or run never happened). The diagnostics of failed
TAP cases go to stderr. Exits 1 when anything failed or nothing ran.
"""
import json
import re
import sys

TAP_PLAN = re.compile(r"^1\.\.(\d+)")
TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")
TAP_SKIP = re.compile(r"#\s*skip\b", re.IGNORECASE)
CMOCKA_OK = re.compile(r"^\[\s+OK\s+\] ")
CMOCKA_FAIL = re.compile(r"^\[\s+(FAILED|ERROR)\s+\] (?!\d+ test)")
CMOCKA_SKIP = re.compile(r"^\[\s+SKIPPED\s+\] (?!\d+ test)")

PASSING = {"OK", "EXPECTEDFAIL"}


def tap_failures(out, limit=60):
    """The 'not ok' lines of a TAP stream with the diagnostics under them."""
    shown, keep = [], False
    for line in out.splitlines():
        if line.startswith("not ok"):
            keep = True
        elif TAP_LINE.match(line):
            keep = False
        if keep and len(shown) < limit:
            shown.append(line)
    return shown


def count_test(entry):
    """Return (passed, failed, skipped) for one meson test entry."""
    out = entry.get("stdout") or ""
    result = entry.get("result", "ERROR")
    lines = out.splitlines()

    plan = None
    p = f = s = 0
    for line in lines:
        m = TAP_PLAN.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = TAP_LINE.match(line)
        if m and plan is not None:
            if m.group(1) == "not ok":
                f += 1
            elif TAP_SKIP.search(m.group(2)):
                s += 1
            else:
                p += 1
    if plan is not None:
        # Cases the plan promised but never reported (crash, timeout).
        f += max(0, plan - (p + f + s))
        if result not in PASSING and result != "SKIP" and f == 0:
            f = 1
        return p, f, s

    for line in lines:
        if CMOCKA_OK.match(line):
            p += 1
        elif CMOCKA_FAIL.match(line):
            f += 1
        elif CMOCKA_SKIP.match(line):
            s += 1
    if p + f + s:
        if result not in PASSING and result != "SKIP" and f == 0:
            f = 1
        return p, f, s

    if result in PASSING:
        return 1, 0, 0
    if result == "SKIP":
        return 0, 0, 1
    return 0, 1, 0


def main(argv):
    label = ""
    if len(argv) > 1 and argv[0] == "--label":
        label, argv = argv[1] + " ", argv[2:]
    passed = failed = skipped = 0
    for path in argv:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                entries = [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            print(f"test-summary: {path}: no such log (build or test run failed)", file=sys.stderr)
            failed += 1
            continue
        for e in entries:
            p, f_, s = count_test(e)
            passed, failed, skipped = passed + p, failed + f_, skipped + s
            if f_:
                print(f"test-summary: {e.get('name')}: {e.get('result')} ({f_} failed)", file=sys.stderr)
                # meson does not print a TAP test's diagnostics: show them.
                for line in tap_failures(e.get("stdout") or ""):
                    print(f"    {line}", file=sys.stderr)
    print(f"{label}{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed + skipped == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
