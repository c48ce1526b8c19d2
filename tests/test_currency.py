"""Tests for primer_nb.currency against Primer's published minor units.

The lists below are copied from client-session-api.md §10 and Appendix A and behaviour.md §5:
they are the spec. They are also checked against the copy in tests/data/primer.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal

import iso4217
import pytest
from hypothesis import given
from hypothesis import strategies as st

from primer_nb.currency import (
    CURRENCY_CODES,
    DISABLED_BY_DEFAULT,
    PRIMER_OVERRIDES,
    SDK_ONLY_CODES,
    UnknownCurrencyError,
    currency_table,
    format_amount,
    from_minor_units,
    minor_units,
    to_minor_units,
)
from tests.conftest import spec_file


def _codes(text: str) -> list[str]:
    """Codes as the spec writes them: separated by spaces."""
    return text.split()


# client-session-api.md Appendix A: Currency enum, OpenAPI v2.4, document order.
APPENDIX_A = _codes("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
BYR BYN BZD CAD CDF CHE CHF CHW CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MKD MMK MNT MOP MRO MUR
MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB
RWF SAR SBD SCR SDG SEK SGD SHP SOS SRD SSP SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH
UGX USD UYU UZS VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XFU XOF XPD XPF XPT XSU XTS XUA
YER ZAR ZMW ZWL
""")
SDK_ONLY = ["SLE", "STN", "VED", "VES"]
# §10.2, Primer's SDK table.
PRIMER_ZERO = _codes("BIF BYR CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF")
PRIMER_THREE = _codes("BHD IQD JOD KWD LYD OMR TND")
# behaviour.md §5: codes Primer's table omits.
BEHAVIOUR_ZERO = _codes("XAU XAG XPD XPT XDR XBA XBB XBC XBD XSU XTS XUA XFU")
BEHAVIOUR_TWO = ["MRO"]
# §10.3.
DISABLED = _codes(
    "BHD BIF CLP CVE GNF HUF IDR INR ISK KHR KMF MMK PYG RWF SAR UGX VED VES VND XOF XPF"
)

ALL_CODES = APPENDIX_A + SDK_ONLY


def expected_minor_units(code: str) -> int:
    if code in PRIMER_ZERO or code in BEHAVIOUR_ZERO:
        return 0
    if code in PRIMER_THREE:
        return 3
    return 2


@pytest.fixture(scope="module")
def spec_text() -> str:
    return spec_file("client-session-api.md").read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start : end if end != -1 else None]


# --- the lists themselves -------------------------------------------------------------------


def test_lists_are_consistent() -> None:
    assert len(APPENDIX_A) == 172 == len(set(APPENDIX_A))
    assert len(PRIMER_ZERO) == 17
    assert len(PRIMER_THREE) == 7
    assert not set(SDK_ONLY) & set(APPENDIX_A)
    assert set(BEHAVIOUR_ZERO + BEHAVIOUR_TWO) <= set(APPENDIX_A)
    # The SDK table: 162 codes, of which the enum-only codes are not part.
    sdk_table = set(ALL_CODES) - set(BEHAVIOUR_ZERO) - set(BEHAVIOUR_TWO)
    assert len(sdk_table) == 162
    assert set(PRIMER_ZERO + PRIMER_THREE) <= sdk_table


def test_spec_appendix_a_matches(spec_text: str) -> None:
    section = _section(spec_text, "## Appendix A")
    line = next(ln for ln in section.splitlines() if ln.startswith("AED "))
    assert line.split() == APPENDIX_A


def test_spec_minor_unit_table_matches(spec_text: str) -> None:
    section = _section(spec_text, "### 10.2")
    rows = dict(re.findall(r"^\| \*\*(\d)\*\* \(\d+\) \| ([A-Z ]+?) \|", section, re.MULTILINE))
    assert rows["0"].split() == PRIMER_ZERO
    assert rows["3"].split() == PRIMER_THREE
    two = section[section.index("| **2**") :]
    for code in SDK_ONLY:
        assert code in two


def test_spec_disabled_list_matches(spec_text: str) -> None:
    section = _section(spec_text, "### 10.3")
    first = next(ln for ln in section.splitlines() if ln.startswith("BHD"))
    listed = re.findall(r"\b[A-Z]{3}\b", first)
    assert sorted(listed) == sorted(DISABLED)


def test_public_constants() -> None:
    assert tuple(APPENDIX_A) == CURRENCY_CODES
    assert tuple(SDK_ONLY) == SDK_ONLY_CODES
    assert frozenset(DISABLED) == DISABLED_BY_DEFAULT
    assert isinstance(DISABLED_BY_DEFAULT, frozenset)


# --- minor_units ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", PRIMER_ZERO)
def test_primer_zero_digit_codes(code: str) -> None:
    assert minor_units(code) == 0


@pytest.mark.parametrize("code", PRIMER_THREE)
def test_primer_three_digit_codes(code: str) -> None:
    assert minor_units(code) == 3


