"""The naming convention, and identifier truncation that matches SQLAlchemy's DDL.

Every stage names things the same way: the autogenerate plugin when it names an unnamed
constraint or adds an FK index, the model linter when it tells a user which name to write, the
migration checker and the live audit when they recognise a convention name (or a name the
database invented).  The spec's examples fix the shape: ``pk_<table>``, ``fk_<table>_<columns>``,
``uq_<table>_<columns>``, ``idx_<table>_<columns>``, ``ck_<table>_<name>``.

Templates use SQLAlchemy's ``naming_convention`` syntax (``%(table_name)s``,
``%(column_0_N_name)s``, ``%(referred_table_name)s``, ``%(constraint_name)s``...), so the
convention can be handed to ``MetaData(naming_convention=...)`` unchanged
(:data:`NAMING_CONVENTION`), and a team can override any template in ``pyproject.toml``.

Truncation: PostgreSQL keeps 63 bytes of an identifier.  SQLAlchemy, at DDL time, shortens a
convention name longer than the dialect limit to ``name[:limit-8] + "_" + md5(name)[-4:]``
(``compiler._truncate_and_render_maxlen_name``).  :func:`truncate_name` reproduces that exactly,
so the name we render is the name the database ends up with and nothing drifts.  SQLAlchemy counts
characters, not bytes; for the rare non-ASCII name that is still over 63 *bytes* after that, we
shorten further at a character boundary with the same hash suffix (SQLAlchemy would let PostgreSQL
cut it silently, which drifts), and we render the result as a plain string.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from sqlalchemy.sql.schema import Constraint, Index, Table

__all__ = [
    "DEFAULT_CONVENTION",
    "MAX_IDENTIFIER_LENGTH",
    "NAMING_CONVENTION",
    "NamingConvention",
    "constraint_kind",
    "explicit_name",
    "is_postgresql_default_name",
    "postgresql_default_name",
    "truncate_name",
]

MAX_IDENTIFIER_LENGTH = 63
"""PostgreSQL's NAMEDATALEN - 1; also what SQLAlchemy's PostgreSQL dialect uses."""

DEFAULT_CONVENTION: Mapping[str, str] = MappingProxyType(
    {
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ix": "idx_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)
"""The templates, keyed like SQLAlchemy's ``naming_convention`` (``pk``, ``fk``, ``uq``, ``ix``, ``ck``)."""

CONVENTION_KEYS = frozenset(DEFAULT_CONVENTION)

_COLUMN_TOKEN = re.compile(r"^(referred_)?column_(\d+)(_?N)?_(name|key|label)$")


def truncate_name(name: str, limit: int = MAX_IDENTIFIER_LENGTH) -> str:
    """Shorten ``name`` exactly as SQLAlchemy does for a convention name at DDL time.

    >>> truncate_name("idx_" + "x" * 70)[-5:]
    '_a1c2'
    >>> truncate_name("pk_users")
    'pk_users'
    """
    if len(name) > limit:
        name = name[: limit - 8] + "_" + _md5_hex(name)[-4:]
    if len(name.encode("utf-8")) > limit:
        # Non-ASCII: SQLAlchemy counts characters, PostgreSQL counts bytes.  Cut at a character
        # boundary so the full name fits in ``limit`` bytes, keeping the same hash suffix scheme.
        suffix = "_" + _md5_hex(name)[-4:]
        head = name
        while len((head + suffix).encode("utf-8")) > limit:
            head = head[:-1]
        name = head + suffix
    return name


def _md5_hex(text: str) -> str:
    import hashlib  # here: most runs never truncate a name, and hashlib is ~5 M instructions to import

    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


_PG_LABELS = {"pk": "pkey", "fk": "fkey", "uq": "key", "ck": "check", "ix": "idx"}


def constraint_kind(constraint: object) -> str | None:
    """``pk``/``fk``/``uq``/``ck`` for a SQLAlchemy constraint (the naming-convention keys), else None."""
    from sqlalchemy import CheckConstraint, ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint

    for cls, kind in (
        (PrimaryKeyConstraint, "pk"),
        (ForeignKeyConstraint, "fk"),
        (UniqueConstraint, "uq"),
        (CheckConstraint, "ck"),
    ):
        if isinstance(constraint, cls):
            return kind
    return None


