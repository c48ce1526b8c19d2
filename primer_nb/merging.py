"""PATCH merge rules (behaviour.md §3): how `PATCH /client-session` changes a session.

One place for the rule, used by the emulator (to answer a PATCH) and by the patch
builder (to predict the session and to build the smallest body), so the two can never
disagree:

- `null` clears a field: it is absent afterwards;
- `customer`, `order` and `paymentMethod` (`MERGED_ONE_LEVEL`) are merged one level
  deep: each key sent replaces that key whole (`billingAddress`, `shipping`,
  `lineItems` ...), `null` inside clears it, keys not sent stay;
- everything else (`metadata`, `orderId`, `amount`, ...) is replaced whole.

Inputs are wire-format dicts (camelCase), and neither is modified. `apply_patch`'s result
shares no mutable part with them (changing a request dict after sending never changes a
session); `patch_of`'s holds `after`'s own values.

```python
>>> apply_patch({"order": {"countryCode": "GB", "lineItems": [{"amount": 1}]}},
...             {"order": {"lineItems": [{"amount": 2}]}})
{'order': {'countryCode': 'GB', 'lineItems': [{'amount': 2}]}}
>>> patch_of({"orderId": "a", "order": {"countryCode": "GB"}}, {"order": {"countryCode": "FR"}})
{'order': {'countryCode': 'FR'}, 'orderId': None}
```

`clientToken` is not a session field: callers take it out before merging. A session is
shown without its empty values (`strip_empty`, as Primer's GET leaves them out).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["MERGED_ONE_LEVEL", "apply_patch", "patch_of", "strip_empty"]

#: Objects PATCH merges one level deep; every other top-level key is replaced whole.
MERGED_ONE_LEVEL = frozenset({"customer", "order", "paymentMethod"})

_ABSENT = object()


def _merge(current: Any, changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(current) if isinstance(current, Mapping) else {}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_patch(data: Mapping[str, object], changes: Mapping[str, object]) -> dict[str, object]:
    """The session `data` after a PATCH body's `changes` (neither input is modified)."""
    result = copy.deepcopy(dict(data))
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        elif key in MERGED_ONE_LEVEL and isinstance(value, Mapping):
            result[key] = _merge(result.get(key), value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Keys whose value differs, `new`'s order first, then the keys only `old` has."""
    keys = [*new, *(k for k in old if k not in new)]
    return [k for k in keys if old.get(k, _ABSENT) != new.get(k, _ABSENT)]


def patch_of(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, object]:
    """The smallest PATCH body (without `clientToken`) that turns `before` into `after`.

    A key that disappeared becomes `null`; a merged object sends only its changed keys.
    `apply_patch(before, patch_of(before, after)) == after` whenever `after` holds no
    `null` values.
    """
    patch: dict[str, Any] = {}
    for key in _changed(before, after):
        old, new = before.get(key), after.get(key)  # absent -> None: sent as null
        if key in MERGED_ONE_LEVEL and isinstance(old, Mapping) and isinstance(new, Mapping):
            patch[key] = {k: new.get(k) for k in _changed(old, new)}
        else:
            patch[key] = new
    return patch


def strip_empty(value: object) -> object:
    """`value` without None, "", [] and {} inside objects, recursively.

    List items are cleaned but kept in place, so indices never shift. An object
    (any `Mapping`) comes back as a new `dict`, a list as a new `list`; other values
    are returned as they are.
    """
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            cleaned = strip_empty(item)
            if cleaned not in (None, "", [], {}):
                out[key] = cleaned
        return out
    if isinstance(value, list):
        return [strip_empty(item) for item in value]
    return value
