"""How the currency table is built and what its errors say, pinned exactly.

`tests/test_currency.py` checks every code against Primer's tables; this file checks the
rules that build the table (ISO 4217 data, Primer's overrides, names) and the messages a
learner reads when an amount or a code is refused.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import iso4217
import pytest

from primer_nb import currency
from primer_nb.currency import (
    TooManyDecimalsError,
    UnknownCurrencyError,
    from_minor_units,
    minor_units,
    to_minor_units,
)


def test_iso_entries_are_read_by_their_iso_field_names() -> None:
    assert currency._iso_entry("USD") == ("US Dollar", 2)
    assert currency._iso_entry("JPY") == ("Yen", 0)
    assert currency._iso_entry("XAU") == ("Gold", None)  # ISO says "N.A."
    assert currency._iso_entry("ANG") == (None, None)  # withdrawn: ISO has no entry


def test_iso_entries_with_integer_or_missing_units(monkeypatch: pytest.MonkeyPatch) -> None:
    table: dict[str, dict[str, Any]] = {
        "AAA": {"CcyNm": "Alpha", "CcyMnrUnts": 3},
        "BBB": {"CcyNm": "", "CcyMnrUnts": " 2 "},
        "CCC": {"CcyMnrUnts": "N.A."},
    }
    monkeypatch.setattr(iso4217, "raw_table", table)
    assert currency._iso_entry("AAA") == ("Alpha", 3)
    assert currency._iso_entry("BBB") == (None, 2)
    assert currency._iso_entry("CCC") == (None, None)


def test_the_table_is_iso_corrected_by_primer() -> None:
    digits, names, unresolved = currency._build()
    assert unresolved == frozenset()
    assert set(digits) == set(names) == set(currency.CURRENCY_CODES + currency.SDK_ONLY_CODES)
    assert (digits["USD"], digits["JPY"], digits["KWD"], digits["VES"]) == (2, 0, 3, 2)
    assert digits["XAU"] == 0 and names["XAU"] == "Gold"  # override; ISO's name
    assert digits["BGN"] == 2 and names["BGN"] == "Bulgarian Lev"  # withdrawn: our name
    assert names["USD"] == "US Dollar"
    assert (digits, names) == (dict(currency._MINOR_UNITS), dict(currency._NAMES))


def test_a_code_iso_no_longer_has_is_unresolved_not_guessed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = dict(iso4217.raw_table)
    del table["USD"]
    monkeypatch.setattr(iso4217, "raw_table", table)
    digits, names, unresolved = currency._build()
    assert unresolved == frozenset({"USD"})
    assert "USD" not in digits and names["USD"] == "USD"  # no name either: the code itself
    monkeypatch.setattr(currency, "_UNRESOLVED", unresolved)
    monkeypatch.setattr(currency, "_MINOR_UNITS", digits)
    with pytest.raises(UnknownCurrencyError) as caught:
        minor_units("USD")
    assert str(caught.value) == (
        f"unknown currency 'USD': iso4217 {iso4217.__version__} has no minor units for it "
        "and PRIMER_OVERRIDES does not list it"
    )
    assert caught.value.code == "USD"


def test_messages_for_unknown_codes() -> None:
    with pytest.raises(UnknownCurrencyError) as caught:
        minor_units("ABC")
    assert str(caught.value) == (
        "unknown currency 'ABC': not in Primer's Currency enum or SDK currency table"
    )
    with pytest.raises(UnknownCurrencyError) as caught:
        to_minor_units("1", "usd")
    assert str(caught.value) == (
        "unknown currency 'usd': not in Primer's Currency enum or SDK currency table "
        "(codes are upper case: did you mean 'USD'?)"
    )
    assert caught.value.code == "usd"
    with pytest.raises(TypeError) as type_error:
        minor_units(840)  # type: ignore[arg-type]
    assert str(type_error.value) == "currency code must be a str, not int"


class _Code(str):
    """A str subclass: resolved through the slow path, to its plain value."""


class _PlainEnum(enum.Enum):
    """An Enum (not a StrEnum) whose values are codes."""

    KWD = "KWD"


def test_enum_members_with_code_values_resolve() -> None:
    assert minor_units(_PlainEnum.KWD) == 3  # type: ignore[arg-type]
    assert to_minor_units("1.5", _PlainEnum.KWD) == 1500  # type: ignore[arg-type]


def test_str_subclasses_resolve() -> None:
    assert minor_units(_Code("KWD")) == 3
    assert to_minor_units("1.5", _Code("KWD")) == 1500
    assert currency.format_amount(1500, _Code("KWD")) == "KWD 1.500"


def test_messages_for_refused_amounts() -> None:
    with pytest.raises(TypeError) as caught:
        to_minor_units(True, "USD")
    assert str(caught.value) == "amount must be a Decimal or str (e.g. Decimal('12.99')), not bool"
    with pytest.raises(TypeError) as caught:
        to_minor_units([1], "USD")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "amount must be a Decimal, str or int, not list; "
        "pass a Decimal or str for amounts with decimal places"
    )
    with pytest.raises(ValueError) as value_error:
        to_minor_units("Infinity", "USD")
    assert str(value_error.value) == "amount must be a finite number, not 'Infinity'"
    with pytest.raises(TypeError) as caught:
        from_minor_units(1.0, "USD")  # type: ignore[arg-type]
    assert str(caught.value) == "units must be an int, not float"


@pytest.mark.parametrize("text", ["12_99", "1_299.00", "12.9_9"])
def test_an_underscore_in_money_text_is_no_decimal_point(text: str) -> None:
    """Decimal reads Python's digit grouping: '12_99' EUR became 1299.00 EUR (129900)
    where 12.99 was meant. No spreadsheet writes an amount so: refused, saying why."""
    with pytest.raises(ValueError) as caught:
        to_minor_units(text, "EUR")
    assert str(caught.value) == (
        f"not a decimal amount: '{text}': '_' is no decimal point; write '12.99'"
    )


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1,50", "',' is no decimal point here: write '1.50' (a point, no thousands separator)"),
        ("1,299.00", "',' is no decimal point here"),
        ("€12.99", "write the number alone, without a currency sign or code, e.g. '12.99'"),
        ("12.99 EUR", "write the number alone, without a currency sign or code"),
        ("$5", "write the number alone"),
        ("1 000", "write it without spaces, e.g. '1000.50'"),
        ("\u22125", "use the digits 0-9, a point and a plain '-'"),  # a minus sign pasted
    ],
)
def test_money_text_as_people_write_it_gets_the_rule_it_breaks(text: str, hint: str) -> None:
    """`1,50`, `€12.99` or `12.99 EUR` got only "not a decimal amount", with no rule (a
    form's user sees it beside the field)."""
    with pytest.raises(ValueError) as caught:
        to_minor_units(text, "EUR")
    assert str(caught.value).startswith(f"not a decimal amount: {text!r}; {hint}")


@pytest.mark.parametrize(
    ("text", "units"),
    [("12.99", 1299), (" 12.99 ", 1299), (".5", 50), ("5.", 500), ("-3", -300), ("1e3", 100000)],
)
def test_money_text_people_write_is_read(text: str, units: int) -> None:
    assert to_minor_units(text, "EUR") == units


@pytest.mark.parametrize(
    ("amount", "code", "places"),
    [
        ("1.2340", "USD", 3),
        ("1.2300", "JPY", 2),
        ("0.5", "JPY", 1),
        ("1.23450", "KWD", 4),
        ("1.2340000000000000000000000000", "USD", 3),  # beyond a float's precision
    ],
)
def test_too_many_places_names_the_places_without_trailing_zeros(
    amount: str, code: str, places: int
) -> None:
    assert "TooManyDecimalsError" in currency.__all__
    with pytest.raises(TooManyDecimalsError) as caught:  # a ValueError
        to_minor_units(amount, code)
    digits = minor_units(code)
    assert (caught.value.code, caught.value.digits, caught.value.places) == (code, digits, places)
    assert isinstance(caught.value, ValueError)
    # the amount as typed, and without its trailing zeros when it has some ("1.2340" has 3)
    written = Decimal(amount)
    shown = f"{written} (that is {written.normalize():f})" if amount.endswith("0") else amount
    assert str(caught.value) == (
        f"{code} has {digits} minor units (decimal places); {shown} has {places}. "
        "Round it explicitly (e.g. with Decimal.quantize) if that is what you mean."
    )


def test_trailing_zeros_beyond_the_currency_digits_are_exact() -> None:
    assert to_minor_units("1.0000", "USD") == 100
    assert to_minor_units("12.000", "JPY") == 12
    assert to_minor_units("-3.1000", "USD") == -310
    # an int, as the API takes (a float would be sent as 100.0), and exact past 2**53
    assert all(type(to_minor_units(a, "USD")) is int for a in ("1.0000", Decimal("2.500")))
    assert to_minor_units("123456789012345678901.000", "USD") == 12345678901234567890100


def test_the_size_limit_is_exactly_4300_digits() -> None:
    assert to_minor_units("1e4297", "USD") == 10**4299  # 4300 digits: allowed
    with pytest.raises(ValueError, match="too large"):
        to_minor_units("1e4298", "USD")
    with pytest.raises(ValueError, match="too large"):
        to_minor_units("1e5000", "USD")
    assert to_minor_units("0e5000", "USD") == 0  # zero is never too large


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        (Decimal("1e4299"), "USD", "4300 digits before the decimal point (at most 4298)"),
        ("1e4297", "KWD", "4298 digits before the decimal point (at most 4297)"),
    ],
)
def test_a_too_large_amount_names_its_digits_and_the_currency_s_limit(
    amount: Decimal | str, code: str, message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        to_minor_units(amount, code)
    assert str(caught.value) == f"amount is too large: {message}"


def test_too_many_decimals_copies_and_pickles_with_its_fields() -> None:
    """A conversion in a process pool failed with `__init__() missing 3 arguments`."""
    import copy
    import pickle

    with pytest.raises(TooManyDecimalsError) as caught:
        to_minor_units("1.005", "USD")
    for again in (copy.copy(caught.value), pickle.loads(pickle.dumps(caught.value))):
        assert type(again) is TooManyDecimalsError
        assert str(again) == str(caught.value)
        assert (again.code, again.digits, again.places) == ("USD", 2, 3)
        assert again.problem == caught.value.problem
