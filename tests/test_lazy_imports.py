"""What each import loads (no timing: benchmarks/import_time.py measures the cost).

`from primer_nb import PrimerClient` loads httpx and the client module only; pydantic,
the models and the in-process emulator load when the first client is made, and a
client made for a remote base URL never loads the emulator's Starlette/JWT stack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEAVY = ["pydantic_core", "primer_nb.models", "starlette", "jwt", "pandas", "ipywidgets"]


def _loaded_after(code: str) -> list[str]:
    probe = (
        f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIMER_")}
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    found: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("code", ["import primer_nb", "from primer_nb import PrimerClient"])
def test_the_import_loads_nothing_heavy(code: str) -> None:
    assert _loaded_after(code) == []


def test_a_client_loads_the_models_and_the_in_process_emulator() -> None:
    loaded = _loaded_after("from primer_nb import PrimerClient\nPrimerClient()")
    assert {"pydantic_core", "primer_nb.models", "starlette", "jwt"} <= set(loaded)
    assert not {"pandas", "ipywidgets"} & set(loaded)


def test_a_client_of_a_remote_server_never_loads_the_emulator() -> None:
    code = "from primer_nb import PrimerClient\nPrimerClient(base_url='http://127.0.0.1:9')"
    loaded = _loaded_after(code)
    assert "primer_nb.models" in loaded
    assert not {"starlette", "jwt", "pandas", "ipywidgets"} & set(loaded)


def test_names_resolve_to_the_same_objects_lazily() -> None:
    import primer_nb
    from primer_nb.client import PrimerClient
    from primer_nb.models import ClientSessionRequest

    assert primer_nb.PrimerClient is PrimerClient
    assert primer_nb.ClientSessionRequest is ClientSessionRequest
    assert set(primer_nb.__all__) <= set(dir(primer_nb))
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        primer_nb.Nope  # noqa: B018


def test_the_package_docstring_lists_every_public_name_under_its_module() -> None:
    """The docs site's package page says where each name is documented: the list must
    follow `_LAZY` (a new public name, or one that moved)."""
    import re

    import primer_nb

    doc = primer_nb.__doc__ or ""
    section = doc.split("## Public names, by the module that documents them", 1)[1]
    listed: dict[str, str] = {}
    for item in re.split(r"\n- ", section.split("\n\n", 2)[1].removeprefix("- ")):
        module, _, names = item.partition(":")
        for name in re.findall(r"`(\w+)`", names.split("(", 1)[0]):
            listed[name] = module.strip("` ")
    assert listed == primer_nb._LAZY
