"""The browser harness explains a Run All that never finishes, instead of a bare timeout.

CI once reported only `Page.wait_for_function: Timeout 120000ms exceeded` for a
tutorial: no prompt, no stack. `LabPage.run_all` now answers with the code cells'
prompts, a screenshot and every kernel thread's Python stack (SIGUSR1 through the
`KERNEL_STARTUP` file the test server's kernels load).
"""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.browser.conftest import LabPage

pytestmark = pytest.mark.browser


def test_a_stuck_run_all_reports_prompts_and_the_kernel_stack(lab_page: LabPage) -> None:
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1"),  # type: ignore[no-untyped-call]
        nbformat.v4.new_code_cell("import time\n\ntime.sleep(300)"),  # type: ignore[no-untyped-call]
        nbformat.v4.new_code_cell("y = 2"),  # type: ignore[no-untyped-call]
    ]
    path = lab_page.lab.root_dir / "notebooks" / "harness-stuck.ipynb"
    nbformat.write(nb, path)  # type: ignore[no-untyped-call]
    try:
        lab_page.open_notebook(path.name)
        with pytest.raises(AssertionError) as stuck:
            lab_page.run_all(timeout=5_000)
    finally:
        path.unlink()

    report = str(stuck.value)
    assert "Run All did not finish within 5 s" in report
    assert "code cell prompts: ['[1]:', '[*]:', '[*]:']" in report
    assert "| Busy" in report
    # the main thread's stack names the cell's line that blocks
    assert re.search(r'ipykernel_\d+/\d+\.py", line 3 in <module>', report), report
    assert "run-all-stuck-harness-stuck.png" in report
    assert "a message from the kernel was lost" not in report  # busy: not that case
