#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Reads a lactd CSV export with Python's csv module, as a consultant's
# script would, and prints it as JSON for tests/test-export-dbus.c:
# {"meta": {"# name": ...}, "rows": [{column: cell}, ...]}.
import csv
import json
import sys

meta = {}
rows = []
# utf-8-sig: the export starts with a byte order mark for spreadsheets.
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    reader = csv.reader(f)
    header = None
    for row in reader:
        if row and row[0].startswith("#"):
            if header is not None:
                sys.exit("a '#' row after the column names")
            meta[row[0]] = row[1] if len(row) > 1 else ""
            continue
        if header is None:
            header = row
            continue
        if len(row) != len(header):
            sys.exit("row of %d cells under %d columns" % (len(row), len(header)))
        rows.append(dict(zip(header, row)))
if header is None:
    sys.exit("no column names")
json.dump({"meta": meta, "rows": rows}, sys.stdout)
