"""Settings resolution (primer_nb.config): environments, URLs, versions and the key."""

from __future__ import annotations

import pytest

from primer_nb.config import (
    BASE_URLS,
    EMULATOR_KEY,
    EMULATOR_URL,
    redact,
    resolve_settings,
)
from primer_nb.errors import ConfigurationError


def test_nothing_configured_means_the_in_process_emulator() -> None:
    settings = resolve_settings(environ={})
    assert settings.environment == "emulator"
    assert settings.in_process
    assert settings.base_url == EMULATOR_URL
    assert settings.api_version == "2.4"
    assert settings.api_key == EMULATOR_KEY


def test_a_key_alone_means_the_sandbox(marker_key: str) -> None:
    settings = resolve_settings(environ={"PRIMER_API_KEY": marker_key})
    assert settings.environment == "sandbox"
    assert settings.base_url == BASE_URLS["sandbox"]
    assert not settings.in_process
    assert marker_key not in repr(settings)
    assert settings.api_key_hint == "***"


def test_base_url_points_at_a_running_emulator() -> None:
    settings = resolve_settings(environ={"PRIMER_BASE_URL": "http://127.0.0.1:8010/"})
    assert settings.environment == "emulator"
    assert settings.base_url == "http://127.0.0.1:8010"
    assert not settings.in_process


@pytest.mark.parametrize(
    "pasted",
    ["http://127.0.0.1:8010/client-session", "http://127.0.0.1:8010/client-session/"],
)
def test_the_address_the_emulator_prints_works_as_base_url(pasted: str) -> None:
    """`primer-nb emulator` prints `serving http://127.0.0.1:8010/client-session`: pasted
    whole into PRIMER_BASE_URL it means the server, not a 404 at /client-session twice."""
    settings = resolve_settings(environ={"PRIMER_BASE_URL": pasted})
    assert settings.base_url == "http://127.0.0.1:8010"
    proxied = resolve_settings(base_url="https://gateway.example/primer/client-session")
    assert proxied.base_url == "https://gateway.example/primer"


def test_arguments_win_over_environment() -> None:
    settings = resolve_settings(api_version="2.2", environ={"PRIMER_API_VERSION": "2.1"})
    assert settings.api_version == "2.2"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"environ": {"PRIMER_ENV": "production", "PRIMER_API_KEY": "k"}},
        {"environment": "production", "api_key": "k", "environ": {}},
        {"base_url": "https://api.primer.io", "api_key": "k", "environ": {}},
        {"base_url": "https://API.PRIMER.IO:443/", "api_key": "k", "environ": {}},
        # ideographic and full-width full stops: httpx's IDNA sends to api.primer.io
        {"base_url": "https://api\u3002primer\u3002io", "api_key": "k", "environ": {}},
        {"base_url": "https://api\uff0eprimer\uff0eio.", "api_key": "k", "environ": {}},
        {"environ": {"PRIMER_BASE_URL": "https://api.primer.io", "PRIMER_API_KEY": "k"}},
        {
            "base_url": "https://api.primer.io",
            "allow_production": True,
            "api_key": "k",
            "environ": {},
        },
    ],
)
def test_production_needs_the_environment_and_the_opt_in(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError, match="production"):
        resolve_settings(**kwargs)  # type: ignore[arg-type]


def test_production_with_both_opt_ins() -> None:
    settings = resolve_settings(
        environment="production", allow_production=True, api_key="k", environ={}
    )
    assert settings.base_url == BASE_URLS["production"]


