"""Currencies and minor units, as Primer's Client Session API counts them.

Every `amount` Primer's API sends or receives is an **integer in minor units**: the
currency's smallest unit. A currency has 0, 2 or 3 of them (decimal places):

| amount for people | currency | minor units | on the wire |
|---|---|---|---|
| 1000 | JPY | 0 | `1000` |
| 10.00 | USD | 2 | `1000` |
| 1.000 | IQD | 3 | `1000` |

Usage:

```python
>>> from decimal import Decimal
>>> from primer_nb import currency
>>> currency.minor_units("KWD")
3
>>> currency.to_minor_units("12.99", "USD")
1299
>>> currency.to_minor_units(Decimal("1000"), "JPY")
1000
>>> currency.from_minor_units(1234, "KWD")
Decimal('1.234')
>>> currency.format_amount(123456, "USD")
'USD 1,234.56'

```

**Floats are refused.** `0.1 + 0.2 != 0.3` in binary floating point, and `float("19.99") * 100`
is `1998.9999999999998`: a float cannot hold most decimal amounts exactly, so converting one to
minor units means rounding somewhere, silently. Pass a `Decimal` or a `str` instead; both are
exact. Likewise an amount with more decimal places than its currency has (`"5.5"` JPY) raises
`ValueError` rather than being rounded: round it yourself (e.g. with `Decimal.quantize`) if that
is what you mean.

**Where the digits come from.** ISO 4217 (the `iso4217` package, which ships the ISO
maintenance agency's current table), corrected by `PRIMER_OVERRIDES` wherever Primer's own
value differs or ISO has none:

- Primer's SDK currency table (`currency_formats.json` in primer-io/sdk-android and
  `currencies.json` in primer-io/primer-sdk-ios, identical; see client-session-api.md §10.2)
  gives 2 for ANG, BGN, CUC, HRK and ZWL and 0 for BYR, codes ISO has since withdrawn.
- behaviour.md §5 settles the codes Primer's `Currency` enum has but its SDK table lacks:
  the metal, fund and test codes (XAU XAG XPD XPT XDR XBA XBB XBC XBD XSU XTS XUA XFU, for
  which ISO gives "N.A." or nothing) get 0; the historic MRO gets 2.

With `iso4217` 1.16 (table of 2026-01-01) ISO and Primer agree on every other code; where both
have a value and they disagree, Primer's wins, because it is what the API uses.

The codes known here are Primer's: its v2.4 `Currency` enum (`CURRENCY_CODES`) and the four
codes only its SDK table has (`SDK_ONLY_CODES`). Any other code, including ISO codes Primer
does not list (CLF, MRU, XCG, ...), raises `UnknownCurrencyError`.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from numbers import Integral
from types import MappingProxyType

import iso4217

from primer_nb.enums import Currency

__all__ = [
    "CHOSEN_BY_PRIMER_NB",
    "CURRENCY_CODES",
    "DISABLED_BY_DEFAULT",
    "PRIMER_OVERRIDES",
    "SDK_ONLY_CODES",
    "TooManyDecimalsError",
    "UnknownCurrencyError",
    "currency_table",
    "format_amount",
    "from_minor_units",
    "minor_units",
    "to_minor_units",
]

#: Primer's `Currency` enum, OpenAPI v2.4, in document order (172 codes): the values of
#: `primer_nb.enums.Currency`, the one table of them.
CURRENCY_CODES: tuple[str, ...] = tuple(member.value for member in Currency)

#: Codes in Primer's SDK currency table but not in the v2.4 `Currency` enum. They have minor
#: units here, but the API refuses them: its enum check comes first (behaviour.md §2, §5).
SDK_ONLY_CODES: tuple[str, ...] = ("SLE", "STN", "VED", "VES")

#: Currencies Primer disables unless they are enabled for the account (client-session-api.md
#: §10.3); the API answers them with `DisabledCurrencyError`.
# fmt: off
DISABLED_BY_DEFAULT: frozenset[str] = frozenset({
    "BHD", "BIF", "CLP", "CVE", "GNF", "HUF", "IDR", "INR", "ISK", "KHR", "KMF", "MMK", "PYG",
    "RWF", "SAR", "UGX", "VED", "VES", "VND", "XOF", "XPF",
})
# fmt: on

#: Minor units primer-nb chose for codes in Primer's `Currency` enum that its SDK table
#: does not list (Primer publishes none for them; behaviour.md §5).
CHOSEN_BY_PRIMER_NB: Mapping[str, int] = MappingProxyType(
    {
        "MRO": 2,  # Mauritanian ouguiya, replaced by MRU (2018); withdrawn from ISO
        "XFU": 0,  # UIC franc; withdrawn from ISO (2013)
        "XAG": 0,  # silver; ISO: N.A.
        "XAU": 0,  # gold; ISO: N.A.
        "XPD": 0,  # palladium; ISO: N.A.
        "XPT": 0,  # platinum; ISO: N.A.
        "XDR": 0,  # IMF special drawing right; ISO: N.A.
        "XBA": 0,  # European composite unit (bond markets); ISO: N.A.
        "XBB": 0,  # European monetary unit (bond markets); ISO: N.A.
        "XBC": 0,  # European unit of account 9 (bond markets); ISO: N.A.
        "XBD": 0,  # European unit of account 17 (bond markets); ISO: N.A.
        "XSU": 0,  # Sucre (ALBA); ISO: N.A.
        "XTS": 0,  # reserved for testing; ISO: N.A.
        "XUA": 0,  # ADB unit of account; ISO: N.A.
    }
)

#: Minor units where Primer's value is not ISO 4217's, or ISO 4217 has none. Takes precedence
#: over the `iso4217` data.
PRIMER_OVERRIDES: Mapping[str, int] = MappingProxyType(
    {
        # Primer's SDK table; ISO 4217 has withdrawn the code (gone from `iso4217`).
        "ANG": 2,  # Netherlands Antillean guilder, replaced by XCG (2025)
        "BGN": 2,  # Bulgarian lev, replaced by EUR (2026)
        "BYR": 0,  # Belarusian ruble, replaced by BYN (2016); also behaviour.md §5
        "CUC": 2,  # Cuban convertible peso, withdrawn (2021)
        "HRK": 2,  # Croatian kuna, replaced by EUR (2023)
        "ZWL": 2,  # Zimbabwe dollar, replaced by ZWG (2024)
        **CHOSEN_BY_PRIMER_NB,
    }
)

# Names for the codes `iso4217` does not have (it only carries ISO's current table).
_OVERRIDE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "ANG": "Netherlands Antillean Guilder",
        "BGN": "Bulgarian Lev",
        "BYR": "Belarusian Ruble (old)",
        "CUC": "Cuban Convertible Peso",
        "HRK": "Croatian Kuna",
        "MRO": "Mauritanian Ouguiya (old)",
        "XFU": "UIC Franc",
        "ZWL": "Zimbabwe Dollar (2009)",
    }
)

# Refuse amounts whose minor-unit integer would have more digits than this: "1e999999999"
# would otherwise build a billion-digit int. Python itself refuses to print ints this long.
_MAX_DIGITS = 4300


class UnknownCurrencyError(ValueError):
    """A currency code that is neither in Primer's `Currency` enum nor in its SDK table.

    `code` holds the code as given.
    """

    def __init__(
        self, code: object, reason: str = "not in Primer's Currency enum or SDK currency table"
    ) -> None:
        self.code = code
        super().__init__(f"unknown currency {code!r}: {reason}")


def _iso_entry(code: str) -> tuple[str | None, int | None]:
    """ISO 4217's name and minor units for `code` (None where ISO has none)."""
    entry = iso4217.raw_table.get(code)
    if entry is None:
        return None, None
    raw_name = entry.get("CcyNm")
    raw_units = entry.get("CcyMnrUnts")
    name = raw_name if isinstance(raw_name, str) and raw_name else None
    if isinstance(raw_units, int):
        units: int | None = raw_units
    elif isinstance(raw_units, str) and raw_units.strip().isdigit():
        units = int(raw_units)
    else:  # "N.A." or missing
        units = None
    return name, units


