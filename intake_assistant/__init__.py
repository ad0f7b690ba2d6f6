"""intake-assistant: a keyboard-first intake and orientation assistant for a CCAS."""

__version__ = "0.1.0"
