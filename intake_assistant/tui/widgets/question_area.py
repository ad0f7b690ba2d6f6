"""The block of the question being asked: progress line, notes, question, quick replies.

Its height grows with a taller question but shrinks only when a question is much shorter (more
than `SLACK` rows): a question a line or two shorter than the one before leaves blank lines above
it instead of shrinking the block. The answer line then stays where it is, and the next question
is usually painted without resizing the transcript above it: a repaint of this block only, not a
repaint and relayout of the whole chat.
"""

from __future__ import annotations

from textual import events
from textual.containers import Vertical


class QuestionArea(Vertical):
    DEFAULT_CSS = """
    QuestionArea {
        height: auto;
        align-vertical: bottom;
    }
    """

    SLACK = 2  # blank rows kept at most above a shorter question
    _width = 0
    reserved = 0  # the rows kept (the tallest recent question at this width)

    def on_resize(self, event: events.Resize) -> None:
        width, height = event.size
        if width != self._width:  # lines wrap anew at another width: measured again
            self._width = width
            self.reserved = 0
            self.styles.min_height = None
        elif height > self.reserved:
            self.reserved = height
            self.styles.min_height = height

    def fit(self) -> None:
        """After a new question is laid out: give back the rows kept when it is much shorter."""
        natural = sum(child.outer_size.height for child in self.children if child.display)
        if self.reserved - natural > self.SLACK:
            self.reserved = natural
            self.styles.min_height = natural or None
