"""Show user-supplied text safely: HTML built by Jinja2 with autoescape, never by f-strings or raw Markdown.

Plan names, scenario names, area and GeoJSON names, categories, teams and
registry text are data. Put into ``display(Markdown(...))`` or an f-string
of HTML, ``<img src=x onerror=alert(1)>`` in a plan name runs script in the
exported report for every reader. Everything a notebook or the library turns
into HTML goes through this module instead:

- :func:`render` - a Jinja2 template (autoescape on) with values: the template
  is ours and trusted, every value is escaped unless it is :class:`Markup`
  we built ourselves;
- :func:`text_html` - one paragraph (or other tag) of plain text;
- :func:`show_text`, :func:`show_html` - the same, displayed in a notebook;
- :func:`md_text` - a value placed inside Markdown we write (HTML escaped and
  Markdown punctuation backslash-escaped, so it renders as the literal text);
- :func:`hover_text` - text for a plotly label (plotly reads ``<b>``/``<br>``
  tags in labels, so data is escaped the same way).

Notebooks call ``show_text(...)`` / ``show_html(template, **values)``, never
``Markdown(f"...{value}...")``.
"""

from __future__ import annotations

import html as _html
from functools import lru_cache

from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

__all__ = ["Markup", "escape", "render", "text_html", "show_text", "show_html", "hover_text", "md_text"]


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(autoescape=select_autoescape(default=True, default_for_string=True),
                       keep_trailing_newline=False)


@lru_cache(maxsize=256)
def _template(source: str):
    return _env().from_string(source)


def render(template: str, **values) -> Markup:
    """``template`` (our own Jinja2 source) filled with ``values``, each escaped; returns safe Markup."""
    return Markup(_template(template).render(**values))


def text_html(text, tag: str = "p", *, css_class: str | None = None, bold: bool = False) -> Markup:
    """One element holding ``text`` as text (escaped): ``<p>…</p>`` by default."""
    if tag not in ("p", "div", "span", "h1", "h2", "h3", "h4", "li", "pre"):
        raise ValueError(f"unsupported tag {tag!r}")
    return render("<{{ tag }}{% if cls %} class=\"{{ cls }}\"{% endif %}>{% if bold %}<strong>{{ text }}</strong>"
                  "{% else %}{{ text }}{% endif %}</{{ tag }}>",
                  tag=Markup(tag), cls=css_class, bold=bold, text="" if text is None else str(text))


def show_html(template: str, **values) -> None:
    """Display :func:`render` of ``template`` in the notebook."""
    from IPython.display import HTML, display  # IPython exists only inside a kernel

    display(HTML(str(render(template, **values))))


def show_text(text, *, bold: bool = False, tag: str = "p") -> None:
    """Display ``text`` as one paragraph of text (never interpreted as Markdown or HTML)."""
    from IPython.display import HTML, display  # IPython exists only inside a kernel

    display(HTML(str(text_html(text, tag, bold=bold))))


def hover_text(text) -> str:
    """``text`` escaped for a plotly label or hover template (which understands a few HTML tags)."""
    return _html.escape("" if text is None else str(text), quote=False)


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|~>")


def md_text(text) -> str:
    """``text`` as literal text inside Markdown: no HTML, no links, no emphasis from the data."""
    escaped = _html.escape("" if text is None else str(text), quote=False)
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in escaped).replace("\n", " ")
