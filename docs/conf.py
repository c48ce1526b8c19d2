"""Sphinx configuration for the primer-nb documentation site (`make docs`; see docs/README.md).

The source directory is the repository root, so the README's and the notebooks' relative
links resolve exactly as they do on GitHub and in JupyterLab; `include_patterns` limits the
site to the README, the tutorials, the project's other Markdown pages and `docs/`.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

project = "primer-nb"
author = "primer-nb contributors"
copyright = "primer-nb contributors"
root_doc = "README"

# Pages besides the tutorials: Markdown files at the top level and the README of a
# top-level folder (benchmarks/, data/), whatever exists when the site is built.
_NOT_PAGES = {"README.md", "notebooks/README.md", "docs/README.md"}
_NOT_FOLDERS = {".venv", "build", "site", "tests", "primer_nb"}
PROJECT_PAGES = sorted(
    path.relative_to(ROOT).with_suffix("").as_posix()
    for path in [*ROOT.glob("*.md"), *ROOT.glob("*/README.md")]
    if path.relative_to(ROOT).as_posix() not in _NOT_PAGES
    and path.relative_to(ROOT).parts[0] not in _NOT_FOLDERS
    and not path.relative_to(ROOT).parts[0].startswith(".")
)

extensions = ["myst_nb", "autodoc2"]

include_patterns = [
    "README.md",
    "docs/*.md",
    "docs/api/**",
    "notebooks/*.ipynb",
    "notebooks/README.md",
    *(f"{page}.md" for page in PROJECT_PAGES),
]
exclude_patterns = [".venv", "build", "site", "**/.ipynb_checkpoints"]

# Notebooks are shown with the outputs nbval checked; they are never executed here.
nb_execution_mode = "off"
# Saved widget state is rendered by @jupyter-widgets/html-manager, served from the site
# itself (docs/build.py vendors it into build/docs-vendor/, copied to _static/).
nb_ipywidgets_js = {"jupyter-widgets/embed.js": {}}
html_static_path = ["_static", "../build/docs-vendor"]
html_favicon = "_static/favicon.svg"
html_css_files = ["custom.css"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc2_packages = [{"path": "primer_nb", "auto_mode": True}]
# MyST, with pydantic fields' wire names, required-ness and real defaults (docs/model_fields.py)
sys.path.insert(0, str(ROOT / "docs"))
autodoc2_render_plugin = "model_fields.FieldRenderer"
autodoc2_docstring_parser_regexes = [(r".*", "myst")]
autodoc2_output_dir = "docs/api"


def _third_party_modules() -> set[str]:
    """Modules of the dependencies that primer_nb imports, for astroid to leave unread.

    autodoc2 reads the package statically with astroid, which by default also parses and
    infers through pandas, pydantic, matplotlib and the rest: most of the build's time.
    The reference needs only primer_nb's own code (names of outside types are shown as
    written), so those modules are on astroid's deny list.
    """
    import ast

    names: set[str] = set()
    for path in (ROOT / "primer_nb").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.module and not node.level
                else []
            )
            for module in modules:
                if module.split(".")[0] not in ("primer_nb", "__future__"):
                    parts = module.split(".")
                    names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return names


def _deny_third_party_to_astroid() -> None:
    from astroid.manager import AstroidManager

    AstroidManager.brain["module_denylist"].update(_third_party_modules())


_deny_third_party_to_astroid()
autodoc2_hidden_objects = ["private", "dunder", "inherited"]
autodoc2_sort_names = False
# `type[Model]` in a signature means the builtin, not a model field called `type`.
autodoc2_replace_annotations = [
    ("type", "builtins.type"),
    ("primer_nb.emulator.Emulator", "primer_nb.emulator.core.Emulator"),
]
autodoc2_replace_bases = [("type", "builtins.type")]

html_theme = "pydata_sphinx_theme"
html_title = "primer-nb"
# Follow the reader's system setting (light or dark); the switcher stays in the header.
html_context = {"default_mode": "auto"}
html_theme_options = {
    "navigation_with_keys": False,
    "header_links_before_dropdown": 4,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
# no `_sources/` copies: a notebook's raw text holds what its rendered page leaves out
html_copy_source = False
# Module docstrings are Markdown with `##` sections under the module's own page title.
suppress_warnings = ["myst.header"]
nitpicky = True
# Types from the standard library and third-party packages have no inventory offline
# (intersphinx would need the network): they are shown as names without a link. Every
# reference to primer_nb itself must resolve.
_EXTERNAL = (
    "builtins|collections|datetime|decimal|typing|types|abc|argparse|logging|pathlib|enum|"
    "asyncio|contextlib|sqlite3|concurrent|threading|random|json|io|os|re|"
    "httpx|pandas|pydantic|pydantic_core|matplotlib|ipywidgets|traitlets|uvicorn|starlette|"
    "jwt|iso4217|tqdm|platformdirs|IPython|numpy"
)
nitpick_ignore_regex = [
    (r"py:.*", rf"({_EXTERNAL})(\..+)?"),
    # pydantic's `Annotated[...]` metadata, as written in the source (`Field(...)`, ...)
    (r"py:.*", r"Field|StringConstraints|BeforeValidator|AfterValidator|_\w+"),
    # ... and the validators named inside it (`BeforeValidator(one_or_many)`), which are not
    # types; type aliases written for type checkers only (`ledger.Client`, under
    # TYPE_CHECKING, so that the ledger does not import the client at run time).
    (r"py:.*", r"one_or_many|primer_nb\.ledger\.Client"),
    # Private helpers (a public class's private base, `_T`) are left out of the reference on
    # purpose (but the clients' and models' shared bases: docs/model_fields.py), and type
    # variables (`T`, `M`) have no page of their own.
    (r"py:.*", r"primer_nb\.(\w+\.)*(_\w+|[A-Z])"),
]


def _add_navigation(app: Any, docname: str, source: list[str]) -> None:
    """Add the site's navigation to the pages that are sections, as hidden toctrees.

    The home page is the repository's README and the tutorials' overview is
    notebooks/README.md: both read well on GitHub as they are, so the navigation is
    added here, at build time. Tutorials are found by glob, so new notebooks appear.
    """
    if docname == root_doc:
        sections = ["notebooks/README", "docs/emulator", "docs/api/index", *PROJECT_PAGES]
        entries = "\n".join([*sections, "docs/README"])
        source[0] += f"\n\n```{{toctree}}\n:hidden:\n{entries}\n```\n"
    elif docname == "notebooks/README":
        source[0] += "\n\n```{toctree}\n:hidden:\n:glob:\n[0-9]*\n```\n"
    elif docname == "docs/emulator":
        records = "\n".join(RECORDS.values())  # the records the page sums up, under it
        source[0] += f"\n\n```{{toctree}}\n:hidden:\n{records}\n```\n"


#: The repository's two records, each published as a page of its own (docs/behaviour.md,
#: docs/primer-api.md include them): what Primer documents, and what the kit chose where
#: Primer is silent. Docstrings cite their numbered sections ("behaviour.md §3", "spec §9.3").
RECORDS = {"client-session-api.md": "primer-api", "behaviour.md": "behaviour"}
_CITED_AS = {"spec": "client-session-api.md"}
_SECTION = r"§\d+(?:\.\d+)*"
_CITATION = re.compile(
    rf"\b(behaviour\.md|client-session-api\.md|spec) ({_SECTION}(?:(?:, |-|–| and ){_SECTION})*)"
)


def _section_anchors(app: Any, record: str) -> dict[str, str]:
    """Each numbered section of a record's page ("2.", "9.3") with its HTML id."""
    cache: dict[str, dict[str, str]] = app.__dict__.setdefault("_record_anchors", {})
    if record not in cache:
        from docutils import nodes

        anchors: dict[str, str] = {}
        for section in app.env.get_doctree(f"docs/{RECORDS[record]}").findall(nodes.section):
            number = re.match(r"(\d+(?:\.\d+)*)\.?\s", section[0].astext())
            if number and section["ids"]:
                anchors.setdefault(number.group(1), section["ids"][0])
        cache[record] = anchors
    return cache[record]


