"""`primer_nb.tutorial.tutorial_client`: the notebooks' one set-up call."""

from __future__ import annotations

import inspect
import warnings

import pytest

from primer_nb.emulator import Emulator
from primer_nb.tutorial import (
    EmulatorOptions,
    backend_line,
    quiet_third_party_warnings,
    tutorial_client,
)


def test_default_is_the_frozen_in_process_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    client = tutorial_client()
    out = capsys.readouterr().out
    assert client.emulator is not None
    assert client.environment == "emulator"
    assert out == (
        "Backend: in-process emulator (seed 7, clock frozen at 2026-01-15 09:00:00 UTC). "
        "Set PRIMER_API_KEY to use Primer's sandbox instead.\n"
    )


def test_emulator_clock_is_frozen_at_start(capsys: pytest.CaptureFixture[str]) -> None:
    client = tutorial_client(seed=3, start="2030-02-01T12:30:00")
    assert client.emulator is not None
    first = client.emulator.clock.now()
    second = client.emulator.clock.now()
    assert first == second
    assert "seed 3, clock frozen at 2030-02-01 12:30:00 UTC" in capsys.readouterr().out


def test_same_seed_same_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    body = {"orderId": "o-1", "currencyCode": "EUR", "amount": 100}
    tokens = [tutorial_client().create_session(body).client_token for _ in range(2)]
    assert tokens[0] == tokens[1]


def test_emulator_options_are_passed_on(capsys: pytest.CaptureFixture[str]) -> None:
    client = tutorial_client(tax_connection=False)
    session = client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 100})
    assert not session.warnings


def test_frozen_must_be_a_bool_not_a_word_read_the_other_way(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`frozen="no"` went through bool() before the emulator's check, and froze the clock."""
    with pytest.raises(TypeError, match="frozen must be True or False, not str 'no'"):
        tutorial_client(frozen="no")  # type: ignore[arg-type]
    assert capsys.readouterr().out == ""  # no backend line for a client never made


def test_unfrozen_clock_is_said(capsys: pytest.CaptureFixture[str]) -> None:
    tutorial_client(frozen=False)
    assert "clock started at 2026-01-15 09:00:00 UTC" in capsys.readouterr().out


def test_api_key_selects_the_sandbox_and_is_never_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], marker_key: str
) -> None:
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    client = tutorial_client()  # no request is made: constructing a client is offline
    out = capsys.readouterr().out
    assert client.environment == "sandbox"
    assert client.emulator is None
    assert out.startswith("Backend: Primer's sandbox, with the API key from PRIMER_API_KEY.")
    assert marker_key not in out
    assert "sk_" not in out
    assert marker_key not in repr(client)


def test_base_url_selects_that_server_without_its_credentials(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], marker_key: str
) -> None:
    monkeypatch.setenv("PRIMER_BASE_URL", f"http://user:{marker_key}@127.0.0.1:8010/")
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    client = tutorial_client()
    out = capsys.readouterr().out
    assert client.emulator is None
    assert "the emulator server at http://127.0.0.1:8010/ (from PRIMER_BASE_URL)" in out
    assert marker_key not in out


def test_backend_line_for_a_sandbox_client(
    monkeypatch: pytest.MonkeyPatch, marker_key: str
) -> None:
    from primer_nb.client import PrimerClient

    client = PrimerClient(marker_key)
    line = backend_line(client)
    assert line.startswith("Backend: Primer's sandbox")
    assert marker_key not in line


def test_third_party_deprecations_are_silenced_ours_are_not() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_third_party_warnings()
        warnings.warn_explicit("old", DeprecationWarning, "x.py", 1, module="dateutil.tz")
        warnings.warn_explicit("old", DeprecationWarning, "x.py", 1, module="jupyter_client.x")
        warnings.warn_explicit("ours", DeprecationWarning, "x.py", 1, module="primer_nb.client")
        warnings.warn_explicit("typo", UserWarning, "x.py", 1, module="pandas")
    assert [str(w.message) for w in caught] == ["ours", "typo"]


def test_emulator_options_name_every_option_of_the_emulator() -> None:
    """`tutorial_client(**options)` is typed by EmulatorOptions: it must follow `Emulator`."""
    params = inspect.signature(Emulator.__init__).parameters
    keywords = {n for n, p in params.items() if p.kind is p.KEYWORD_ONLY} - {"seed", "start"}
    assert EmulatorOptions.__optional_keys__ == keywords
    assert EmulatorOptions.__required_keys__ == frozenset()


def test_primer_env_emulator_with_a_key_in_the_shell_is_the_seeded_emulator(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], marker_key: str
) -> None:
    """A learner who keeps the sandbox key in their shell profile and works offline: the
    notebooks ran unseeded and unfrozen, and the line said to set the key already set."""
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    monkeypatch.setenv("PRIMER_ENV", "emulator")
    client = tutorial_client(seed=8)
    assert client.emulator is not None and client.emulator.clock.frozen
    assert capsys.readouterr().out == (
        "Backend: in-process emulator (seed 8, clock frozen at 2026-01-15 09:00:00 UTC). "
        "PRIMER_ENV=emulator chose it: unset PRIMER_ENV to use Primer's sandbox.\n"
    )


def test_primer_env_sandbox_without_a_key_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from primer_nb.errors import ConfigurationError

    monkeypatch.setenv("PRIMER_ENV", "sandbox")
    with pytest.raises(ConfigurationError, match="The sandbox environment needs an API key"):
        tutorial_client()


def test_primer_env_emulator_without_a_key_says_to_set_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The advice "unset PRIMER_ENV to use the sandbox" was false without a key."""
    monkeypatch.delenv("PRIMER_API_KEY", raising=False)
    monkeypatch.setenv("PRIMER_ENV", "emulator")
    tutorial_client()
    assert capsys.readouterr().out.endswith(
        "Set PRIMER_API_KEY (and unset PRIMER_ENV) to use Primer's sandbox instead.\n"
    )
