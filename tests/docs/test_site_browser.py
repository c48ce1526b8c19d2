"""The documentation site in a real browser: every page of `site/`, as a reader sees it.

Every page is opened once in chromium (served over HTTP from 127.0.0.1) and what it
shows is recorded; the tests below then assert on those records:

- no console error, failed request or HTTP error on any page, and nothing fetched from
  another host (no CDN: the widget renderer is served by the site);
- every image loaded (`naturalWidth > 0`);
- every internal link resolves, fragments included;
- every tutorial shows the stored output of every code cell that has one;
- the charts tutorial (`*many-sessions*`) shows its two charts as images;
- the builder tutorial (`*session-builder*`) shows the form drawn from its saved widget
  state;
- the search finds "minor units".

Screenshots of the home page, the charts page and the builder page go to `build/docs/`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import httpx
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'

COLLECT = """() => ({
  images: Array.from(document.images).map(i => ({
    src: i.currentSrc || i.src, loaded: i.complete && i.naturalWidth > 0,
    width: i.naturalWidth, inOutput: !!i.closest('.cell_output'),
  })),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  ids: Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.name),
  outputs: Array.from(document.querySelectorAll('.cell_output')).map(o => ({
    text: o.innerText.trim().length,
    media: o.querySelectorAll('img, .widget-subarea, table').length,
  })),
  widgetViews: document.querySelectorAll('WIDGET_VIEW').length,
})""".replace("WIDGET_VIEW", WIDGET_VIEW)


@dataclass
class PageRecord:
    path: str
    errors: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    outputs: list[dict[str, int]] = field(default_factory=list)
    widget_views: int = 0


def site_pages(site_dir: Path) -> list[str]:
    return sorted(
        path.relative_to(site_dir).as_posix()
        for path in site_dir.rglob("*.html")
        if not path.relative_to(site_dir).as_posix().startswith(("_static/", "_sources/"))
    )


def _watch(page: Any, origin: str, errors: list[str]) -> None:
    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(f"console error: {message.text}")

    def on_request(request: Any) -> None:
        if not request.url.startswith((origin, "data:", "blob:")):
            errors.append(f"request to another host: {request.url}")

    def on_response(response: Any) -> None:
        if response.status >= 400:
            errors.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
    page.on("request", on_request)
    page.on("response", on_response)


def _wait_for_widgets(page: Any, errors: list[str]) -> None:
    """Wait until html-manager drew every widget (it adds a `.widget-subarea` per view)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    views = page.locator(WIDGET_VIEW).count()
    if not views:
        return
    try:
        page.wait_for_function(
            "n => document.querySelectorAll('.widget-subarea').length >= n",
            arg=views,
            timeout=15_000,
        )
        page.wait_for_load_state("networkidle")
    except PlaywrightTimeout:
        drawn = page.locator(".widget-subarea").count()
        errors.append(
            f"widgets not drawn: {drawn} of {views} (is the notebook's widget state saved?)"
        )


@pytest.fixture(scope="module")
def records(site_dir: Path, site_url: str, docs_browser: Any) -> Iterator[dict[str, PageRecord]]:
    context = docs_browser.new_context(viewport={"width": 1280, "height": 900})
    result: dict[str, PageRecord] = {}
    try:
        for path in site_pages(site_dir):
            record = PageRecord(path)
            page = context.new_page()
            _watch(page, site_url, record.errors)
            page.goto(f"{site_url}/{path}", wait_until="load")
            _wait_for_widgets(page, record.errors)
            data = page.evaluate(COLLECT)
            record.images = data["images"]
            record.links = data["links"]
            record.ids = set(data["ids"])
            record.outputs = data["outputs"]
            record.widget_views = data["widgetViews"]
            page.close()
            result[path] = record
        yield result
    finally:
        context.close()


def test_the_site_has_every_tutorial_the_readme_and_the_reference(
    records: dict[str, PageRecord],
) -> None:
    expected = {f"notebooks/{nb.stem}.html" for nb in NOTEBOOKS} | {
        "index.html",
        "README.html",
        "notebooks/README.html",
        "docs/emulator.html",
        "docs/behaviour.html",
        "docs/primer-api.html",
        "docs/api/index.html",
        "search.html",
    }
    assert expected <= set(records)
    assert any(path.startswith("docs/api/primer_nb/") for path in records)


