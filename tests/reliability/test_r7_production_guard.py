"""R7 production guard: no configuration path reaches Primer's production host without
`environment="production"` (or `PRIMER_ENV=production`) AND `allow_production=True`.

Every client here talks through an `httpx.MockTransport` that records the hosts it is
asked for, so nothing leaves the machine. A refused configuration must raise
`ConfigurationError` from the constructor, before any request; an accepted one is driven
through create / get / update / request and must never ask for the production host.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from primer_nb.client import AsyncPrimerClient, PrimerClient
from primer_nb.config import resolve_settings
from primer_nb.errors import ConfigurationError, PrimerError
from tests.conftest import MARKER_KEY

PRODUCTION = "api.primer.io"

#: Ways of writing Primer's production URL. Each must be refused without the opt-in.
PRODUCTION_URLS = [
    "https://api.primer.io",
    "https://api.primer.io/",
    "HTTPS://API.PRIMER.IO",
    "https://Api.Primer.Io/",
    "https://api.primer.io:443",
    "https://api.primer.io:443/",
    "https://api.primer.io:8443",
    "https://api.primer.io/client-session",
    "https://api.primer.io/v2/some/trailing/path/",
    "http://api.primer.io",
    "http://API.primer.io:80/",
    "https://api.primer.io?x=1",
    "https://user:pw@api.primer.io",
    "https://api.primer.io//",
]
#: The fully-qualified spelling: DNS resolves it to the same production host.
TRAILING_DOT_URLS = ["https://api.primer.io.", "HTTPS://API.PRIMER.IO.:443/x"]
OTHER_URLS = [
    "https://api.sandbox.primer.io",
    "http://127.0.0.1:8010",
    "http://localhost:8010/",
]
ENVIRONMENTS = [None, "emulator", "sandbox", "production", "PRODUCTION", "Sandbox"]


def normal_host(host: str) -> str:
    return host.lower().rstrip(".")


def is_production(host: str) -> bool:
    return normal_host(host) == PRODUCTION


class Recorder:
    """A MockTransport (sync and async) answering 200 with a plausible session."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        return httpx.Response(
            200,
            json={
                "clientToken": "tok",
                "clientTokenExpirationDate": "2030-01-01T00:00:00",
                "orderId": "o-1",
                "currencyCode": "EUR",
                "amount": 100,
            },
        )

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def async_transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    @property
    def production_hits(self) -> list[str]:
        return [h for h in self.hosts if is_production(h)]


def drive(client: PrimerClient) -> None:
    """Every request path of the client; errors after sending do not matter here."""
    calls: list[Any] = [
        lambda: client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 100}),
        lambda: client.get_session("tok"),
        lambda: client.update_session("tok", {"amount": 200}),
        lambda: client.request("GET", "/client-session", params={"clientToken": "tok"}),
    ]
    for call in calls:
        with contextlib.suppress(PrimerError):
            call()


def attempt(
    monkeypatch: pytest.MonkeyPatch,
    *,
    env: dict[str, str],
    kwargs: dict[str, Any],
) -> tuple[str, Recorder]:
    """Build a client from `env` + `kwargs` and drive it: 'refused' or 'built'."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    recorder = Recorder()
    try:
        client = PrimerClient(transport=recorder.transport(), max_retries=0, **kwargs)
    except ConfigurationError:
        assert recorder.hosts == [], "a request was made before ConfigurationError"
        return "refused", recorder
    finally:
        for name in env:
            monkeypatch.delenv(name, raising=False)
    with client:
        drive(client)
    return "built", recorder


def opted_in(environment: str | None, allow: bool) -> bool:
    return allow and (environment or "").lower() == "production"


def configurations() -> Iterator[tuple[dict[str, str], dict[str, Any], bool]]:
    """(env vars, constructor kwargs, whether production is explicitly opted into)."""
    urls: list[str | None] = [None, *PRODUCTION_URLS, *OTHER_URLS]
    keys: list[str | None] = [None, MARKER_KEY]
    for env_name, url, key, allow in itertools.product(ENVIRONMENTS, urls, keys, [False, True]):
        # Each setting either as an argument or as its environment variable.
        for env_src, url_src, key_src in itertools.product(("arg", "env"), repeat=3):
            env: dict[str, str] = {}
            kwargs: dict[str, Any] = {"allow_production": allow}
            if env_name is not None:
                if env_src == "arg":
                    kwargs["environment"] = env_name
                else:
                    env["PRIMER_ENV"] = env_name
            if url is not None:
                if url_src == "arg":
                    kwargs["base_url"] = url
                else:
                    env["PRIMER_BASE_URL"] = url
            if key is not None:
                if key_src == "arg":
                    kwargs["api_key"] = key
                else:
                    env["PRIMER_API_KEY"] = key
            yield env, kwargs, opted_in(env_name, allow)


def test_no_configuration_reaches_production_without_opt_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole grid: environments x URLs x key x allow flag x (argument | env var)."""
    seen: set[str] = set()
    checked = refused = 0
    leaks: list[str] = []
    for env, kwargs, allowed in configurations():
        label = repr((sorted(env.items()), sorted(kwargs.items())))
        if label in seen:
            continue
        seen.add(label)
        outcome, recorder = attempt(monkeypatch, env=env, kwargs=kwargs)
        checked += 1
        refused += outcome == "refused"
        if recorder.production_hits and not allowed:
            leaks.append(label.replace(MARKER_KEY, "<key>"))
    print(f"R7: {checked} configurations, {refused} refused, {len(leaks)} reached production")
    assert checked > 1000
    assert leaks == []


