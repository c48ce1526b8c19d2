"""Fixtures for tables, ledger, batch and plots: a real `primer-nb emulator` process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
_SERVING = re.compile(r"serving (http://\S+)/client-session")


@contextmanager
def emulator_process(*args: str, timeout: float = 30.0) -> Iterator[str]:
    """Start `primer-nb emulator --port 0 ARGS...`; yield its base URL; stop it by PID."""
    command = [sys.executable, "-m", "primer_nb.cli", "emulator", "--port", "0", *args]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )
    try:
        found: list[str] = []

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                match = _SERVING.search(line)
                if match and not found:
                    found.append(match.group(1))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        deadline = timeout
        while not found and deadline > 0 and proc.poll() is None:
            threading.Event().wait(0.05)
            deadline -= 0.05
        if not found:
            raise RuntimeError(f"emulator did not start (exit code {proc.poll()})")
        yield found[0]
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def orders_csv() -> Path:
    return DATA / "orders.csv"
