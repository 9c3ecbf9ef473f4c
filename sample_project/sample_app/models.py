"""The application models, following the schema standard.

Exceptions to the standard are documented the spec's way, in the model's docstring: a paragraph
starting with ``Exception:`` gives the reason, and justifies the model's primary-key and timestamp
departures.  (Other exceptions are declared on the model under
``info={"alembic_standards": {"exceptions": {RULE: reason}}}``.)  ``alembic-standards exceptions``
prints them as the register the spec asks for.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UUID, Base, TimestampMixin

ALL_DELETE_ORPHAN = "all, delete-orphan"


class User(Base, TimestampMixin):
    """An account.  Owns every other row; deleting a user deletes its data."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    journal_entries: Mapped[list[JournalEntry]] = relationship(back_populates="user", cascade=ALL_DELETE_ORPHAN)
    tags: Mapped[list[Tag]] = relationship(back_populates="user", cascade=ALL_DELETE_ORPHAN)
    reminders: Mapped[list[Reminder]] = relationship(back_populates="user", cascade=ALL_DELETE_ORPHAN)
    opaque_sessions: Mapped[list[OpaqueSession]] = relationship(back_populates="user", cascade=ALL_DELETE_ORPHAN)
    secret_tags: Mapped[list[SecretTag]] = relationship(back_populates="user", cascade=ALL_DELETE_ORPHAN)
    log_entries: Mapped[list[LogEntry]] = relationship(back_populates="user", cascade="save-update, merge")


class JournalEntry(Base, TimestampMixin):
    __tablename__ = "journal_entries"
    __table_args__ = (
        Index("idx_journal_entries_user_id_created_at", "user_id", "created_at"),
        Index("idx_journal_entries_user_id_entry_date", "user_id", "entry_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=uuid.uuid4)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    audio_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    entry_date: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("users.id"), nullable=False)

    user: Mapped[User] = relationship(back_populates="journal_entries")
    entry_tags: Mapped[list[JournalEntryTag]] = relationship(back_populates="entry", cascade=ALL_DELETE_ORPHAN)


class Tag(Base, TimestampMixin):
    __tablename__ = "tags"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_tags_user_id_name"),
        Index("idx_tags_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    color: Mapped[str | None] = mapped_column(String(7), nullable=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("users.id"), nullable=False)

    user: Mapped[User] = relationship(back_populates="tags")
    entry_tags: Mapped[list[JournalEntryTag]] = relationship(back_populates="tag", cascade=ALL_DELETE_ORPHAN)


class JournalEntryTag(Base):
    """Links journal entries and tags.

    The composite primary key ``(entry_id, tag_id)`` of foreign keys is the spec's second
    permitted primary-key exception, and a link row with nothing but its key carries no
    timestamps (it is created and deleted with the entry, never updated): the standard exempts
    such junction tables without further documentation (AS101, AS401).
    """

    __tablename__ = "journal_entry_tags"

    # The composite primary key covers entry_id (its leading column); tag_id needs its own index.
    entry_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("journal_entries.id"), primary_key=True)
    tag_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("tags.id"), primary_key=True, index=True)

    entry: Mapped[JournalEntry] = relationship(back_populates="entry_tags")
    tag: Mapped[Tag] = relationship(back_populates="entry_tags")


REMINDER_FREQUENCIES = ("daily", "weekdays", "weekends", "weekly", "monthly", "custom")


class Reminder(Base, TimestampMixin):
    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint(
            "frequency IN ({})".format(", ".join(f"'{f}'" for f in REMINDER_FREQUENCIES)),
            name="frequency_valid",
        ),
        Index("idx_reminders_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    message: Mapped[str] = mapped_column(String(500), nullable=False)
    frequency: Mapped[str] = mapped_column(String(20), nullable=False)
    time: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    custom_days: Mapped[str | None] = mapped_column(String(50), nullable=True)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("users.id"), nullable=False)

    user: Mapped[User] = relationship(back_populates="reminders")


OPAQUE_SESSION_STATES = ("initialized", "in_progress", "completed", "expired")


class OpaqueSession(Base, TimestampMixin):
    """State of one OPAQUE authentication exchange."""

    __tablename__ = "opaque_sessions"
    __table_args__ = (
        CheckConstraint(
            "session_state IN ({})".format(", ".join(f"'{s}'" for s in OPAQUE_SESSION_STATES)),
            name="session_state_valid",
        ),
        Index("idx_opaque_sessions_user_id_created_at", "user_id", "created_at"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("users.id"), nullable=False)
    binary_tag_id: Mapped[bytes | None] = mapped_column(LargeBinary(16), nullable=True, index=True)
    session_state: Mapped[str] = mapped_column(String(20), nullable=False, default="initialized")
    session_data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    last_activity: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )

    user: Mapped[User] = relationship(back_populates="opaque_sessions")


class SecretTag(Base, TimestampMixin):
    """A tag whose name is a secret, resolved through the OPAQUE protocol.

    Exception: uses a ``String(36)`` primary key for OPAQUE protocol compatibility.  The OPAQUE
    zero-knowledge authentication protocol requires specific tag ID handling that is incompatible
    with native UUID types.
    """

    __tablename__ = "secret_tags"
    __table_args__ = (Index("idx_secret_tags_user_id_created_at", "user_id", "created_at"),)

    tag_id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    binary_tag_id: Mapped[bytes] = mapped_column(LargeBinary(16), nullable=False, unique=True)
    tag_handle: Mapped[bytes] = mapped_column(LargeBinary(32), nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("users.id"), nullable=False)

    user: Mapped[User] = relationship(back_populates="secret_tags")


LOG_LEVELS = ("debug", "info", "warning", "error")


class LogEntry(Base, TimestampMixin):
    """An application log line.

    Exception: uses an Integer primary key for guaranteed ordering.  Log entries require
    sequential IDs for proper ordering and pagination; UUIDs do not provide chronological
    ordering guarantees.
    """

    __tablename__ = "log_entries"
    __table_args__ = (
        CheckConstraint("level IN ({})".format(", ".join(f"'{level}'" for level in LOG_LEVELS)), name="level_valid"),
        Index("idx_log_entries_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    level: Mapped[str] = mapped_column(String(10), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID, ForeignKey("users.id"), nullable=True)

    user: Mapped[User | None] = relationship(back_populates="log_entries")
