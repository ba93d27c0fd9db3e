"""HTML out of the library's JSON: Jinja2 with autoescaping everywhere, control characters made visible, the
library's ``<b>`` marks re-built from escaped text, links only to http(s), and the date histogram's geometry."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
# C0 and C1 controls (a terminal escape starts with ESC), except newline and tab, and lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_MARK = re.compile(r"(</?b>)")
CHART_WIDTH, CHART_HEIGHT = 720, 120  # the histogram's viewBox; it scales to the page's width


def visible(text: str) -> str:
    """``text`` with control characters as U+FFFD: shown as what they are, never sent on."""
    return _CONTROL.sub("\ufffd", text)


def _finalize(value: Any) -> Any:
    """Every ``{{ … }}`` passes here before it is escaped: control characters never reach the page."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return Markup(visible(str(value)))
    return visible(value) if isinstance(value, str) else value


def marks(snippet: str | None) -> Markup:
    """A snippet or passage of the library (escaped text with ``<b>`` marks) as HTML: every piece between
    the marks unescaped and escaped again, so that nothing but our own ``<mark>`` can be a tag, whatever the
    library let through; marks balanced."""
    out: list[str] = []
    open_ = False
    for part in _MARK.split(snippet or ""):
        if part == "<b>" and not open_:
            out.append("<mark>")
            open_ = True
        elif part == "</b>" and open_:
            out.append("</mark>")
            open_ = False
        elif part not in ("<b>", "</b>"):
            out.append(html.escape(visible(html.unescape(part)), quote=True))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def web_url(url: str | None) -> str | None:
    """``url`` when it may be a link (http or https, no control characters or spaces), else None."""
    if not url:
        return None
    clean = url.strip()
    if not re.match(r"(?i)https?://[^\s/?#]", clean) or _CONTROL.search(clean) or any(c.isspace() for c in clean):
        return None
    return clean


def entity_href(etype: str, name: str) -> str:
    return f"/entity/{quote(etype, safe='')}/{quote(name, safe='')}"


def doc_href(doc_id: str) -> str:
    return f"/doc/{quote(doc_id, safe='')}"


AXIS_HEIGHT, AXIS_FONT = 16, 11  # the labels' own viewBox (same width as the chart's), font size in its units
AXIS_CHAR = 0.62 * AXIS_FONT  # a digit's width, about: what a label needs beside the next


def histogram(periods: list[dict[str, Any]], interval: str | None = None) -> dict[str, Any]:
    """Bars of the date histogram in viewBox units: [{period, count, x, y, width, height}], the peak, and the
    labels under them ([{text, x, anchor}], on round periods as far apart as they are wide: axis.py)."""
    from newsdex.search_cli.axis import ticks

    if not periods:
        return {"bars": [], "peak": 0, "labels": []}
    peak = max(p["count"] for p in periods) or 1
    step = CHART_WIDTH / len(periods)
    gap = min(2.0, step * 0.2)
    bars = []
    for i, p in enumerate(periods):
        height = (CHART_HEIGHT - 4) * p["count"] / peak if p["count"] else 1.0  # an empty period: a hairline
        bars.append(
            {
                "period": p["period"],
                "count": p["count"],
                "x": round(i * step, 2),
                "width": round(max(step - gap, 0.5), 2),
                "y": round(CHART_HEIGHT - height, 2),
                "height": round(height, 2),
            }
        )
    longest = max(len(p["period"]) for p in periods)
    labels = []
    for i in ticks([p["period"] for p in periods], interval, (longest * AXIS_CHAR + 12) / step):
        text = periods[i]["period"]
        x = i * step + (step - gap) / 2  # under the bar's middle; the last ones end at the chart's edge
        anchor = "end" if x + len(text) * AXIS_CHAR > CHART_WIDTH else "start" if i == 0 else "middle"
        labels.append(
            {"text": text, "x": round(CHART_WIDTH if anchor == "end" else 0 if i == 0 else x, 2), "anchor": anchor}
        )
    return {
        "bars": bars,
        "peak": peak,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "labels": labels,
        "axis_height": AXIS_HEIGHT,
        "font": AXIS_FONT,
    }


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(marks=marks, web_url=web_url)
    env.globals.update(entity_href=entity_href, doc_href=doc_href, histogram=histogram)
    return env
