"""The _base models with constructors of their own: required positional arguments, validation.

``User(**columns)`` raises TypeError here, so a check that builds instances through the
constructor cannot exercise the relationship; the check must build them as the ORM does.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, MetaData, String, UniqueConstraint, Uuid, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from alembic_standards import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=dict(NAMING_CONVENTION))


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class User(Base, TimestampMixin):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)

    posts: Mapped[list[Post]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def __init__(self, email: str, /) -> None:
        if "@" not in email:
            raise ValueError(f"not an e-mail address: {email!r}")
        self.email = email.lower()


class Post(Base, TimestampMixin):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("user_id", "title", name="uq_posts_user_id_title"),
        CheckConstraint("status IN ('draft', 'published')", name="status_valid"),
        Index("idx_posts_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)

    user: Mapped[User] = relationship(back_populates="posts")

    def __init__(self, author: User, title: str, /) -> None:
        self.user = author
        self.title = title
        self.status = "draft"
