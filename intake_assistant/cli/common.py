"""What the commands share: the documented exit codes and argument types.

Exit codes of ``check``, ``interview``, ``orient`` and ``simulate``: 0 success, 1 refused input (a
file with errors, an answer refused, a store error), 2 usage (unknown option, bad argument).
"""

from __future__ import annotations

import argparse
from datetime import date

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def iso_date(text: str) -> date:
    """An ``argparse`` type: a real calendar day written AAAA-MM-JJ (« 2020-02-31 » refused)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date invalide « {text} » (une date qui existe, au format AAAA-MM-JJ)") from None
