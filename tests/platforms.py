"""Markers for the parts of the suite that only make sense on POSIX, so that the rest runs on
Windows: `pytest` there skips these with their reason."""

from __future__ import annotations

import sys

import pytest

WINDOWS = sys.platform == "win32"

POSIX_MODES = pytest.mark.skipif(
    WINDOWS, reason="droits de fichiers POSIX (0600/0700) : NTFS a ses propres ACL")
POSIX_SIGNALS = pytest.mark.skipif(
    WINDOWS, reason="signaux POSIX (SIGKILL, SIGSTOP) pour tuer ou geler un processus")
POSIX_PIDS = pytest.mark.skipif(
    WINDOWS, reason="vérification des pid sautée sous Windows (les baux expirent par l'âge)")
POSIX_FILESYSTEM = pytest.mark.skipif(
    WINDOWS, reason="montages, liens symboliques et droits POSIX")
POSIX_PTY = pytest.mark.skipif(WINDOWS, reason="pseudo-terminal (pty) : POSIX seulement")
