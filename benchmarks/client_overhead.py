"""P1: `PrimerClient.create_session` vs raw `httpx.Client.post` (goals: 1.15, 1.3 with a hook).

Both send the same JSON with the same headers to the same in-process emulator
(`Emulator().transport()`, no socket), so the emulator's own work is in both sides and
the ratio shows what the client adds: building the request, validating it against the
pydantic models (included: that is the client's default), retry bookkeeping, parsing
the answer into `ClientSessionWithToken`. The raw side posts and decodes the JSON
(`response.json()`), as any caller would. Rounds alternate baseline and subject; the
ratio is the median of the per-round ratios, each round's subject against the baseline
timed next to it (robust to load drifting during the run, as P2's; a best-of-rounds
ratio moved 0.79..1.20 around its goal from noise alone): `best_ratio`, of the best
per-call times, is a detail. `hook_ratio` is the
same with one hook attached, the ledger (`Ledger(<temporary file>).attach(client)`: a
SQLite row per exchange, what a user attaches); goal <= 1.3. `met` needs both goals.
The ratio with `validate=False` is a detail, and so are both ratios in CPU time
(`cpu_ratio`, `cpu_hook_ratio`: `time.process_time`, all threads of this process),
steadier than wall time when other processes compete for the cores.

`validate=False` can come out below 1.0: the client builds its request more cheaply than
`httpx.Client.post(path, json=..., headers=...)` does (its headers live on the httpx
client, the `/client-session` URL is made once, the JSON is encoded once by a ready
encoder), for the same bytes on the wire (tests/test_client_fast.py), and it skips
httpx's cookie handling for answers that set no cookie (about 20 µs a call; cookies a
server sets are still sent back). The hook's cost
is mostly SQLite's: one committed INSERT per exchange (WAL, `synchronous=NORMAL`; about
ten 1 KiB pages written per commit), which the ledger keeps so that no exchange is lost
when the process is killed. The synced checkpoint every 100 exchanges runs on the
ledger's own thread, as it does for a user: no create waits for it.

    python benchmarks/client_overhead.py [--quick]
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from _common import (
    REQUEST,
    best,
    emit,
    goal_met,
    interleaved,
    median,
    parse_args,
    result,
    say,
)

from primer_nb.client import PrimerClient
from primer_nb.config import EMULATOR_KEY, EMULATOR_URL
from primer_nb.emulator import Emulator
from primer_nb.ledger import Ledger

GOAL, HOOK_GOAL = "<= 1.15", "<= 1.3"


def main() -> None:
    args = parse_args(__doc__ or "")
    rounds, number = (2, 5) if args.quick else (9, 150)
    emulator = Emulator(seed=1)
    client = PrimerClient(emulator=emulator, max_retries=0)
    unvalidated = PrimerClient(emulator=emulator, max_retries=0, validate=False)
    folder = tempfile.TemporaryDirectory(prefix="primer-nb-p1-")
    ledger = Ledger(Path(folder.name) / "ledger.sqlite")
    hooked = PrimerClient(emulator=emulator, max_retries=0)
    ledger.attach(hooked)
    headers = client._headers()  # exactly what the client sends (version, type, key)
    assert headers.get("X-API-KEY") == EMULATOR_KEY
    raw = httpx.Client(transport=emulator.transport(), base_url=EMULATOR_URL)

    def raw_post() -> None:
        response = raw.post("/client-session", json=REQUEST, headers=headers)
        assert response.status_code == 200, response.text
        response.json()

    # Every side must really create a session (nothing short-circuits).
    before = emulator.session_count
    raw_post()
    client.create_session(REQUEST)
    unvalidated.create_session(REQUEST)
    hooked.create_session(REQUEST)
    assert emulator.session_count == before + 4
    assert len(ledger) == 1  # the hook really writes

    subjects: dict[str, Callable[[], object]] = {
        "raw httpx post": raw_post,
        "PrimerClient.create_session": lambda: client.create_session(REQUEST),
        "validate=False": lambda: unvalidated.create_session(REQUEST),
        "with the ledger hook": lambda: hooked.create_session(REQUEST),
    }
    samples = interleaved(subjects, rounds=rounds, number=number)
    # the same in CPU time of this process (client, transport thread, emulator): steadier
    # on a loaded machine, where wall time also counts waiting for a core
    cpu_rounds = max(2, rounds // 2)
    cpu = interleaved(subjects, rounds=cpu_rounds, number=number, timer=time.process_time)
    cpu_base = best(cpu["raw httpx post"])
    cpu_ratios = {name: best(s) / cpu_base for name, s in cpu.items()}
    # every side did its work all along: a hook that began to fail (a locked or full
    # disk) is logged and skipped, and would have made the hooked side faster
    calls = 1 + (1 + rounds) * number + (1 + cpu_rounds) * number  # the check, warm-ups
    assert emulator.session_count == before + 4 * calls, emulator.session_count
    assert len(ledger) == calls, (len(ledger), calls)
    base = samples["raw httpx post"]
    base_best = best(base)
    ratios = {  # the median of paired per-round ratios
        name: median([a / b for a, b in zip(s, base, strict=True)]) for name, s in samples.items()
    }
    best_ratios = {name: best(s) / base_best for name, s in samples.items()}
    for name, s in samples.items():
        say(
            f"{name:<30} best {best(s) * 1e6:8.0f} us  median {median(s) * 1e6:8.0f} us  "
            f"ratio {ratios[name]:.2f} (of the best {best_ratios[name]:.2f})"
        )
    ratio = ratios["PrimerClient.create_session"]
    hook_ratio = ratios["with the ledger hook"]
    say(f"client / raw httpx: {ratio:.2f} (goal {GOAL}); {rounds} rounds x {number} calls")
    say(f"with the ledger hook / raw httpx: {hook_ratio:.2f} (goal {HOOK_GOAL})")
    say(
        f"in CPU time: client {cpu_ratios['PrimerClient.create_session']:.2f}, "
        f"with the ledger hook {cpu_ratios['with the ledger hook']:.2f} "
        f"(raw {cpu_base * 1e6:.0f} us of CPU per create)"
    )
    for c in (client, unvalidated, hooked):
        c.close()
    raw.close()
    emulator.close()
    ledger.close()
    folder.cleanup()
    emit(
        result(
            "client_overhead",
            ratio,
            GOAL,
            met=goal_met(ratio, GOAL) and goal_met(hook_ratio, HOOK_GOAL),
            hook_ratio=hook_ratio,
            hook_goal=HOOK_GOAL,
            best_ratio=best_ratios["PrimerClient.create_session"],
            hook_best_ratio=best_ratios["with the ledger hook"],
            no_validation_ratio=ratios["validate=False"],
            cpu_ratio=cpu_ratios["PrimerClient.create_session"],
            cpu_hook_ratio=cpu_ratios["with the ledger hook"],
            raw_cpu_us=cpu_base * 1e6,
            raw_us=base_best * 1e6,
            client_us=best(samples["PrimerClient.create_session"]) * 1e6,
            client_added_us=(best(samples["PrimerClient.create_session"]) - base_best) * 1e6,
            hook_us=best(samples["with the ledger hook"]) * 1e6,
            # what the ledger adds to a create: the hooked client against the plain one
            hook_added_us=(
                best(samples["with the ledger hook"]) - best(samples["PrimerClient.create_session"])
            )
            * 1e6,
            rounds=rounds,
            calls_per_round=number,
            quick=args.quick,
        )
    )


if __name__ == "__main__":
    main()
