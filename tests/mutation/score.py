"""`make mutation`'s verdict: the share of mutants killed, and every survivor accounted for.

Reads `mutmut results --all true` (run from the project root after `mutmut run`). A
mutant counts as killed when a test failed or timed out on it. Exits non-zero when fewer
than 90% of the mutants are killed, or when a mutant survives that
`tests/mutation/equivalent.txt` does not list (with the reason it cannot be killed).
Lines of that file: `mutant-name  # reason`; `#` lines are comments.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

GOAL = 0.90
HERE = Path(__file__).resolve().parent


def listed() -> dict[str, str]:
    reasons: dict[str, str] = {}
    for line in (HERE / "equivalent.txt").read_text(encoding="utf-8").splitlines():
        name, _, reason = line.partition("#")
        if name.strip():
            if not reason.strip():
                raise SystemExit(f"equivalent.txt: {name.strip()} has no reason")
            reasons[name.strip()] = reason.strip()
    return reasons


def main() -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run(
        [str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    status = {}
    for line in out.splitlines():
        name, sep, verdict = line.strip().rpartition(": ")
        if sep and name:
            status[name] = verdict
    counts = Counter(status.values())
    total = len(status)
    # A timeout is a mutant the tests caught too: it made them hang (e.g. an endless loop).
    detected = ("killed", "timeout")
    killed = sum(counts[v] for v in detected)
    survivors = sorted(n for n, v in status.items() if v not in detected)
    equivalent = listed()
    unexplained = [n for n in survivors if n not in equivalent]
    stale = sorted(set(equivalent) - set(survivors))
    score = killed / total if total else 0.0
    others = ", ".join(f"{v}: {c}" for v, c in sorted(counts.items()) if v != "killed")
    print(f"mutants: {total}, killed or timed out: {killed} ({score:.1%}); {others}")
    print(f"survivors listed as equivalent: {len(survivors) - len(unexplained)}")
    for name in unexplained:
        print(f"NOT EXPLAINED: {name} ({status[name]}); kill it with a test or list it")
    for name in stale:
        print(f"listed but no longer surviving (remove from equivalent.txt): {name}")
    return 0 if score >= GOAL and not unexplained else 1


if __name__ == "__main__":
    sys.exit(main())
