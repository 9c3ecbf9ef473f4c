"""``Base``, ``TimestampMixin`` and the ``UUID`` type shared by every model.

``Base.metadata`` uses alembic-standards' naming convention, so ``create_all`` in tests and the
migrations the plugin writes name every constraint and index identically (``pk_users``,
``fk_tags_user_id``, ``uq_tags_user_id_name``, ``idx_tags_user_id_created_at``...).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, MetaData, Uuid, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from alembic_standards import NAMING_CONVENTION

UUID = Uuid
"""Native ``uuid`` on PostgreSQL, ``CHAR(32)`` on SQLite; Python values are ``uuid.UUID``."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=dict(NAMING_CONVENTION))


class TimestampMixin:
    """``created_at``/``updated_at``: time-zone aware, set by the database, maintained on update."""

    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
