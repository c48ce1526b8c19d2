"""The tutorial notebooks and the files they open, for a user who installed primer-nb with
pip and has no clone of its repository: `primer-nb tutorials [FOLDER]`.

```python
from primer_nb.tutorial_files import copy_tutorials

copied = copy_tutorials("primer-nb-tutorials")
copied.written[1]   # PosixPath('primer-nb-tutorials/notebooks/01-create-a-client-session.ipynb')
copied.notebooks    # PosixPath('primer-nb-tutorials/notebooks'): `jupyter lab` opens it
```

The wheel carries them under `primer_nb/_tutorials/` (`pyproject.toml` lists each file);
an editable install (a clone, `make lab`) reads them from the repository itself. The
copy keeps the repository's layout, so the relative paths the notebooks use
(`../data/orders.csv`, links to `../docs/emulator.md`) work in the copy too.

A file already in the folder is never overwritten: one with the same content is left as
it is, and one that differs (a notebook the user worked in, or an older primer-nb's copy
after an upgrade) is kept and reported, so
nothing a user typed is lost. Delete a file to get the original back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["TUTORIAL_FILES", "CopiedTutorials", "copy_tutorials"]

#: Every file of the tutorials, as a path relative to the repository root (and to the
#: copy). `pyproject.toml` puts each into the wheel; a test checks the lists agree.
TUTORIAL_FILES: tuple[str, ...] = (
    "notebooks/README.md",
    "notebooks/01-create-a-client-session.ipynb",
    "notebooks/02-currency-minor-units.ipynb",
    "notebooks/03-errors-and-troubleshooting.ipynb",
    "notebooks/04-update-a-client-session.ipynb",
    "notebooks/05-client-token-expiry.ipynb",
    "notebooks/06-payment-methods-and-order-details.ipynb",
    "notebooks/07-token-to-the-front-end.ipynb",
    "notebooks/08-api-versions-and-going-live.ipynb",
    "notebooks/09-many-sessions-and-warnings.ipynb",
    "notebooks/10-session-builder.ipynb",
    "data/README.md",
    "data/orders.csv",
    "docs/emulator.md",
)

#: Where the wheel keeps them, inside the package.
PACKAGED = "_tutorials"


@dataclass(frozen=True)
class CopiedTutorials:
    """What `copy_tutorials` did: each file in the folder is in exactly one of the three."""

    folder: Path
    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    kept: tuple[Path, ...]  # already there with other content (the user's, or an older copy)

    @property
    def notebooks(self) -> Path:
        """The folder to open in JupyterLab."""
        return self.folder / "notebooks"


def _tutorial_sources() -> dict[str, Traversable]:
    """Each of `TUTORIAL_FILES` where this install has it: inside the package (a wheel),
    else in the repository the package was installed from (editable). `FileNotFoundError`
    when neither has them all."""
    packaged = resources.files("primer_nb") / PACKAGED
    repository = Path(__file__).resolve().parent.parent
    for root in (packaged, repository):
        found = {name: root.joinpath(*name.split("/")) for name in TUTORIAL_FILES}
        if all(source.is_file() for source in found.values()):
            return found
    raise FileNotFoundError(
        "this primer-nb install has no tutorial files (neither the wheel's "
        f"primer_nb/{PACKAGED}/ nor a repository next to the package)"
    )


def copy_tutorials(folder: str | os.PathLike[str] = "primer-nb-tutorials") -> CopiedTutorials:
    """Copy the tutorial notebooks, `data/orders.csv` and the emulator page into `folder`
    (made if missing), never overwriting a file that is already there."""
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} is a file, not a folder")
    written: list[Path] = []
    unchanged: list[Path] = []
    kept: list[Path] = []
    for name, source in _tutorial_sources().items():
        content = source.read_bytes()
        path = target.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("xb") as out:  # "x": never replaces a file, even one made meanwhile
                out.write(content)
        except FileExistsError:  # a link to nowhere, or a folder, is kept too: no copy stops
            try:
                same = path.is_file() and path.read_bytes() == content
            except OSError:
                same = False
            (unchanged if same else kept).append(path)
        else:
            written.append(path)
    return CopiedTutorials(target, tuple(written), tuple(unchanged), tuple(kept))