def test_no_page_has_console_errors_or_failed_requests(records: dict[str, PageRecord]) -> None:
    problems = {path: r.errors for path, r in records.items() if r.errors}
    assert problems == {}


def test_every_image_loads(records: dict[str, PageRecord]) -> None:
    broken = {
        path: [image["src"] for image in r.images if not image["loaded"]]
        for path, r in records.items()
    }
    assert {path: srcs for path, srcs in broken.items() if srcs} == {}


def test_every_internal_link_resolves(
    records: dict[str, PageRecord], site_url: str, site_dir: Path
) -> None:
    broken: dict[str, list[str]] = {}
    checked: dict[str, bool] = {}
    for path, record in records.items():
        for link in record.links:
            if not link.startswith(site_url + "/"):
                continue  # another site (Primer's docs, npm): not ours to check here
            target, fragment = urldefrag(link)
            target_path = unquote(urlsplit(target).path).lstrip("/") or "index.html"
            if target_path.endswith("/"):
                target_path += "index.html"
            if target_path in records:
                ok = not fragment or unquote(fragment) in records[target_path].ids
            else:
                if target_path not in checked:
                    checked[target_path] = httpx.get(target, timeout=10).status_code == 200
                ok = checked[target_path] and (site_dir / target_path).is_file()
            if not ok:
                broken.setdefault(path, []).append(link.removeprefix(site_url))
    assert broken == {}


