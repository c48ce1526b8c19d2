"""Run `primer-nb emulator` as a child process, for code that needs a real HTTP server.

```python
from primer_nb import PrimerClient
from primer_nb.emulator.process import EmulatorProcess

with EmulatorProcess(latency=0.05) as server:       # free 127.0.0.1 port
    client = PrimerClient(base_url=server.url)     # like PRIMER_BASE_URL=server.url
    client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 100})
# stopped by PID (SIGTERM, then SIGKILL if it does not exit)
```

The server's output is drained by a thread (a full pipe would stall it) and kept in
`output` for error messages.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable

from primer_nb.config import EMULATOR_KEYS_VARIABLE, configured_keys

__all__ = ["EmulatorProcess"]

_SERVING = re.compile(r"serving (http://\S+)/client-session")


class EmulatorProcess:
    """`primer-nb emulator --port 0 ...` in a subprocess; `url` is its base URL once started."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        api_keys: Iterable[str] = (),
        extra_args: Iterable[str] = (),
        startup_timeout: float = 30.0,
    ) -> None:
        self.command = [sys.executable, "-m", "primer_nb.cli", "emulator", "--port", "0"]
        if latency:
            self.command += ["--latency", str(latency)]
        self.command += list(extra_args)
        # the keys go through the environment, not the command line `ps` shows everyone;
        # checked here, as the server would, so a bad one fails now and not in the child
        self._keys = "\n".join(configured_keys(api_keys))
        self.startup_timeout = startup_timeout
        self.url = ""
        self.output: list[str] = []
        self._process: subprocess.Popen[str] | None = None

    def _environment(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # the keys given here, not ones the parent happens to have
        env.pop(EMULATOR_KEYS_VARIABLE, None)
        if self._keys:
            env[EMULATOR_KEYS_VARIABLE] = self._keys
        return env

    @property
    def pid(self) -> int:
        """The server's process id (0 before `start()`)."""
        return self._process.pid if self._process is not None else 0

    def start(self) -> EmulatorProcess:
        """Start the server and wait until it prints the URL it serves."""
        process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=self._environment(),
        )
        self._process = process
        ready = threading.Event()

        def drain() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.output.append(line.rstrip())
                match = _SERVING.search(line)
                if match and not ready.is_set():
                    self.url = match.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        if not ready.wait(self.startup_timeout) or not self.url:
            self.stop()
            tail = "\n".join(self.output[-20:])
            raise RuntimeError(f"primer-nb emulator did not start:\n{tail}")
        return self

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM by PID, then SIGKILL after `timeout` seconds; returns the exit code."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            try:
                os.kill(process.pid, signal.SIGTERM)
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=timeout)
            except ProcessLookupError:
                pass
        return process.returncode

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"url={self.url!r}" if self.url else "not started"
        return f"EmulatorProcess({state})"
