"""Helpers shared by the benchmark scripts (not a benchmark itself).

- `parse_args`: every script takes `--quick` (tiny counts, for tests) and `--json-only`.
- `interleaved`: time several callables round after round, alternating, so a noisy
  machine slows baseline and subject alike; `best` / `median` summarise the samples.
- `Server`, `start_emulator`, `start_echo_server`: run a server as a subprocess on a free
  127.0.0.1 port, wait for its "serving http://..." line, stop it by PID.
- `result` / `emit`: the closing JSON line every script prints last, e.g.
  `{"benchmark": "client_overhead", "ratio": 1.12, "goal": "<= 1.3", "met": true, ...}`.

Scripts import it as `from _common import ...`: Python puts the script's own folder
(`benchmarks/`) first on `sys.path`.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
#: The interpreter running the benchmark (the project's venv when run as documented).
PYTHON = sys.executable
#: The API key the benchmark servers accept; a benchmark-only value, never a real key.
BENCH_KEY = "bench-key-not-a-secret"
SERVING = re.compile(r"serving (http://[^\s/]+)(/\S*)?")
_QUIET = False

#: A realistic create request: an order with line items, a customer, metadata, options.
REQUEST: dict[str, Any] = {
    "orderId": "order-bench-1",
    "currencyCode": "EUR",
    "customerId": "customer-123",
    "customer": {
        "emailAddress": "jane@example.com",
        "firstName": "Jane",
        "lastName": "Doe",
        "billingAddress": {
            "addressLine1": "1 Rue de Rivoli",
            "city": "Paris",
            "postalCode": "75001",
            "countryCode": "FR",
        },
    },
    "order": {
        "countryCode": "FR",
        "lineItems": [
            {"itemId": "shoe-1", "description": "Blue shoe", "amount": 4999, "quantity": 1},
            {"itemId": "sock-2", "description": "Red socks", "amount": 799, "quantity": 3},
            {"itemId": "lace-3", "description": "Laces", "amount": 199, "quantity": 2},
        ],
    },
    "metadata": {"productType": "Shoes", "campaign": "bench"},
    "paymentMethod": {"vaultOnSuccess": False, "paymentType": "FIRST_PAYMENT"},
}


# --- command line ------------------------------------------------------------------------


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """`--quick` for tiny counts (the test suite uses it); `--json-only` for less output."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="tiny counts: a smoke run only")
    parser.add_argument("--json-only", action="store_true", help="print only the closing JSON line")
    args = parser.parse_args(argv)
    global _QUIET
    _QUIET = bool(args.json_only)
    return args


def say(line: str) -> None:
    """A human-readable line (suppressed by `--json-only`)."""
    if not _QUIET:
        print(line, flush=True)


# --- timing ------------------------------------------------------------------------------


def interleaved(
    subjects: Mapping[str, Callable[[], object]],
    *,
    rounds: int,
    number: int,
    warmup: int = 1,
    timer: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Seconds per call of each subject, one sample per round, subjects alternating.

    Each round times `number` calls of every subject in turn (the order flips every
    round, so neither side always runs first); `warmup` rounds are run and discarded.
    `timer=time.process_time` counts this process's CPU time (all its threads) instead
    of wall time: steadier when other processes compete for the cores.
    """
    names = list(subjects)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(warmup + rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            fn = subjects[name]
            start = timer()
            for _ in range(number):
                fn()
            elapsed = (timer() - start) / number
            if r >= warmup:
                samples[name].append(elapsed)
    return samples


def best(samples: Sequence[float]) -> float:
    return min(samples)


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def wall(fn: Callable[[], object]) -> float:
    """Seconds one call of `fn` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- servers as subprocesses -------------------------------------------------------------


@dataclass
class Server:
    """A server subprocess; `url` is its base URL (`http://127.0.0.1:PORT`)."""

    process: subprocess.Popen[str]
    url: str = ""
    output: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        """SIGINT (uvicorn's graceful stop), then SIGKILL: by this process's PID only."""
        if self.process.poll() is None:
            try:
                os.kill(self.process.pid, signal.SIGINT)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
            except ProcessLookupError:
                pass

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_server(command: Sequence[str], *, timeout: float = 30.0) -> Server:
    """Run `command` and wait for a line `... serving http://HOST:PORT[/path]`.

    stdout and stderr are drained by threads (a full pipe would stall the server);
    the lines are kept in `server.output` for error messages.
    """
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    server = Server(process)
    lines: queue.Queue[str | None] = queue.Queue()

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.output.append(line.rstrip())
            lines.put(line)
        lines.put(None)

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(0.01, remaining))
        except queue.Empty:
            line = ""
        if line is None or remaining <= 0:
            server.stop()
            tail = "\n".join(server.output[-20:])
            raise RuntimeError(f"{' '.join(command)} did not start:\n{tail}")
        match = SERVING.search(line)
        if match:
            server.url = match.group(1)
            return server


def primer_nb_command() -> list[str]:
    """The `primer-nb` console script of this interpreter's environment."""
    script = Path(PYTHON).parent / "primer-nb"
    if script.exists():
        return [str(script)]
    found = shutil.which("primer-nb")
    if found:
        return [found]
    return [PYTHON, "-m", "primer_nb.cli"]


def start_emulator(*, latency: float | None = None, api_key: str = BENCH_KEY) -> Server:
    """`primer-nb emulator --port 0` on 127.0.0.1; `server.url` is its base URL."""
    command = [*primer_nb_command(), "emulator", "--port", "0", "--api-key", api_key]
    if latency is not None:
        command += ["--latency", str(latency)]
    return start_server(command)


def start_echo_server() -> Server:
    """`benchmarks/_echo_server.py`: a bare Starlette JSON echo on uvicorn, port 0."""
    return start_server([PYTHON, str(BENCHMARKS / "_echo_server.py"), "--port", "0"])


# --- the closing line --------------------------------------------------------------------


def result(
    benchmark: str,
    ratio: float | None,
    goal: str,
    met: bool | None = None,
    **details: Any,
) -> dict[str, Any]:
    """The closing record; `met` is computed from `goal` (`"<= 1.3"`, `">= 0.5"`, ...)."""
    if met is None:
        met = ratio is not None and goal_met(ratio, goal)
    out: dict[str, Any] = {
        "benchmark": benchmark,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "goal": goal,
        "met": met,
    }
    for key, value in details.items():
        out[key] = round(value, 4) if isinstance(value, float) else value
    return out


def goal_met(ratio: float, goal: str) -> bool:
    op, _, value = goal.partition(" ")
    target = float(value)
    checks: dict[str, Callable[[float, float], bool]] = {
        "<=": lambda a, b: a <= b,
        "<": lambda a, b: a < b,
        ">=": lambda a, b: a >= b,
        ">": lambda a, b: a > b,
    }
    return checks[op](ratio, target)


def emit(record: Mapping[str, Any]) -> None:
    """Print the closing JSON line (always, even with `--json-only`)."""
    print(json.dumps(dict(record)), flush=True)


def last_json_line(text: str) -> dict[str, Any] | None:
    """The last line of `text` that parses as a JSON object, or None."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
        if line:
            return None
    return None
