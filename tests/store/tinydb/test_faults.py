"""Issue 11 §7 and the should-fix on rights: read-only store, disk full, unusable lock paths,
permission hardening. Real faults where the tests run as root (a read-only bind mount, a small
tmpfs), the OS call monkeypatched where not. French messages; nothing acknowledged is lost."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from intake_assistant.cli import main
from intake_assistant.store import StoreError, StoreUnavailableError, open_store
from intake_assistant.store.tinydb import TinyDBStore as Store
from intake_assistant.store.tinydb import store as store_module
from tests.platforms import POSIX_FILESYSTEM

pytestmark = POSIX_FILESYSTEM

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _mount(*args: str) -> bool:
    try:
        return subprocess.run(["mount", *args], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _umount(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True, timeout=30)


def _filled(root: Path, now) -> tuple[Store, list[str]]:
    store = Store.open(root)
    ids = [store.create_dossier(agent="Sophie", answers={"nom": n, "loyer": 400}, now=now)["id"]
           for n in ("Martin", "Dubois", "Leroy")]
    store.save_answer(ids[0], "loyer", 420, agent="Sophie")
    return store, ids


@contextmanager
def read_only_view(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The store at `root` seen read-only: a read-only bind mount when we are root, else the
    store's write calls failing with EROFS."""
    view = root.with_name(root.name + "-lecture")
    view.mkdir()
    if IS_ROOT and _mount("--bind", str(root), str(view)) and _mount(
            "-o", "remount,bind,ro", str(view)):
        try:
            yield view
        finally:
            _umount(view)
        return
    _umount(view)
    shutil.rmtree(view)
    monkeypatch.setattr(store_module, "_read_only", lambda path: True)
    yield root


def test_read_only_store_reads_and_refuses_writes_in_french(tmp_path: Path, now,
                                                            monkeypatch, capsys) -> None:
    store, ids = _filled(tmp_path / "base", now)
    store.list()
    # SQLite keeps a file open while this process holds locks on the same file through another
    # path (the bind mount): closing the writer's index lets the view be unmounted.
    store.index.close()
    with read_only_view(store.root, monkeypatch) as view:
        ro = open_store(view)
        assert ro.read_only
        assert sorted(e.id for e in ro.list()) == sorted(ids)
        assert ro.count() == 3 and set(ro.versions()) == set(ids)
        assert ro.load(ids[0])["answers"]["loyer"] == 420
        with pytest.raises(StoreUnavailableError, match="lecture seule"):
            ro.save_answer(ids[0], "loyer", 1, agent="x")
        with pytest.raises(StoreUnavailableError, match="lecture seule"):
            ro.create_dossier(agent="x")
        with pytest.raises(StoreUnavailableError, match="lecture seule"):
            ro.session(ids[0], agent="x")
        with pytest.raises(StoreUnavailableError, match="lecture seule"):
            ro.forget(ids[0])
        # the read-only commands of the CLI work, and say nothing false
        assert main(["list", "--db", str(view)]) == 0
        assert "3 dossier(s)." in capsys.readouterr().out
        assert main(["show", ids[0], "--db", str(view)]) == 0
        assert "Martin" in capsys.readouterr().out
        assert main(["purge", "--dry-run", "--inactive-days", "0", "--db", str(view)]) == 0
        assert main(["stats", "--db", str(view), "--format", "json"]) == 0
        capsys.readouterr()
        assert main(["forget", ids[0], "--yes", "--db", str(view)]) == 1
        assert "lecture seule" in capsys.readouterr().err
    assert open_store(store.root).load(ids[0])["answers"]["loyer"] == 420


