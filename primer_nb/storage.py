"""Files only their owner may read: the ledger and the exercise progress.

- `private_folders(path)`: create the missing folders above `path` for the owner alone
  (0700, whatever the umask); folders that exist keep their mode.
- `write_private(path, text)`: replace `path` with `text` through a new 0600 file made
  beside it (`mkstemp`: never a name someone planted, such as a symlink), then
  `os.replace`, so a reader sees the old text or the new one, never half of it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["private_folders", "write_private"]


def private_folders(path: Path) -> None:
    """Create the missing parents of `path`, each 0700 (an `OSError` when one cannot be)."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(folder, 0o700)  # whatever the umask


def write_private(path: Path, text: str) -> None:
    """`path` holds `text`, readable by its owner alone (0600); `OSError` when it cannot."""
    private_folders(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
