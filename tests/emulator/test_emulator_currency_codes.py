"""Which codes `Emulator.check_currency_code` takes, and what it says about the others.

Its docstring promises: a code of Primer's v2.4 `Currency` enum or of its disabled-by-default
list, stripped and upper-cased; a `ValueError` for any other str (the SDK-only SLE and STN
too, which the API answers 422 anyway); a `TypeError` naming the argument for a non-str, as
docs/emulator.md promises for a wrong type.
"""

from __future__ import annotations

import httpx
import pytest

from primer_nb.cli import main
from primer_nb.currency import CURRENCY_CODES, DISABLED_BY_DEFAULT
from primer_nb.emulator import Emulator
from tests.emulator.emulator_helpers import HEADERS


def test_every_enum_and_disabled_code_is_taken_stripped_and_upper_cased() -> None:
    for code in sorted({*CURRENCY_CODES, *DISABLED_BY_DEFAULT}):
        assert Emulator.check_currency_code(f" {code.lower()}\n") == code


@pytest.mark.parametrize("code", ["SLE", "STN", "ZZZ", "", "EURO"])
def test_other_codes_are_a_value_error(code: str) -> None:
    with pytest.raises(
        ValueError, match=rf"^{code!r} is not a currency code in Primer's v2.4 Currency enum"
    ):
        Emulator.check_currency_code(code)
    with pytest.raises(ValueError):
        Emulator(enabled_currencies=[code])


@pytest.mark.parametrize("code", ["SLE", "STN"])
def test_the_sdk_only_codes_it_refuses_are_refused_by_the_api_too(code: str) -> None:
    with httpx.Client(transport=Emulator().transport(), base_url="http://e") as http:
        answer = http.post("/client-session", json={"currencyCode": code}, headers=HEADERS)
    assert answer.status_code == 422
    assert answer.json()["error"]["errorId"] == "RequestValidationError"


@pytest.mark.parametrize("code", [1, None, b"HUF", ["HUF"]])
def test_a_code_that_is_not_a_str_is_a_type_error_naming_the_argument(code: object) -> None:
    kind = type(code).__name__
    with pytest.raises(TypeError) as caught:
        Emulator(enabled_currencies=["HUF", code])  # type: ignore[list-item]
    assert str(caught.value) == f"enabled_currencies[1] must be a str such as 'HUF', not {kind}"
    with pytest.raises(TypeError) as caught:
        Emulator().enable_currency(code)  # type: ignore[arg-type]
    assert str(caught.value) == f"code must be a str such as 'HUF', not {kind}"
    with pytest.raises(TypeError) as caught:
        Emulator.check_currency_code(code)  # type: ignore[arg-type]
    assert str(caught.value) == f"code must be a str such as 'HUF', not {kind}"


def test_the_cli_names_the_option_and_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "--enable-currency", "SLE"])
    assert exited.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == (
        "primer-nb emulator: error: argument --enable-currency: 'SLE' is not a currency "
        "code in Primer's v2.4 Currency enum or on its disabled-by-default list"
    )
