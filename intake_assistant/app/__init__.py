"""The application layer: where the engine, the orientation, the store and the reports meet.

The TUI and the CLI call only this package (and pure display helpers). One function or method per
user intent; a change is saved inside the call that makes it.
"""
