"""The deployment's Ed25519 key: it signs what must hold against an insider with the database.

The private key lives outside the store (a file in the home, or KONKURS_SIGNING_KEY), so whoever
can edit the database still cannot sign. Auditors need only the public key to check a signature.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.errors import KonkursError


class SigningKey:
    """Signs with the deployment's key, read when first needed: a process that signs nothing
    needs none."""

    def __init__(self, seed: Callable[[], bytes]) -> None:
        """`seed` gives the key's 32 bytes as 64 hex digits."""
        self._seed = seed

    @cached_property
    def _private(self) -> Ed25519PrivateKey:
        try:
            return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(self._seed().decode().strip()))
        except ValueError:
            raise KonkursError("the signing key (KONKURS_SIGNING_KEY) must be 64 hex digits, the "
                               "32-byte seed of an Ed25519 key") from None

    @property
    def public_hex(self) -> str:
        return self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    def sign(self, message: bytes) -> str:
        return self._private.sign(message).hex()


def signature_holds(public_hex: str, message: bytes, signature_hex: str) -> bool:
    """Whether `signature_hex` is the signature of `message` by the key `public_hex`."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
