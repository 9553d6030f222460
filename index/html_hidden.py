"""Remove what a browser would not show from an HTML page before its text is extracted.

A reader never sees comments, `hidden` elements, or text styled away (display:none,
visibility:hidden, zero font size, zero opacity, text the colour of its background, pushed off
screen), so such text is not part of the document; it is also where instructions aimed at an AI
reader are hidden. Inline styles, `hidden`/`bgcolor`/`<font color>` attributes and simple
stylesheet rules (`.class`, `#id`, `tag`, `tag.class`, outside @media blocks) are understood;
scripts and external stylesheets are not run or fetched, so a page hiding text that way keeps it.
"""

from __future__ import annotations

import re

from lxml import etree, html

DEFAULT_BACKGROUND = (255, 255, 255)
_SAME_COLOUR_DISTANCE = 24  # near-white on white is as invisible as white on white
_NAMED = {
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "snow": (255, 250, 250),
    "ivory": (255, 255, 240),
    "whitesmoke": (245, 245, 245),
    "ghostwhite": (248, 248, 255),
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "silver": (192, 192, 192),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
}
_SIMPLE_SELECTOR = re.compile(r"^([a-z][a-z0-9]*)?(?:([.#])([\w-]+))?$", re.I)


def drop_hidden(page: str) -> str:
    """The page without comments and without elements a browser would not display."""
    try:
        tree = html.document_fromstring(page.encode("utf-8"), parser=_parser())
    except (etree.LxmlError, ValueError):
        return page
    etree.strip_elements(tree, etree.Comment, with_tail=False)
    hiding_rules = _stylesheet_hiding_rules(tree)
    # With stylesheets a background may be set where we cannot see it: then only an explicit
    # inline background counts, so white text on a styled dark banner is kept.
    styled = bool(tree.xpath("//style | //link[@rel='stylesheet']"))
    default = None if styled else DEFAULT_BACKGROUND
    doomed = [
        el
        for el in tree.iter()
        if isinstance(el.tag, str)
        and (_hidden(el, default) or any(rule(el) for rule in hiding_rules))
    ]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()  # keeps the element's tail, which belongs to its parent
    return html.tostring(tree, encoding="unicode")


def _parser() -> html.HTMLParser:
    return html.HTMLParser(encoding="utf-8", remove_comments=False)


def _hidden(el, default_background) -> bool:
    if el.tag in ("html", "head", "body", "title", "meta"):
        return False
    if el.get("hidden") is not None:
        return True
    style = _declarations(el.get("style", ""))
    if el.tag == "font" and el.get("color"):
        style.setdefault("color", el.get("color"))
    return bool(style) and _hiding_declarations(style, _background(el, default_background))


def _hiding_declarations(style: dict[str, str], background=None) -> bool:
    """`background`: the colour behind the element, if known."""
    if style.get("display") == "none" or style.get("visibility") in ("hidden", "collapse"):
        return True
    if _length(style.get("font-size")) is not None and _length(style["font-size"]) <= 1:
        return True
    if _number(style.get("opacity")) is not None and _number(style["opacity"]) <= 0.05:
        return True
    for offset in ("text-indent", "left", "top", "margin-left"):
        if _length(style.get(offset)) is not None and _length(style[offset]) <= -999:
            return True
    colour = style.get("color")
    if colour is not None:
        if colour == "transparent" or _alpha(colour) == 0:
            return True
        text = _rgb(colour)
        own = _background_of(style)
        background = _rgb(own) if own else background
        if text is not None and background is not None:
            return sum((a - b) ** 2 for a, b in zip(text, background, strict=True)) ** 0.5 < (
                _SAME_COLOUR_DISTANCE
            )
    return False


def _declarations(style: str) -> dict[str, str]:
    found = {}
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            value = value.replace("!important", "").strip().lower()
            found[name.strip().lower()] = value
    return found


def _background_of(style: dict[str, str]) -> str | None:
    if "background-color" in style:
        return style["background-color"]
    if "background" in style:
        return style["background"].split()[0] if style["background"].split() else None
    return None


def _background(el, default) -> tuple[int, int, int] | None:
    """The nearest background colour set on the element or an ancestor, else `default`."""
    while el is not None:
        value = _background_of(_declarations(el.get("style", ""))) or el.get("bgcolor")
        if value:
            return _rgb(value)
        el = el.getparent()
    return default


def _rgb(value: str) -> tuple[int, int, int] | None:
    value = value.strip().lower()
    if value in _NAMED:
        return _NAMED[value]
    if m := re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", value):
        digits = m.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
    if m := re.fullmatch(r"rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)(?:[\s,/]+[\d.]+%?)?\s*\)", value):
        return tuple(min(255, int(g)) for g in m.groups())  # type: ignore[return-value]
    return None


def _alpha(value: str) -> float | None:
    m = re.fullmatch(r"rgba\([^)]*[,/]\s*([\d.]+)\s*\)", value.strip().lower())
    return float(m.group(1)) if m else None


def _length(value: str | None) -> float | None:
    m = re.fullmatch(r"(-?[\d.]+)\s*(px|pt|em|rem|%|vw|vh)?", value or "")
    if not m:
        return None
    try:
        number = float(m.group(1))
    except ValueError:
        return None
    return number * 16 if m.group(2) in ("em", "rem") else number


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _stylesheet_hiding_rules(tree) -> list:
    """Matchers for elements that a page's own <style> rules hide."""
    rules = []
    for style in tree.iter("style"):
        css = _without_at_blocks(style.text or "")
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
            declarations = _declarations(body)
            if not _hiding_declarations(declarations):
                continue
            for selector in selectors.split(","):
                if matcher := _simple_matcher(selector.strip()):
                    rules.append(matcher)
    return rules


def _without_at_blocks(css: str) -> str:
    """The stylesheet without @media/@supports/... blocks (their rules apply only sometimes)."""
    out, depth, i = [], 0, 0
    while i < len(css):
        if depth == 0 and css[i] == "@":
            brace = css.find("{", i)
            semicolon = css.find(";", i)
            if brace == -1 or (semicolon != -1 and semicolon < brace):
                i = len(css) if semicolon == -1 else semicolon + 1
                continue
            depth, i = 1, brace + 1
            while i < len(css) and depth:
                depth += {"{": 1, "}": -1}.get(css[i], 0)
                i += 1
            continue
        out.append(css[i])
        i += 1
    return "".join(out)


def _simple_matcher(selector: str):
    m = _SIMPLE_SELECTOR.match(selector)
    if not m or not (m.group(1) or m.group(3)):
        return None
    tag, kind, name = (m.group(1) or "").lower(), m.group(2), m.group(3)
    if tag in ("html", "body", "head"):
        return None

    def matches(el) -> bool:
        if tag and el.tag != tag:
            return False
        if kind == ".":
            return name in (el.get("class") or "").split()
        if kind == "#":
            return el.get("id") == name
        return True

    return matches
