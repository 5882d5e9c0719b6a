"""The console's modules: formats and time-zone arithmetic come from web/js/format.js, not
from i18n.js (which keeps only words)."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web" / "js"
MOVED = {
    "fmtNumber",
    "fmtPercent",
    "fmtDate",
    "fmtDateTime",
    "fmtBytes",
    "deadlineInstant",
    "fmtTimeLeft",
}
IMPORT = re.compile(r'import \{([^}]*)\} from "[./]*/i18n\.js";')


def test_formats_are_imported_from_format_js():
    offenders = {}
    for path in WEB.rglob("*.js"):
        for names in IMPORT.findall(path.read_text(encoding="utf-8")):
            wrong = MOVED & {n.strip() for n in names.split(",")}
            if wrong:
                offenders[str(path.relative_to(WEB))] = sorted(wrong)
    assert not offenders, offenders


def test_i18n_defines_no_format():
    source = (WEB / "i18n.js").read_text(encoding="utf-8")
    for name in MOVED:
        assert f"function {name}(" not in source, name
    # Nor hands them on: one module to import them from.
    assert not re.search(r"from \"[./]*format\.js\"", source)
    assert not re.search(r"^export \{[^}]*\} from", source, re.M)


def test_no_module_but_format_js_formats_a_value():
    """Numbers, percentages, dates and instants are shaped in format.js only (the public
    pages included), so one change of format reaches every page."""
    offenders = {
        str(path.relative_to(WEB))
        for path in WEB.rglob("*.js")
        if path.name != "format.js"
        and re.search(r"Intl\.|\.toFixed\(|\.toLocale\w*String\(", path.read_text(encoding="utf-8"))
    }
    assert not offenders, offenders