@contextmanager
def small_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, bool]]:
    """A folder on a 512 KB tmpfs when we are root (True), else an ordinary folder (False)."""
    mount = tmp_path / "petit-disque"
    mount.mkdir()
    if IS_ROOT and _mount("-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)):
        try:
            yield mount, True
        finally:
            _umount(mount)
        return
    yield mount, False


def _fill(folder: Path) -> Path:
    filler = folder / "remplissage"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_disk_full_refuses_in_french_and_loses_nothing(tmp_path: Path, now, monkeypatch) -> None:
    with small_disk(tmp_path, monkeypatch) as (disk, real):
        store, ids = _filled(disk / "base", now)
        before = store.load(ids[0])
        if real:
            filler = _fill(disk)
        else:
            real_write = os.write

            def full(fd: int, data: bytes) -> int:
                raise OSError(errno.ENOSPC, "No space left on device")

            monkeypatch.setattr(os, "write", full)
        with pytest.raises(StoreUnavailableError, match="disque de la base est plein"):
            store.save_answer(ids[0], "loyer", 999, agent="x")
        with pytest.raises(StoreUnavailableError, match="plein"):
            store.create_dossier(agent="x", answers={"nom": "N" * 100_000})
        assert store.load(ids[0]) == before  # the acknowledged state is intact
        assert sorted(e.id for e in store.list()) == sorted(ids)  # listing needs no space
        if real:
            filler.unlink()
        else:
            monkeypatch.setattr(os, "write", real_write)
        assert store.save_answer(ids[0], "loyer", 999, agent="x")["answers"]["loyer"] == 999
        other = Store.open(store.root)
        assert sorted(e.id for e in other.list()) == sorted(ids)
        for opened in (store, other):  # their index files are on the small disk, unmounted next
            opened.index.close()


def test_a_lock_path_that_is_a_folder_or_a_link_loop(tmp_path: Path, now) -> None:
    store, ids = _filled(tmp_path / "base", now)
    lock = store.locks_dir / f"{ids[0]}.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    with pytest.raises(StoreUnavailableError, match="Un dossier occupe la place"):
        store.save_answer(ids[0], "loyer", 1, agent="x")
    lock.rmdir()
    loop = store.locks_dir / f"{ids[1]}.lock"
    loop.unlink(missing_ok=True)
    os.symlink(loop.name + ".b", loop)
    os.symlink(loop.name, str(loop) + ".b")
    with pytest.raises(StoreUnavailableError, match="lien symbolique en boucle"):
        store.add_note(ids[1], "n", agent="x")
    assert store.load(ids[1])["notes"] == []
    store.save_answer(ids[0], "loyer", 1, agent="x")  # the others are fine


def test_an_unusable_index_lock_does_not_fail_a_saved_answer(tmp_path: Path, now) -> None:
    """The dossier file is the truth: once written, the save succeeded even if its index line
    cannot be; the next start re-reads the changed file."""
    store, ids = _filled(tmp_path / "base", now)
    store.list()
    (store.index_dir / "index.lock").unlink(missing_ok=True)
    (store.index_dir / "index.lock").mkdir()
    saved = store.save_answer(ids[0], "nom", "Renard", agent="x")
    assert saved["answers"]["nom"] == "Renard"
    assert [e.nom for e in store.list(search=ids[0])] == ["Renard"]
    (store.index_dir / "index.lock").rmdir()
    assert [e.nom for e in Store.open(store.root).list(search=ids[0])] == ["Renard"]


def test_every_folder_and_file_is_tightened_after_a_copy(tmp_path: Path, now) -> None:
    store, ids = _filled(tmp_path / "base", now)
    store.put_record("agents", "sophie", {"nom": "Sophie"})
    copy = tmp_path / "copie"
    shutil.copytree(store.root, copy)
    for path in [copy, *copy.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)  # as a careless copy leaves them
    Store.open(copy)
    for path in [copy, *copy.rglob("*")]:
        assert os.stat(path).st_mode & 0o077 == 0, path


def test_a_store_folder_replaced_by_a_link_is_refused_and_its_target_untouched(
        tmp_path: Path, now) -> None:
    store, _ = _filled(tmp_path / "base", now)
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir(mode=0o755)
    os.chmod(elsewhere, 0o755)
    shutil.rmtree(store.root / "leases")
    os.symlink(elsewhere, store.root / "leases")
    with pytest.raises(StoreError, match="lien symbolique"):
        Store.open(store.root)
    assert os.stat(elsewhere).st_mode & 0o777 == 0o755


def test_a_store_root_that_is_a_link_is_used_but_not_chmodded_through(tmp_path: Path,
                                                                       now) -> None:
    real = tmp_path / "vrai"
    _filled(real, now)
    link = tmp_path / "lien"
    os.symlink(real, link)
    assert len(Store.open(link).list()) == 3
