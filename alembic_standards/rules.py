"""The rule catalogue: one set of rule IDs for every stage.

Autogenerate, the migration-file checker, the model linter, the live-database audit and the pytest
checks all report against these IDs, so an exception, a severity override or a ``--select`` in
``pyproject.toml`` means the same thing everywhere.  ``alembic-standards rules``,
``alembic-standards explain ID`` and the pages under ``docs/rules/`` are all generated from this
module; nothing else documents a rule.

The catalogue is an immutable mapping built once at import time (no registration API: a rule is
added by adding an entry here, with its documentation, in the same change).

ID families (the first digit):

* ``AS1xx`` primary keys            * ``AS5xx`` constraints and names
* ``AS2xx`` foreign keys            * ``AS6xx`` composite indexes
* ``AS3xx`` relationships           * ``AS7xx`` downgrades (reversibility)
* ``AS4xx`` timestamps              * ``AS8xx`` migration-file layout
* ``AS9xx`` the exceptions register and objects the tools cannot judge
* ``AS10xx`` safety: locks and rewrites on existing tables, changes that break running code
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from .findings import RuleId, Severity

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["RULES", "Rule", "RuleId", "Stage", "get_rule", "resolve_rule_ids"]


class Stage(enum.Enum):
    """Where a rule is enforced."""

    AUTOGENERATE = "autogenerate"
    MIGRATIONS = "migrations"
    MODELS = "models"
    DATABASE = "database"


@dataclass(frozen=True)
class Rule:
    """One standard: an ID, a short name, a one-line title, why it exists and how it looks."""

    id: RuleId
    name: str
    title: str
    rationale: str
    bad: str
    good: str
    severity: Severity
    stages: frozenset[Stage]
    spec: str
    """The section of the schema standard the rule comes from."""
    notes: str = ""
    """Where the rule deliberately departs from the letter of the spec, and why (and which knob)."""

    def explain(self) -> str:
        """Plain-text documentation, as printed by ``alembic-standards explain``."""
        stages = ", ".join(sorted(s.value for s in self.stages))
        parts = [
            f"{self.id} ({self.name}): {self.title}",
            f"Default severity: {self.severity.value}. Checked in: {stages}. Spec: {self.spec}.",
            "",
            self.rationale,
        ]
        if self.notes:
            parts += ["", self.notes]
        parts += ["", "Bad:", _indent(self.bad), "", "Good:", _indent(self.good)]
        return "\n".join(parts)

    def markdown(self) -> str:
        """A documentation page (``docs/rules/<ID>.md``)."""
        stages = ", ".join(sorted(s.value for s in self.stages))
        parts = [
            f"# {self.id} `{self.name}`",
            "",
            f"**{self.title}**",
            "",
            f"- Default severity: `{self.severity.value}`",
            f"- Checked in: {stages}",
            f"- Spec: {self.spec}",
            "",
            "## Why",
            "",
            self.rationale,
        ]
        if self.notes:
            parts += ["", "## Notes", "", self.notes]
        parts += [
            "",
            "## Bad",
            "",
            "```python",
            self.bad,
            "```",
            "",
            "## Good",
            "",
            "```python",
            self.good,
            "```",
            "",
        ]
        return "\n".join(parts)


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.splitlines())


_SAFETY_NOTES = """
PostgreSQL only (the locks and the safe forms are PostgreSQL's): operations in a
``with op.batch_alter_table(...)`` block -- SQLite's batch mode -- and in a branch that runs only on
another database (``if dialect_name == "mysql":``) are not judged.  Only steps on an
*existing* table are reported: one an ancestor revision created (through merges and
``depends_on``); nothing on a table created in the same revision is reported, and a table no
visible revision creates is not judged (never guessed).  Steps inside
``op.get_context().autocommit_block()`` run outside the revision's transaction.  With
``safe_migrations = true`` the autogenerate plugin writes the safe form itself (and refuses what has
none); with ``check --database-url`` the severity follows the table's live size (``large_table``).
See docs/safe-migrations.md.
""".strip()

_A, _MIG, _MOD, _DB = Stage.AUTOGENERATE, Stage.MIGRATIONS, Stage.MODELS, Stage.DATABASE
_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO


def _rule(
    id: RuleId,
    name: str,
    title: str,
    *,
    rationale: str,
    bad: str,
    good: str,
    severity: Severity,
    stages: Iterable[Stage],
    spec: str,
    notes: str = "",
) -> Rule:
    return Rule(
        id=id,
        name=name,
        title=title,
        rationale=rationale.strip(),
        bad=bad.strip("\n"),
        good=good.strip("\n"),
        severity=severity,
        stages=frozenset(stages),
        spec=spec,
        notes=notes.strip(),
    )


_CATALOGUE: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ AS1xx primary keys
    _rule(
        RuleId.AS101,
        "pk-not-uuid",
        "Primary key is not a native UUID",
        rationale="""
The standard makes UUID the primary-key type of every table so that identifiers are globally
unique, safe to expose and identical in type across tables (which keeps every foreign key typed
like its target).  The spec permits three exceptions: composite keys of junction tables, and --
each documented with its reason -- sequential integer IDs and protocol-mandated strings.
""",
        bad="""
class LogEntry(Base, TimestampMixin):
    __tablename__ = "log_entries"
    id = Column(Integer, primary_key=True)
""",
        good='''
class LogEntry(Base, TimestampMixin):
    """
    Exception: Uses Integer primary key for guaranteed ordering.
    """
    __tablename__ = "log_entries"
    id = Column(Integer, primary_key=True)
''',
        severity=_E,
        stages=(_MOD, _DB),
        spec="Rule 1: Primary Key Standardization; Exception Documentation",
        notes="""
A composite primary key made only of foreign-key columns (a junction table such as the spec's
``JournalEntryTag``) is the spec's permitted Exception 2 and is not reported.  Nor is a
single-column key that is itself a foreign key (joined-table inheritance, a one-to-one extension
table): its type is the referred key's, which is judged on its own table.  Any other departure
is documented the spec's way, in the model's docstring: a paragraph starting with ``Exception:``
gives the reason, and justifies that model's primary-key and timestamp findings (AS101, AS102,
AS103, AS401, AS402, AS403, AS404); ``alembic-standards exceptions`` lists it with that reason.
A comment (``# Documented exception``) is not documentation: it gives no reason the register
could list.  Other rules, and column- or constraint-scoped exceptions, are declared in
``[tool.alembic_standards.exceptions]`` or in the model's ``info``.  The type is judged as
PostgreSQL gets it: a ``TypeDecorator`` whose ``load_dialect_impl`` returns a UUID type on
PostgreSQL, or a ``with_variant(UUID, "postgresql")`` type, is a native UUID.
""",
    ),
    _rule(
        RuleId.AS102,
        "pk-missing",
        "Table has no primary key",
        rationale="""
Without a primary key rows cannot be addressed, the ORM cannot map the table, and replication
and upserts misbehave.  Every table needs one (a junction table uses its composite key).
""",
        bad="""
events = Table("events", metadata, Column("payload", JSON))
""",
        good="""
events = Table("events", metadata, Column("id", UUID, primary_key=True), Column("payload", JSON))
""",
        severity=_E,
        stages=(_MOD, _DB),
        spec="Rule 1: Primary Key Standardization",
        notes="""
An association table with a unique key over NOT NULL columns (``UNIQUE (a, b)``) is still
reported, in every stage alike (model linter, live audit, pytest checks): the message names the
unique key to promote to the primary key, which costs nothing (the index already exists) and gives
the ORM, upserts and logical replication the key they need.
""",
    ),
    _rule(
        RuleId.AS103,
        "pk-redundant-index",
        "Primary-key column also carries index=True",
        rationale="""
A primary key is already backed by a unique index.  ``index=True`` on the key column makes
SQLAlchemy create a second, identical index on PostgreSQL: twice the write cost, no read benefit.
""",
        notes="""
The spec's examples write ``id = Column(UUID, primary_key=True, index=True)`` and its required
tests assert ``ExampleModel.id.index is True``, so by default (``pk_index = "allow"``) this rule
reports nothing: the spec's own template must pass.  Set ``pk_index = "forbid"`` in
``[tool.alembic_standards]`` to report the redundant index (the spec's intent, the key is
indexed, without its cost), or ``pk_index = "require"`` to demand the spec's literal form (the
rule then fires when ``index=True`` is missing on a single-column key).
""",
        bad="""
