"""`EmulatorProcess`: a real `primer-nb emulator` child process, started and stopped by PID."""

from __future__ import annotations

import os

import pytest

from primer_nb.client import PrimerClient
from primer_nb.emulator.process import EmulatorProcess
from primer_nb.errors import AuthenticationError


def test_serves_until_stopped_and_stops_by_pid(marker_key: str) -> None:
    server = EmulatorProcess(api_keys=[marker_key], extra_args=["--seed", "3"])
    assert repr(server) == "EmulatorProcess(not started)"
    with server:
        assert server.url.startswith("http://127.0.0.1:")
        assert repr(server) == f"EmulatorProcess(url={server.url!r})"
        with PrimerClient(api_key=marker_key, base_url=server.url) as client:
            session = client.create_session({"orderId": "proc-1", "amount": 100})
            assert client.get_session(session.client_token).order_id == "proc-1"
        with (
            PrimerClient(api_key="another-key", base_url=server.url) as client,
            pytest.raises(AuthenticationError),
        ):
            client.get_session(session.client_token)
        pid = server.pid
    assert server.stop() == 0  # SIGTERM is a clean stop
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not any(marker_key in line for line in server.output)


def test_keys_reach_the_server_through_its_environment_not_its_command_line(
    marker_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every local user can read a command line (`ps`); the keys travel in the environment
    monkeypatch.setenv("PRIMER_NB_EMULATOR_KEYS", "a-key-of-the-parent")  # not inherited
    with EmulatorProcess(api_keys=[marker_key, "second-key"]) as server:
        assert not any(marker_key in part for part in server.command)
        with open(f"/proc/{server.pid}/cmdline", "rb") as cmdline:
            assert marker_key.encode() not in cmdline.read()
        for key, works in (
            (marker_key, True),
            ("second-key", True),
            ("a-key-of-the-parent", False),
        ):
            with PrimerClient(api_key=key, base_url=server.url) as client:
                if works:
                    client.create_session({"orderId": "proc-keys", "amount": 1})
                else:
                    with pytest.raises(AuthenticationError):
                        client.create_session({"orderId": "proc-keys", "amount": 1})
    with (
        EmulatorProcess() as open_server,
        PrimerClient(api_key="any", base_url=open_server.url) as c,
    ):
        c.create_session({"orderId": "proc-open", "amount": 1})  # no keys given: open, as before


@pytest.mark.parametrize(
    ("keys", "rule"),
    [
        ([""], "api_keys[0]: an API key must not be empty or blank"),
        (["fine", "two\nkeys"], "api_keys[1]: an API key has a control character at position 3"),
        (["fine", " padded"], "api_keys[1]: an API key must not have surrounding whitespace"),
    ],
)
def test_keys_a_server_cannot_take_are_refused_before_it_starts(keys: list[str], rule: str) -> None:
    # an empty key would leave the variable unset (an open server); a line break would
    # turn one key into two: both are refused here, with the emulator's own words
    with pytest.raises(ValueError) as info:
        EmulatorProcess(api_keys=keys)
    assert str(info.value).startswith(rule)


def test_a_server_that_cannot_start_is_reported() -> None:
    server = EmulatorProcess(extra_args=["--start", "not-a-date"], startup_timeout=20)
    with pytest.raises(RuntimeError, match="did not start"):
        server.start()
