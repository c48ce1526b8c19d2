"""The API reference's renderer: autodoc2's MyST renderer, with pydantic fields told right.

autodoc2 reads the package statically, so a model field written as an annotation alone
(`amount: MinorUnits`, a required field) was shown with the value `None`, like an optional
one, and a field made by a helper (`visa: ... = _network_field("VISA")`) with the helper's
call. For a field of a pydantic model in `primer_nb`, this renderer asks the model itself
(`model_fields`) and shows no static value: every field says its wire name (what the API
reads), and whether it is required or what it is when left out.
Any other data item whose value the static reading did not see is shown without one,
instead of `None`. The private bases of the clients and models are shown too, being where
their shared arguments and methods are written (`SHARED_BASES`). `docs/conf.py` names this
renderer as `autodoc2_render_plugin`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from autodoc2.render.myst_ import MystRenderer
from pydantic import BaseModel
from pydantic_core import PydanticUndefined


def model_field(full_name: str) -> tuple[type[BaseModel], Any] | None:
    """The model and its `FieldInfo` for `primer_nb.module.Model.field`, or None."""
    module_name, _, rest = full_name.rpartition(".")
    module_name, _, class_name = module_name.rpartition(".")
    if not module_name.startswith("primer_nb"):
        return None
    try:
        model = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        return None
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    field = model.model_fields.get(rest)
    return None if field is None else (model, field)


def field_sentence(name: str, field: Any) -> str:
    """The sentence that opens a field's description: its wire name, and whether it is
    required or what it is when left out."""
    wire = field.alias or name
    if field.is_required():
        return f"Wire name `{wire}`; required."
    if field.default_factory is not None:
        return f"Wire name `{wire}`; optional (empty when left out)."
    if field.default is None or field.default is PydanticUndefined:
        return f"Wire name `{wire}`; optional."
    return f"Wire name `{wire}`; optional, default `{field.default!r}`."


#: Private bases whose public members are what their public subclasses offer: shown (a
#: reader of `PrimerClient` finds its arguments, `add_hook` ...; of a model, `to_wire`).
SHARED_BASES = ("primer_nb.client._BaseClient", "primer_nb.models._Model")


class FieldRenderer(MystRenderer):
    """MyST output as autodoc2 makes it, but for pydantic fields (see the module docs), and
    with the shared private bases shown (`SHARED_BASES`)."""

    def is_hidden(self, item: Any) -> bool:
        if item["full_name"] in SHARED_BASES:
            return False
        return bool(super().is_hidden(item))

    def render_data(self, item: Any) -> Iterable[str]:
        lines = list(super().render_data(item))
        found = model_field(item["full_name"]) if item.get("type") == "attribute" else None
        if found is None:
            if item.get("value") is None and ":value: >" in lines:
                # no value the static reading could see (an annotation alone, a
                # TypedDict's or NamedTuple's field, a computed constant): not "None"
                at = lines.index(":value: >")
                del lines[at : at + 2]
            return lines
        _, field = found
        sentence = field_sentence(item["full_name"].rsplit(".", 1)[1], field)
        if ":value: >" in lines:  # the static value: None, or the helper's call
            at = lines.index(":value: >")
            del lines[at : at + 2]
        # the directive's options end at its first blank line: the description follows
        blank = lines.index("")
        lines[blank + 1 : blank + 1] = [sentence, ""]
        return lines