@pytest.mark.parametrize(
    ("environ", "match"),
    [
        ({"PRIMER_ENV": "staging"}, "PRIMER_ENV"),
        ({"PRIMER_ENV": "sandbox"}, "API key"),
        ({"PRIMER_BASE_URL": "ftp://x"}, "http"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(environ: dict[str, str], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        resolve_settings(environ=environ)


def test_redact_replaces_every_occurrence(marker_key: str) -> None:
    assert redact(f"a {marker_key} b {marker_key}", marker_key) == "a *** b ***"
    assert redact("nothing", None) == "nothing"


def test_a_key_argument_is_stripped_like_the_environment_variable(marker_key: str) -> None:
    # what `api_key=open("key.txt").read()` passes: the trailing newline is not the key's
    settings = resolve_settings(api_key=f"  {marker_key}\n", environ={})
    assert settings.api_key == marker_key
    assert settings.environment == "sandbox"


@pytest.mark.parametrize(
    ("tail", "kind", "position"),
    [
        ("\x00", "control character", 0),
        ("\nX-Evil: 1", "control character", 0),
        ("\x7f", "control character", 0),
        ("é", "non-ASCII character", 0),
    ],
)
@pytest.mark.parametrize("source", ["api_key", "PRIMER_API_KEY"])
def test_a_key_no_header_can_carry_is_refused_without_showing_it(
    marker_key: str, tail: str, kind: str, position: int, source: str
) -> None:
    # httpx would refuse it on the first request, repeating the key as bytes in its
    # message (where redaction cannot find it), or raise a bare UnicodeEncodeError
    key = marker_key + tail
    kwargs: dict[str, object] = (
        {"api_key": key, "environ": {}} if source == "api_key" else {"environ": {source: key}}
    )
    with pytest.raises(ConfigurationError) as info:
        resolve_settings(**kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith(f"{source} has a {kind} at position {len(marker_key) + position}")
    assert marker_key not in message
    assert marker_key not in repr(info.value)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://127.0.0.1:abc", "Port could not be cast"),
        ("http://127.0.0.1:99999", "out of range"),  # the OS would wrap it to 34463
        ("http://127.0.0.1:0", "port 0"),
        ("127.0.0.1:8010", "not an http(s) URL"),
    ],
)
def test_a_broken_base_url_is_a_configuration_error_naming_its_source(
    url: str, problem: str
) -> None:
    """Not urllib's ValueError or httpx's InvalidURL from deep inside (the first cell of
    every tutorial makes a client), and no request to a port other than the one written."""
    with pytest.raises(ConfigurationError, match=r"^PRIMER_BASE_URL must be") as caught:
        resolve_settings(environ={"PRIMER_BASE_URL": url})
    assert problem in str(caught.value)
    with pytest.raises(ConfigurationError, match=r"^base_url must be"):
        resolve_settings(base_url=url, environ={})


def test_a_key_given_as_the_base_url_is_not_shown(marker_key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(environ={"PRIMER_BASE_URL": marker_key, "PRIMER_API_KEY": marker_key})
    assert marker_key not in str(caught.value) and "***" in str(caught.value)


def test_primer_api_key_in_a_broken_url_is_not_shown_when_another_key_is_given(
    marker_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`api_key=` given, PRIMER_API_KEY pasted into the URL's port: urllib's message quotes
    the port too, and neither shows the variable's key."""
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    for environ in (None, {}):
        with pytest.raises(ConfigurationError) as caught:
            resolve_settings(
                api_key="another-key", base_url=f"http://h:{marker_key}", environ=environ
            )
        assert marker_key not in str(caught.value) and "***" in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"api_version": 2.4}, r'api_version must be a str such as "2\.4", not float'),
        ({"base_url": 8000}, r"base_url must be an http\(s\) URL as a str.*not int 8000"),
        ({"environment": 1}, r"environment must be 'emulator', 'sandbox' or 'production'"),
    ],
)
def test_a_setting_of_the_wrong_type_names_its_parameter(
    kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ConfigurationError, match=match):
        resolve_settings(api_key="k", environ={}, **kwargs)  # type: ignore[arg-type]


def test_a_key_of_the_wrong_type_is_named_but_not_shown() -> None:
    with pytest.raises(ConfigurationError, match="api_key must be") as caught:
        resolve_settings(api_key=123456789, environ={})  # type: ignore[arg-type]
    assert "123456789" not in str(caught.value)


def test_an_unknown_environment_argument_is_named_as_the_argument_not_the_variable() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(environment="staging", environ={})
    assert str(caught.value).startswith("environment must be")
    assert "PRIMER_ENV" not in str(caught.value)
    with pytest.raises(ConfigurationError, match=r"^PRIMER_ENV must be .* not 'Staging'"):
        resolve_settings(environ={"PRIMER_ENV": "Staging"})


def test_primer_api_key_is_not_sent_in_clear_text_to_another_machine(marker_key: str) -> None:
    """Parity refused this; the client sent the sandbox key over plain http."""
    environ = {"PRIMER_API_KEY": marker_key, "PRIMER_BASE_URL": "http://emu.team.example:8010"}
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(environ=environ)
    assert str(caught.value).startswith(
        "PRIMER_BASE_URL http://emu.team.example would send PRIMER_API_KEY over the network"
    )
    assert marker_key not in str(caught.value)
    with pytest.raises(ConfigurationError, match=r"^base_url http://\[fd00::1\] would send"):
        resolve_settings(base_url="http://[fd00::1]:8010", environ={"PRIMER_API_KEY": "k"})
    # on this machine, over https, without the variable, or a key given in code: sent
    for url in ("http://127.0.0.1:8010", "http://localhost:8010", "https://emu.team.example"):
        assert resolve_settings(base_url=url, environ={"PRIMER_API_KEY": "k"}).api_key == "k"
    assert resolve_settings(base_url="http://emu.team.example", environ={}).default_key
    given = resolve_settings(base_url="http://emu.team.example", api_key="team", environ={})
    assert given.api_key == "team"


def test_an_empty_api_key_argument_is_refused_not_read_as_no_key() -> None:
    """`api_key=os.environ.get("MY_KEY", "")` chose the emulator without a word."""
    for blank in ("", "   ", "\n"):
        with pytest.raises(ConfigurationError, match=r"^api_key is empty or blank"):
            resolve_settings(api_key=blank, environ={"PRIMER_API_KEY": "k"})


@pytest.mark.parametrize("setting", ["PRIMER_ENV", "PRIMER_API_VERSION"])
def test_a_wrong_setting_never_shows_the_key(marker_key: str, setting: str) -> None:
    """A key pasted into the wrong variable: shown by its length (a long value), or as
    `***` (a short key the client knows); a short typo is shown as typed."""
    for environ in ({"PRIMER_API_KEY": marker_key, setting: marker_key}, {setting: marker_key}):
        with pytest.raises(ConfigurationError) as caught:
            resolve_settings(environ=environ)
        assert str(caught.value).startswith(f"{setting} must be ")
        assert f"not a text of {len(marker_key)} characters" in str(caught.value)
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(environ={"PRIMER_API_KEY": "demo", setting: "demo"})
    assert "not '***'" in str(caught.value) and "demo" not in str(caught.value)
    with pytest.raises(ConfigurationError, match=r"not 'stagng'$"):
        resolve_settings(environ={"PRIMER_ENV": "stagng"})
    with pytest.raises(ConfigurationError, match=r"^api_version must be .* not '\*\*\*'"):
        resolve_settings(api_key="k-31", api_version="k-31", environ={})


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"api_version": "v2.4"}, "api_version must be one of 2021-09-27, 2021-10-19, 2.1, "),
        ({"api_version": "v2.4"}, "not 'v2.4'; did you mean '2.4'?"),
        ({"api_version": "2021\u201109\u201127"}, "did you mean '2021-09-27'?"),
        ({"api_version": "2.40"}, "not '2.40'"),
        ({"api_version": "2,4"}, "did you mean '2.4'?"),
        ({"api_version": "x" * 200}, "not a text of 200 characters"),
        ({"api_version": ""}, "api_version is empty"),
        ({"environ": {"PRIMER_API_VERSION": "2,4"}}, "PRIMER_API_VERSION must be one of"),
    ],
)
def test_an_api_version_primer_does_not_accept_is_refused_before_sending(
    kwargs: dict[str, object], says: str
) -> None:
    """It was sent, and every call failed with a 400 (or, with a newline in it, a
    'connection error') that named neither the setting nor the values it takes."""
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(**{"environ": {}, **kwargs})  # type: ignore[arg-type]
    assert says in str(caught.value)


