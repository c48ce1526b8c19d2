"""The tutorial notebooks as stored: executed, error-free, secret-free, framed, lint-clean.

nbval (`make test`) re-runs every notebook and compares outputs; these checks cover
what nbval does not: a notebook whose stored outputs are missing or stale, an output
holding an API key, a tutorial without its opening heading or its "where next" ending.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
RAISES = "raises-exception"

#: Key-shaped strings that must never appear in an output.
SECRET_PATTERNS = [
    re.compile(r"\b(?:sk|pk)_[A-Za-z0-9_]{8,}"),
    re.compile(r"\bsandbox_[A-Za-z0-9_]{8,}"),
    # the header with a value that is neither redacted (***) nor a variable ($PRIMER_API_KEY)
    re.compile(r"""x-api-key['"]?\s*[:=]\s*['"]?(?!\*\*\*|\$|['"])[^\s'",}]+""", re.IGNORECASE),
]


def _load(path: Path) -> Any:
    return nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]


def _code_cells(nb: Any) -> list[Any]:
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _output_texts(cell: Any) -> list[str]:
    """Every text an output of `cell` carries (streams, MIME data, tracebacks)."""
    texts: list[str] = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            texts.append(output.text)
        elif output.output_type == "error":
            texts.extend([output.ename, output.evalue, *output.traceback])
        else:
            for value in output.get("data", {}).values():
                texts.append(value if isinstance(value, str) else str(value))
    return texts


def _expects_result(source: str) -> bool:
    """True when a cell ends with an expression whose value Jupyter displays."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return False
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return False
    value = tree.body[-1].value
    return not (isinstance(value, ast.Constant) and value.value is None)


def test_there_are_notebooks() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert len(names) >= 6, names
    assert all(re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", n) for n in names), names


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def notebook(request: pytest.FixtureRequest) -> tuple[Path, Any]:
    path: Path = request.param
    return path, _load(path)


def test_valid_nbformat(notebook: tuple[Path, Any]) -> None:
    _, nb = notebook
    nbformat.validate(nb)
    assert nb.nbformat == 4


def test_every_code_cell_executed_in_order(notebook: tuple[Path, Any]) -> None:
    path, nb = notebook
    counts = [c.execution_count for c in _code_cells(nb)]
    assert counts, f"{path.name} has no code cells"
    assert None not in counts, f"{path.name}: unexecuted code cells (execution_count None)"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..n in order: "
        "re-run the whole notebook from a fresh kernel"
    )


def test_errors_only_where_they_are_the_lesson(notebook: tuple[Path, Any]) -> None:
    path, nb = notebook
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if RAISES in _tags(cell):
            assert errors, f"{path.name} cell {index} is tagged {RAISES} but has no error output"
        else:
            assert not errors, (
                f"{path.name} cell {index}: {errors[0].ename}: {errors[0].evalue}; "
                f"tag the cell {RAISES} if the error is the lesson"
            )


def test_no_empty_output_where_a_result_is_expected(notebook: tuple[Path, Any]) -> None:
    path, nb = notebook
    for index, cell in enumerate(_code_cells(nb)):
        if _expects_result(cell.source):
            assert cell.get("outputs"), (
                f"{path.name} code cell {index} ends with an expression but has no output:\n"
                f"{cell.source}"
            )


def test_no_api_key_in_any_output(notebook: tuple[Path, Any], marker_key: str) -> None:
    path, nb = notebook
    for index, cell in enumerate(nb.cells):
        for text in _output_texts(cell):
            assert marker_key not in text, f"{path.name} cell {index} shows the marker key"
            for pattern in SECRET_PATTERNS:
                found = pattern.search(text)
                assert found is None, (
                    f"{path.name} cell {index} output looks like an API key: {found.group(0)!r}"
                )


def test_opens_with_a_heading_and_ends_with_where_next(notebook: tuple[Path, Any]) -> None:
    path, nb = notebook
    first, last = nb.cells[0], nb.cells[-1]
    assert first.cell_type == "markdown", f"{path.name}: the first cell is not markdown"
    assert first.source.lstrip().startswith("# "), f"{path.name}: no opening '# ' heading"
    assert last.cell_type == "markdown", f"{path.name}: the last cell is not markdown"
    assert re.search(r"where (?:to go )?next|next steps?", last.source, re.IGNORECASE), (
        f"{path.name}: the last cell does not say where to go next"
    )


def test_secret_patterns_catch_keys() -> None:
    """The scan itself: keys are caught, redacted and placeholder forms are not."""
    caught = [
        "sk_" + "sandbox_0123456789abcdef",  # split: no key-shaped literal in the repo
        "pk_live_0123456789",
        "X-API-KEY: 0123456789abcdef",
        "{'X-API-KEY': 'abc123'}",
        '"x-api-key": "abc123"',
    ]
    allowed = [
        "X-API-KEY: ***",
        '-H "X-API-KEY: $PRIMER_API_KEY"',
        '-H "X-API-KEY: ${PRIMER_API_KEY:-primer-nb-emulator}"',
        "{'X-API-KEY': '***'}",
        "task_sandbox",
    ]
    for text in caught:
        assert any(p.search(text) for p in SECRET_PATTERNS), text
    for text in allowed:
        assert not any(p.search(text) for p in SECRET_PATTERNS), text


def test_ruff_passes_on_notebooks() -> None:
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip(f"{ruff} is not installed")
    result = subprocess.run(
        [str(ruff), "check", "--no-cache", str(NOTEBOOK_DIR)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_batch_notebook_resumes_every_session_it_created() -> None:
    """Notebook 09's second batch, on the same ledger, shows the resumption its prose promises.

    nbval only checks that the outputs repeat; a second run that re-read the wrong input
    (every row failing, nothing resumed) repeated just as well.
    """
    nb = _load(NOTEBOOK_DIR / "09-many-sessions-and-warnings.ipynb")
    pattern = re.compile(r"BatchResult\(rows=(\d+), ok=(\d+), failed=(\d+), resumed=(\d+)\)")
    found = [
        tuple(int(n) for n in match.groups())
        for cell in _code_cells(nb)
        for text in _output_texts(cell)
        if (match := pattern.fullmatch(text.strip()))
    ]
    assert len(found) == 2, found
    (rows, ok, failed, resumed), again = found
    assert resumed == 0 and ok > 0
    assert again == (rows, ok, failed, ok), "the second run must resume every created session"
