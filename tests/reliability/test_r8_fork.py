"""A client made before `os.fork()` never shares its sockets with the child.

httpx keeps connections alive; a forked child inherits them, and when parent and child
both send on one socket, answers cross: the auditor saw a child's order receive the
parent's session (and the ledger store it under the child's order id). The client opens
a pool of its own in the child, as the ledger opens its own SQLite connection.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import httpx
import pytest

from primer_nb import client as client_module
from primer_nb.client import PrimerClient
from tests.reliability.conftest import SERVER_KEY

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

ROUNDS = 40


def _creates_match(client: PrimerClient, prefix: str) -> bool:
    for n in range(ROUNDS):
        order = f"{prefix}-{n}"
        session = client.create_session({"orderId": order, "currencyCode": "EUR", "amount": 100})
        if session.order_id != order:
            return False
    return True


def test_parent_and_child_each_get_their_own_answers(emulator_server: Any) -> None:
    client = PrimerClient(api_key=SERVER_KEY, base_url=emulator_server.url, max_retries=0)
    client.create_session(
        {"orderId": "warm-up", "currencyCode": "EUR", "amount": 1}
    )  # a kept socket
    pid = os.fork()
    if pid == 0:  # the child: report by exit status only, never return into pytest
        try:
            ok = _creates_match(client, "child")
        except BaseException:
            ok = False
        sys.stdout.flush()
        os._exit(0 if ok else 1)
    try:
        parent_ok = _creates_match(client, "parent")
    finally:
        _, status = os.waitpid(pid, 0)
    assert parent_ok, "the parent received another order's session"
    assert os.waitstatus_to_exitcode(status) == 0, "the child received another order's session"
    client.close()


def test_a_fork_opens_a_new_pool_unless_the_caller_gave_the_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = PrimerClient(api_key="sk_test_key")
    given = PrimerClient(
        api_key="sk_test_key",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"orderId": "o"})),
    )
    before_own, before_given = own._http, given._http
    monkeypatch.setattr(client_module, "_forks", [client_module._forks[0] + 1])  # as in a child
    own._after_fork()
    given._after_fork()
    assert own._http is not before_own and not before_own.is_closed  # the parent's stays open
    assert given._http is before_given
