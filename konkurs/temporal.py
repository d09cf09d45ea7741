"""Reaching Temporal: the standard TEMPORAL_* variables or an envconfig profile, else embedded."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfig

EMBEDDED_ADDRESS = "127.0.0.1:7233"


@dataclass(frozen=True)
class TemporalTarget:
    address: str
    namespace: str
    embedded: bool
    options: dict[str, Any]


def resolve_target() -> TemporalTarget:
    profile = os.environ.get("TEMPORAL_PROFILE")
    config: dict[str, Any] = dict(ClientConfig.load_client_connect_config(profile=profile))
    address = config.pop("target_host", None)
    namespace = config.pop("namespace", None) or "default"
    return TemporalTarget(
        address=address or EMBEDDED_ADDRESS,
        namespace=namespace,
        embedded=address is None,
        options=config,
    )


async def connect(target: TemporalTarget | None = None) -> Client:
    target = target or resolve_target()
    return await Client.connect(
        target.address,
        namespace=target.namespace,
        data_converter=pydantic_data_converter,
        **target.options,
    )
