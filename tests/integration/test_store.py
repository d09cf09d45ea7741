"""The store as configured from settings: SQLite under the home, encryption, the voter key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from eventsourcing.cipher import AESCipher

from domain.commands.contest import Announce
from domain.commands.intake import SubmissionForm, Submit
from domain.errors import KonkursError
from domain.phases import Phase
from konkurs.settings import Settings
from services.konkurs import Konkurs
from tests.factories import OPERATOR, close_phase, make_spec
from tests.stores import stored_states

SECRET_NAME = "Петрова Анна Сергеевна"


def collecting(app: Konkurs) -> str:
    spec = make_spec(datetime.now(UTC) + timedelta(days=1))
    app.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR))
    close_phase(app, spec.slug, Phase.ANNOUNCED, "open")
    return spec.slug


@pytest.mark.only_on("sqlite", reason="the embedded default's layout: the store is a file under the home")
def test_the_embedded_store_is_one_sqlite_file_under_the_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", persistence_module="eventsourcing.sqlite", production=False)
    app = Konkurs(env=settings.store_env())
    collecting(app)
    app.close()
    assert (tmp_path / "home" / "konkurs.db").exists()
    assert Konkurs(env=settings.store_env()).store.contest_slugs() == ["test-contest"]


def test_with_a_cipher_key_nothing_personal_is_stored_in_the_clear(store_env: dict[str, str]) -> None:
    env = {**store_env, "CIPHER_KEY": AESCipher.create_key(32)}
    app = Konkurs(env=env)
    slug = collecting(app)
    form = SubmissionForm(
        reference="P-1",
        nomination="HC-1",
        title="Практика",
        applicant={"name": SECRET_NAME, "kind": "ngo", "region": "75"},
    )
    app.submissions.submit(Submit(slug=slug, forms=[("form", form)], actor=OPERATOR))
    app.close()

    raw = stored_states(env)
    assert SECRET_NAME.encode() not in raw
    reread = Konkurs(env=env)
    assert [e.state["applicant"]["name"] for e in reread.store.read_log() if "applicant" in e.state] == [
        SECRET_NAME
    ]


def test_production_mode_refuses_ballots_without_a_voter_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KONKURS_VOTER_KEY", raising=False)
    production = Settings(home=tmp_path, persistence_module="eventsourcing.sqlite", production=True)
    with pytest.raises(KonkursError, match="KONKURS_VOTER_KEY"):
        production.voter_key()
    embedded = Settings(home=tmp_path, persistence_module="eventsourcing.sqlite", production=False)
    assert embedded.voter_key() == embedded.voter_key()
    assert (tmp_path / "voter.key").stat().st_mode & 0o077 == 0
