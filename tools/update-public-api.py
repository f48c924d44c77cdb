#!/usr/bin/env python3
"""Brings a project's PublicAPI.Unshipped.txt in line with its public surface.

Builds the project, reads PublicApiAnalyzers' RS0016 (a public symbol not declared) and RS0017 (a declared symbol
that is gone) diagnostics, adds and removes the lines they quote, and sorts the file. Run it after changing the
public surface on purpose, then read the diff: every line in it is a change to what users can call.

    tools/update-public-api.py [src/Native.Numerics]
"""
import pathlib
import re
import subprocess
import sys

project = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src/Native.Numerics")
unshipped = project / "PublicAPI.Unshipped.txt"
for _ in range(3):
    build = subprocess.run(["dotnet", "build", str(project), "-c", "Release", "--no-incremental"],
                           capture_output=True, text=True)
    added = set(re.findall(r"error RS0016: Symbol '(.+?)' is not part of the declared public API", build.stdout))
    removed = set(re.findall(r"error RS0017: Symbol '(.+?)' is part of the declared API", build.stdout))
    if not added and not removed:
        break
    lines = unshipped.read_text().splitlines()
    header = [line for line in lines if line.startswith("#")]
    body = {line for line in lines if line and not line.startswith("#")}
    body = (body - removed) | added
    unshipped.write_text("\n".join(header + sorted(body, key=str.lower)) + "\n")
    print(f"{unshipped}: +{len(added)} -{len(removed)}")
errors = [line for line in build.stdout.splitlines() if ": error " in line]
print("\n".join(sorted(set(errors))[:20]) or "build clean")
