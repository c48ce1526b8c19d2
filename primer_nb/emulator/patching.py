"""PATCH merge rules: they live in `primer_nb.merging`, shared with the patch builder.

This module keeps the emulator's old import path (`from primer_nb.emulator.patching
import apply_patch`) working.
"""

from __future__ import annotations

from primer_nb.merging import MERGED_ONE_LEVEL, apply_patch

__all__ = ["MERGED_ONE_LEVEL", "apply_patch"]
