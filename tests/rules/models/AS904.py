"""AS904: an object the linter cannot judge (an expression index)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from alembic_standards import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=dict(NAMING_CONVENTION))


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class User(Timestamps, Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)


class Tag(Timestamps, Base):
    __tablename__ = "tags"
    __table_args__ = (Index("idx_tags_lower_name", func.lower(text("name"))),)  # expect: AS904 index idx_tags_lower_name on tags has expression elements; only its plain leading columns count for FK coverage and uniqueness (lower(name))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
