"""AS501: a CHECK no naming convention names (a non-native Enum's); a named constraint is fine."""

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


class Plain(DeclarativeBase):
    pass


class Post(Timestamps, Plain):
    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("kind", name="uq_posts_kind"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, name="id")
    kind: Mapped[str] = mapped_column(Enum("text", "link", native_enum=False, create_constraint=True))  # expect: AS501 the CHECK constraint of the Enum column posts.kind has no name and neither a naming convention nor the autogenerate plugin names it, so PostgreSQL invents one; give the Enum a name= (it names its CHECK) or add a 'ck' naming convention