@pytest.mark.parametrize("code", BEHAVIOUR_ZERO)
def test_behaviour_zero_digit_codes(code: str) -> None:
    assert minor_units(code) == 0


def test_behaviour_historic_codes() -> None:
    assert minor_units("MRO") == 2
    assert minor_units("BYR") == 0


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_code_resolves_to_primer_value(code: str) -> None:
    assert minor_units(code) == expected_minor_units(code)


def test_overrides_are_needed() -> None:
    """Each override is a code where ISO 4217 has no value or a different one, and Primer's."""
    for code, digits in PRIMER_OVERRIDES.items():
        assert code in ALL_CODES
        assert digits == expected_minor_units(code)
        entry = iso4217.raw_table.get(code)
        iso_units = None if entry is None else entry.get("CcyMnrUnts")
        assert not (isinstance(iso_units, str) and iso_units.isdigit() and int(iso_units) == digits)


def test_str_enum_member_accepted() -> None:
    class Named(str, enum.Enum):  # noqa: UP042 - the pre-StrEnum idiom, deliberately
        usd = "USD"
        KWD = "KWD"

    class Strict(enum.StrEnum):
        JPY = "JPY"

    assert minor_units(Named.usd) == 2
    assert minor_units(Named.KWD) == 3
    assert minor_units(Strict.JPY) == 0
    assert to_minor_units("12.99", Named.usd) == 1299
    assert format_amount(100, Named.usd) == "USD 1.00"


@pytest.mark.parametrize("code", ["ABC", "usd", "", "CLF", "MRU", "USDX"])
def test_unknown_codes(code: str) -> None:
    with pytest.raises(UnknownCurrencyError) as info:
        minor_units(code)
    assert isinstance(info.value, ValueError)
    assert repr(code) in str(info.value)
    assert info.value.code == code


def test_unknown_code_in_conversions() -> None:
    with pytest.raises(UnknownCurrencyError, match="ABC"):
        to_minor_units("1", "ABC")
    with pytest.raises(UnknownCurrencyError, match="ABC"):
        from_minor_units(1, "ABC")
    with pytest.raises(UnknownCurrencyError, match="ABC"):
        format_amount(1, "ABC")


def test_lower_case_hint() -> None:
    with pytest.raises(UnknownCurrencyError, match="did you mean 'USD'"):
        minor_units("usd")


def test_non_str_code() -> None:
    with pytest.raises(TypeError):
        minor_units(None)  # type: ignore[arg-type]


# --- to_minor_units / from_minor_units ------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code", "units"),
    [
        (1000, "JPY", 1000),
        (Decimal("10.00"), "USD", 1000),
        (Decimal("1.000"), "IQD", 1000),
        ("12.99", "USD", 1299),
        ("1.234", "KWD", 1234),
        ("12.50", "USD", 1250),
        ("12.5", "USD", 1250),
        ("100.0", "JPY", 100),
        (" 12.99\n", "USD", 1299),
        ("1e3", "JPY", 1000),
        ("-1.00", "USD", -100),
        (-5, "KWD", -5000),
        ("0", "BHD", 0),
        (Decimal("123456789012345678901234567890.12"), "USD", 12345678901234567890123456789012),
    ],
)
def test_to_minor_units_examples(amount: Decimal | str | int, code: str, units: int) -> None:
    assert to_minor_units(amount, code) == units


@pytest.mark.parametrize(
    ("units", "code", "text"),
    [
        (1000, "JPY", "1000"),
        (1000, "USD", "10.00"),
        (1000, "IQD", "1.000"),
        (1234, "KWD", "1.234"),
        (1299, "USD", "12.99"),
        (0, "USD", "0.00"),
        (5, "USD", "0.05"),
        (-1, "KWD", "-0.001"),
        (12345678901234567890123456789012, "USD", "123456789012345678901234567890.12"),
    ],
)
def test_from_minor_units_examples(units: int, code: str, text: str) -> None:
    value = from_minor_units(units, code)
    assert isinstance(value, Decimal)
    assert value == Decimal(text)
    assert str(value) == text


@pytest.mark.parametrize("amount", [12.99, 1.0, float("nan")])
def test_float_refused(amount: float) -> None:
    with pytest.raises(TypeError, match="Decimal or str"):
        to_minor_units(amount, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [True, False])
def test_bool_refused(amount: bool) -> None:
    with pytest.raises(TypeError):
        to_minor_units(amount, "USD")


