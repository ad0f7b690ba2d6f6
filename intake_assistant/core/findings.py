"""A problem found in an authored file, reported as ``path:line:col: severity CODE: message``."""

from __future__ import annotations

from dataclasses import dataclass

from intake_assistant.core.yamlsource import Location


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    col: int
    severity: str  # "error" | "warning"
    code: str
    message: str

    @classmethod
    def at(
        cls, loc: Location | None, severity: str, code: str, message: str, path: str = ""
    ) -> Finding:
        if loc is None:
            return cls(path, 1, 1, severity, code, message)
        return cls(loc.path, loc.line, loc.col, severity, code, message)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity} {self.code}: {self.message}"


class FindingsError(ValueError):
    """Raised by loaders when a file has errors; carries every finding.

    A ValueError, so that every place that reports bad input to staff reports this one too.
    """

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))

    @property
    def message(self) -> str:
        """A short French summary for a screen: the first findings, and where to see them all."""
        shown = [str(f) for f in self.findings[:3]]
        more = len(self.findings) - len(shown)
        tail = [f"… et {more} autre(s)."] if more > 0 else []
        return "\n".join(["Fichiers de paramétrage à corriger :", *shown, *tail,
                          "Lancez « intake-assistant check » pour la liste complète."])