def _build() -> tuple[dict[str, int], dict[str, str], frozenset[str]]:
    digits: dict[str, int] = {}
    names: dict[str, str] = {}
    unresolved: set[str] = set()
    for code in CURRENCY_CODES + SDK_ONLY_CODES:
        iso_name, iso_units = _iso_entry(code)
        units = PRIMER_OVERRIDES.get(code, iso_units)
        name = iso_name or _OVERRIDE_NAMES.get(code, code)
        names[code] = name
        if units is None:
            # Only possible if a newer `iso4217` drops a code; tests catch it. The code then
            # raises UnknownCurrencyError rather than breaking the import of the package.
            unresolved.add(code)
        else:
            digits[code] = units
    return digits, names, frozenset(unresolved)


_MINOR_UNITS, _NAMES, _UNRESOLVED = _build()
_TABLE: tuple[tuple[str, str, int], ...] = tuple(
    (code, _NAMES[code], _MINOR_UNITS[code]) for code in CURRENCY_CODES if code in _MINOR_UNITS
)


def _lookup_slow(code: object) -> tuple[str, int]:
    """Resolve an enum member, or raise the right error for anything unknown."""
    if isinstance(code, enum.Enum) and isinstance(code.value, str):
        code = code.value
    if not isinstance(code, str):
        raise TypeError(f"currency code must be a str, not {type(code).__name__}")
    units = _MINOR_UNITS.get(code)
    if units is not None:
        return code, units
    if code in _UNRESOLVED:
        raise UnknownCurrencyError(
            code,
            f"iso4217 {iso4217.__version__} has no minor units for it and PRIMER_OVERRIDES"
            " does not list it",
        )
    if code.upper() in _MINOR_UNITS:
        raise UnknownCurrencyError(
            code,
            "not in Primer's Currency enum or SDK currency table"
            f" (codes are upper case: did you mean {code.upper()!r}?)",
        )
    raise UnknownCurrencyError(code)


