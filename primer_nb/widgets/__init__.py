"""Widgets for building client sessions in a notebook (ipywidgets 8).

```python
from primer_nb.widgets import SessionBuilder, PatchBuilder, ExpiryCountdown

builder = SessionBuilder(client)                 # form + live preview + Send
# after clicking Send (`builder.session` is None until then):
patcher = PatchBuilder(client, builder.session.client_token)
ExpiryCountdown(builder.session, clock=client.emulator.clock)
```

The forms are generated from the request models (`primer_nb.widgets.form` says why our
own small generator rather than ipywidgets-jsonschema); snippets never carry the API
key: the header reads it from the environment, and a key typed into the body is written
`***` (`primer_nb.widgets.snippets`).
"""

from __future__ import annotations

from primer_nb.widgets.expiry import ExpiryCountdown
from primer_nb.widgets.patch_builder import PatchBuilder
from primer_nb.widgets.session_builder import SessionBuilder
from primer_nb.widgets.snippets import curl_snippet, python_snippet

__all__ = ["ExpiryCountdown", "PatchBuilder", "SessionBuilder", "curl_snippet", "python_snippet"]