id = Column(UUID, primary_key=True, default=uuid.uuid4, index=True)
""",
        good="""
id = Column(UUID, primary_key=True, default=uuid.uuid4)  # the primary key is its own index
""",
        severity=_W,
        stages=(_MOD,),
        spec="Rule 1 / Rule 3: Index Standards",
    ),
    # ------------------------------------------------------------------ AS2xx foreign keys
    _rule(
        RuleId.AS201,
        "fk-unindexed",
        "Foreign key is not covered by an index",
        rationale="""
PostgreSQL does not index foreign-key columns by itself.  Without an index every join on the key,
every ``ON DELETE`` check on the parent and every lookup of children scans the child table.  A
foreign key is covered only when its columns, in order, are the leading columns of one index,
primary key or unique constraint (a junction table's composite primary key covers its first
column only).
""",
        bad="""
user_id = Column(UUID, ForeignKey("users.id"), nullable=False)
""",
        good="""
user_id = Column(UUID, ForeignKey("users.id"), nullable=False, index=True)
""",
        severity=_E,
        stages=(_A, _MIG, _MOD, _DB),
        spec="Rule 2: Foreign Key Standards; Rule 3: Index Standards",
        notes="""
The model linter does not report the non-leading key columns of a junction table declared as its
composite key of foreign keys alone (the spec's Permitted Exception 2, ``JournalEntryTag``): the
autogenerate plugin adds their index to the migration, as the spec's own migration does
(``idx_journal_entry_tags_tag_id``).  The migration checker and the live audit still report such a
column when the index is missing from the migrations or the database.

The migration checker counts the indexes of the key's own revision, of its ancestors and of the
revisions after it on the way to a head (a later "add missing indexes" revision fixes it).  An
index follows its table through ``op.rename_table``, as PostgreSQL keeps it: one created on
``posts`` covers a key added to ``articles`` after ``posts`` was renamed so.  A ``CREATE INDEX``
in raw SQL (``op.execute``) counts like ``op.create_index`` (an expression element covers no
column).  Raw SQL that cannot be read, because it is built at run time, might build the index:
the key is then AS704 (review by hand) rather than AS201, unless that SQL runs before the
key's table exists.  What a branch runs only on another database (``if dialect_name == "mysql":``,
as the safe-migration rules read it) creates no key on PostgreSQL and covers none.  A missing
index is reported once, at the last revision that creates a key on those columns (a key dropped
and created again to change its ``ON DELETE`` needs the same one index).  A column declared once on
a mixin or base class (``@declared_attr`` included) and copied into several tables is reported
once, at its declaration, naming the tables.  In the revision files, a key whose table or column a
later revision drops is not reported: no migration can index it any more.
""",
    ),
    _rule(
        RuleId.AS202,
        "fk-type-mismatch",
        "Foreign-key column type differs from the referenced column type",
        rationale="""
A foreign key typed differently from its target (``String(36)`` against ``UUID``, ``Integer``
against ``BigInteger``) forces casts in every join, defeats indexes and breaks when values
outgrow the narrower type.
""",
        bad="""
user_id = Column(String(36), ForeignKey("users.id"))  # users.id is UUID
""",
        good="""
user_id = Column(UUID, ForeignKey("users.id"), nullable=False, index=True)
""",
        severity=_E,
        stages=(_MOD, _DB),
        spec="Rule 2: Foreign Key Standards (4. Reference the correct target type)",
    ),
    _rule(
        RuleId.AS203,
        "fk-nullable-implicit",
        "Foreign-key column does not state its nullability",
        rationale="""
Whether a relationship is optional is a business decision; leaving ``nullable`` to the default
makes every foreign key optional by accident.
""",
        bad="""
category_id = Column(UUID, ForeignKey("categories.id"), index=True)
""",
        good="""
category_id = Column(UUID, ForeignKey("categories.id"), nullable=True, index=True)
""",
        severity=_W,
        stages=(_MOD,),
        spec="Rule 2: Foreign Key Standards (3. Include nullable specification)",
        notes="""
Nullability counts as stated when ``nullable=`` is passed, or when a ``mapped_column`` is
annotated ``Mapped[X]`` (NOT NULL) or ``Mapped[X | None]`` (NULL): the annotation is the typed
declarative way of stating it.  Primary-key columns are never reported.  A column declared once on
a mixin or base class (``@declared_attr`` included) and copied into several tables is reported
once, at its declaration, naming the tables.
""",
    ),
    _rule(
        RuleId.AS204,
        "fk-column-naming",
        "Foreign-key column is not named after its target",
        rationale="""
A consistent ``<target>_id`` name tells readers what a column points at without opening the
model.  The rule accepts ``<target>_<target column>`` and ``<role>_<target column>`` forms ending
in the referenced column's name (``parent_id`` for a self-reference, ``owner_id``, ``tag_id`` for
``secret_tags.tag_id``), and ``[<role>_]<target>_id`` after the singular target table or its leading
words, whatever its key is called (``run_id`` and ``source_run_id`` for ``runs.run_uuid``,
``trace_id`` for ``trace_info.request_id``).
""",
        bad="""
author = Column(UUID, ForeignKey("users.id"), nullable=False, index=True)
""",
        good="""
author_id = Column(UUID, ForeignKey("users.id"), nullable=False, index=True)
""",
        severity=_W,
        stages=(_MOD,),
        spec="Rule 2: Foreign Key Standards (2. Use consistent naming convention)",
        notes="""
A column of a composite foreign key is not judged: it is named for the composite relationship and
often carries a key of its own beside it (``venue_id`` referencing ``locations.id``, and with
``room_id`` the pair ``rooms(location_id, id)``).
""",
    ),
    _rule(
        RuleId.AS205,
        "fk-target-not-unique",
        "Foreign key references columns that are not a primary key or unique",
        rationale="""
A foreign key must reference a primary key or unique constraint; PostgreSQL refuses anything
else at DDL time, so the model and the database cannot agree.
""",
        bad="""
