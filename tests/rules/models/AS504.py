"""AS504: an explicit name over 63 bytes (Bad); a short one (Good)."""

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


class Entry(Timestamps, Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        Index("idx_journal_entries_user_id_entry_date_created_at_updated_at_title", "title", "entry_date"),  # expect: AS504 name 'idx_journal_entries_user_id_entry_date_created_at_updated_at_title' is 66 bytes; PostgreSQL keeps 63
        Index("idx_journal_entries_title_date", "title", "entry_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str] = mapped_column(String(50))
    entry_date: Mapped[dt.date] = mapped_column()