def test_an_api_version_argument_is_stripped_like_the_variable() -> None:
    assert resolve_settings(api_version=" 2.3\n", environ={}).api_version == "2.3"
    assert resolve_settings(environ={"PRIMER_API_VERSION": " 2.1 "}).api_version == "2.1"


def test_refusals_name_the_setting_that_was_used() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(environment="production", api_key="k", environ={})
    assert str(caught.value) == (
        "Refusing to use Primer's production API: environment='production' is set; the "
        "client also needs allow_production=True to opt in explicitly."
    )
    assert "PRIMER_ENV" not in str(caught.value)
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(environment="sandbox", environ={})
    assert "(environment='sandbox' says sandbox" in str(caught.value)
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(environ={"PRIMER_ENV": "sandbox"})
    assert "(PRIMER_ENV=sandbox says sandbox" in str(caught.value)


def test_primer_named_with_other_full_stops_is_primer() -> None:
    """`http://api。primer。io` was taken for an emulator: the key went in clear text to
    the host httpx makes of it, api.primer.io."""
    import httpx

    url = "http://api\u3002sandbox\u3002primer\u3002io"
    assert httpx.URL(url).host == "api.sandbox.primer.io"
    with pytest.raises(ConfigurationError, match="https only"):
        resolve_settings(base_url=url, api_key="k", environ={})
    settings = resolve_settings(base_url=url.replace("http:", "https:"), api_key="k", environ={})
    assert settings.environment == "sandbox"
