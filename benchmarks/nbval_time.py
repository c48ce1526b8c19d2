"""P6: wall time of the notebooks' nbval run (goal: under 60 s; ratio = seconds / 60).

Runs exactly what `make notebooks` runs, as a subprocess with this interpreter:

    pytest notebooks --nbval --nbval-current-env \
        --nbval-sanitize-with tests/notebooks/sanitize.cfg -q

and reports the wall seconds, the number of cells that passed and whether pytest passed.
`--quick` only collects the first notebook (`--collect-only`): it checks the command
line, not the time.
With no `notebooks/*.ipynb` it says so and reports `met: false` with a reason.

    python benchmarks/nbval_time.py [--quick]
"""

from __future__ import annotations

import re
import subprocess
import time

from _common import PYTHON, ROOT, emit, parse_args, result, say

GOAL_SECONDS = 60.0
#: A run this long is stopped and reported as missed.
TIMEOUT = 600.0
NBVAL = [
    "notebooks",
    "--nbval",
    "--nbval-current-env",
    "--nbval-sanitize-with",
    "tests/notebooks/sanitize.cfg",
    "-q",
    "-p",
    "no:cacheprovider",
]


def counts(output: str) -> dict[str, int]:
    """pytest's summary (`12 passed, 1 failed in 3.4s`) as numbers."""
    found: dict[str, int] = {}
    for number, word in re.findall(
        r"(\d+) (passed|failed|errors?|skipped|tests? collected)", output
    ):
        found[word.split()[0].rstrip("s")] = int(number)
    return found


def main() -> None:
    args = parse_args(__doc__ or "")
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    goal = f"< {GOAL_SECONDS / GOAL_SECONDS:g}"  # ratio < 1, i.e. seconds < 60
    if not notebooks:
        say("no notebooks/*.ipynb yet: nothing to time")
        emit(
            result(
                "nbval_time",
                None,
                goal,
                met=False,
                reason="no notebooks/*.ipynb",
                goal_seconds=GOAL_SECONDS,
                quick=args.quick,
            )
        )
        return
    command = [PYTHON, "-m", "pytest", *NBVAL]
    if args.quick:
        command[3] = str(notebooks[0].relative_to(ROOT))
        command.append("--collect-only")
    say(f"{len(notebooks)} notebooks: {' '.join(p.name for p in notebooks)}")
    say("running: " + " ".join(command[2:]))
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
        output, code, timed_out = proc.stdout + proc.stderr, proc.returncode, False
    except subprocess.TimeoutExpired as exc:
        output = str(exc.stdout or "") + str(exc.stderr or "")
        code, timed_out = -1, True
    seconds = time.perf_counter() - start
    summary = counts(output)
    tail = [line for line in output.strip().splitlines() if line.strip()][-1:] or [""]
    say(f"pytest exit code {code}; {tail[0]}")
    say(f"wall time {seconds:.1f} s (goal < {GOAL_SECONDS:.0f} s); ratio {seconds / 60:.2f}")
    passed = code == 0 and not timed_out
    emit(
        result(
            "nbval_time",
            seconds / GOAL_SECONDS,
            goal,
            met=passed and seconds < GOAL_SECONDS,
            seconds=seconds,
            goal_seconds=GOAL_SECONDS,
            notebooks=len(notebooks),
            pytest_exit=code,
            pytest_passed=passed,
            timed_out=timed_out,
            cells=summary,
            collect_only=args.quick,
            quick=args.quick,
        )
    )


if __name__ == "__main__":
    main()
