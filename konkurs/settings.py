"""Settings from the environment: one home directory for the embedded default."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.identity import OidcProvider

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
    def materials_path(self) -> Path:
        """Where submissions' files are kept, each under its SHA-256 (the log records the hash)."""
        return self.home / "materials"

    @property
    def temporal_db_path(self) -> Path:
        return self.home / "temporal.db"

    def temporal_db_for(self, port: int, default_port: int = 7233) -> Path:
        """The embedded server's state: one file per port, so two servers of one home never
        share it."""
        return self.temporal_db_path if port == default_port else self.home / f"temporal-{port}.db"

    @property
    def checkpoints_path(self) -> Path:
        """The append-only file of signed chain heads (KONKURS_CHECKPOINTS; default
        `<home>/checkpoints.jsonl`). It must be kept outside the store: in production on another
        machine's mount, or copied off as it grows (docs/audit.md, "Anchored heads")."""
        configured = os.environ.get("KONKURS_CHECKPOINTS", "").strip()
        return Path(configured).resolve() if configured else self.home / "checkpoints.jsonl"

    @property
    def checkpoint_every(self) -> float:
        """Seconds between the worker's periodic signed heads (KONKURS_CHECKPOINT_EVERY, default
        600); 0 turns them off."""
        configured = os.environ.get("KONKURS_CHECKPOINT_EVERY", "").strip()
        try:
            seconds = float(configured) if configured else 600.0
        except ValueError:
            seconds = -1.0
        if not seconds >= 0:
            from domain.errors import KonkursError

            raise KonkursError(f"KONKURS_CHECKPOINT_EVERY={configured!r} is not a number of seconds "
                               "(0 turns the periodic heads off)")
        return seconds

    @property
    def worker_wait(self) -> float:
        """Seconds a command waits for a worker to answer before it says to start one
        (KONKURS_WORKER_WAIT, default 20)."""
        configured = os.environ.get("KONKURS_WORKER_WAIT", "").strip()
        try:
            seconds = float(configured) if configured else 20.0
        except ValueError:
            seconds = -1.0
        if not seconds > 0:
            from domain.errors import KonkursError

            raise KonkursError(f"KONKURS_WORKER_WAIT={configured!r} is not a positive number of seconds")
        return seconds

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

    def identity_provider(self) -> OidcProvider | None:
        """The OpenID Connect provider that KONKURS_OIDC_* settings name, if any."""
        from services.identity import OidcProvider, OidcSettings

        oidc = OidcSettings.from_env(os.environ)
        return None if oidc is None else OidcProvider(oidc)

    def profile_path(self, name: str) -> Path:
        return self.home / "profiles" / f"{name}.token"

    def credential(self) -> str | None:
        """The bearer credential the CLI acts with: KONKURS_TOKEN, else the saved profile that
        KONKURS_PROFILE names."""
        token = os.environ.get("KONKURS_TOKEN", "").strip()
        if token:
            return token
        profile = os.environ.get("KONKURS_PROFILE", "").strip()
        if not profile:
            return None
        path = self.profile_path(profile)
        if not path.is_file():
            from domain.errors import Unauthenticated

            raise Unauthenticated(f"no profile {profile!r}: {path} does not exist; save one with "
                                  "`konkurs tokens issue … --profile NAME`")
        return path.read_text().strip()

    def voter_key(self) -> bytes:
        """The HMAC key that turns voter ids into pseudonyms.

        In production it must come from KONKURS_VOTER_KEY; the embedded default keeps
        a generated key in the home so repeated imports map a voter to the same pseudonym.
        """
        return self._key("KONKURS_VOTER_KEY", "voter.key", "to take ballots")

    def actor_key(self) -> bytes:
        """The HMAC key with which the CLI and the API vouch for actors to the worker; every
        process of a deployment must share it (KONKURS_ACTOR_KEY in production)."""
        return self._key("KONKURS_ACTOR_KEY", "actor.key", "to send commands to the worker")

    def signing_key(self) -> bytes:
        """The Ed25519 key (64 hex digits) that signs acceptances and published chain heads. It
        must live outside the store (KONKURS_SIGNING_KEY in production); its public half is what
        auditors check with."""
        return self._key("KONKURS_SIGNING_KEY", "signing.key", "to sign the record")

    def secrets_key(self) -> bytes:
        """The key that seals secrets kept at rest, such as webhooks' signing secrets. It must
        live outside the views file and the store (KONKURS_SECRETS_KEY in production): a copy of
        the database alone must not give the secrets away."""
        return self._key("KONKURS_SECRETS_KEY", "secrets.key", "to keep webhook secrets")

    def session_key(self) -> bytes:
        """The key that signs the pages' session cookies and seals what they hold; every server
        process of a deployment must share it (KONKURS_SESSION_KEY in production)."""
        return self._key("KONKURS_SESSION_KEY", "session.key", "to sign the pages' sessions")

    def _key(self, variable: str, file_name: str, purpose: str) -> bytes:
        configured = os.environ.get(variable)
        if configured:
            return configured.encode()
        if self.production:
            from domain.errors import KonkursError

            raise KonkursError(f"{variable} must be set in production mode {purpose}")
        key_file = self.ensure_home() / file_name
        if not key_file.exists():
            _create_once(key_file, secrets.token_hex(32))
        return key_file.read_text().strip().encode()


def _create_once(path: Path, content: str) -> None:
    """Write `content` to `path` unless another process got there first: the file appears whole
    (a hard link of a finished private file), so two processes starting at once on a fresh home
    read one key, never two, never an empty one."""
    descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(content)
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)
