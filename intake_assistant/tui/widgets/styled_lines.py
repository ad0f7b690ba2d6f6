"""Lines of a part of a widget styled by CSS as if the part were a widget of its own.

A widget that paints several parts (the question block, the transcript's bubbles) draws them as
lines of one widget, so that a change repaints those lines instead of laying the screen out again
(a layout of the interview screen costs more than the change itself). Each part is a component
class of the widget (``COMPONENT_CLASSES``): its colours, text style, padding and borders come from
the stylesheet, plain mode included (``App.-plain`` rules), and are drawn by Textual's own styles
renderer, so the look is the one a widget with the same CSS has.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.content import Content, Span
from textual.css.styles import RenderStyles
from textual.geometry import Size
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget

TRANSPARENT = Color(0, 0, 0, 0)


def text_style(widget: Widget, styles: RenderStyles) -> Style:
    """The style text of a part is drawn with: the widget's, then what the part's rules set."""
    style = widget.visual_style
    text = styles.text_style
    part = Style(
        styles.background if styles.has_rule("background") else TRANSPARENT,
        styles.color if styles.has_rule("color") else TRANSPARENT,
        bold=text.bold or None, dim=text.dim or None, italic=text.italic or None,
        underline=text.underline or None, reverse=text.reverse or None,
        strike=text.strike or None,
    )
    return style + part


def bold_markup(text: str) -> Content:
    """`Content.from_markup` of ``text`` when its only markup is ``[b]…[/b]`` pairs (the
    progress line, the question, the notes: each new question parses them), without Textual's
    markup tokenizer (~0.1 ms a question); any other markup or escape goes to that parser."""
    if "\\" in text:
        return Content.from_markup(text)
    first, *pieces = text.split("[b]")
    if "[" in first:
        return Content.from_markup(text)
    plain, spans, at = [first], [], len(first)
    for piece in pieces:
        inner, closed, rest = piece.partition("[/b]")
        if not closed or "[" in inner or "[" in rest:
            return Content.from_markup(text)
        if inner:
            spans.append(Span(at, at + len(inner), "b"))
        plain += (inner, rest)
        at += len(inner) + len(rest)
    return Content("".join(plain), spans)


def widget_background(widget: Widget) -> Color:
    """The colour under a widget's parts (its background over its ancestors')."""
    base, background = widget.background_colors
    return base + background


def part_lines(widget: Widget, styles: RenderStyles, content: Content, width: int,
               under: Color | None = None, style: Style | None = None) -> list[Strip]:
    """``content`` wrapped in ``width`` cells with the padding, border and background of
    ``styles`` (component styles of ``widget``), and blank rows for its top and bottom margins;
    no line when the content is empty. ``under``: the widget's background, and ``style``: the
    part's `text_style`, when the caller keeps them (found through the widget's ancestors
    otherwise)."""
    if not content or width <= 0:
        return []
    gutter = styles.gutter
    inner = max(1, width - gutter.width)
    if style is None:
        style = text_style(widget, styles)
    lines = Visual.to_strips(widget, content, inner, None, style)
    if under is None:
        under = widget_background(widget)
    part_background = styles.background if styles.has_rule("background") else TRANSPARENT
    if not (gutter.width or gutter.height or part_background.a or styles.tint.a
            or styles.text_opacity != 1.0 or styles.opacity != 1.0):
        # Nothing around the text: its lines padded to the width, as the renderer would.
        pad = Style(background=under).rich_style
        strips = [line.adjust_cell_length(width, pad) for line in lines]
    else:
        strips = StylesCache().render(
            styles, Size(width, len(lines) + gutter.height), under, part_background,
            lines.__getitem__, (), None, None, content_size=Size(inner, len(lines)),
            padding=styles.padding,
        )
    top, _, bottom, _ = styles.margin
    if top or bottom:
        blank = Strip.blank(width, widget.visual_style.rich_style)
        strips = [blank] * top + strips + [blank] * bottom
    return strips