def _cells_with_outputs(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(1 for cell in cells if cell["cell_type"] == "code" and cell.get("outputs"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_tutorial_pages_show_their_stored_outputs(
    notebook: Path, records: dict[str, PageRecord]
) -> None:
    record = records[f"notebooks/{notebook.stem}.html"]
    assert len(record.outputs) == _cells_with_outputs(notebook) > 0
    empty = [i for i, output in enumerate(record.outputs) if not output["text"] + output["media"]]
    assert empty == [], f"outputs shown empty on the page: {empty}"


def _one_page(records: dict[str, PageRecord], word: str) -> str:
    (path,) = [p for p in records if p.startswith("notebooks/") and word in p]
    return path


def test_the_charts_page_shows_its_two_charts(records: dict[str, PageRecord]) -> None:
    record = records[_one_page(records, "many-sessions")]
    charts = [image for image in record.images if image["inOutput"]]
    assert len(charts) == 2
    assert all(image["loaded"] and image["width"] >= 500 for image in charts), charts


def test_the_builder_page_shows_the_form_from_saved_widget_state(
    site_url: str, records: dict[str, PageRecord], docs_browser: Any, screenshots: Path
) -> None:
    path = _one_page(records, "session-builder")
    assert records[path].widget_views > 0
    page = docs_browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{site_url}/{path}", wait_until="load")
        problems: list[str] = []
        _wait_for_widgets(page, problems)
        assert problems == []
        form = page.locator(".widget-subarea .primer-session-builder").first
        form.scroll_into_view_if_needed()
        assert form.is_visible()
        box = form.bounding_box()
        assert box is not None and box["height"] > 200 and box["width"] > 400
        # The saved state's values, drawn as real controls.
        assert form.get_by_text("POST /client-session").first.is_visible()
        assert form.locator("input.widget-input").count() >= 3
        assert form.locator("input.widget-input").first.input_value() != ""
        assert form.locator("select").count() >= 1
        assert form.get_by_role("button", name="Send").is_visible()
        # Every widget output of the notebook was drawn, none left as an empty box.
        views = page.locator(WIDGET_VIEW).count()
        drawn = page.evaluate(
            """() => Array.from(document.querySelectorAll('.widget-subarea'))
                 .filter(w => w.getBoundingClientRect().height > 0).length"""
        )
        assert drawn == views
        page.screenshot(path=str(screenshots / "builder.png"))
    finally:
        page.close()


def test_screenshots_of_home_and_charts(
    site_url: str, records: dict[str, PageRecord], docs_browser: Any, screenshots: Path
) -> None:
    page = docs_browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{site_url}/index.html", wait_until="load")
        assert page.get_by_role("heading", name="primer-nb").first.is_visible()
        page.screenshot(path=str(screenshots / "home.png"))
        page.goto(f"{site_url}/{_one_page(records, 'many-sessions')}", wait_until="load")
        chart = page.locator(".cell_output img").first
        chart.scroll_into_view_if_needed()
        assert chart.is_visible()
        assert chart.evaluate("img => img.naturalWidth") >= 500
        page.screenshot(path=str(screenshots / "charts.png"))
    finally:
        page.close()
    assert {p.name for p in screenshots.glob("*.png")} >= {"home.png", "charts.png"}


def test_search_finds_minor_units(site_url: str, docs_browser: Any) -> None:
    page = docs_browser.new_page()
    try:
        page.goto(f"{site_url}/search.html?q=minor+units", wait_until="load")
        results = page.locator("#search-results li a")
        results.first.wait_for(timeout=15_000)
        hrefs = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
        assert any("currency-minor-units" in href for href in hrefs), hrefs
    finally:
        page.close()


def test_the_site_publishes_no_machine_paths_and_no_raw_sources(site_dir: Path) -> None:
    """A reader sees no folder of the machine that built the site: no `_sources/` copies
    of the notebooks (their raw text holds notebook 09's temporary ledger path), and no
    page names the checkout or a temporary folder (tracebacks are stored relative)."""
    assert not [p for p in (site_dir / "_sources").rglob("*") if p.is_file()]
    leaks = [str(ROOT), "/tmp/primer-nb-"]
    for path in site_dir.rglob("*"):
        if (
            path.is_file()
            and path.suffix in (".html", ".txt", ".js")
            and "_static" not in path.parts
        ):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [leak for leak in leaks if leak in text], path


def test_the_builders_client_token_is_readable_in_dark_mode(
    site_url: str, records: dict[str, PageRecord], docs_browser: Any
) -> None:
    """The theme follows the reader's dark setting; widgets keep their light background,
    so their `<code>` (the client token line) keeps the widget's text colour."""
    path = _one_page(records, "session-builder")
    page = docs_browser.new_page(color_scheme="dark")
    try:
        page.goto(f"{site_url}/{path}", wait_until="load")
        _wait_for_widgets(page, [])
        colours = page.evaluate(
            """() => Array.from(document.querySelectorAll('.widget-subarea code')).map(
                 c => [getComputedStyle(c).color, getComputedStyle(c.parentElement).color])"""
        )
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        assert colours, "the builder page shows no client token"
        assert all(code == parent for code, parent in colours), colours
    finally:
        page.close()


def test_every_widget_says_it_is_a_snapshot(
    site_url: str, records: dict[str, PageRecord], docs_browser: Any
) -> None:
    """No kernel runs behind the site: each widget is marked as the saved snapshot it is,
    so a reader does not take a form that ignores clicks for a broken one."""
    path = _one_page(records, "session-builder")
    page = docs_browser.new_page()
    try:
        page.goto(f"{site_url}/{path}", wait_until="load")
        _wait_for_widgets(page, [])
        notes = page.evaluate(
            """() => Array.from(document.querySelectorAll('.widget-subarea')).map(
                 w => getComputedStyle(w, '::before').content)"""
        )
        assert notes and all("snapshot of the executed notebook" in n for n in notes), notes
    finally:
        page.close()


def test_every_chart_has_alt_text_that_describes_it(site_dir: Path) -> None:
    """A screen reader reads a chart's alt text: a sentence (set per cell with
    `mystnb.image.alt`), never the image's file path."""
    import re

    charts = [
        (page.name, alt)
        for page in (site_dir / "notebooks").glob("*.html")
        for alt in re.findall(
            r'<img alt="([^"]*)"[^>]*src="[^"]*_images/', page.read_text(encoding="utf-8")
        )
    ]
    assert len(charts) >= 2  # notebook 09's two charts at least
    for page, alt in charts:
        assert " " in alt and not alt.endswith(".png"), (page, alt)
