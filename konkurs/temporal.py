"""Reaching Temporal: the standard TEMPORAL_* variables or an envconfig profile, else embedded."""

from __future__ import annotations

import asyncio
import os
import time
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


async def connect(target: TemporalTarget | None = None, patience: float = 10) -> Client:
    """Connect, waiting up to `patience` seconds for a server that is up but not yet serving.

    A freshly started dev server accepts connections before its frontend reports healthy.
    """
    target = target or resolve_target()
    deadline = time.monotonic() + patience
    while True:
        try:
            return await Client.connect(
                target.address,
                namespace=target.namespace,
                data_converter=pydantic_data_converter,
                **target.options,
            )
        except RuntimeError as error:
            if "not healthy" not in str(error) or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.25)
