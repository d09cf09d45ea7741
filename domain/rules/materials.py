"""Whether a contest takes a file as a submission's material."""

from __future__ import annotations

from domain.aggregates.submission import Material
from domain.errors import MaterialRefused, MaterialTooLarge
from domain.spec.materials import Materials


def check_size(name: str, size: int, limits: Materials, where: str) -> None:
    if size > limits.max_bytes:
        raise MaterialTooLarge(f"{where}: {name} is {size:,} bytes; this contest takes files of at most "
                               f"{limits.max_bytes:,} bytes")


def check_material(material: Material, limits: Materials, attached: int, where: str) -> None:
    check_size(material.name, material.size, limits, where)
    if material.media_type not in limits.media_types:
        raise MaterialRefused(f"{where}: {material.name} is {material.media_type}; this contest takes "
                              + ", ".join(limits.media_types))
    if attached >= limits.max_files:
        raise MaterialRefused(f"{where}: the submission already has {attached} files, the most this "
                              "contest takes")