@pytest.mark.parametrize("units", [True, 1.0, Decimal(1), "1"])
def test_from_minor_units_needs_int(units: object) -> None:
    with pytest.raises(TypeError):
        from_minor_units(units, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_amount(units, "USD")  # type: ignore[arg-type]


def test_numpy_integers_from_a_pandas_column_are_integers() -> None:
    import numpy as np
    import pandas as pd

    units = pd.Series([1250, 999]).iloc[0]  # what a column of minor units hands back
    assert type(units) is np.int64
    assert from_minor_units(units, "EUR") == Decimal("12.50")
    assert str(from_minor_units(np.int64(1234), "KWD")) == "1.234"
    assert format_amount(np.uint16(1000), "JPY") == "JPY 1,000"
    assert to_minor_units(np.int64(12), "EUR") == 1200
    assert type(to_minor_units(np.int32(5), "JPY")) is int
    for refused in (np.float64(12.5), np.bool_(True)):
        with pytest.raises(TypeError):
            from_minor_units(refused, "EUR")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            to_minor_units(refused, "EUR")  # type: ignore[arg-type]


def test_too_precise_jpy() -> None:
    with pytest.raises(ValueError, match=r"JPY has 0 minor units.*5\.5 has 1"):
        to_minor_units("5.5", "JPY")


def test_too_precise_kwd() -> None:
    with pytest.raises(ValueError, match=r"KWD has 3 minor units.*1\.2345 has 4"):
        to_minor_units("1.2345", "KWD")


def test_too_precise_usd_decimal() -> None:
    with pytest.raises(ValueError, match="USD has 2"):
        to_minor_units(Decimal("0.001"), "USD")


@pytest.mark.parametrize(
    ("amount", "places"),
    [("1e-99999999", 99999999), (Decimal("12.5E-99999998"), 99999999), ("-3E-1000001", 1000001)],
)
def test_a_tiny_exponent_is_refused_by_its_digits(amount: str | Decimal, places: int) -> None:
    """`1e-99999999` in a CSV cell or the amount widget is refused at once: no power of ten
    with a hundred million digits is built first (that froze the kernel)."""
    with pytest.raises(ValueError, match=rf"USD has 2 minor units.* has {places}\. Round"):
        to_minor_units(amount, "USD")
    assert to_minor_units("0E-99999999", "USD") == 0
    assert to_minor_units("1200E-2", "JPY") == 12  # trailing zeros that divide: exact


def test_a_huge_integer_is_described_by_its_length() -> None:
    """Not by its text, which Python refuses to make past 4300 digits."""
    with pytest.raises(ValueError, match=r"^amount is too large: 5001 digits before the deci"):
        to_minor_units(10**5000, "USD")


@pytest.mark.parametrize("text", ["abc", "", "  ", "1,000", "12.99 USD", "1.2.3"])
def test_invalid_text(text: str) -> None:
    with pytest.raises(ValueError) as info:
        to_minor_units(text, "USD")
    assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    "amount", ["NaN", "Infinity", "-inf", "sNaN", Decimal("NaN"), Decimal("-Infinity")]
)
def test_non_finite_refused(amount: Decimal | str) -> None:
    with pytest.raises(ValueError):
        to_minor_units(amount, "USD")


def test_huge_exponent_refused() -> None:
    with pytest.raises(ValueError, match="too large"):
        to_minor_units("1e999999999", "USD")


def test_other_types_refused() -> None:
    with pytest.raises(TypeError):
        to_minor_units(None, "USD")  # type: ignore[arg-type]


# --- format_amount and currency_table -------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "code", "text"),
    [
        (1234, "KWD", "KWD 1.234"),
        (123456, "USD", "USD 1,234.56"),
        (1000, "JPY", "JPY 1,000"),
        (-100, "USD", "USD -1.00"),
        (0, "USD", "USD 0.00"),
        (5, "USD", "USD 0.05"),
        (123456789, "BHD", "BHD 123,456.789"),
        (-1234567, "JPY", "JPY -1,234,567"),
    ],
)
def test_format_amount(units: int, code: str, text: str) -> None:
    assert format_amount(units, code) == text


def test_currency_table() -> None:
    table = currency_table()
    assert [row[0] for row in table] == APPENDIX_A
    for code, name, digits in table:
        assert name and isinstance(name, str)
        assert digits == expected_minor_units(code)
    names = {code: name for code, name, _ in table}
    assert names["USD"] == "US Dollar"
    assert "ouguiya" in names["MRO"].lower()
    table.clear()  # a copy: the module's table is unaffected
    assert len(currency_table()) == 172


# --- round trips ----------------------------------------------------------------------------

codes = st.sampled_from(ALL_CODES)


@given(code=codes, units=st.integers())
def test_round_trip_from_units(code: str, units: int) -> None:
    value = from_minor_units(units, code)
    assert value.as_tuple().exponent == -minor_units(code)
    assert to_minor_units(value, code) == units
    assert to_minor_units(str(value), code) == units


@st.composite
def code_and_amount(draw: st.DrawFn) -> tuple[str, Decimal]:
    code = draw(codes)
    amount = draw(
        st.decimals(allow_nan=False, allow_infinity=False, places=expected_minor_units(code))
    )
    return code, amount


@given(pair=code_and_amount())
def test_round_trip_from_decimal(pair: tuple[str, Decimal]) -> None:
    code, amount = pair
    assert from_minor_units(to_minor_units(amount, code), code) == amount
    assert from_minor_units(to_minor_units(str(amount), code), code) == amount
