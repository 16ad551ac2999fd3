"""Alembic environment: runs on the connection the library hands over, or on a URL for autogenerate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from app.library import (
    find_models,  # noqa: F401  (registers the find tables for autogenerate)
    person_models,  # noqa: F401  (registers the persons tables for autogenerate)
    share_models,  # noqa: F401  (registers the share tables for autogenerate)
    sync_models,  # noqa: F401  (registers the sync tables for autogenerate)
    throttle_models,  # noqa: F401  (registers the login throttle for autogenerate)
)
from app.library.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