tag_name = Column(String, ForeignKey("tags.name"))  # tags.name is not unique
""",
        good="""
tag_id = Column(UUID, ForeignKey("tags.id"), nullable=False, index=True)
""",
        severity=_E,
        stages=(_MOD,),
        spec="Rule 2: Foreign Key Standards",
    ),
    # ------------------------------------------------------------------ AS3xx relationships
    _rule(
        RuleId.AS301,
        "relationship-no-back-populates",
        "Relationship does not declare back_populates",
        rationale="""
Without ``back_populates`` the two sides of a relationship are independent attributes: changes on
one side are invisible on the other until a flush and reload.  ``backref`` hides the second side
from readers and type checkers; the standard asks for explicit ``back_populates`` on both sides.
""",
        notes="""
A relationship declared once on a mixin (a ``@declared_attr``) and copied into several classes
is reported once, at its declaration, naming the classes.
""",
        bad="""
user = relationship("User")
""",
        good="""
user = relationship("User", back_populates="journal_entries")
""",
        severity=_E,
        stages=(_MOD,),
        spec="Rule 2: Relationship Definitions (2. Include back_populates)",
    ),
    _rule(
        RuleId.AS302,
        "relationship-back-populates-mismatch",
        "back_populates does not name a matching relationship on the other side",
        rationale="""
``back_populates="x"`` must name a relationship on the target class whose own ``back_populates``
points back; otherwise SQLAlchemy raises at mapper configuration or silently links the wrong
attributes.
""",
        bad="""
class User(Base):
    entries = relationship("JournalEntry", back_populates="owner")
class JournalEntry(Base):
    user = relationship("User", back_populates="entries")
""",
        good="""
class User(Base):
    journal_entries = relationship("JournalEntry", back_populates="user")
class JournalEntry(Base):
    user = relationship("User", back_populates="journal_entries")
""",
        severity=_E,
        stages=(_MOD,),
        spec="Rule 2: Relationship Definitions",
    ),
    _rule(
        RuleId.AS303,
        "relationship-cascade-unspecified",
        "One-to-many relationship does not state its cascade",
        rationale="""
What happens to children when the parent is deleted is a business decision.  The default cascade
(``save-update, merge``) leaves orphans or fails on the foreign key; state it explicitly
(``cascade="all, delete-orphan"``, or the default spelled out) on the parent side.
""",
        bad="""
journal_entries = relationship("JournalEntry", back_populates="user")
""",
        good="""
journal_entries = relationship(
    "JournalEntry", back_populates="user", cascade="all, delete-orphan"
)
""",
        severity=_W,
        stages=(_MOD,),
        spec="Rule 2: Relationship Definitions (3. Specify cascade behavior)",
        notes="""
The cascade counts as stated when it differs from SQLAlchemy's default or when ``cascade=`` is
passed explicitly, even spelling out the default (``cascade="save-update, merge"``): stating the
default on purpose is a decision too.
""",
    ),
    # ------------------------------------------------------------------ AS4xx timestamps
    _rule(
        RuleId.AS401,
        "timestamps-missing",
        "Table lacks created_at/updated_at",
        rationale="""
Every model carries ``created_at`` and ``updated_at`` (the ``TimestampMixin``) so that every row
can be audited and synchronised.  A model that cannot use the mixin documents why, as an
exception with a reason.
""",
        notes="""
A junction table with nothing but its composite key of foreign keys (the spec's
``JournalEntryTag``) is not reported: its rows are created and deleted, never updated, and carry
no data to timestamp; nor is a table of foreign keys alone that has no primary key yet (AS102
reports that, and its fix makes the table such a junction table).  The child table of joined-table
inheritance is not reported either: its rows are its parent's rows, whose table the timestamps
(and this rule) belong to.  A model that cannot use the mixin documents why with an ``Exception:``
paragraph in its docstring (see AS101).
""",
        bad="""
class Tag(Base):
    __tablename__ = "tags"
    id = Column(UUID, primary_key=True)
""",
        good="""
class Tag(Base, TimestampMixin):
    __tablename__ = "tags"
    id = Column(UUID, primary_key=True)
""",
        severity=_E,
        stages=(_MOD,),
        spec="Rule 4: Timestamp Standards",
    ),
    _rule(
        RuleId.AS402,
        "timestamp-naive",
        "Timestamp column without time zone",
        rationale="""
``DateTime()`` without ``timezone=True`` stores wall-clock time with no zone
(``timestamp without time zone``); values written from servers in different zones, or across a
daylight-saving change, silently disagree.
""",
        notes="""
A duration (``Interval``, ``Mapped[timedelta]``) is not a timestamp and is never reported, although
SQLAlchemy emulates it over ``DateTime`` on databases without ``INTERVAL``.  A column declared once
on a mixin or base class and copied into several tables is reported once, at its declaration,
naming the tables (the same holds for AS403 and AS404).
""",
        bad="""
created_at = Column(DateTime, server_default=func.now(), nullable=False)
""",
        good="""
created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
""",
        severity=_E,
        stages=(_MOD, _DB),
        spec="Rule 4: Timestamp Standards",
    ),
    _rule(
        RuleId.AS403,
        "timestamp-no-server-default",
        "created_at/updated_at without a server default",
        rationale="""
Rows inserted outside the ORM (SQL scripts, other services, data migrations) must still get
their timestamps; only a server default guarantees it.
""",
        bad="""
created_at = Column(DateTime(timezone=True), default=datetime.utcnow)
""",
        good="""
created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
""",
        severity=_E,
        stages=(_MOD,),
        spec="Rule 4: Timestamp Standards (Automatic population and updates)",
        notes="""