@pytest.mark.parametrize("url", PRODUCTION_URLS)
@pytest.mark.parametrize("source", ["arg", "env"])
def test_production_url_refused_before_any_request(
    monkeypatch: pytest.MonkeyPatch, url: str, source: str
) -> None:
    kwargs: dict[str, Any] = {"api_key": MARKER_KEY}
    env = {"PRIMER_BASE_URL": url} if source == "env" else {}
    if source == "arg":
        kwargs["base_url"] = url
    for environment in (None, "sandbox", "emulator"):
        outcome, recorder = attempt(
            monkeypatch, env=env, kwargs={**kwargs, "environment": environment}
        )
        assert outcome == "refused", (url, environment)
        assert recorder.hosts == []
    # Naming production without the flag in code is not enough either.
    outcome, _ = attempt(monkeypatch, env={**env, "PRIMER_ENV": "production"}, kwargs=kwargs)
    assert outcome == "refused"


@pytest.mark.parametrize("url", TRAILING_DOT_URLS)
def test_fully_qualified_production_host_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    outcome, recorder = attempt(
        monkeypatch, env={}, kwargs={"api_key": MARKER_KEY, "base_url": url}
    )
    assert outcome == "refused"
    assert recorder.production_hits == []


def test_production_environment_needs_the_flag_in_code(monkeypatch: pytest.MonkeyPatch) -> None:
    # No environment variable stands in for allow_production=True.
    for name in ("PRIMER_ALLOW_PRODUCTION", "PRIMER_NB_ALLOW_PRODUCTION"):
        monkeypatch.setenv(name, "1")
    for env in (
        {"PRIMER_ENV": "production"},
        {"PRIMER_ENV": "production", "PRIMER_BASE_URL": "https://api.primer.io"},
    ):
        outcome, recorder = attempt(
            monkeypatch, env={**env, "PRIMER_API_KEY": MARKER_KEY}, kwargs={}
        )
        assert outcome == "refused"
        assert recorder.hosts == []
    with pytest.raises(ConfigurationError):
        resolve_settings(environment="production", api_key=MARKER_KEY, environ={})


def test_explicit_opt_in_does_reach_production(monkeypatch: pytest.MonkeyPatch) -> None:
    """The positive control: the guard is not simply refusing everything."""
    outcome, recorder = attempt(
        monkeypatch,
        env={},
        kwargs={"environment": "production", "allow_production": True, "api_key": MARKER_KEY},
    )
    assert outcome == "built"
    assert recorder.hosts and all(is_production(h) for h in recorder.hosts)
    outcome, recorder = attempt(
        monkeypatch,
        env={"PRIMER_ENV": "production", "PRIMER_API_KEY": MARKER_KEY},
        kwargs={"allow_production": True},
    )
    assert outcome == "built"
    assert recorder.production_hits


def test_explicit_emulator_ignores_production_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`emulator=` wins over PRIMER_* variables: requests go to the emulator only."""
    monkeypatch.setenv("PRIMER_ENV", "production")
    monkeypatch.setenv("PRIMER_BASE_URL", "https://api.primer.io")
    monkeypatch.setenv("PRIMER_API_KEY", MARKER_KEY)
    recorder = Recorder()
    fake: Any = recorder  # duck-types the emulator's transport() / async_transport()
    with PrimerClient(emulator=fake, allow_production=True, max_retries=0) as client:
        assert client.environment == "emulator"
        drive(client)
    assert recorder.hosts and recorder.production_hits == []
    # ... but emulator= next to a production base_url argument is refused outright.
    with pytest.raises(ConfigurationError):
        PrimerClient(emulator=fake, base_url="https://api.primer.io")


def test_async_client_has_the_same_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = Recorder()
    for url in PRODUCTION_URLS[:5]:
        with pytest.raises(ConfigurationError):
            AsyncPrimerClient(
                api_key=MARKER_KEY, base_url=url, transport=recorder.async_transport()
            )
    monkeypatch.setenv("PRIMER_ENV", "production")
    monkeypatch.setenv("PRIMER_API_KEY", MARKER_KEY)
    with pytest.raises(ConfigurationError):
        AsyncPrimerClient(transport=recorder.async_transport())

    async def opted() -> None:
        async with AsyncPrimerClient(
            allow_production=True, transport=recorder.async_transport(), max_retries=0
        ) as client:
            await client.get_session("tok")

    asyncio.run(opted())
    assert recorder.hosts and all(is_production(h) for h in recorder.hosts)


def test_tutorial_client_refuses_production_from_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from primer_nb.tutorial import tutorial_client

    for env in (
        {"PRIMER_ENV": "production", "PRIMER_API_KEY": MARKER_KEY},
        {"PRIMER_BASE_URL": "https://api.primer.io/", "PRIMER_API_KEY": MARKER_KEY},
        {"PRIMER_BASE_URL": "HTTPS://API.PRIMER.IO:443"},
    ):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(ConfigurationError):
            tutorial_client()
        for name in env:
            monkeypatch.delenv(name)
    assert MARKER_KEY not in capsys.readouterr().out
