"""JSON read by orjson where it gives exactly what the standard library gives.

`orjson.loads` is 2–3 times faster than `json.loads`, and agrees with it on every body
but two kinds: an integer beyond 64 bits, which orjson reads as a float, and text orjson
refuses (NaN, 1e400, lone surrogates, a BOM, UTF-16), which the standard library may
read. `exact_orjson` tells the caller which case it is in; the caller then reads the
body with the standard library and its own settings (the emulator refuses NaN, the
client's hooks accept it), so both keep the standard library's answers.

```python
>>> exact_orjson(b'{"amount": 500}')
(True, {'amount': 500})
>>> exact_orjson(b'{"id": 12345678901234567890}')
(False, None)
```
"""

from __future__ import annotations

import orjson

__all__ = ["exact_orjson"]

#: Every digit made "0", so a run of 19 digits (a number orjson may read as a float,
#: beyond 64 bits) is found by `in` (a regular expression costs ten times as much).
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_NINETEEN_DIGITS = b"0" * 19


def exact_orjson(raw: bytes) -> tuple[bool, object]:
    """`(True, value)` when orjson read `raw` as the standard library would; else
    `(False, None)`: the body has a run of 19 digits, or orjson refused it."""
    if _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_ZERO):
        return False, None
    try:
        return True, orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False, None