``server_default=func.now()`` is suggested only for a date/time column.  A ``created_at`` stored
in another type (``BIGINT`` epoch milliseconds) is still reported, with advice to add a database
default of that type instead (the same for AS404's ``onupdate``).
""",
    ),
    _rule(
        RuleId.AS404,
        "updated-at-not-maintained",
        "updated_at is not maintained on update",
        rationale="""
An ``updated_at`` that only gets its insert-time default is a second ``created_at``.  Maintain it
with ``onupdate=func.now()`` (or ``server_onupdate`` backed by a trigger).
""",
        bad="""
updated_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
""",
        good="""
updated_at = Column(
    DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
)
""",
        severity=_E,
        stages=(_MOD,),
        spec="Rule 4: Timestamp Standards (Automatic population and updates)",
        notes="""
A ``before_update`` mapper listener that assigns the column (``target.updated_at = ...``,
SQLAlchemy's own recipe) maintains it too and is not reported; the linter reads the listener's
source, it never runs it.  Core ``update()`` statements bypass mapper listeners: ``onupdate=``
covers those as well.
""",
    ),
    # ------------------------------------------------------------------ AS5xx constraints and names
    _rule(
        RuleId.AS501,
        "constraint-unnamed",
        "Constraint or index has no explicit name",
        rationale="""
A constraint without a name gets one invented by the database (``users_pkey``,
``tags_user_id_fkey``, ``users_email_key``), which differs between PostgreSQL, SQLite and
versions, so later migrations cannot drop or alter it reliably.  Name every primary key, foreign
key, unique and check constraint and every index from the convention (``pk_<table>``,
``fk_<table>_<columns>``, ``uq_<table>_<columns>``, ``ck_<table>_<name>``, ``idx_<table>_<columns>``),
or set ``MetaData(naming_convention=alembic_standards.NAMING_CONVENTION)``.
""",
        bad="""
sa.UniqueConstraint("user_id", "name")
op.create_index(None, "tags", ["user_id"])
""",
        good="""
sa.UniqueConstraint("user_id", "name", name="uq_tags_user_id_name")
op.create_index("idx_tags_user_id", "tags", ["user_id"])
""",
        severity=_E,
        stages=(_A, _MIG, _MOD),
        spec="Rule 5: Constraint Standards; Migration Template",
        notes="""
The spec names business constraints by hand (``uq_model_user_name``) and leaves the others
unnamed in its models (the Standard Model Template has an unnamed primary key and foreign keys).
Following its intent (no name is ever invented by the database), the autogenerate plugin names
every constraint and index it writes into a migration, and the migration checker reports any
unnamed one in a revision.  In the models, therefore, an unnamed constraint is reported only when
neither the plugin nor ``MetaData.naming_convention`` will name it: the CHECK constraint that
``Enum(native_enum=False, create_constraint=True)`` binds to its column (regenerated from the type
when the migration runs, so the plugin cannot name it; give the ``Enum`` a ``name=``).  On
PostgreSQL a native ``ENUM`` and a ``Boolean`` need no CHECK at all.

In autogenerate the plugin gives created constraints and indexes these names; with
``ignore = ["AS501"]`` it leaves them exactly as Alembic names them.

Alembic hands the ``naming_convention`` of env.py's ``target_metadata`` to every ``op.*`` call, so
``op.create_foreign_key(None, ...)`` is named when it runs if that convention has an ``fk`` template.
The checker knows the convention when it has the models: ``check`` with ``metadata`` configured (or
``--metadata``) and the pytest checks (env.py's ``target_metadata``) do not report an unnamed object
of a kind the convention names.  ``check --no-models`` without ``--metadata`` cannot know it and
reports every unnamed one.  The downgrade rules (AS703) accept a drop or re-creation under the name
such a convention gives in any case.
""",
    ),
    _rule(
        RuleId.AS502,
        "constraint-system-named",
        "Constraint carries a name invented by the database",
        rationale="""
A name PostgreSQL generates for an unnamed constraint (``users_pkey``, ``tags_user_id_fkey``,
``users_email_key``, ``users_age_check``) shows it was created without an explicit name (see
AS501); migrations written against one database will not find it on another.  Only PostgreSQL's
exact generated name is reported, and only when nothing the team wrote gives that name:
``naming_convention`` in ``[tool.alembic_standards]``, the models'
``MetaData(naming_convention=...)``, or an explicit ``name=`` (the pytest checks and
``check --metadata`` pass the models).  A name a revision typed in PostgreSQL's own pattern
(``op.create_unique_constraint("tags_slug_key", ...)``) cannot be told from a generated one in the
database: the message says only that it is PostgreSQL's pattern, and an exception with the reason
keeps it.  On SQLite, which invents no names, only a constraint with no name is reported.
""",
        bad="""
-- \\d users
"users_pkey" PRIMARY KEY, btree (id)
""",
        good="""
-- \\d users
"pk_users" PRIMARY KEY, btree (id)
""",
        severity=_E,
        stages=(_DB,),
        spec="Rule 5: Constraint Standards",
    ),
    _rule(
        RuleId.AS503,
        "status-unconstrained",
        "Status-like column is not constrained by CHECK or Enum",
        rationale="""
Columns holding a closed set of values (``status``, ``state``, ``kind``, ``frequency``...) must be
constrained in the database, not only in application code, so invalid values cannot be written.
""",
        bad="""
status = Column(String(20), nullable=False)
""",
        good="""
status = Column(String(20), CheckConstraint("status IN ('active', 'inactive')"), nullable=False)
""",
        severity=_W,
        stages=(_MOD,),
        spec="Rule 5: Constraint Standards (2. Check constraints where appropriate)",
        notes="""
A CHECK (table- or column-level) counts when its SQL names the column bare, quoted or qualified by
its own table (``status IN (...)``, ``reminders.status IN (...)``, ``"reminders"."status"``).  A
column declared once on a mixin or base class and copied into several tables is reported once, at
its declaration, naming the tables (as AS402 is): one ``CheckConstraint`` there fixes them all.
""",
    ),
    _rule(
        RuleId.AS504,
        "name-too-long",
        "Explicit name exceeds the 63-byte identifier limit",
        rationale="""
PostgreSQL truncates identifiers to 63 bytes; SQLAlchemy refuses a plain-string name longer than
the dialect limit (``IdentifierError``) while convention names are truncated with a hash suffix.
A long explicit name therefore fails at DDL time or drifts between the model and the database.
""",
        bad="""
Index("idx_journal_entries_user_id_entry_date_created_at_updated_at_title", ...)
""",
        good="""
Index("idx_journal_entries_user_date", "user_id", "entry_date")
""",
        severity=_E,
        stages=(_MIG, _MOD),
        spec="Rule 5: Constraint Standards",
    ),
    _rule(
        RuleId.AS505,
        "unique-unenforced",
        "Declared unique key is not enforced by the database",
        rationale="""
A uniqueness rule that exists in the models but not in the database (never migrated, dropped, or
created without the constraint) is no rule at all: duplicates are accepted silently.
""",
        bad="""
-- model: UniqueConstraint("user_id", "name"); database: no unique index on (user_id, name)
""",
        good="""
-- the migration creates uq_tags_user_id_name and inserting a duplicate raises IntegrityError
""",
        severity=_E,
        stages=(_DB,),
        spec="Rule 5: Constraint Standards; Testing Standards (test_model_unique_constraints)",
    ),
    _rule(
        RuleId.AS506,
        "generated-name-dependency",
        "Revision refers to a constraint by the name the database generated",
        rationale="""
A constraint created without a name gets its name from PostgreSQL (``item_owner_id_fkey``,
``item_code_key``, ``item_pkey``).  Alembic builds the ``MetaData`` of its operations with the
``target_metadata``'s naming convention, so once a team sets a convention, replaying that old
revision on a fresh database names the constraint by the convention (``fk_item_owner_id``), and a
later revision that drops it by the generated name fails: ``constraint "item_owner_id_fkey" of
relation "item" does not exist``.  The production database, migrated before the convention, works;
every new environment, CI run and ``pytest-alembic`` replay breaks.  The finding is on the revision
that refers to the generated name and names the earlier revision that created the constraint
unnamed.
""",
        bad="""
# a1: op.create_table("item", ..., sa.ForeignKeyConstraint(["owner_id"], ["users.id"]))
# b2: op.drop_constraint("item_owner_id_fkey", "item", type_="foreignkey")
""",
        good="""
# a1: give the old constraint the generated name explicitly: a replay creates the same name
#     with or without a naming convention (or run `alembic-standards rename-constraints` first)
op.create_table("item", ..., sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="item_owner_id_fkey"))
""",
        severity=_W,
        stages=(_MIG,),
        spec="Rule 5: Constraint Standards",
        notes="""
Read from ``op.drop_constraint`` / ``batch_op.drop_constraint`` with a literal name, against unnamed
foreign keys, unique constraints (``unique=True`` included), check and primary-key constraints in
``op.create_table`` / ``op.add_column`` and ``op.create_*(None, ...)`` of an ancestor revision.  Not
reported when the convention itself yields the generated name, or when an ancestor created a
constraint of that name explicitly.  A history-wide rule: ``since_revision`` cannot hide it on a
new revision.
""",
    ),
    # ------------------------------------------------------------------ AS6xx composite indexes
    _rule(
        RuleId.AS601,
        "owner-created-index-missing",
        "Owner-scoped table lacks the (owner_id, created_at) composite index",
        rationale="""
Tables scoped to an owner are read as "this owner's rows, newest first".  The spec asks for a
composite index ``(owner_id, created_at)`` on them; without it every such query sorts the
owner's rows.  The owner columns are configurable (``owner_columns``, default ``["user_id"]``).
""",
        bad="""
class Tag(Base, TimestampMixin):
    user_id = Column(UUID, ForeignKey("users.id"), nullable=False, index=True)
""",
        good="""
class Tag(Base, TimestampMixin):
    user_id = Column(UUID, ForeignKey("users.id"), nullable=False)
    __table_args__ = (Index("idx_tags_user_id_created_at", "user_id", "created_at"),)
""",
        severity=_W,
        stages=(_MOD,),
        spec="Rule 3: Index Standards (4. Composite indexes for common queries)",
    ),
    # ------------------------------------------------------------------ AS7xx downgrades
    _rule(
        RuleId.AS701,
        "downgrade-missing",
        "Revision has no downgrade() function",
        rationale="""
Every migration must include a proper rollback.  A revision without ``downgrade()`` cannot be
rolled back at all; Alembic fails with an AttributeError in the middle of a downgrade.
""",
        bad="""
def upgrade() -> None:
    op.add_column("users", sa.Column("nickname", sa.String(50)))
""",
        good="""
def upgrade() -> None:
    op.add_column("users", sa.Column("nickname", sa.String(50)))

def downgrade() -> None:
    op.drop_column("users", "nickname")
""",
        severity=_E,
        stages=(_MIG,),
        spec="Validation Checklist (Migration includes proper rollback)",
    ),
    _rule(
        RuleId.AS702,
        "downgrade-empty",
        "downgrade() does nothing while upgrade() changes the schema or its data",
        rationale="""
A downgrade that is ``pass``, only a docstring or ``raise NotImplementedError`` passes every test
that merely runs it, and leaves the schema changed.  Write the rollback, or mark the revision
irreversible with a reason (``irreversible = "reason"`` at module level, or
``-x irreversible="reason"`` on ``alembic revision``), which records it in the exceptions register.
A data migration counts too (an ``UPDATE``, a ``DELETE``, a sequence reset): some can be rolled
back, and one that cannot (a de-duplication) says so with its reason, in the register, rather
than with an empty ``downgrade()`` that reads the same as a forgotten one.
""",
        bad="""
def downgrade() -> None:
    pass
""",
        good="""
def downgrade() -> None:
    \"\"\"Rollback migration changes\"\"\"
    op.drop_column("users", "nickname")
""",
        severity=_E,
        stages=(_A, _MIG),
        spec="Validation Checklist (Migration includes proper rollback)",
    ),
    _rule(
        RuleId.AS703,
        "downgrade-incomplete",
        "downgrade() does not undo an operation of upgrade()",
        rationale="""
Each schema change in ``upgrade()`` needs its inverse in ``downgrade()``: ``create_table`` /
``drop_table``, ``add_column`` / ``drop_column``, ``create_index`` / ``drop_index``, a created
constraint / ``drop_constraint``.  A partial rollback leaves objects behind that the next upgrade
trips over.
""",
        bad="""
def upgrade() -> None:
    op.create_table("tags", ...)
    op.create_index("idx_tags_user_id", "tags", ["user_id"])

def downgrade() -> None:
    op.drop_index("idx_tags_user_id", table_name="tags")
""",
        good="""
def downgrade() -> None:
    op.drop_index("idx_tags_user_id", table_name="tags")
    op.drop_table("tags")
""",
        severity=_E,
        stages=(_A, _MIG),
        spec="Validation Checklist (Migration includes proper rollback)",
        notes="""
What the database drops by itself counts as undone: the objects on a table the downgrade drops,
and an index or constraint whose (literal) columns include one the downgrade drops -- PostgreSQL
drops the indexes and constraints involving a dropped column, and SQLite's batch mode rebuilds
the table without them.  A column, index or constraint the upgrade drops from a table it then
drops whole comes back with the downgrade's ``create_table`` of that table.  Dropping an
``_alembic_tmp_<table>`` left by a failed batch run is cleaning up, and needs no undo.
""",
    ),
    _rule(
        RuleId.AS704,
        "downgrade-undecidable",
        "Reversibility cannot be decided statically (raw SQL or dynamic code)",
        rationale="""
``op.execute("...")`` with raw SQL, or operations built dynamically, cannot be matched against
the downgrade without running them.  The checker says so rather than guessing; review the
downgrade by hand (and rely on the round-trip pytest checks).  The raw SQL it does read as
operations: ``CREATE INDEX``, ``DROP INDEX`` and an ``ALTER TABLE`` that adds or drops one
column or constraint, and an ``UPDATE`` that only fills a column the downgrade drops.
""",
        bad="""
def upgrade() -> None:
    op.execute("ALTER TABLE users ALTER COLUMN email TYPE citext")

def downgrade() -> None:
    op.execute("ALTER TABLE users ALTER COLUMN email TYPE text")
""",
        good="""
def upgrade() -> None:
    op.alter_column("users", "email", type_=CITEXT(), existing_type=sa.Text())

def downgrade() -> None:
    op.alter_column("users", "email", type_=sa.Text(), existing_type=CITEXT())
""",
        severity=_I,
        stages=(_MIG,),
        spec="Validation Checklist (Migration includes proper rollback)",
        notes="""
Informational on purpose: raw SQL is often right (``CREATE EXTENSION`` has no operation), and the
finding only says that a person, or the round-trip pytest checks, must judge the downgrade.  Where
an Alembic operation exists, using it lets the checker decide.
""",
    ),
    _rule(
        RuleId.AS705,
        "irreversible-without-reason",
        "Irreversible-migration marker carries no reason",
        rationale="""
The only way past the downgrade rules is an explicit irreversible marker, and the spec demands a
justification for every exception.  An empty marker (``irreversible = ""`` or ``True``) documents
nothing.
""",
        bad="""
irreversible = True
""",
        good="""
irreversible = "Drops the legacy audit table; its data is archived in S3 (TICKET-123)."
""",
        severity=_E,
        stages=(_A, _MIG),
        spec="Core Principles (Exceptions require explicit justification and documentation)",
    ),
    # ------------------------------------------------------------------ AS8xx migration layout
    _rule(
        RuleId.AS800,
        "file-unparseable",
        "Revision file cannot be read or parsed",
        rationale="""
A revision that cannot be read or parsed cannot be checked (and cannot run).  That covers a
syntax error, an empty file (what an interrupted ``alembic revision`` leaves behind), a path that
cannot be read (an unreadable directory, a broken or looping link, a FIFO), a file over the size
limit and code nested too deeply for the parser.  Each is reported on its own, naming the path;
the other files are still checked, and the command exits with code 2: nothing is skipped silently.
""",
        bad="""
def upgrade() -> None
    op.drop_table("tags")
""",
        good="""
def upgrade() -> None:
    op.drop_table("tags")
""",
        severity=_E,
        stages=(_MIG,),
        spec="Migration Standards",
    ),
    _rule(
        RuleId.AS801,
        "header-incomplete",
        "Revision docstring lacks the message, Revision ID, Revises or Create Date",
        rationale="""
The template starts every revision with a docstring holding the message, ``Revision ID``,
``Revises`` and ``Create Date``, so that a reader sees what the file does and where it sits in the
history without running ``alembic history``.
""",
        bad="""
revision = "abc123"
down_revision = None
""",
        good="""
\"\"\"Add tags

Revision ID: abc123
Revises:
Create Date: 2026-11-25 12:00:00
\"\"\"
""",
        severity=_W,
        stages=(_MIG,),
        spec="Migration Standards (Migration Template)",
    ),
    _rule(
        RuleId.AS802,
        "function-untyped",
        "upgrade()/downgrade() or the revision identifiers lack type annotations",
        rationale="""
The template declares ``def upgrade() -> None`` and typed revision identifiers
(``revision: str``, ``down_revision: str | None``...), so that type checkers cover migrations
like any other module.
""",
        bad="""
def upgrade():
    ...
""",
        good="""
def upgrade() -> None:
    ...
""",
        severity=_W,
        stages=(_MIG,),
        spec="Migration Standards (Migration Template)",
    ),
    _rule(
        RuleId.AS803,
        "function-undocumented",
        "upgrade()/downgrade() lacks its docstring",
        rationale="""
The template gives ``upgrade()`` the docstring "Apply migration changes" and ``downgrade()``
"Rollback migration changes"; a function without it has drifted from the template.
""",
        bad="""
def downgrade() -> None:
    op.drop_table("tags")
""",
        good="""
def downgrade() -> None:
    \"\"\"Rollback migration changes\"\"\"
    op.drop_table("tags")
""",
        severity=_W,
        stages=(_MIG,),
        spec="Migration Standards (Migration Template)",
    ),
    _rule(
        RuleId.AS804,
        "sections-out-of-order",
        "Operations are not in the template's order (tables, then indexes, then data)",
        rationale="""
The spec lays out every upgrade in three sections: create tables, then create indexes, then data
steps; the downgrade is the exact reverse.  A fixed order makes migrations reviewable and keeps
indexes from being created before the columns they need.
""",
        bad="""
def upgrade() -> None:
    op.create_index("idx_tags_user_id", "tags", ["user_id"])
    op.execute("INSERT INTO tags ...")
    op.create_table("reminders", ...)
""",
        good="""
def upgrade() -> None:
    op.create_table("reminders", ...)
    op.create_index("idx_tags_user_id", "tags", ["user_id"])
    op.execute("INSERT INTO tags ...")
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Migration Standards (Migration Template)",
        notes="""
The autogenerate plugin writes every upgrade in this order (and Alembic derives the downgrade from
it); with ``ignore = ["AS804"]`` it leaves Alembic's own order.  Operations in a
``with op.batch_alter_table(...)`` block are placed like any other (a table's block of indexes can
follow all the tables); a call of a function the checker cannot see into (a project's own
``create_table()`` wrapper, a function imported from elsewhere) has no known section and is not placed.
An ``if`` whose body ends in ``return`` (an offline-mode path, say) is a path of its own: what runs
before it with the branch, and what runs without it, are each judged alone.  A change in place
(``alter_column``, ``rename_table``) is with the tables in an upgrade and is not placed in a
downgrade, whose exact reverse of an upgrade puts it after the index work.
""",
    ),
    # ------------------------------------------------------------------ AS9xx exceptions register
    _rule(
        RuleId.AS901,
        "exception-without-reason",
        "Exception declared without a reason",
        rationale="""
The spec demands explicit justification and documentation for every exception.  An exception
with an empty reason (including a docstring paragraph that is only ``Exception:``) suppresses
nothing and is itself reported.
""",
        bad="""
[[tool.alembic_standards.exceptions]]
rule = "AS101"
table = "log_entries"
""",
        good="""
[[tool.alembic_standards.exceptions]]
rule = "AS101"
table = "log_entries"
reason = "Log entries need sequential IDs for ordering and pagination."
""",
        severity=_E,
        stages=(_MOD, _MIG, _DB),
        spec="Core Principles; Exception Documentation",
    ),
    _rule(
        RuleId.AS902,
        "exception-expired",
        "Exception has passed its expiry date",
        rationale="""
An exception with an ``expires`` date was meant to be temporary.  Once the date passes, the
exception stops suppressing and is reported, so that temporary debt does not become permanent.
""",
        bad="""
expires = "2025-01-31"   # in the past
""",
        good="""
expires = "2027-06-30"
ticket = "DB-142"
""",
        severity=_E,
        stages=(_MOD, _MIG, _DB),
        spec="Core Principles; Exception Documentation",
    ),
    _rule(
        RuleId.AS903,
        "exception-unused",
        "Exception no longer matches any violation",
        rationale="""
An exception that suppresses nothing is stale documentation: the model was fixed, renamed or
removed.  Delete it so the register stays true.
""",
        bad="""
[[tool.alembic_standards.exceptions]]
rule = "AS201"
table = "tags"
column = "user_id"   # user_id is indexed now
reason = "..."
""",
        good="""
# (entry removed)
""",
        severity=_W,
        stages=(_MOD, _MIG, _DB),
        spec="Core Principles; Exception Documentation",
    ),
    _rule(
        RuleId.AS904,
        "object-not-judged",
        "Object cannot be judged by a rule",
        rationale="""
Real metadata contains objects a rule cannot evaluate with certainty: expression or partial
indexes, foreign keys to tables outside the metadata, types without a Python equivalent.  They
are reported as such, never skipped silently, so that a human can judge them.  A plain column
with an ordering (``User.created_at.desc()``, ``.asc().nulls_last()``) is a plain column, not an
expression: it is judged like one.
""",
        bad="""
Index("idx_users_lower_email", func.lower(User.email))  # covers no plain column
""",
        good="""
# informational: review by hand, or add an exception with a reason
""",
        severity=_I,
        stages=(_MOD, _DB),
        spec="Core Principles",
    ),
    _rule(
        RuleId.AS905,
        "baseline-entry-stale",
        "Baseline entry no longer matches any finding",
        rationale="""
A baseline (``check --write-baseline``) lets a legacy codebase adopt the standard by failing only
on new findings.  It must only shrink: once a baselined problem is fixed, its entry would silently
re-admit the same problem later.  An entry that matches nothing is therefore reported until
``--write-baseline`` prunes it.
""",
        bad="""
// alembic-standards-baseline.json still lists AS201 on posts.author_id, which is now indexed
""",
        good="""
$ alembic-standards check --write-baseline   # prunes the fixed entry; commit the smaller file
""",
        severity=_E,
        stages=(_MOD, _MIG, _DB),
        spec="Core Principles",
    ),
    # ------------------------------------------------------------------ AS10xx safety
    _rule(
        RuleId.AS1001,
        "index-blocking",
        "Index created on an existing table without CONCURRENTLY",
        rationale="""
``CREATE INDEX`` takes a SHARE lock on the table for the whole build: reads go on, but every
``INSERT``, ``UPDATE`` and ``DELETE`` waits until the index is built -- minutes on a large table.
``CREATE INDEX CONCURRENTLY`` builds it without blocking writes; it cannot run inside a
transaction (PostgreSQL refuses it), so it goes in an autocommit block -- a concurrent index outside
one is reported too.  The spec's review checklist asks that
every migration be "incremental and safe".
""",
        bad="""
def upgrade() -> None:
    op.create_index("idx_posts_user_id", "posts", ["user_id"])
""",
        good="""
def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index("idx_posts_user_id", "posts", ["user_id"], postgresql_concurrently=True)
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Code Review Checklist (Migration is incremental and safe); Core Principles (backward compatibility)",
        notes=_SAFETY_NOTES,
    ),
    _rule(
        RuleId.AS1002,
        "foreign-key-blocking",
        "Foreign key added to an existing table without NOT VALID and a separate VALIDATE",
        rationale="""
``ALTER TABLE ... ADD FOREIGN KEY`` locks both tables against writes (SHARE ROW EXCLUSIVE) while
PostgreSQL checks every existing row.  Added ``NOT VALID`` it only applies to new rows and takes the
lock for an instant; ``VALIDATE CONSTRAINT`` then checks the old rows under a lock that lets reads
and writes continue.
""",
        bad="""
def upgrade() -> None:
    op.create_foreign_key("fk_posts_user_id", "posts", "users", ["user_id"], ["id"])
""",
        good="""
def upgrade() -> None:
    op.create_foreign_key(
        "fk_posts_user_id", "posts", "users", ["user_id"], ["id"], postgresql_not_valid=True
    )
    op.execute("ALTER TABLE posts VALIDATE CONSTRAINT fk_posts_user_id")
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Code Review Checklist (Migration is incremental and safe)",
        notes=_SAFETY_NOTES,
    ),
    _rule(
        RuleId.AS1003,
        "check-blocking",
        "CHECK constraint added to an existing table without NOT VALID and a separate VALIDATE",
        rationale="""
``ADD CONSTRAINT ... CHECK`` holds an ACCESS EXCLUSIVE lock -- no reads, no writes -- while every
existing row is checked.  Added ``NOT VALID`` it is instant; ``VALIDATE CONSTRAINT`` then scans under
a SHARE UPDATE EXCLUSIVE lock, which lets reads and writes continue.
""",
        bad="""
def upgrade() -> None:
    op.create_check_constraint("ck_posts_title_length", "posts", "length(title) > 0")
""",
        good="""
def upgrade() -> None:
    op.create_check_constraint(
        "ck_posts_title_length", "posts", "length(title) > 0", postgresql_not_valid=True
    )
    op.execute("ALTER TABLE posts VALIDATE CONSTRAINT ck_posts_title_length")
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Code Review Checklist (Migration is incremental and safe)",
        notes=_SAFETY_NOTES,
    ),
    _rule(
        RuleId.AS1004,
        "unique-blocking",
        "Unique constraint (or primary key) added to an existing table directly",
        rationale="""
``ADD CONSTRAINT ... UNIQUE`` (or ``PRIMARY KEY``) builds its index under an ACCESS EXCLUSIVE lock:
the table can be neither read nor written until the build ends.  Build the unique index
``CONCURRENTLY`` first, then attach it with ``ADD CONSTRAINT ... UNIQUE USING INDEX``, which is
instant.
""",
        bad="""
def upgrade() -> None:
    op.create_unique_constraint("uq_users_email", "users", ["email"])
""",
        good="""
def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index(
            "uq_users_email", "users", ["email"], unique=True, postgresql_concurrently=True
        )
    op.execute("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX uq_users_email")
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Code Review Checklist (Migration is incremental and safe)",
        notes=_SAFETY_NOTES,
    ),
    _rule(
        RuleId.AS1005,
        "not-null-blocking",
        "NOT NULL set on a column of an existing table with a full scan",
        rationale="""
``ALTER COLUMN ... SET NOT NULL`` scans the whole table under an ACCESS EXCLUSIVE lock.  Since
PostgreSQL 12 the scan is skipped when a valid ``CHECK (column IS NOT NULL)`` already proves it:
add that check ``NOT VALID``, validate it (no blocking lock), set ``NOT NULL``; the check can then go.
""",
        bad="""
def upgrade() -> None:
    op.alter_column("users", "email", existing_type=sa.String(255), nullable=False)
""",
        good="""
def upgrade() -> None:
    op.create_check_constraint(
        "ck_users_email_not_null", "users", "email IS NOT NULL", postgresql_not_valid=True
    )
    op.execute("ALTER TABLE users VALIDATE CONSTRAINT ck_users_email_not_null")
    op.alter_column("users", "email", existing_type=sa.String(255), nullable=False)
    # the check is now redundant: drop it in a later revision
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Code Review Checklist (Migration is incremental and safe)",
        notes=_SAFETY_NOTES
        + """

The check may be added ``NOT VALID`` in an earlier revision: a ``VALIDATE CONSTRAINT`` on the same
table before ``SET NOT NULL``, of a constraint this revision does not add, is taken as that proof.
""",
    ),
    _rule(
        RuleId.AS1006,
        "default-rewrite",
        "Column added to an existing table with a volatile default",
        rationale="""
Since PostgreSQL 11 a column added with a constant or stable default (``'draft'``, ``now()``) costs
nothing: the value is stored once in the catalogue.  A volatile default (``gen_random_uuid()``,
``random()``, ``clock_timestamp()``, an identity or serial column) must be computed for every
existing row, so the whole table is rewritten under an ACCESS EXCLUSIVE lock.
""",
        bad="""
def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("token", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=True),
    )
""",
        good="""
def upgrade() -> None:
    op.add_column("users", sa.Column("token", sa.Uuid(), nullable=True))
    op.alter_column("users", "token", server_default=sa.text("gen_random_uuid()"))
    # then backfill the existing rows in batches, in a revision of its own
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Code Review Checklist (Migration is incremental and safe)",
        notes=_SAFETY_NOTES,
    ),
    _rule(
        RuleId.AS1007,
        "type-rewrite",
        "Column type changed in a way that rewrites an existing table",
        rationale="""
Changing a column's type rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock, unless
the new type stores the same bytes: ``VARCHAR(n)`` to a longer ``VARCHAR``, ``VARCHAR`` or ``TEXT``;
``NUMERIC(p, s)`` to a larger precision with the same scale; ``CIDR`` to ``INET``.  Anything else
(``INTEGER`` to ``BIGINT``, ``TEXT`` to ``JSONB``, any ``postgresql_using``) is a rewrite: add a
new column, backfill it, switch the code, then drop the old one.
""",
        bad="""
def upgrade() -> None:
    op.alter_column("events", "id", existing_type=sa.Integer(), type_=sa.BigInteger())
""",
        good="""
def upgrade() -> None:
    op.alter_column("users", "name", existing_type=sa.String(100), type_=sa.String(200))
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Code Review Checklist (Migration is incremental and safe)",
        notes=_SAFETY_NOTES
        + """

Without ``existing_type=`` the old type is unknown: a change to a type that another type reaches
without a rewrite (``VARCHAR``, ``TEXT``, ``NUMERIC``...) is then not reported (it cannot be
decided), a change to any other type (``BIGINT``, ``JSONB``) is.  Autogenerate always writes
``existing_type``.
""",
    ),
    _rule(
        RuleId.AS1008,
        "breaking-change",
        "Column or table dropped or renamed while running code still uses it",
        rationale="""
While a deployment rolls out, the code already running still reads and writes the old column or
table; dropping or renaming it breaks that code before the new code replaces it.  The spec asks to
"maintain backward compatibility during migrations": split the change into expand (add the new),
deploy the code that stops using the old, then contract (drop it) in a later revision.
""",
        bad="""
def upgrade() -> None:
    op.alter_column("users", "name", new_column_name="full_name")  # the models still map "name"
""",
        good="""
def upgrade() -> None:
    op.add_column("users", sa.Column("full_name", sa.String(200), nullable=True))
    # deploy code that writes both and reads full_name; drop "name" in a later revision
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Core Principles (Maintain backward compatibility during migrations)",
        notes=_SAFETY_NOTES
        + """

Decided only when the caller knows what the running code uses (the tables and columns of the
current models, or at autogenerate the previous models = the database).  The static checker reads
revision files alone, so it reports this rule only when given those names (``check_migrations(...,
in_use=...)``), and only for head revisions (what an older revision dropped, a later one may have
added back).
""",
    ),
    _rule(
        RuleId.AS1009,
        "lock-timeout-missing",
        "Revision locks an existing table without a lock_timeout",
        rationale="""
A DDL statement waits for its lock behind any running query on the table -- a long report, an
idle-in-transaction session -- and every query that arrives after it waits behind *it*: one slow
reader turns a millisecond ``ALTER TABLE`` into an outage.  ``SET lock_timeout`` makes the migration
give up (and be retried) instead.  Reported once per revision, at its first locking step.
""",
        bad="""
def upgrade() -> None:
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
""",
        good="""
def upgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Code Review Checklist (Migration is incremental and safe)",
        notes=_SAFETY_NOTES
        + """

A timeout set once for every revision counts too: the checker reads (never imports) the ``env.py``
next to the versions directory and accepts a ``lock_timeout`` or ``statement_timeout`` set there
(``SET lock_timeout`` executed, or ``-c lock_timeout=...`` in the connection's options).
""",
    ),
    _rule(
        RuleId.AS1010,
        "backfill-in-ddl-transaction",
        "Data backfill of an existing table in the same transaction as a schema change",
        rationale="""
A revision runs in one transaction: the locks its schema changes take are held until it commits.
An ``UPDATE`` (or ``DELETE``, ``INSERT ... SELECT``) of every row of an existing table in that
transaction keeps the table locked for as long as the backfill takes.  Put the backfill in a
revision of its own (or in an autocommit block), in batches.  A backfill in a loop whose body
commits (``bind.commit()`` after each batch) holds the lock for one batch at most and is not
reported; a ``commit()`` outside such a loop is not read as the end of the transaction.
""",
        bad="""
def upgrade() -> None:
    op.add_column("users", sa.Column("status", sa.String(20), nullable=True))
    op.execute("UPDATE users SET status = 'active'")
""",
        good="""
def upgrade() -> None:
    op.add_column("users", sa.Column("status", sa.String(20), nullable=True))
    with op.get_context().autocommit_block():
        op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Code Review Checklist (Migration is incremental and safe)",
        notes=_SAFETY_NOTES,
    ),
    _rule(
        RuleId.AS1011,
        "not-null-column-no-default",
        "NOT NULL column added to an existing table without a server default",
        rationale="""
``ADD COLUMN ... NOT NULL`` without a default fails on any table that has rows (the existing rows
would hold NULL): the revision works on an empty development database and breaks in production.
Add the column with a ``server_default`` (free since PostgreSQL 11), or nullable, backfill, then
set ``NOT NULL``.
""",
        bad="""
def upgrade() -> None:
    op.add_column("users", sa.Column("status", sa.String(20), nullable=False))
""",
        good="""
def upgrade() -> None:
    op.add_column(
        "users", sa.Column("status", sa.String(20), server_default="active", nullable=False)
    )
""",
        severity=_W,
        stages=(_A, _MIG),
        spec="Code Review Checklist (Migration is incremental and safe)",
        notes=_SAFETY_NOTES,
    ),
)

