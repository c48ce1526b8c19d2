"""The `>>>` examples in the package's docstrings (shown on the docs site's API pages)
give the output they print: each module's examples run with `doctest`."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import primer_nb


def _modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(primer_nb.__path__, "primer_nb."):
        spec = importlib.util.find_spec(info.name)
        origin = spec.origin if spec else None
        if origin and origin.endswith(".py"):
            with open(origin, encoding="utf-8") as source:
                if ">>> " in source.read():
                    names.append(info.name)
    return names


MODULES = _modules_with_examples()


def test_the_examples_are_found() -> None:
    assert {"primer_nb.currency", "primer_nb.amounts", "primer_nb.tables"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_print_what_they_show(name: str) -> None:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    for test in doctest.DocTestFinder().find(module):
        for example in test.examples:
            # the examples sit in a fenced block: its closing fence is no output
            example.want = example.want.removesuffix("```\n")
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0
