"""AS402: a timestamp without a time zone."""

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
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from alembic_standards import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=dict(NAMING_CONVENTION))


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A project's own timestamp type (sqlalchemy-utils' ArrowType is one): replacing it by DateTime
    would change the values the application reads, so the remedy keeps it."""

    impl = DateTime
    cache_ok = True


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class User(Timestamps, Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)


class Event(Timestamps, Base):
    __tablename__ = "events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    happened_at: Mapped[dt.datetime] = mapped_column(DateTime)  # expect: AS402 events.happened_at is a timestamp without time zone; use DateTime(timezone=True)
    logged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # expect: AS402 events.logged_at is a timestamp without time zone; make UTCDateTime store DateTime(timezone=True) (UTCDateTime(timezone=True) where it takes one)
