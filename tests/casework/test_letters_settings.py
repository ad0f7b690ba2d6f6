"""Letter templates (checked placeholders, safe filling) and the casework settings files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from intake_assistant.core.casework import letters, settings
from intake_assistant.core.datadir import data_dir
from intake_assistant.core.findings import FindingsError

HEAD = "---\ntitre: Essai\ndestinataire: personne\nobjet: \"Dossier {{ dossier.numero }}\"\n---\n"


def parse(text: str):
    return letters.parse_template(text.encode(), "modele.md", "modele")


def test_every_shipped_template_and_setting_is_valid() -> None:
    templates, findings = letters.read_templates(data_dir() / "lettres")
    assert findings == []
    assert {"convocation", "accuse_reception", "pieces_a_fournir", "notification_accord",
            "notification_refus", "notification_ajournement", "courrier_banque"} <= set(templates)
    assert settings.load_commission().aids
    assert settings.load_documents().projects["achat_vehicule"].documents
    assert settings.load_ccas().city


def test_an_unknown_placeholder_is_named_at_its_line_and_column() -> None:
    template, findings = parse(HEAD + "Bonjour,\n\nVotre référent : {{ referent.name }}.\n")
    assert template is None
    assert [(f.line, f.col) for f in findings] == [(8, 18)]
    assert "champ inconnu « {{ referent.name }} »" in findings[0].message
    assert "vouliez-vous dire" not in findings[0].message
    _, findings = parse(HEAD + "{{ numero }}\n")
    assert "vouliez-vous dire « dossier.numero »" in findings[0].message


def test_unknown_placeholder_in_the_subject_and_broken_braces() -> None:
    head = HEAD.replace("{{ dossier.numero }}", "{{ dossier.id }}")
    _, findings = parse(head + "Texte {{ dossier.numero\n")
    assert [(f.line, "objet" in f.message or "accolades" in f.message) for f in findings] == \
        [(4, True), (6, True)]


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("Pas d'en-tête\n", 1, "commencer par un en-tête"),
    ("---\ntitre: x\n", 1, "en-tête non fermé"),
    ("---\ntitre: x\ndestinataire: voisin\nobjet: y\n---\nTexte\n", 3, "voisin"),
    ("---\ntitre: x\ndestinataire: personne\nobjet: y\ncouleur: bleu\n---\nTexte\n", 2,
     "clé inconnue : couleur"),
    ("---\ntitre: a: b\n---\nTexte\n", 2, "« : » inattendu"),
    (HEAD + "\n\n", 6, "pas de texte"),
])
def test_bad_templates_are_refused_with_where(text, line, fragment) -> None:
    template, findings = parse(text)
    assert template is None and findings[0].line == line and fragment in findings[0].message


def test_fill_lists_escapes_and_drops_empty_lines() -> None:
    template, _ = parse(HEAD + "Bonjour {{ personne.nom_complet }},\n\n{{ pieces.manquantes }}\n"
                        "\n{{ decision.conditions }}\n\n- condition : {{ decision.conditions }}\n"
                        "- pièces : {{ pieces.a_fournir }}\n\nFin.\n")
    body = letters.fill(template, {"personne.nom_complet": "Zoé *Star* <b>",
                                   "pieces.manquantes": ["RIB", "Bail [signé]"],
                                   "pieces.a_fournir": ["RIB", "Bail"],
                                   "decision.conditions": ""})
    assert body == ("Bonjour Zoé \\*Star\\* \\<b\\>,\n\n- RIB\n- Bail \\[signé\\]\n\n"
                    "- pièces : RIB, Bail\n\nFin.\n")
    assert letters.fill_subject(template, {"dossier.numero": "D-2026-000001"}) == \
        "Dossier D-2026-000001"
    empty = letters.fill(template, {"pieces.manquantes": []})
    assert "- aucune pièce ne manque" in empty


@given(st.text(max_size=80), st.sampled_from(["Nom : {{ personne.nom }} fin",
                                              "{{ personne.nom }} fin"]))
def test_a_value_never_becomes_markup(value: str, line: str) -> None:
    """Whatever a person's name holds, the letter shows it as text: no bold, link, list,
    heading or HTML, and every printable character as typed."""
    template, _ = parse(HEAD + line + "\n")
    body = letters.fill(template, {"personne.nom": value})
    tokens = MarkdownIt("commonmark", {"html": False}).parse(body)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    children = tokens[1].children or []
    assert {c.type for c in children} <= {"text", "softbreak"}
    shown = "".join(c.content for c in children if c.type == "text")
    flat = " ".join("".join(" " if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch
                            for ch in value).split())
    assert shown == line.replace("{{ personne.nom }}", flat).strip()


def test_settings_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "commission.yaml"
    path.write_text("version: 1\naides: [aide_au_projet, inconnue]\nheure: '25:00'\n"
                    "motifs_refus:\n  - {id: a, label: A}\n  - {id: a, label: B}\n"
                    "motifs_ajournement:\n  - {id: b, label: B}\n", encoding="utf-8")
    value, findings = settings.read_commission(path, {"aide_au_projet": "subvention"})
    assert value is None
    assert [f.line for f in findings] == [3]  # the format first: heure
    path.write_text(path.read_text().replace("'25:00'", "'14:00'"), encoding="utf-8")
    value, findings = settings.read_commission(path, {"aide_au_projet": "subvention"})
    assert value is None
    assert sorted((f.line, f.message.split(" : ", 1)[1][:20]) for f in findings) == [
        (2, "aide « inconnue » ab"), (6, "motif « a » en doubl")]
    with pytest.raises(FindingsError):
        settings.load_commission(tmp_path)


def test_documents_keys_are_project_types(tmp_path: Path) -> None:
    path = tmp_path / "documents.yaml"
    path.write_text("version: 1\nprojets:\n  trottinette:\n    pieces: [Devis]\n",
                    encoding="utf-8")
    value, findings = settings.read_documents(path, frozenset({"permis_b"}))
    assert value is None and findings[0].line == 3 and "trottinette" in findings[0].message
