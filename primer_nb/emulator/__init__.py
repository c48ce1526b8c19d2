"""A faithful, stateful emulator of Primer's Client Session API.

In-process (no socket) through httpx transports, or served over HTTP by
`primer-nb emulator`:

```python
import httpx
from primer_nb.emulator import Emulator

emulator = Emulator(seed=7, start="2026-01-15T09:00:00", frozen=True)
with httpx.Client(transport=emulator.transport(), base_url="http://emulator") as http:
    answer = http.post("/client-session", json={"orderId": "o-1", "amount": 500},
                       headers={"X-API-KEY": "any", "X-API-VERSION": "2.4"})
```

The rules it follows, and where they are its own rather than Primer's, are in
`docs/emulator.md`; the modules:
`core` (the `Emulator`), `app` (routes), `validation` (checks in order), `patching`
(PATCH merges), `responses` (answer bodies), `store`, `tokens`, `clock`, `faults`,
`transport`, `loop`, `protocols` (what the app and the transports need of an
emulator), `openapi`, `process` (`EmulatorProcess`: `primer-nb emulator` run as a
subprocess on a free port, stopped by its PID).
"""

from __future__ import annotations

from primer_nb.emulator.clock import Clock
from primer_nb.emulator.core import Emulator, default_emulator
from primer_nb.emulator.faults import ConnectionDropped, Fault
from primer_nb.emulator.transport import AsyncEmulatorTransport, EmulatorTransport

__all__ = [
    "AsyncEmulatorTransport",
    "Clock",
    "ConnectionDropped",
    "Emulator",
    "EmulatorTransport",
    "Fault",
    "default_emulator",
]