RULES: Mapping[RuleId, Rule] = MappingProxyType({rule.id: rule for rule in _CATALOGUE})
"""Every rule, by ID, in catalogue order."""

_BY_NAME: Mapping[str, Rule] = MappingProxyType({rule.name: rule for rule in _CATALOGUE})
# User text ("as201 ") is looked up by its string: a RuleId hashes and compares as its value.
_BY_ID: Mapping[str, Rule] = MappingProxyType({rule.id.value: rule for rule in _CATALOGUE})

assert len(RULES) == len(_CATALOGUE) == len(_BY_NAME), "duplicate rule id or name"


def get_rule(key: str) -> Rule:
    """Look a rule up by ID (``AS201``, case-insensitive) or short name (``fk-unindexed``).

    Raises KeyError with a readable message (and a close match, if any) when unknown.
    """
    rule = _BY_ID.get(key.strip().upper()) or _BY_NAME.get(key.strip().lower())
    if rule is not None:
        return rule
    import difflib

    close = difflib.get_close_matches(key, [*RULES, *_BY_NAME], n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise KeyError(f"unknown rule {key!r}{hint}")


def resolve_rule_ids(selectors: Iterable[str]) -> set[RuleId]:
    """Expand selectors (full IDs, prefixes like ``AS2`` / ``AS``, or short names) into rule IDs.

    A full ID selects that rule alone, and a family (an ID without its last two digits: ``AS1``
    for AS101-AS199, ``AS10`` for AS1001-AS1099) selects that family alone: since the four-digit
    AS10xx IDs, ``AS101`` is also the start of ``AS1010`` and ``AS1`` of ``AS1001``.  Any other
    prefix (``AS``, ``AS20``) selects the IDs starting with it.

    Raises KeyError for a selector that matches no rule.
    """
    out: set[RuleId] = set()
    for selector in selectors:
        key = selector.strip()
        upper = key.upper()
        matched = _matching(upper) if upper.startswith("AS") else set()
        if not matched:
            matched = {get_rule(key).id}
        out |= matched
    return out


def _matching(prefix: str) -> set[RuleId]:
    if prefix in _BY_ID:
        return {_BY_ID[prefix].id}
    family = {rid for rid in RULES if rid[:-2] == prefix}
    return family or {rid for rid in RULES if rid.startswith(prefix)}
