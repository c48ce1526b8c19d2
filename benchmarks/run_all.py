"""Run every benchmark script and collect the JSON line each prints last.

    python benchmarks/run_all.py [--quick] [--json-only] [NAME ...]

Runs each `benchmarks/*.py` except itself and the `_`-prefixed helpers, one after the
other with this interpreter (passing `--quick` on; a script without a `--quick` mode is
skipped in a quick run), then prints a table and, last, a JSON list of the records.
NAME limits the run to some scripts (`client_overhead`, ...). A script that fails or
prints no JSON line gets a record with `met: false` and its error.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import BENCHMARKS, PYTHON, ROOT, last_json_line

#: Longest a single script may take before it is stopped (nbval_time may be slow).
TIMEOUT = 900.0


def scripts(names: list[str]) -> list[Path]:
    found = [
        p
        for p in sorted(BENCHMARKS.glob("*.py"))
        if not p.name.startswith("_") and p.name != Path(__file__).name
    ]
    if names:
        found = [p for p in found if p.stem in names]
    return found


def supports_quick(script: Path) -> bool:
    return "--quick" in script.read_text()


def run(script: Path, quick: bool) -> dict[str, Any]:
    if quick and not supports_quick(script):
        return {"benchmark": script.stem, "ratio": None, "goal": "?", "met": False,
                "reason": "skipped: the script has no --quick mode"}  # fmt: skip
    command = [PYTHON, str(script), *(["--quick"] if quick else [])]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return {"benchmark": script.stem, "ratio": None, "goal": "?", "met": False,
                "error": f"timed out after {TIMEOUT:.0f} s"}  # fmt: skip
    seconds = time.perf_counter() - start
    record = last_json_line(proc.stdout)
    if record is None or proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {
            "benchmark": script.stem,
            "ratio": None,
            "goal": "?",
            "met": False,
            "error": f"exit {proc.returncode}: " + " | ".join(tail),
            "script_seconds": round(seconds, 1),
        }
    record["script_seconds"] = round(seconds, 1)
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="pass --quick to every script")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON list")
    parser.add_argument("names", nargs="*", help="run only these scripts (by stem)")
    args = parser.parse_args()
    records: list[dict[str, Any]] = []
    for script in scripts(args.names):
        if not args.json_only:
            print(f"running {script.name} ...", file=sys.stderr, flush=True)
        records.append(run(script, args.quick))
    if not args.json_only:
        print(f"{'benchmark':<22} {'ratio':>8} {'goal':>8} {'met':>5} {'time':>7}  note")
        for r in records:
            ratio = "-" if r.get("ratio") is None else f"{r['ratio']:.3f}"
            note = r.get("error") or r.get("reason") or ""
            print(
                f"{r['benchmark']:<22} {ratio:>8} {r.get('goal', '?'):>8} "
                f"{'yes' if r.get('met') else 'NO':>5} {r.get('script_seconds', 0):>6.1f}s  {note}"
            )
    print(json.dumps(records), flush=True)


if __name__ == "__main__":
    main()