def postgresql_default_name(kind: str, table: str, columns: Sequence[str] = (), number: int = 0) -> str:
    """The name PostgreSQL gives an unnamed constraint or index of ``kind`` (pk/fk/uq/ck/ix).

    ``users_pkey``, ``posts_user_id_fkey``, ``memberships_team_id_user_id_key``, ``users_age_check``
    (a CHECK on one column) or ``users_check`` (on several), ``posts_user_id_idx``; ``number`` > 0 is
    PostgreSQL's retry after a clash (``users_email_key1``).  The one implementation of PostgreSQL's
    ``ChooseConstraintName``/``makeObjectName``, used by the live audit (AS502) and the downgrade
    matcher (a constraint created unnamed, dropped by the name the database gave it).
    """
    label = _PG_LABELS[kind] + (str(number) if number else "")
    if kind == "pk" or (kind == "ck" and len(columns) != 1):
        return _make_object_name(table, None, label)
    return _make_object_name(table, "_".join(columns), label)


def _make_object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's ``makeObjectName``: ``name1[_name2]_label`` within 63 bytes.

    As PostgreSQL does it: byte counts, the longer part shortened first, then each part clipped to
    a whole character (``pg_mbcliplen``); the label is never cut.
    """
    first, second = name1.encode(), (name2 or "").encode()
    overhead = len(label.encode()) + 1 + (1 if name2 is not None else 0)
    available = MAX_IDENTIFIER_LENGTH - overhead
    n1, n2 = len(first), len(second)
    while n1 + n2 > available:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    parts = [first[:n1].decode("utf-8", errors="ignore")]
    if name2 is not None:
        parts.append(second[:n2].decode("utf-8", errors="ignore"))
    return "_".join([*parts, label])


def is_postgresql_default_name(
    name: str | None, kind: str, table: str, columns: Sequence[str] = (), *, table_columns: Sequence[str] = ()
) -> bool:
    """True when ``name`` is the name PostgreSQL gives an unnamed ``kind`` (pk/fk/uq/ck/ix) on
    ``table`` over ``columns``, its clash number (``users_email_key1``) included.

    The one answer to "did the database invent this name?" (:func:`postgresql_default_name` run
    backwards), for the live audit (AS502), rename-constraints and the migration checker.  A
    reflected CHECK does not say which columns it reads, so for ``ck`` the name may be that of
    a CHECK on any one of ``table_columns``, or on none or several of them (``users_check``).
    A missing name is not a PostgreSQL name: callers decide what None means to them.
    """
    if not name:
        return False
    match = re.search(rf"_{_PG_LABELS[kind]}(\d*)$", name)
    if match is None:
        return False
    number = int(match.group(1) or 0)
    if kind != "ck":
        return name == postgresql_default_name(kind, table, columns, number)
    candidates = [(), *(((column,)) for column in (*columns, *table_columns))]
    return any(name == postgresql_default_name("ck", table, cols, number) for cols in candidates)


@dataclass(frozen=True)
class NamingConvention:
    """A naming convention: templates for ``pk``/``fk``/``uq``/``ix``/``ck`` and a length limit."""

    templates: Mapping[str, str] = field(default_factory=lambda: DEFAULT_CONVENTION)
    limit: int = MAX_IDENTIFIER_LENGTH

    def __post_init__(self) -> None:
        unknown = set(self.templates) - CONVENTION_KEYS
        if unknown:
            raise ValueError(
                f"unknown naming_convention key(s): {', '.join(sorted(unknown))} "
                f"(expected {', '.join(sorted(CONVENTION_KEYS))})"
            )
        merged = dict(DEFAULT_CONVENTION)
        merged.update(self.templates)
        object.__setattr__(self, "templates", MappingProxyType(merged))

    # -- names from plain values (usable without SQLAlchemy objects: the AST checker, tests)
    def name(
        self,
        kind: str,
        table: str,
        columns: Sequence[str] = (),
        *,
        referred_table: str | None = None,
        referred_columns: Sequence[str] = (),
        constraint_name: str | None = None,
    ) -> str:
        """The final (truncated) name for an object of ``kind`` on ``table``."""
        tokens = _Tokens(table, tuple(columns), referred_table, tuple(referred_columns), constraint_name)
        return truncate_name(self.templates[kind] % tokens, self.limit)

    def primary_key(self, table: str, columns: Sequence[str] = ()) -> str:
        return self.name("pk", table, columns)

    def foreign_key(
        self, table: str, columns: Sequence[str], referred_table: str, referred_columns: Sequence[str] = ()
    ) -> str:
        return self.name("fk", table, columns, referred_table=referred_table, referred_columns=referred_columns)

    def unique(self, table: str, columns: Sequence[str]) -> str:
        return self.name("uq", table, columns)

    def index(self, table: str, columns: Sequence[str]) -> str:
        return self.name("ix", table, columns)

    def check(self, table: str, name: str | None = None, columns: Sequence[str] = (), sqltext: str = "") -> str:
        """Name for a CHECK constraint: ``ck_<table>_<name>``.

        An unnamed check is named after its columns, or (when it names none) after a short hash
        of its SQL text, so the result is still deterministic.  An explicit name that already
        carries the ``ck_<table>_`` prefix is not prefixed twice.
        """
        return self.name("ck", table, columns, constraint_name=self.check_suffix(table, name, columns, sqltext))

    def check_suffix(self, table: str, name: str | None, columns: Sequence[str], sqltext: str) -> str:
        if name:
            prefix = (self.templates["ck"] % _Tokens(table, tuple(columns), None, (), "")).rstrip("_")
            if prefix and name.startswith(prefix + "_"):
                return name[len(prefix) + 1 :]
            return name
        if columns:
            return "_".join(columns)
        return _md5_hex(" ".join(sqltext.split()))[:8]

    # -- names for SQLAlchemy objects
    def name_for(self, obj: Constraint | Index, table: Table | None = None) -> str:
        """The convention name for a SQLAlchemy constraint or index (its own name is ignored
        except as ``constraint_name`` of a CHECK)."""
        from sqlalchemy import (
            CheckConstraint,
            ForeignKeyConstraint,
            Index,
            PrimaryKeyConstraint,
            UniqueConstraint,
        )

        tbl = table if table is not None else obj.table
        if tbl is None:
            raise ValueError(f"{type(obj).__name__} is not attached to a table")
        tname = tbl.name
        if isinstance(obj, ForeignKeyConstraint):
            cols = [c.name for c in obj.columns] or [e.parent.name for e in obj.elements]
            referred = obj.elements[0].target_fullname.rsplit(".", 1)[0].rsplit(".", 1)[-1] if obj.elements else ""
            ref_cols = [e.target_fullname.rsplit(".", 1)[-1] for e in obj.elements]
            return self.foreign_key(tname, cols, referred, ref_cols)
        if isinstance(obj, PrimaryKeyConstraint):
            return self.primary_key(tname, [c.name for c in obj.columns])
        if isinstance(obj, UniqueConstraint):
            return self.unique(tname, [c.name for c in obj.columns])
        if isinstance(obj, CheckConstraint):
            explicit = explicit_name(obj.name)
            return self.check(tname, explicit, [c.name for c in obj.columns], str(obj.sqltext))
        if isinstance(obj, Index):
            return self.index(tname, index_column_names(obj))
        raise TypeError(f"cannot name {type(obj).__name__}")

    def metadata_convention(self) -> dict[str, Any]:
        """A dict for ``MetaData(naming_convention=...)`` that yields the same names as this object.

        The ``constraint_name`` token is a callable so that an *unnamed* CHECK constraint gets a
        deterministic name instead of SQLAlchemy's "requires that constraint is explicitly named"
        error, and a named one is not prefixed twice.
        """
        out: dict[str, Any] = dict(self.templates)

        def constraint_name(const: Any, table: Any) -> str:
            columns = [c.name for c in getattr(const, "columns", ())]
            parent = getattr(const, "parent", None)
            if (
                not columns
                and parent is not None
                and parent is not table
                and isinstance(getattr(parent, "name", None), str)
            ):
                # A column-level CHECK (``Column("age", Integer, CheckConstraint("age >= 0"))``)
                # names no column object in its text: it is named after the column it is
                # declared on, as the autogenerate plugin names it (``ck_users_age``).
                columns = [parent.name]
            return self.check_suffix(table.name, explicit_name(const.name), columns, str(getattr(const, "sqltext", "")))

        out["constraint_name"] = constraint_name
        return out


_KIND_CLASSES: Final = {
    "pk": "PrimaryKeyConstraint",
    "fk": "ForeignKeyConstraint",
    "uq": "UniqueConstraint",
    "ck": "CheckConstraint",
    "ix": "Index",
}


def convention_kinds(convention: Mapping[Any, Any]) -> frozenset[str]:
    """The kinds of object (``pk``, ``fk``, ``uq``, ``ck``, ``ix``) a SQLAlchemy ``naming_convention``
    names when they are created without a name.

    Keys may be the short names or the classes (``{Index: ...}``).  A template with
    ``%(constraint_name)s`` needs a name to start from (SQLAlchemy refuses an unnamed one) unless a
    callable ``constraint_name`` token supplies it.  One answer for the model linter (will the
    models' convention name this?) and the migration checker (will env.py's ``target_metadata``
    name this ``op.*`` call's object at run time?)."""
    by_name = {getattr(key, "__name__", key): value for key, value in convention.items()}
    kinds: set[str] = set()
    for kind, class_name in _KIND_CLASSES.items():
        template = by_name.get(kind) or by_name.get(class_name)
        if template is None:
            continue
        needs_a_name = isinstance(template, str) and "%(constraint_name)s" in template
        if needs_a_name and not callable(by_name.get("constraint_name")):
            continue
        kinds.add(kind)
    return frozenset(kinds)


def target_convention_kinds(conventions: Iterable[Mapping[Any, Any]]) -> frozenset[str]:
    """What every one of the migrations' target metadatas names (:func:`convention_kinds`); env.py
    hands one of them to Alembic.  Empty when none is known."""
    kinds = [convention_kinds(convention) for convention in conventions]
    return frozenset.intersection(*kinds) if kinds else frozenset()


def explicit_name(name: object) -> str | None:
    """The name a constraint or index carries, or None when it has none (yet).

    The one test for "is this name explicit?" in every stage.  A ``conv()`` name (a naming
    convention's, or the team's final name) counts as given and is returned unchanged (still a
    ``conv``).  Absent is ``None`` -- an unnamed object, or what SQLite reflects -- or SQLAlchemy's
    deferred-name marker ``sqlalchemy.sql.base._NONE_NAME`` (``_NoneName.NONE_NAME``, an ``Enum``
    member, not a string, in SQLAlchemy 2.0 and 2.1: what a type-bound CHECK of ``Enum``/``Boolean``
    carries until DDL time).  SQLAlchemy 1.3's ``"_unnamed_"`` string no longer exists (we require
    2.0), so no string is treated as absent except the empty one.
    """
    if isinstance(name, str) and name:
        return name
    return None


def index_column_names(index: Index) -> list[str]:
    """Names of an index's expressions: plain columns by name, expressions by their SQL text."""
    from sqlalchemy import Column

    names: list[str] = []
    for expr in index.expressions:
        if isinstance(expr, Column):
            names.append(expr.name)
        elif isinstance(expr, str):
            names.append(expr)
        else:
            col_name = getattr(expr, "name", None)
            names.append(col_name if isinstance(col_name, str) else re.sub(r"\W+", "_", str(expr)).strip("_"))
    return names


class _Tokens(Mapping[str, str]):
    """The ``%(token)s`` values of a convention template, computed from plain names."""

    def __init__(
        self,
        table: str,
        columns: tuple[str, ...],
        referred_table: str | None,
        referred_columns: tuple[str, ...],
        constraint_name: str | None,
    ) -> None:
        self._table = table
        self._columns = columns
        self._referred_table = referred_table
        self._referred_columns = referred_columns
        self._constraint_name = constraint_name

    def __getitem__(self, key: str) -> str:
        if key == "table_name":
            return self._table
        if key == "referred_table_name":
            if self._referred_table is None:
                raise KeyError(key)
            return self._referred_table
        if key == "constraint_name":
            if self._constraint_name is None:
                raise KeyError(key)
            return self._constraint_name
        match = _COLUMN_TOKEN.match(key)
        if match is None:
            raise KeyError(key)
        referred, index, multiple, _attr = match.groups()
        values = self._referred_columns if referred else self._columns
        if key.endswith("_label") and not referred:
            values = tuple(f"{self._table}_{c}" for c in values)
        if multiple:
            sep = "_" if multiple.startswith("_") else ""
            return sep.join(values[int(index) :])
        pos = int(index)
        return values[pos] if pos < len(values) else ""

    def __iter__(self) -> Any:
        return iter(("table_name",))

    def __len__(self) -> int:
        return 1


NAMING_CONVENTION: Mapping[str, str | Callable[..., str]] = MappingProxyType(NamingConvention().metadata_convention())
"""Ready for ``MetaData(naming_convention=alembic_standards.NAMING_CONVENTION)``."""
