"""What uvicorn imports in each of its worker processes: the app, built from the environment."""

from __future__ import annotations

import os

from fastapi import FastAPI

from konkurs.api.app import create_app

GROUP_COMMIT = "KONKURS_API_GROUP_COMMIT"


def app_from_env() -> FastAPI:
    return create_app(group_commit=os.environ.get(GROUP_COMMIT, "1") != "0")
