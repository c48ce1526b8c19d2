"""The display helper the tutorials use for long JSON (`primer_nb.tutorial.CollapsibleJSON`)."""

from __future__ import annotations

import json

from primer_nb.tutorial import CollapsibleJSON


def test_html_is_folded_and_escaped_text_is_whole() -> None:
    data = {"orderId": "<script>alert(1)</script>", "amount": 1000, "name": "Crème"}
    shown = CollapsibleJSON(data, "The answer")
    page = shown._repr_html_()
    assert page.startswith("<details><summary>The answer</summary><pre>")
    assert page.endswith("</pre></details>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Crème" in page  # not \\u-escaped
    first, rest = repr(shown).split("\n", 1)
    assert first == "The answer"
    assert json.loads(rest) == data


def test_default_summary_counts_lines() -> None:
    shown = CollapsibleJSON({"a": [1, 2]})
    assert shown.summary == f"JSON, {len(shown.text.splitlines())} lines"
    assert shown.summary == "JSON, 6 lines"
