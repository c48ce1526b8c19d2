"""P5: `import primer_nb` vs `import httpx` in fresh interpreters (goal: ratio <= 2).

Each sample is the wall time of `python -c "<import>"` in a new process (interpreter
start-up included on both sides, so the ratio is conservative), baseline and subject
alternating, best of N. `import primer_nb` loads its public names lazily, so pandas and
ipywidgets must not be in `sys.modules` afterwards; that is checked and reported, and so
is the cost of `from primer_nb import PrimerClient` (pydantic, httpx, the models) as a
detail.

    python benchmarks/import_time.py [--quick]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from _common import PYTHON, ROOT, best, emit, median, parse_args, result, say

HEAVY = ("pandas", "ipywidgets", "matplotlib", "numpy", "starlette", "uvicorn", "jwt")

SUBJECTS: dict[str, str] = {
    "python": "pass",
    "httpx": "import httpx",
    "primer_nb": "import primer_nb",
    "PrimerClient": "from primer_nb import PrimerClient",
}


def run_once(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([PYTHON, "-c", code], check=True, cwd=ROOT)
    return time.perf_counter() - start


def loaded_heavy(code: str) -> list[str]:
    """Which HEAVY modules are in `sys.modules` after running `code` in a fresh process."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [PYTHON, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    found: list[str] = json.loads(out.strip().splitlines()[-1])
    return found


def main() -> None:
    args = parse_args(__doc__ or "")
    rounds, warmup = (1, 0) if args.quick else (9, 1)
    samples: dict[str, list[float]] = {name: [] for name in SUBJECTS}
    for r in range(warmup + rounds):  # a warm-up round fills the OS file cache, then dropped
        order = list(SUBJECTS) if r % 2 == 0 else list(SUBJECTS)[::-1]
        for name in order:
            elapsed = run_once(SUBJECTS[name])
            if r >= warmup:
                samples[name].append(elapsed)
    b = {name: best(s) for name, s in samples.items()}
    for name, code in SUBJECTS.items():
        say(
            f"{code:<40} best {b[name] * 1000:7.1f} ms  "
            f"median {median(samples[name]) * 1000:7.1f} ms  ({rounds} runs)"
        )
    ratio = b["primer_nb"] / b["httpx"]
    client_ratio = b["PrimerClient"] / b["httpx"]
    heavy_pkg = loaded_heavy(SUBJECTS["primer_nb"])
    heavy_client = loaded_heavy(SUBJECTS["PrimerClient"])
    lazy_ok = not {"pandas", "ipywidgets"} & set(heavy_pkg + heavy_client)
    say(f"ratio import primer_nb / import httpx: {ratio:.2f} (goal <= 2)")
    say(f"ratio from primer_nb import PrimerClient / import httpx: {client_ratio:.2f}")
    say(f"heavy modules after `import primer_nb`: {heavy_pkg or 'none'}")
    say(f"heavy modules after `from primer_nb import PrimerClient`: {heavy_client or 'none'}")
    say(f"pandas and ipywidgets load lazily: {lazy_ok}")
    emit(
        result(
            "import_time",
            ratio,
            "<= 2",
            met=ratio <= 2 and lazy_ok,
            primer_nb_ms=b["primer_nb"] * 1000,
            httpx_ms=b["httpx"] * 1000,
            bare_python_ms=b["python"] * 1000,
            primer_client_ms=b["PrimerClient"] * 1000,
            client_import_ratio=client_ratio,
            net_ratio=(b["primer_nb"] - b["python"]) / max(1e-9, b["httpx"] - b["python"]),
            heavy_after_import=heavy_pkg,
            heavy_after_client_import=heavy_client,
            pandas_ipywidgets_lazy=lazy_ok,
            runs=rounds,
            quick=args.quick,
            python=sys.version.split()[0],
        )
    )


if __name__ == "__main__":
    main()
