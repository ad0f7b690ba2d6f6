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
from textual.content import Content
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


def widget_background(widget: Widget) -> Color:
    """The colour under a widget's parts (its background over its ancestors')."""
    base, background = widget.background_colors
    return base + background


def part_lines(widget: Widget, styles: RenderStyles, content: Content, width: int,
               under: Color | None = None) -> list[Strip]:
    """``content`` wrapped in ``width`` cells with the padding, border and background of
    ``styles`` (component styles of ``widget``), and blank rows for its top and bottom margins;
    no line when the content is empty. ``under``: the widget's background, when known (found
    through its ancestors otherwise)."""
    if not content or width <= 0:
        return []
    gutter = styles.gutter
    inner = max(1, width - gutter.width)
    lines = Visual.to_strips(widget, content, inner, None, text_style(widget, styles))
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
