"""`primer-nb tutorials`: the notebooks, their data and the emulator page for a pip install
(the wheel's side is in tests/test_wheel.py)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from primer_nb import cli
from primer_nb.tutorial_files import TUTORIAL_FILES, copy_tutorials
from tests.conftest import ROOT


def test_every_notebook_and_file_it_opens_is_listed_and_in_the_wheel() -> None:
    """A new notebook must reach pip users too: TUTORIAL_FILES and pyproject's
    force-include list the same files, every notebook among them."""
    notebooks = {p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert notebooks and notebooks <= set(TUTORIAL_FILES)
    assert all((ROOT / name).is_file() for name in TUTORIAL_FILES)
    with (ROOT / "pyproject.toml").open("rb") as file:
        wheel = tomllib.load(file)["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["force-include"] == {
        name: f"primer_nb/_tutorials/{name}" for name in TUTORIAL_FILES
    }
    # what the notebooks open by a relative path is among them
    for name in ("data/orders.csv", "docs/emulator.md"):
        assert name in TUTORIAL_FILES


def test_the_copy_has_the_repository_layout_and_the_same_bytes(tmp_path: Path) -> None:
    copied = copy_tutorials(tmp_path / "tut")
    assert copied.notebooks == tmp_path / "tut" / "notebooks"
    assert len(copied.written) == len(TUTORIAL_FILES) and not copied.kept + copied.unchanged
    for name in TUTORIAL_FILES:
        assert (tmp_path / "tut" / name).read_bytes() == (ROOT / name).read_bytes()


def test_every_relative_link_in_the_copy_opens_a_file_of_the_copy(tmp_path: Path) -> None:
    """The copy is all a pip user has: a link from one of its pages to a page it does not
    carry (the site's record pages, beside docs/emulator.md in the repository) is broken."""
    copy_tutorials(tmp_path / "tut")
    links = 0
    for name in TUTORIAL_FILES:
        page = tmp_path / "tut" / name
        text = page.read_text(encoding="utf-8")
        if page.suffix == ".ipynb":
            cells = json.loads(text)["cells"]
            text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            path = target.partition("#")[0]
            if path and not re.match(r"[a-z]+:", path):
                assert (page.parent / path).is_file(), f"{name} links to {target}"
                links += 1
    assert links >= 10


def test_a_file_already_there_is_never_overwritten(tmp_path: Path) -> None:
    """Nothing a user typed is lost: a notebook they worked in is kept (and reported); an
    unchanged one is left alone; a deleted one comes back."""
    copy_tutorials(tmp_path)
    worked_in = tmp_path / "notebooks" / "02-currency-minor-units.ipynb"
    worked_in.write_text("my answers")
    (tmp_path / "data" / "orders.csv").unlink()
    again = copy_tutorials(tmp_path)
    assert again.kept == (worked_in,) and worked_in.read_text() == "my answers"
    assert again.written == (tmp_path / "data" / "orders.csv",)
    assert len(again.unchanged) == len(TUTORIAL_FILES) - 2


def test_a_folder_or_a_link_to_nowhere_in_a_files_place_is_kept_and_the_copy_goes_on(
    tmp_path: Path,
) -> None:
    """Each stopped the copy with "Is a directory" or "No such file" after one file."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    folder = notebooks / "02-currency-minor-units.ipynb"
    folder.mkdir()
    dangling = notebooks / "01-create-a-client-session.ipynb"
    dangling.symlink_to(tmp_path / "nowhere.ipynb")
    copied = copy_tutorials(tmp_path)
    assert set(copied.kept) == {folder, dangling}
    assert len(copied.written) == len(TUTORIAL_FILES) - 2
    assert folder.is_dir() and dangling.is_symlink() and not (tmp_path / "nowhere.ipynb").exists()


def test_the_command_says_what_it_did_and_how_to_open_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "my tutorials"
    assert cli.main(["tutorials", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"copied {len(TUTORIAL_FILES)} files to {folder}",
        f"open them with: jupyter lab '{folder}/notebooks'",
    ]
    (folder / "notebooks" / "README.md").write_text("mine")
    assert cli.main(["tutorials", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"copied 0 files to {folder} ({len(TUTORIAL_FILES) - 1} were there already)"
    assert out[1] == (
        f"kept {folder}/notebooks/README.md: it differs from this version's copy (your "
        "changes, or an older primer-nb's); delete it to get this version's"
    )


def test_a_file_in_place_of_the_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(SystemExit) as caught:
        cli.main(["tutorials", str(tmp_path / "file")])
    assert caught.value.code == 2
    assert "FOLDER:" in capsys.readouterr().err and (tmp_path / "file").read_text() == "x"
