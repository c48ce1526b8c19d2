"""P5: `from primer_nb import PrimerClient` vs `import httpx`, in fresh interpreters (goal <= 1.5).

The import every notebook makes, as users pay it. Each sample is the wall time of
`python -c "<import>"` in a new process, baseline and subject alternating, best of N.
Interpreter start-up is in both sides, which pulls a ratio above 1 toward 1: `net_ratio`,
without it, must meet the goal too.

Details:
- `import primer_nb` alone (public names load lazily: nothing heavy);
- which heavy modules each import leaves in `sys.modules` (pandas and ipywidgets must not
  be there: that is part of the goal);
- `client_ratio`: the import and `PrimerClient()` against `import httpx; httpx.Client()`.
  The import stays cheap because pydantic, the models and the in-process emulator load
  when the first client is made, and that client brings an emulator (Starlette, the
  models) where `httpx.Client()` brings no server: about 2.3 here. A notebook pays it on
  its first cell;
- the first `create_session` after the import, so that a cheaper import is not bought with
  a slower first call: in a fresh process, `PrimerClient()` (in-process emulator) and the
  first and second `create_session`, timed inside the process, for the README's plain
  request and for a full one (customer with an email address, metadata, options).

    python benchmarks/import_time.py [--quick]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from _common import PYTHON, REQUEST, ROOT, best, emit, median, parse_args, result, say

GOAL = "<= 1.5"
HEAVY = (
    "pandas",
    "ipywidgets",
    "matplotlib",
    "numpy",
    "starlette",
    "uvicorn",
    "jwt",
    "pydantic_core",
    "email_validator",
)

SUBJECTS: dict[str, str] = {
    "python": "pass",
    "httpx": "import httpx",
    "primer_nb": "import primer_nb",
    "PrimerClient": "from primer_nb import PrimerClient",
    "httpx.Client()": "import httpx; httpx.Client()",
    "PrimerClient()": "from primer_nb import PrimerClient; PrimerClient()",
}

#: The README's ten-line example's request: what a plain create sends.
PLAIN_REQUEST = {
    "orderId": "order-1",
    "currencyCode": "EUR",
    "order": {"lineItems": [{"amount": 1299, "quantity": 2}]},
}

_FIRST_CREATE = """
import json, time
t0 = time.perf_counter()
from primer_nb import PrimerClient
t1 = time.perf_counter()
client = PrimerClient()
t2 = time.perf_counter()
client.create_session(json.loads({request!r}))
t3 = time.perf_counter()
client.create_session(json.loads({request!r}))
t4 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, t4 - t3]))
"""
STAGES = ("import", "client", "first_create", "second_create")


#: As on a user's machine, imports write bytecode (the warm-up round writes it; this VM's
#: environment may set PYTHONDONTWRITEBYTECODE, which would time compiling, not importing).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([PYTHON, "-c", code], check=True, cwd=ROOT, env=ENV)
    return time.perf_counter() - start


def loaded_heavy(code: str) -> list[str]:
    """Which HEAVY modules are in `sys.modules` after running `code` in a fresh process."""
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [PYTHON, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT, env=ENV
    ).stdout
    found: list[str] = json.loads(out.strip().splitlines()[-1])
    return found


def first_create(request: dict[str, object], rounds: int) -> dict[str, float]:
    """Best seconds of each stage (import, PrimerClient(), 1st and 2nd create) over rounds."""
    code = _FIRST_CREATE.format(request=json.dumps(request))
    samples: list[list[float]] = []
    for _ in range(rounds):
        out = subprocess.run(
            [PYTHON, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT, env=ENV
        ).stdout
        samples.append(json.loads(out.strip().splitlines()[-1]))
    stages = {name: min(s[i] for s in samples) for i, name in enumerate(STAGES)}
    stages["import_to_first_session"] = min(sum(s[:3]) for s in samples)
    return stages


def main() -> None:
    args = parse_args(__doc__ or "")
    rounds, warmup = (1, 0) if args.quick else (21, 1)
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
    ratio = b["PrimerClient"] / b["httpx"]
    net_ratio = (b["PrimerClient"] - b["python"]) / max(1e-9, b["httpx"] - b["python"])
    client_ratio = b["PrimerClient()"] / b["httpx.Client()"]
    package_ratio = b["primer_nb"] / b["httpx"]
    heavy_pkg = loaded_heavy(SUBJECTS["primer_nb"])
    heavy_client = loaded_heavy(SUBJECTS["PrimerClient"])
    lazy_ok = not {"pandas", "ipywidgets"} & set(heavy_pkg + heavy_client)
    say(f"ratio from primer_nb import PrimerClient / import httpx: {ratio:.2f} (goal {GOAL})")
    say(f"net of interpreter start-up: {net_ratio:.2f} (goal {GOAL} too)")
    say(
        f"with the client made (PrimerClient() brings the in-process emulator; "
        f"httpx.Client() no server): {client_ratio:.2f}"
    )
    say(f"ratio import primer_nb / import httpx: {package_ratio:.2f}")
    say(f"heavy modules after `import primer_nb`: {heavy_pkg or 'none'}")
    say(f"heavy modules after `from primer_nb import PrimerClient`: {heavy_client or 'none'}")
    say(f"pandas and ipywidgets load lazily: {lazy_ok}")
    plain = first_create(PLAIN_REQUEST, max(1, rounds // 2))
    full = first_create(REQUEST, max(1, rounds // 2))
    for label, stages in (("plain request", plain), ("full request", full)):
        say(
            f"{label}: import {stages['import'] * 1000:.1f} ms, PrimerClient() "
            f"{stages['client'] * 1000:.1f} ms, 1st create {stages['first_create'] * 1000:.1f} ms,"
            f" 2nd create {stages['second_create'] * 1000:.1f} ms"
            f" (import to first session {stages['import_to_first_session'] * 1000:.1f} ms, best)"
        )
    emit(
        result(
            "import_time",
            ratio,
            GOAL,
            met=ratio <= 1.5 and net_ratio <= 1.5 and lazy_ok,
            subject="from primer_nb import PrimerClient",
            baseline="import httpx",
            primer_client_ms=b["PrimerClient"] * 1000,
            httpx_ms=b["httpx"] * 1000,
            bare_python_ms=b["python"] * 1000,
            net_ratio=net_ratio,
            client_ratio=client_ratio,
            primer_nb_ms=b["primer_nb"] * 1000,
            import_primer_nb_ratio=package_ratio,
            heavy_after_import=heavy_pkg,
            heavy_after_client_import=heavy_client,
            pandas_ipywidgets_lazy=lazy_ok,
            client_construct_ms=plain["client"] * 1000,
            first_create_ms=plain["first_create"] * 1000,
            second_create_ms=plain["second_create"] * 1000,
            import_to_first_session_ms=plain["import_to_first_session"] * 1000,
            full_request_first_create_ms=full["first_create"] * 1000,
            full_request_import_to_first_session_ms=full["import_to_first_session"] * 1000,
            runs=rounds,
            quick=args.quick,
            python=sys.version.split()[0],
        )
    )


if __name__ == "__main__":
    main()
