"""Each role tried on each action, through the CLI and through psql as that role.

One database for the module: `db init` then `agents add` as the server's administrator, three
login roles (reception, social worker, unit lead) that connect with their own PostgreSQL role.
The application refuses in French; the database refuses on its own (grants, row-level security)
when the same role goes around the application with psql.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from intake_assistant.cli import main

from . import server

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "martin_accueil.yaml"


@dataclass
class Team:
    admin_url: str
    database: str
    logins: dict[str, str]  # role -> login
    dossier: str  # reception intake, then an evaluation, a private note, a social evaluation
    spare: list[str]  # dossiers to erase

    def url(self, role: str) -> str:
        return server.with_database(server.admin_url(), self.database, self.logins[role])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture(scope="module")
def team() -> Iterator[Team]:
    from intake_assistant.store.postgres import PostgresStore

    with server.scratch_database() as url:
        assert main(["db", "init", "--db", url]) == 0
        database = url.rsplit("/", 1)[-1]
        logins = {role: f"{database}_{short}" for role, short in
                  (("accueil", "sophie"), ("travailleur_social", "nadia"),
                   ("responsable", "chef"))}
        names = {"accueil": "Sophie Laurent", "travailleur_social": "Nadia Benali",
                 "responsable": "Claire Chef"}
        for role, login in logins.items():
            assert main(["agents", "add", login, "--nom", names[role], "--role", role,
                         "--db", url]) == 0
        store = PostgresStore(url)
        doc = store.create_dossier(agent=logins["accueil"], questionnaire="accueil_telephonique",
                                   answers={"nom": "Zébulon", "prenom": "Anaïs",
                                            "telephone": "06 99 88 77 66", "loyer": 420})
        store.save_answers(doc["id"], answers={**doc["answers"], "energie": 95},
                           unknown=["ficp"], agent=logins["travailleur_social"],
                           events=[{"seq": 1, "type": "answer", "id": "energie", "value": 95,
                                    "agent": logins["travailleur_social"]}],
                           questionnaire="evaluation")
        store.add_note(doc["id"], "Note confidentielle de Nadia",
                       agent=logins["travailleur_social"])
        store.add_note(doc["id"], "Rappeler mardi", agent=logins["accueil"])
        store.set_fields(doc["id"], agent=logins["travailleur_social"],
                         evaluation_sociale="Situation familiale difficile")
        spare = []
        for i in range(4):  # with something said: not an empty dossier its author may erase
            spare.append(store.create_dossier(agent=logins["accueil"])["id"])
            store.save_answer(spare[-1], "nom", f"Efface{i}", agent=logins["accueil"])
        store.close()
        yield Team(url, database, logins, doc["id"], spare)


ROLES = ("accueil", "travailleur_social", "responsable")


# -- through the CLI ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_and_searches(team: Team, role: str, capsys) -> None:
    code, out = run(capsys, "list", "--search", "zebulon", "--db", team.url(role))
    assert code == 0 and team.dossier in out


@pytest.mark.parametrize(("role", "allowed"), [("accueil", False), ("travailleur_social", True),
                                               ("responsable", True)])
def test_show_everything_held_on_a_person(team: Team, role: str, allowed: bool, capsys) -> None:
    code, out = run(capsys, "show", team.dossier, "--format", "json", "--db", team.url(role))
    if not allowed:
        assert code == 1
        assert "Refusé : extraire tout ce qui est conservé sur une personne est réservé" in out
        assert "Sophie Laurent (Accueil)" in out
        return
    assert code == 0 and "energie" in out and "Situation familiale difficile" in out
    assert ("Note confidentielle de Nadia" in out) == (role == "travailleur_social")


@pytest.mark.parametrize(("role", "allowed"), [("accueil", False), ("travailleur_social", True),
                                               ("responsable", True)])
def test_export_for_the_commission(team: Team, role: str, allowed: bool, capsys,
                                   tmp_path: Path) -> None:
    code, out = run(capsys, "export", team.dossier, "--format", "md",
                    "-o", str(tmp_path / "fiche.md"), "--db", team.url(role))
    assert code == (0 if allowed else 1), out
    if not allowed:
        assert "exporter la fiche pour la commission est réservé" in out


@pytest.mark.parametrize(("role", "allowed"), [("accueil", False), ("travailleur_social", False),
                                               ("responsable", True)])
def test_purge_is_the_leads(team: Team, role: str, allowed: bool, capsys) -> None:
    code, out = run(capsys, "purge", "--dry-run", "--db", team.url(role))
    assert code == (0 if allowed else 1), out
    if not allowed:
        assert "purger les dossiers inactifs (RGPD) est réservé au rôle responsable" in out


@pytest.mark.parametrize(("role", "allowed"), [("accueil", False), ("travailleur_social", False),
                                               ("responsable", True)])
def test_forget_is_the_leads(team: Team, role: str, allowed: bool, capsys) -> None:
    target = team.spare[ROLES.index(role)]
    code, out = run(capsys, "forget", target, "--yes", "--db", team.url(role))
    assert code == (0 if allowed else 1), out
    code, listed = run(capsys, "list", "--db", team.admin_url)
    assert (target in listed) == (not allowed)


@pytest.mark.parametrize("role", ("accueil", "travailleur_social"))
def test_statistics_are_the_leads(team: Team, role: str, capsys) -> None:
    code, out = run(capsys, "stats", "--db", team.url(role))
    assert code == 1 and "consulter les statistiques est réservé au rôle responsable" in out


@pytest.mark.parametrize(("role", "allowed"), [("accueil", False), ("travailleur_social", False),
                                               ("responsable", True)])
def test_agents_management_is_the_leads(team: Team, role: str, allowed: bool, capsys) -> None:
    code, out = run(capsys, "agents", "list", "--db", team.url(role))
    assert code == (0 if allowed else 1), out
    if allowed:
        assert team.logins["accueil"] in out and "Travailleur social" in out
    else:
        assert "gérer les agents est réservé au rôle responsable" in out


@pytest.mark.parametrize(("role", "allowed"), [("accueil", True), ("travailleur_social", True),
                                               ("responsable", False)])
def test_phone_intake_interview(team: Team, role: str, allowed: bool, capsys) -> None:
    code, out = run(capsys, "interview", "accueil_telephonique", "--answers", str(FIXTURE),
                    "--quiet", "--date", "2026-03-02", "--db", team.url(role))
    assert code == (0 if allowed else 1), out
    if not allowed:
        assert "mener un accueil téléphonique ou créer un dossier est réservé" in out


@pytest.mark.parametrize(("role", "allowed"), [("accueil", False), ("travailleur_social", True),
                                               ("responsable", False)])
def test_evaluation_interview(team: Team, role: str, allowed: bool, capsys, tmp_path) -> None:
    answers = tmp_path / "eval.yaml"
    answers.write_text("energie: '80'\n", encoding="utf-8")
    code, out = run(capsys, "interview", "evaluation", "--answers", str(answers), "--quiet",
                    "--date", "2026-03-02", "--dossier", team.spare[3], "--db", team.url(role))
    if allowed:
        assert "Refusé" not in out, out
    else:
        assert code == 1 and "Refusé" in out, out


def test_a_disabled_agent_is_refused(team: Team, capsys) -> None:
    login = f"{team.database}_parti"
    assert run(capsys, "agents", "add", login, "--nom", "Agent Parti", "--role", "accueil",
               "--db", team.admin_url)[0] == 0
    url = server.with_database(server.admin_url(), team.database, login)
    assert run(capsys, "list", "--db", url)[0] == 0
    code, out = run(capsys, "agents", "disable", login, "--db", team.url("responsable"))
    if code != 0:  # the lead's login may not create or revoke roles: the administrator does
        assert "ne peut pas" in out
        assert run(capsys, "agents", "disable", login, "--db", team.admin_url)[0] == 0
    code, out = run(capsys, "list", "--db", url)
    assert code == 1 and "n'a pas (ou plus) accès" in out  # the database refuses first
    from intake_assistant.app.access import AccessDenied, authenticate
    from intake_assistant.store.postgres import PostgresStore

    store = PostgresStore(team.admin_url)
    store.identity = lambda: login  # type: ignore[method-assign]  # as if it still connected
    store.is_administrator = lambda: False  # type: ignore[method-assign]
    with pytest.raises(AccessDenied, match="est désactivé"):
        authenticate(store)  # and the application refuses it too
    store.close()


def test_an_unknown_login_is_told_how_to_be_added(team: Team, capsys) -> None:
    code, out = run(capsys, "list", "--db", server.with_database(server.admin_url(),
                                                                 team.database, "nobody_x"))
    assert code == 1 and "Erreur" in out


def test_a_non_referent_reading_a_dossier_is_in_its_access_log(team: Team, capsys) -> None:
    from intake_assistant.store.postgres import PostgresStore

    assert run(capsys, "show", team.dossier, "--db", team.url("responsable"))[0] == 0
    store = PostgresStore(team.admin_url)
    log = [r["doc"] for r in store.list_records("acces", dossier_id=team.dossier)]
    store.close()
    assert any(row["agent"] == team.logins["responsable"] and row["action"] == "consultation"
               and row["referent"] == team.logins["accueil"] for row in log)


# -- through psql, going around the application ----------------------------------------------
def psql(team: Team, role: str, query: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("psql")
    if binary is None:
        pytest.skip("psql absent : installez le client PostgreSQL (postgresql-client)")
    return subprocess.run([binary, team.url(role), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                           "-c", query], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("role", "allowed"), [("accueil", False), ("travailleur_social", True),
                                               ("responsable", True)])
def test_psql_full_evaluation_only_for_social_workers_and_lead(team: Team, role: str,
                                                               allowed: bool) -> None:
    done = psql(team, role, "SELECT answers::text || fields::text FROM intake.dossier_private")
    if allowed:
        assert done.returncode == 0 and "energie" in done.stdout
        assert "Situation familiale difficile" in done.stdout
    else:
        assert done.returncode != 0 and "permission denied" in done.stderr


@pytest.mark.parametrize("role", ROLES)
def test_psql_reception_answers_hold_no_evaluation(team: Team, role: str) -> None:
    done = psql(team, role, f"SELECT answers FROM intake.dossiers WHERE id = '{team.dossier}'")
    assert done.returncode == 0 and "Zébulon" in done.stdout and "energie" not in done.stdout


@pytest.mark.parametrize(("role", "notes", "evaluation_rows"), [
    ("accueil", {"Rappeler mardi"}, False),
    ("travailleur_social", {"Rappeler mardi", "Note confidentielle de Nadia"}, True),
    ("responsable", {"Rappeler mardi"}, True),
])
def test_psql_rows_follow_row_level_security(team: Team, role: str, notes: set[str],
                                             evaluation_rows: bool) -> None:
    done = psql(team, role, "SELECT body->>'text' FROM intake.dossier_rows "
                            f"WHERE dossier_id = '{team.dossier}' AND tbl = 'notes'")
    assert done.returncode == 0 and set(done.stdout.split("\n")) - {""} == notes
    done = psql(team, role, "SELECT count(*) FROM intake.dossier_rows "
                            f"WHERE dossier_id = '{team.dossier}' AND body->>'id' = 'energie'")
    assert done.returncode == 0 and (int(done.stdout) > 0) == evaluation_rows


@pytest.mark.parametrize("role", ("accueil", "travailleur_social"))
def test_psql_erasing_or_writing_private_rows_is_refused(team: Team, role: str) -> None:
    done = psql(team, role, f"DELETE FROM intake.dossiers WHERE id = '{team.dossier}'")
    assert done.returncode == 0 and done.stdout.strip() == "DELETE 0"  # RLS: nothing to delete
    assert psql(team, "responsable", "SELECT count(*) FROM intake.dossiers "
                                     f"WHERE id = '{team.dossier}'").stdout.strip() == "1"
    done = psql(team, role, "INSERT INTO intake.records (kind, id, rev, updated_at, doc) "
                            "VALUES ('agents', 'intrus', 1, '', "
                            "'{\"name\": \"Intrus\", \"role\": \"responsable\"}')")
    assert done.returncode != 0 and "row-level security" in done.stderr
    done = psql(team, role, "UPDATE intake.records SET doc = '{\"role\": \"responsable\"}' "
                            f"WHERE kind = 'agents' AND id = '{team.logins[role]}'")
    assert done.returncode == 0 and done.stdout.strip() == "UPDATE 0"


def test_psql_reception_cannot_forge_a_private_row(team: Team) -> None:
    done = psql(team, "accueil", "INSERT INTO intake.dossier_rows (dossier_id, tbl, body) "
                                 f"VALUES ('{team.dossier}', 'events', "
                                 "'{\"id\": \"energie\", \"value\": 0}')")
    assert done.returncode != 0 and "row-level security" in done.stderr


@pytest.mark.parametrize("role", ROLES)
def test_psql_settings_and_schema_are_read_only(team: Team, role: str) -> None:
    done = psql(team, role, "UPDATE intake.settings SET value = '[]'")
    assert done.returncode != 0 and "permission denied" in done.stderr
    done = psql(team, role, "DROP TABLE intake.dossiers")
    assert done.returncode != 0
