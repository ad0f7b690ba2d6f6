"""The memo of data files already found valid (app/validation_memo, core.loader): a file whose
exact content was valid is not validated again; a changed or invalid one always is, with its
findings; `check` never trusts the memo."""

from __future__ import annotations

import shutil

import pytest
from jsonschema import Draft202012Validator

from intake_assistant.app import validation_memo
from intake_assistant.app.validation_memo import FileValidationMemo
from intake_assistant.cli import main
from intake_assistant.core import loader
from intake_assistant.core.datadir import data_dir
from intake_assistant.core.loader import schema_findings
from intake_assistant.core.schema_memo import use_validation_memo
from intake_assistant.core.yamlsource import load_file
from intake_assistant.orientation import build


@pytest.fixture
def validations(monkeypatch) -> list[int]:
    """Counts the schema validations actually run."""
    runs: list[int] = []
    original = Draft202012Validator.iter_errors

    def counting(self, *args, **kwargs):
        runs.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Draft202012Validator, "iter_errors", counting)
    return runs


def test_a_valid_file_is_validated_once_then_remembered(tmp_path, validations) -> None:
    use_validation_memo(FileValidationMemo(tmp_path / "memo"))
    doc = load_file(data_dir() / "aides.yaml")
    assert schema_findings(doc, "aides", "aides.yaml") == []
    assert schema_findings(load_file(data_dir() / "aides.yaml"), "aides", "aides.yaml") == []
    assert len(validations) == 1
    assert len(list((tmp_path / "memo").iterdir())) == 1


def test_the_policy_built_again_in_another_process_skips_validation(tmp_path,
                                                                    validations) -> None:
    use_validation_memo(FileValidationMemo(tmp_path / "memo"))
    build.default_policy.cache_clear()
    try:
        build.default_policy()
        first = len(validations)
        build.default_policy.cache_clear()  # as a new process would
        build.default_policy()
    finally:
        build.default_policy.cache_clear()
    assert first >= 2 and len(validations) == first


def test_an_invalid_or_changed_file_is_always_validated(tmp_path, validations) -> None:
    memo_dir = tmp_path / "memo"
    use_validation_memo(FileValidationMemo(memo_dir))
    path = tmp_path / "aides.yaml"
    text = (data_dir() / "aides.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    assert schema_findings(load_file(path), "aides", str(path)) == []
    # One value changed: another digest, validated in full, its finding reported each time.
    path.write_text(text.replace("\naides:\n", "\ncle_inconnue: 1\naides:\n", 1), encoding="utf-8")
    for _ in range(2):
        found = schema_findings(load_file(path), "aides", str(path))
        assert found and "aides.yaml" in str(found[0])
    assert len(validations) == 3
    assert len(list(memo_dir.iterdir())) == 1  # the invalid content is never remembered


def test_check_validates_in_full_even_a_file_the_memo_calls_valid(tmp_path, monkeypatch,
                                                                   capsys) -> None:
    broken = tmp_path / "q"
    shutil.copytree(data_dir(), broken)
    path = broken / "aides.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\naides:\n", "\nx: 1\naides:\n", 1),
                    encoding="utf-8")
    # A digest planted for the broken content (as if it had been valid).
    planted = FileValidationMemo(validation_memo.default_folder())
    planted.remember(loader._digest("aides", load_file(path)))
    monkeypatch.setenv("INTAKE_ASSISTANT_DATA", str(broken))
    assert main(["check"]) == 1
    assert "aides.yaml" in capsys.readouterr().out


def test_the_memo_keeps_a_bounded_number_of_digests(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(validation_memo, "KEPT", 8)
    memo = FileValidationMemo(tmp_path / "memo")
    for i in range(9):
        memo.remember(f"{i:064x}")
    assert 4 <= len(list((tmp_path / "memo").iterdir())) <= 8
    assert memo.known_valid(f"{8:064x}")  # the newest stays


def test_a_digest_is_a_file_name_nothing_else(tmp_path) -> None:
    memo = FileValidationMemo(tmp_path / "memo")
    memo.remember("../../evil")
    assert not (tmp_path / "memo").exists() and not memo.known_valid("../../evil")


def test_an_unwritable_memo_costs_validations_only(tmp_path, validations) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    use_validation_memo(FileValidationMemo(blocker / "memo"))
    doc = load_file(data_dir() / "aides.yaml")
    assert schema_findings(doc, "aides", "aides.yaml") == []
    assert schema_findings(doc, "aides", "aides.yaml") == []
    assert len(validations) == 2


def test_a_dictionary_fragment_made_invalid_is_found_though_the_dictionary_was_remembered(
        tmp_path) -> None:
    """The memo keys the dictionary's fragments on its exact content: a changed fragment is
    checked again, and an invalid one is never remembered."""
    from intake_assistant.core.fields import lint_fields

    memo = tmp_path / "memo"
    use_validation_memo(FileValidationMemo(memo))
    try:
        folder = tmp_path / "q"
        shutil.copytree(data_dir(), folder)
        path = folder / "champs.yaml"
        assert [f for f in lint_fields(path)[1] if f.severity == "error"] == []
        assert len(list(memo.iterdir())) == 1  # the valid dictionary was remembered
        text = path.read_text(encoding="utf-8")
        broken = text.replace("schema: {", "schema: {type: 12, ", 1)
        assert broken != text
        path.write_text(broken, encoding="utf-8")
        for _ in range(2):  # still found the second time: never remembered
            codes = [f.code for f in lint_fields(path)[1] if f.severity == "error"]
            assert codes == ["E-JSONSCHEMA"]
        assert len(list(memo.iterdir())) == 1
    finally:
        use_validation_memo(None)