def _resolve(code: str) -> tuple[str, int]:
    """The plain code string (an enum member's value) and its minor units."""
    if type(code) is str:
        units = _MINOR_UNITS.get(code)
        if units is not None:
            return code, units
    return _lookup_slow(code)


def minor_units(code: str) -> int:
    """The number of minor units (decimal places) Primer uses for a currency.

    **Parameters:**

    * **code** - an upper-case ISO 4217 code such as `"USD"`, or a `str`-Enum member whose
      value is one.

    Raises `UnknownCurrencyError` (a `ValueError`) for a code that is not in `CURRENCY_CODES`
    or `SDK_ONLY_CODES`; lower-case codes are not accepted.

    ```python
    >>> minor_units("JPY"), minor_units("USD"), minor_units("KWD")
    (0, 2, 3)

    ```
    """
    try:
        return _MINOR_UNITS[code]
    except (KeyError, TypeError):
        return _lookup_slow(code)[1]


def _parse_amount(amount: Decimal | str | int) -> Decimal:
    if isinstance(amount, float):
        raise TypeError(
            f"amount must be a Decimal or str (e.g. Decimal('12.99') or '12.99'), not float "
            f"({amount!r}): a float cannot hold most decimal amounts exactly"
        )
    if isinstance(amount, bool):
        raise TypeError("amount must be a Decimal or str (e.g. Decimal('12.99')), not bool")
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, Integral):  # int, and NumPy's integers from a pandas column
        value = Decimal(int(amount))
    elif isinstance(amount, str):
        text = amount.strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {amount!r}{_amount_hint(text)}") from None
        if "_" in text:  # Decimal reads Python's digit grouping: '12_99' would be 1299
            raise ValueError(
                f"not a decimal amount: {amount!r}: '_' is no decimal point; write '12.99'"
            )
    else:
        raise TypeError(
            f"amount must be a Decimal, str or int, not {type(amount).__name__}; "
            "pass a Decimal or str for amounts with decimal places"
        )
    if not value.is_finite():
        raise ValueError(f"amount must be a finite number, not {amount!r}")
    return value


#: The end of `to_minor_units`' error for too many decimal places (a form says, instead,
#: how many to type).
ROUND_EXPLICITLY = "Round it explicitly (e.g. with Decimal.quantize) if that is what you mean."


class TooManyDecimalsError(ValueError):
    """An amount with more decimal places than its currency has (`to_minor_units`).

    `code` and `digits` are the currency and its minor units, `places` the decimal places
    the amount has; `problem` is the message without its advice to round, for a caller
    that advises otherwise (a form says how many places to type).
    """

    def __init__(self, code: str, digits: int, places: int, shown: str) -> None:
        self.code, self.digits, self.places, self._shown = code, digits, places, shown
        self.problem = f"{code} has {digits} minor units (decimal places); {shown} has {places}."
        super().__init__(f"{self.problem} {ROUND_EXPLICITLY}")

    def __reduce__(self) -> tuple[object, ...]:
        # rebuilt from its fields (copies, pickles, process pools), not from its message
        return (type(self), (self.code, self.digits, self.places, self._shown))


