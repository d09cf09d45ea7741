"""Files stored by their content: each under its SHA-256, written whole or not at all, so the same
file uploaded twice is stored once and a crash mid-upload leaves no partial file behind."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


class Blobs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, source: BinaryIO) -> tuple[str, int, bool]:
        """Store `source`; answer its SHA-256, its size, and whether it is new here."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".upload-", delete=False) as spool:
            try:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    spool.write(chunk)
                spool.flush()
                os.fsync(spool.fileno())
            except BaseException:
                os.unlink(spool.name)
                raise
        sha256 = digest.hexdigest()
        target = self.path(sha256)
        if target.exists():
            os.unlink(spool.name)
            return sha256, size, False
        if not target.parent.exists():
            target.parent.mkdir(exist_ok=True)  # another upload may make it at the same moment
            _sync_directory(self.root)
        os.replace(spool.name, target)
        _sync_directory(target.parent)  # the file's name is durable before anyone is told it is stored
        return sha256, size, True

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)


def _sync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
