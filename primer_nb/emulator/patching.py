"""PATCH merge rules (behaviour.md §3), as one pure function over wire-format dicts.

- `null` clears a field: it is absent afterwards;
- `customer`, `order` and `paymentMethod` are merged one level deep: each key sent
  replaces that key whole (`billingAddress`, `shipping`, `lineItems` ...), `null`
  inside clears it, keys not sent stay;
- everything else (`metadata`, `orderId`, `amount`, ...) is replaced whole.

```python
>>> apply_patch({"order": {"countryCode": "GB", "lineItems": [{"amount": 1}]}},
...             {"order": {"lineItems": [{"amount": 2}]}})
{'order': {'countryCode': 'GB', 'lineItems': [{'amount': 2}]}}
```

`clientToken` is not a session field: callers take it out before merging.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["MERGED_ONE_LEVEL", "apply_patch"]

MERGED_ONE_LEVEL = frozenset({"customer", "order", "paymentMethod"})


def _merge(current: Any, changes: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(current) if isinstance(current, Mapping) else {}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_patch(data: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
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