def _amount_hint(text: str) -> str:
    """What is wrong with an amount's text that is no number, for the usual cases: a
    currency sign or code, other characters (a minus sign or digits pasted from a
    document), a decimal comma, a space (a thousands separator)."""
    if any(c.isalpha() or unicodedata.category(c) == "Sc" for c in text):  # 'EUR', '€'
        return "; write the number alone, without a currency sign or code, e.g. '12.99'"
    if re.search(r"[^0-9.,+\-eE\s_]", text):  # '−5' pasted from a document, '١٢'
        return "; use the digits 0-9, a point and a plain '-', e.g. '12.99'"
    if "," in text:
        return "; ',' is no decimal point here: write '1.50' (a point, no thousands separator)"
    if re.search(r"\d\s+\d", text):
        return "; write it without spaces, e.g. '1000.50'"
    return ""


def to_minor_units(amount: Decimal | str | int, code: str) -> int:
    """Convert an amount in major units (as people write it) to Primer's integer minor units.

    **Parameters:**

    * **amount** - a `Decimal`, a `str` such as `"12.99"` (surrounding whitespace ignored;
      one with `_` is refused, which `Decimal` would read as digit grouping: 12_99 = 1299) or
      an integer (`int`, or NumPy's `int64` from a pandas column). `float` and `bool`
      raise `TypeError`.
    * **code** - the currency, as for `minor_units()`.

    The conversion is exact: an amount with more decimal places than the currency has raises
    `TooManyDecimalsError`, a `ValueError` (trailing zeros are fine: `"12.50"` USD,
    `"100.0"` JPY). Negative amounts give negative integers; Primer's amounts are never
    negative, but checking that is the caller's business, not this arithmetic's.

    ```python
    >>> to_minor_units("12.99", "USD"), to_minor_units(1000, "JPY"), to_minor_units("1.000", "IQD")
    (1299, 1000, 1000)

    ```
    """
    value = _parse_amount(amount)
    code, digits = _resolve(code)
    sign, coefficient_digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    coefficient = int(Decimal((0, coefficient_digits, 0)))  # exact, unlike int(str) for long ones
    shift = exponent + digits
    if not coefficient:
        return 0
    units: int
    if shift >= 0:
        if len(coefficient_digits) + shift > _MAX_DIGITS:  # its text could not even be shown
            raise ValueError(
                f"amount is too large: {len(coefficient_digits) + exponent} digits before "
                f"the decimal point (at most {_MAX_DIGITS - digits})"
            )
        units = coefficient * 10**shift
    else:
        # the digits alone say whether it divides: no power of ten is built for `1e-99999999`
        zeros = len(coefficient_digits) - len(bytes(coefficient_digits).rstrip(b"\0"))
        if zeros < -shift:
            # trailing zeros are no decimal places of the amount: "1200.50" has one
            shown = f"{value} (that is {value.normalize():f})" if zeros else str(value)
            raise TooManyDecimalsError(code, digits, -exponent - zeros, shown)
        units = coefficient // 10**-shift
    return -units if sign else units


def from_minor_units(units: int, code: str) -> Decimal:
    """Convert Primer's integer minor units to a `Decimal` in major units.

    The result has exactly the currency's number of decimal places, so `str()` shows them:

    ```python
    >>> from_minor_units(1000, "USD"), from_minor_units(1234, "KWD"), from_minor_units(1000, "JPY")
    (Decimal('10.00'), Decimal('1.234'), Decimal('1000'))

    ```

    `units` must be an integer: an `int` or another `numbers.Integral` such as NumPy's
    `int64` from a pandas column (`bool` and `float` raise `TypeError`).
    """
    if isinstance(units, bool) or not isinstance(units, Integral):
        raise TypeError(f"units must be an int, not {type(units).__name__}")
    _, digits = _resolve(code)
    sign, coefficient_digits, _ = Decimal(int(units)).as_tuple()
    # Built from the tuple, not with scaleb(): no context, so no rounding of long values.
    return Decimal((sign, coefficient_digits, -digits))


def format_amount(units: int, code: str) -> str:
    """An amount in minor units, formatted for people: code, then the amount with a comma as
    thousands separator and the currency's decimal places.

    ```python
    >>> format_amount(123456, "USD"), format_amount(1000, "JPY"), format_amount(-100, "USD")
    ('USD 1,234.56', 'JPY 1,000', 'USD -1.00')

    ```
    """
    plain, _ = _resolve(code)
    return f"{plain} {from_minor_units(units, plain):,f}"


def currency_table() -> list[tuple[str, str, int]]:
    """`(code, name, minor_units)` for every code in `CURRENCY_CODES`, in that order.

    Names come from ISO 4217 where it has the code, otherwise from this module's own table
    (e.g. `"Mauritanian Ouguiya (old)"`).
    """
    return list(_TABLE)
