"""The console's static files and templates keep the rules the CSP and the API rely on."""

from __future__ import annotations

import re
from pathlib import Path

from otelray.console.client import operation_paths

CONSOLE = Path(__file__).resolve().parents[3] / "src" / "otelray" / "console"


def test_js_operation_paths_match_botocores_model() -> None:
    source = (CONSOLE / "static" / "common.js").read_text()
    block = source[source.index("export const PATHS") : source.index("};", source.index("export const PATHS"))]
    paths = dict(re.findall(r"(\w+): \"(/\w+)\"", block))
    assert len(paths) >= 13
    model = operation_paths()
    assert {name: model[name] for name in paths} == paths


def test_scripts_never_write_html() -> None:
    for script in (CONSOLE / "static").glob("*.js"):
        text = script.read_text()
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert banned not in text, f"{script.name} uses {banned}"


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    for template in (CONSOLE / "templates").glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name
        assert "style=" not in text and "<style" not in text, template.name
        assert "http://" not in text and "https://" not in text, template.name


def test_every_referenced_static_file_exists() -> None:
    for template in (CONSOLE / "templates").glob("*.html"):
        for name in re.findall(r'"/static/([\w.]+)"', template.read_text()):
            assert (CONSOLE / "static" / name).is_file(), f"{template.name} refers to missing {name}"
    for script in (CONSOLE / "static").glob("*.js"):
        for name in re.findall(r'from "\./([\w.]+)"', script.read_text()):
            assert (CONSOLE / "static" / name).is_file(), f"{script.name} imports missing {name}"