def _link_record_citations(app: Any, doctree: Any, docname: str) -> None:
    """Make "behaviour.md §3" (and "§2, §5", "§2-§3") links to that section of its page.

    A citation of a section the record does not have fails the build, as any broken
    link does. Text inside code, math, a link or an API signature is left as it is; a
    title keeps its text plain, but its citations are checked too.
    """
    from docutils import nodes
    from sphinx import addnodes

    skip = (
        nodes.FixedTextElement,
        nodes.literal,
        nodes.math,
        nodes.reference,
        nodes.raw,
        addnodes.desc_signature,
    )
    for text in list(doctree.findall(nodes.Text)):
        if not _CITATION.search(text):
            continue
        ancestors = []
        node = text.parent
        while node is not None:
            ancestors.append(node)
            node = node.parent
        if any(isinstance(node, skip) for node in ancestors):
            continue
        pieces: list[nodes.Node] = []
        done = 0
        for citation in _CITATION.finditer(text):
            record = _CITED_AS.get(citation.group(1), citation.group(1))
            page = app.builder.get_relative_uri(docname, f"docs/{RECORDS[record]}")
            anchors = _section_anchors(app, record)
            for i, section in enumerate(re.finditer(_SECTION, citation.group(2))):
                # the first link reads "behaviour.md §2", the next ones "§5"
                start = citation.start() if i == 0 else citation.start(2) + section.start()
                end = citation.start(2) + section.end()
                anchor = anchors.get(section.group()[1:])
                if anchor is None:
                    raise ValueError(f"{docname}: {citation.group()} cites no section of {record}")
                if start > done:
                    pieces.append(nodes.Text(text[done:start]))
                pieces.append(
                    nodes.reference("", text[start:end], internal=True, refuri=f"{page}#{anchor}")
                )
                done = end
        if done < len(text):
            pieces.append(nodes.Text(text[done:]))
        if not any(isinstance(node, nodes.title) for node in ancestors):
            text.parent.replace(text, pieces)


def _home_as_index(app: Any, exception: Exception | None) -> None:
    """`site/index.html` is the home page too (the root document is the README)."""
    if exception is None and app.builder.format == "html":
        out = Path(app.outdir)
        shutil.copyfile(out / "README.html", out / "index.html")


def _full_width_tutorials(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Tutorials get the page's full width for their outputs (widget forms, tables, charts)."""
    if pagename.startswith("notebooks/") and pagename != "notebooks/README":
        context["secondary_sidebar_items"] = []


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _full_width_tutorials, priority=900)
    app.connect("source-read", _add_navigation)
    app.connect("doctree-resolved", _link_record_citations)
    app.connect("build-finished", _home_as_index)
    return {"parallel_read_safe": True}
