#!/usr/bin/env python3
"""layers.py — checks that the library's folders depend one way.

Reads the symbols each object file of libshoplab defines and uses (nm), maps
every object to its folder under src/lib/, and fails when a folder uses a
symbol of a folder above it in LAYERS, or when files call each other round
in a circle.  A new folder must be given its place here.

Usage: layers.py BUILD_DIR/libshoplab.a.p
"""
import collections
import glob
import os
import re
import subprocess
import sys

# Bottom first: each folder may use only the folders before it.
LAYERS = ["base", "stats", "content", "engine", "json", "store", "report", "import"]


def symbols(obj_dir):
    defined, used = {}, collections.defaultdict(set)
    for obj in sorted(glob.glob(os.path.join(obj_dir, "*.o"))):
        m = re.search(r"src_lib_([a-z]+)_([a-z_0-9]+)\.c\.o$", obj)
        where = (m.group(1), m.group(2)) if m else ("content", "embedded")
        out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDRB":
                defined[parts[2]] = where
            elif len(parts) == 2 and parts[0] == "U":
                used[where].add(parts[1])
    return defined, used


def main():
    defined, used = symbols(sys.argv[1])
    if len(defined) < 100:
        sys.exit(f"layers: only {len(defined)} symbols found under {sys.argv[1]}")
    problems = []
    calls = collections.defaultdict(set)
    for (folder, name), names in sorted(used.items()):
        if folder not in LAYERS:
            problems.append(f"src/lib/{folder}/ has no place in LAYERS")
            continue
        for sym in sorted(names):
            if sym not in defined:
                continue
            to_folder, to_name = defined[sym]
            calls[name].add(to_name)
            if LAYERS.index(to_folder) > LAYERS.index(folder):
                problems.append(f"{folder}/{name}.c uses {sym} from {to_folder}/{to_name}.c, "
                                f"a folder above it")
    for a, targets in sorted(calls.items()):
        for b in sorted(targets):
            if a < b and a in calls.get(b, ()):
                problems.append(f"{a}.c and {b}.c call each other")
    for p in problems:
        print("layers:", p)
    if problems:
        sys.exit(1)
    print(f"layers: {len(used)} files in {len(LAYERS)} folders depend one way")


main()
