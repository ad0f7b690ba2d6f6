"""What the store does differently on Windows, checked on any platform by switching its
platform flags: a target held open elsewhere is waited for, and pid checks are skipped (leases
and leftovers of this host expire by age, as those of other hosts)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from intake_assistant.store.tinydb import atomic_storage, leases
from intake_assistant.store.tinydb.atomic_storage import HOST, write_atomic


def test_a_replace_refused_for_a_moment_is_retried_on_windows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic_storage, "WINDOWS", True)
    real, refusals = os.replace, []

    def busy_twice(src: Path, dst: Path) -> None:
        if len(refusals) < 2:  # an antivirus or a reader holds the target open
            refusals.append(dst)
            raise PermissionError(13, "Le processus ne peut pas accéder au fichier")
        real(src, dst)

    monkeypatch.setattr(atomic_storage.os, "replace", busy_twice)
    target = tmp_path / "D-2026-000001.json"
    write_atomic(target, b'{"a": 1}\n')
    assert len(refusals) == 2 and target.read_bytes() == b'{"a": 1}\n'
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temp file left


def test_a_replace_refused_for_good_fails_and_cleans_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic_storage, "WINDOWS", True)
    monkeypatch.setattr(atomic_storage, "REPLACE_RETRY_S", 0.05)

    def always_busy(src: Path, dst: Path) -> None:
        raise PermissionError(13, "refusé")

    monkeypatch.setattr(atomic_storage.os, "replace", always_busy)
    with pytest.raises(PermissionError):
        write_atomic(tmp_path / "x.json", b"{}")
    assert list(tmp_path.iterdir()) == []


def test_on_posix_a_permission_error_is_not_retried(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic_storage, "WINDOWS", False)
    calls = []

    def refused(src: Path, dst: Path) -> None:
        calls.append(dst)
        raise PermissionError(13, "refusé")

    monkeypatch.setattr(atomic_storage.os, "replace", refused)
    with pytest.raises(PermissionError):
        write_atomic(tmp_path / "x.json", b"{}")
    assert len(calls) == 1


def _lease(pid: int, renewed: datetime) -> dict[str, object]:
    return {"pid": pid, "host": HOST, "agent": "A", "since": renewed.isoformat(),
            "renewed": renewed.isoformat(), "start": None}


def test_without_pid_checks_a_lease_of_this_host_expires_by_age(
        monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime(2026, 11, 26, 10, 0).astimezone()
    alive_pid = os.getppid()  # a live process that is not this one
    monkeypatch.setattr(leases, "PID_CHECKS", False)
    assert leases.Leases.is_live(_lease(alive_pid, now - timedelta(seconds=5)), now)
    assert not leases.Leases.is_live(_lease(alive_pid, now - leases.LEASE_TTL * 2), now)
    monkeypatch.setattr(leases, "PID_CHECKS", True)  # POSIX: the live process keeps it
    assert leases.Leases.is_live(_lease(alive_pid, now - leases.LEASE_TTL * 2), now)


def test_without_pid_checks_leftover_temps_of_this_host_expire_by_age(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic_storage, "PID_CHECKS", False)
    young = tmp_path / f".~a.json~{HOST}~{os.getppid()}~0001.tmp"
    old = tmp_path / f".~b.json~{HOST}~{os.getppid()}~0002.tmp"
    for path in (young, old):
        path.write_bytes(b"{}")
    past = datetime.now().timestamp() - 2 * atomic_storage.ORPHAN_MAX_AGE_S
    os.utime(old, (past, past))
    assert atomic_storage.remove_orphan_temps(tmp_path) == [old]
    assert young.exists()
