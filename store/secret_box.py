"""AES-GCM for small secrets: each sealed value carries its own nonce and is bound to a context,
so a value copied onto another row or person does not open there."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["InvalidTag", "SecretBox", "new_key", "open_bytes", "seal_bytes"]

NONCE = 12
SEALED_TEXT = "aesgcm1:"


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal_bytes(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def open_bytes(key: bytes, sealed: bytes, context: bytes) -> bytes:
    """Raises InvalidTag for another key, another context or altered bytes."""
    return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], context)


class SecretBox:
    """Text secrets sealed under a key derived from a configured secret, for one purpose."""

    def __init__(self, configured: bytes, purpose: bytes) -> None:
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(configured)

    @staticmethod
    def is_sealed(value: str) -> bool:
        return value.startswith(SEALED_TEXT)

    def seal(self, secret: str, context: str) -> str:
        sealed = seal_bytes(self._key, secret.encode(), context.encode())
        return SEALED_TEXT + base64.b64encode(sealed).decode()

    def open(self, value: str, context: str) -> str:
        """Raises InvalidTag when the value was sealed under another key or context."""
        sealed = base64.b64decode(value.removeprefix(SEALED_TEXT))
        return open_bytes(self._key, sealed, context.encode()).decode()
