#!/usr/bin/env python3
"""exports_check.py — every real-export fixture reads to its expected totals.

    exports_check.py SHOPLAB FIXTURE_DIR

For each SOURCE note in FIXTURE_DIR, the expectation comes from
tests/tools/export_totals.py (Python's csv module and openpyxl, no ShopLab
code) and ShopLab's answer from `shoplab read --no-store --format json`.
They must agree on the header row, the data rows read, the report key, the
period and every total the note names.  Prints one line per fixture and
ends with 'N passed, N failed'.
"""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
import export_totals  # noqa: E402


def check(shoplab, note_path):
    want = export_totals.expected(note_path)
    fixture = os.path.join(os.path.dirname(note_path), want["file"])
    proc = subprocess.run([shoplab, "read", "--no-store", "--format", "json", fixture],
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if proc.returncode != 0:
        return [f"exit {proc.returncode}: {proc.stderr.strip()[:300]}"]
    got = json.loads(proc.stdout)
    problems = []
    source = got["sources"][0]
    if source["header_row"] != want["header_row"]:
        problems.append(f"header row {source['header_row']}, expected {want['header_row']}")
    if got["rows_read"] != want["rows"]:
        problems.append(f"{got['rows_read']} rows read, expected {want['rows']}")
    by = got["by"] if got["grouped"] else None
    if by != want["key"]:
        problems.append(f"grouped by {by}, expected {want['key']}")
    period = source["period"]
    if want["period"]:
        start, end = want["period"]
        expect = start if start == end else f"{start} ~ {end}"
        if period != expect:
            problems.append(f"period {period!r}, expected {expect!r}")
    funnel = got["totals"]["funnel"]
    for field, value in want["totals"].items():
        have = funnel.get(field)
        if value is None or have is None:
            if value != have:
                problems.append(f"{field} {have}, expected {value}")
        elif abs(have - value) > 0.005:
            problems.append(f"{field} {have}, expected {value}")
    return problems


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    shoplab, directory = sys.argv[1], sys.argv[2]
    passed = failed = 0
    for note in sorted(glob.glob(os.path.join(directory, "*.source"))):
        problems = check(shoplab, note)
        name = os.path.basename(note)[: -len(".source")]
        if problems:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(problems))
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
