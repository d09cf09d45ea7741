"""Settings from the environment: one home directory for the embedded default."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

POSTGRES_MODULE = "eventsourcing.postgres"


@dataclass(frozen=True)
class Settings:
    home: Path
    persistence_module: str
    production: bool
    task_queue: str = "konkurs"

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("KONKURS_HOME", ".konkurs")).resolve()
        module = os.environ.get("PERSISTENCE_MODULE", "eventsourcing.sqlite")
        production = os.environ.get("KONKURS_MODE", "") == "production"
        task_queue = os.environ.get("KONKURS_TASK_QUEUE", "konkurs")
        return cls(home=home, persistence_module=module, production=production, task_queue=task_queue)

    @property
    def uses_postgres(self) -> bool:
        return self.persistence_module == POSTGRES_MODULE

    @property
    def sqlite_path(self) -> Path:
        return self.home / "konkurs.db"

    @property
    def views_path(self) -> Path:
        return self.home / "views.db"

    @property
    def temporal_db_path(self) -> Path:
        return self.home / "temporal.db"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home

    def store_env(self) -> dict[str, str]:
        """The eventsourcing environment: SQLite under the home unless PostgreSQL is chosen."""
        if self.uses_postgres:
            return {"PERSISTENCE_MODULE": POSTGRES_MODULE}
        self.ensure_home()
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(self.sqlite_path),
            "SQLITE_LOCK_TIMEOUT": "30",
        }

    def voter_key(self) -> bytes:
        """The HMAC key that turns voter ids into pseudonyms.

        In production it must come from KONKURS_VOTER_KEY; the embedded default keeps
        a generated key in the home so repeated imports map a voter to the same pseudonym.
        """
        configured = os.environ.get("KONKURS_VOTER_KEY")
        if configured:
            return configured.encode()
        if self.production:
            from domain.errors import KonkursError

            raise KonkursError("KONKURS_VOTER_KEY must be set in production mode to take ballots")
        key_file = self.ensure_home() / "voter.key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip().encode()
