#!/usr/bin/env python3
"""export_totals.py — the independent checker for the real-export fixtures.

Reads a fixture's SOURCE note (tests/fixtures/exports/NAME.source) and the
fixture beside it with Python's csv module or openpyxl, never with ShopLab's
code, and prints what ShopLab must find in it as JSON: the data rows, the
report key, the period and the exact totals of the columns the note names.

    export_totals.py NOTE.source [NOTE.source ...]   one JSON object per line

The note says, in `key: value` lines, which rows are data (`data-rows:`),
which header each field is (`count: views = VV`, or `= col H`), the decimal
mark and where the header row is.  The numbers are parsed here by their
own simple rules (currency marks and spaces dropped, the note's decimal
mark, `-`, `--`, `N/A` and empty as missing), so a mistake in ShopLab's
value parser cannot hide in its own expectations.
"""
import csv
import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation

MISSING = {"", "-", "--", "n/a", "#n/a", "na", "null"}


def read_note(path):
    note = {"count": [], "money": [], "rate": []}
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if ":" not in line:
                raise SystemExit(f"{path}: not a 'key: value' line: {line!r}")
            key, value = line.split(":", 1)
            key, value = key.strip(), value.strip()
            if key in ("count", "money", "rate"):
                field, _, header = value.partition("=")
                note[key].append((field.strip(), header.strip()))
            else:
                note[key] = value
    for required in ("file", "header-row", "data-rows", "key", "decimal"):
        if required not in note:
            raise SystemExit(f"{path}: missing '{required}:'")
    return note


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def load_rows(path, note):
    if path.endswith(".xlsx"):
        import openpyxl  # Debian: python3-openpyxl
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = book[note["sheet"]] if "sheet" in note else book.worksheets[0]
        return [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    sample = text[:4096]
    delimiter = max([",", ";", "\t"], key=lambda d: sample.count(d))
    return list(csv.reader(text.splitlines(), delimiter=delimiter))


def column_index(header_row, spec, where):
    m = re.fullmatch(r"col ([A-Z]+)", spec)
    if m:
        index = 0
        for ch in m.group(1):
            index = index * 26 + (ord(ch) - 64)
        return index - 1
    want = spec.strip().lower()
    hits = [i for i, h in enumerate(header_row) if h.strip().lower() == want]
    if len(hits) != 1:
        raise SystemExit(f"{where}: header {spec!r} found {len(hits)} times in the header row; "
                         "name it by column letter (col H)")
    return hits[0]


def number(text, decimal_mark, where):
    t = text.strip()
    if t.lower() in MISSING:
        return None
    negative = t.startswith("-") or (t.startswith("(") and t.endswith(")"))
    # Keep digits and the two marks; everything else (currency, spaces) goes.
    t = re.sub(r"[^0-9.,]", "", t)
    if not t:
        raise SystemExit(f"{where}: {text!r} holds no number")
    thousands = "." if decimal_mark == "comma" else ","
    t = t.replace(thousands, "")
    if decimal_mark == "comma":
        t = t.replace(",", ".")
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise SystemExit(f"{where}: {text!r} is not a number")
    return -value if negative else value


def data_row_numbers(spec):
    numbers = []
    for part in spec.split(","):
        lo, _, hi = part.strip().partition("-")
        numbers.extend(range(int(lo), int(hi or lo) + 1))
    return numbers


def expected(note_path):
    note = read_note(note_path)
    fixture = os.path.join(os.path.dirname(note_path), note["file"])
    rows = load_rows(fixture, note)
    header_row = rows[int(note["header-row"]) - 1]
    out = {"file": note["file"], "header_row": int(note["header-row"]),
           "rows": 0, "key": None, "period": None, "totals": {}}
    if note["key"] != "none":
        by, _, header = note["key"].partition("=")
        out["key"] = by.strip()
        column_index(header_row, header.strip(), note_path)   # it must exist
    if note.get("period", "none") != "none":
        start, _, end = note["period"].partition("~")
        out["period"] = [start.strip(), end.strip() or start.strip()]
    numbers = data_row_numbers(note["data-rows"])
    out["rows"] = len(numbers)
    for kind in ("count", "money"):
        for field, header in note[kind]:
            col = column_index(header_row, header, note_path)
            total, seen = Decimal(0), False
            for n in numbers:
                row = rows[n - 1]
                text = row[col] if col < len(row) else ""
                value = number(text, note["decimal"], f"{note['file']}:{n}:{col + 1}")
                if value is not None:
                    total += value
                    seen = True
            if not seen:
                out["totals"][field] = None
            elif kind == "count":
                out["totals"][field] = int(total)
            else:
                out["totals"][field] = float(round(total, 2))
    return out


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for path in sys.argv[1:]:
        print(json.dumps(expected(path), sort_keys=True))
