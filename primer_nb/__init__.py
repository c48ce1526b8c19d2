"""primer-nb: explore Primer's Client Session API from Jupyter, against a faithful emulator.

```python
from primer_nb import PrimerClient, ClientSessionRequest, LineItem, Order

client = PrimerClient()              # in-process emulator; PRIMER_API_KEY -> Primer sandbox
session = client.create_session(ClientSessionRequest(
    order_id="order-1", currency_code="EUR",
    order=Order(line_items=[LineItem(amount=1299, quantity=2)]),
))
session.client_token_expiration_date   # aware UTC datetime, 24 h ahead
```

Public names are imported lazily (like pydantic's `__init__`), so `import primer_nb`
stays cheap: pandas and ipywidgets load only when a table or widget is used.

## Public names, by the module that documents them

- `primer_nb.client`: `PrimerClient`, `AsyncPrimerClient` (the arguments they share are
  documented on their base, `_BaseClient`)
- `primer_nb.models`: `ClientSessionRequest`, `ClientSessionUpdateRequest`,
  `ClientSession`, `ClientSessionWithToken`, `Order`, `LineItem`, `Fee`, `Shipping`,
  `Customer`, `Address`, `PaymentMethod`, `PaymentMethodOptions`, `SessionWarning`
- `primer_nb.enums`: `Currency`, `CountryCode`, `CardNetwork`
- `primer_nb.errors`: `PrimerError`, `PrimerAPIError`, `PrimerValidationError`,
  `PrimerConnectionError`, `ConfigurationError`, `UnknownFieldWarning`
- `primer_nb.emulator`: `Emulator`

Docstrings cite two records kept in the repository beside the tests, and published on
the documentation site: `tests/data/primer/client-session-api.md`
([What Primer documents](../../primer-api.md): Primer's API, each fact with its source)
and `tests/data/primer/behaviour.md` ([The behaviour we commit to](../../behaviour.md):
what the kit chose where Primer is silent). "behaviour.md §5" is a section of the second;
on the site each such citation links to its section. The page
[How the emulator behaves](../../emulator.md) lists the emulator's own choices.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from primer_nb._version import __version__

_LAZY: dict[str, str] = {
    # client
    "PrimerClient": "primer_nb.client",
    "AsyncPrimerClient": "primer_nb.client",
    # models
    "ClientSessionRequest": "primer_nb.models",
    "ClientSessionUpdateRequest": "primer_nb.models",
    "ClientSession": "primer_nb.models",
    "ClientSessionWithToken": "primer_nb.models",
    "Order": "primer_nb.models",
    "LineItem": "primer_nb.models",
    "Fee": "primer_nb.models",
    "Shipping": "primer_nb.models",
    "Customer": "primer_nb.models",
    "Address": "primer_nb.models",
    "PaymentMethod": "primer_nb.models",
    "PaymentMethodOptions": "primer_nb.models",
    "SessionWarning": "primer_nb.models",
    "Currency": "primer_nb.enums",
    "CountryCode": "primer_nb.enums",
    "CardNetwork": "primer_nb.enums",
    # errors
    "PrimerError": "primer_nb.errors",
    "PrimerAPIError": "primer_nb.errors",
    "PrimerValidationError": "primer_nb.errors",
    "PrimerConnectionError": "primer_nb.errors",
    "ConfigurationError": "primer_nb.errors",
    "UnknownFieldWarning": "primer_nb.errors",
    # emulator
    "Emulator": "primer_nb.emulator",
}

__all__ = [
    "Address",
    "AsyncPrimerClient",
    "CardNetwork",
    "ClientSession",
    "ClientSessionRequest",
    "ClientSessionUpdateRequest",
    "ClientSessionWithToken",
    "ConfigurationError",
    "CountryCode",
    "Currency",
    "Customer",
    "Emulator",
    "Fee",
    "LineItem",
    "Order",
    "PaymentMethod",
    "PaymentMethodOptions",
    "PrimerAPIError",
    "PrimerClient",
    "PrimerConnectionError",
    "PrimerError",
    "PrimerValidationError",
    "SessionWarning",
    "Shipping",
    "UnknownFieldWarning",
    "__version__",
]

if TYPE_CHECKING:
    from primer_nb.client import AsyncPrimerClient, PrimerClient
    from primer_nb.emulator import Emulator
    from primer_nb.enums import CardNetwork, CountryCode, Currency
    from primer_nb.errors import (
        ConfigurationError,
        PrimerAPIError,
        PrimerConnectionError,
        PrimerError,
        PrimerValidationError,
        UnknownFieldWarning,
    )
    from primer_nb.models import (
        Address,
        ClientSession,
        ClientSessionRequest,
        ClientSessionUpdateRequest,
        ClientSessionWithToken,
        Customer,
        Fee,
        LineItem,
        Order,
        PaymentMethod,
        PaymentMethodOptions,
        SessionWarning,
        Shipping,
    )


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'primer_nb' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
