"""Deterministic synthetic schemas: N declarative models with about two foreign keys per table.

Why generate Python *source* and import it, instead of building ``Table`` objects directly: the
model linter reads what real projects have — mapped classes with relationships, columns with
``nullable``/``index`` spelt out (or not), and a source file and line for every class — and the
cost of finding those is part of what we measure.  A module written to disk and imported is the
same thing the linter meets in an application.

The mix (fixed by ``seed``, so every run and every machine measures the same schema):

* entity tables (``id`` primary key, ``name``, ``created_at``/``updated_at`` with server defaults,
  sometimes a ``status`` CHECK, named or unnamed);
* every tenth table, from the fourth, is a *parent* with a composite unique key ``(code, region)``
  that later tables reference with a composite foreign key;
* every tenth table, from the eighth, is a *junction* with a composite primary key of two foreign
  keys (the primary key covers the first one only);
* each foreign key is covered by ``index=True``, by an explicit ``Index`` (single or with
  ``created_at`` after the key columns), or left uncovered (the plugin must add the index);
* about half of the primary keys, foreign keys, unique and check constraints carry an explicit
  name; the others are unnamed (the ``MetaData`` has no naming convention, so the plugin must name
  them);
* single-column foreign keys between different tables get a relationship pair with
  ``back_populates`` and a cascade.

Foreign keys only point at earlier tables (or at the table itself), so there are no cycles and
``create_all``/``create_table`` order is well defined on SQLite too.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import MetaData

__all__ = ["SchemaSpec", "SchemaStats", "generate_schema", "load_metadata", "models_module_name", "render_models"]

_NOUNS = (
    "account", "invoice", "order", "customer", "product", "shipment", "ticket", "project",
    "journal", "tag", "reminder", "session", "payment", "review", "message", "device",
)  # fmt: skip

Coverage = str  # "column-index" | "index" | "leading-index" | "pk" | "none"


@dataclass
class ForeignKeySpec:
    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]
    name: str | None
    coverage: Coverage
    nullable: bool


@dataclass
class TableSpec:
    name: str
    class_name: str
    kind: str  # "entity" | "parent" | "junction"
    pk_columns: tuple[str, ...]
    pk_name: str | None
    foreign_keys: list[ForeignKeySpec] = field(default_factory=list)
    unique_name: str | None = None
    check: str | None = None  # None: no status column; "": unnamed CHECK; else its name
    relationships: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(attribute, target class, back_populates, extra kwargs source)."""


@dataclass
class SchemaStats:
    tables: int = 0
    foreign_keys: int = 0
    composite_foreign_keys: int = 0
    uncovered_foreign_keys: int = 0
    named_constraints: int = 0
    unnamed_constraints: int = 0

    def describe(self) -> str:
        return (
            f"{self.tables} tables, {self.foreign_keys} FKs ({self.composite_foreign_keys} composite, "
            f"{self.uncovered_foreign_keys} uncovered), {self.named_constraints} named / "
            f"{self.unnamed_constraints} unnamed constraints"
        )


@dataclass
class SchemaSpec:
    tables: list[TableSpec]
    seed: int

    def stats(self) -> SchemaStats:
        s = SchemaStats(tables=len(self.tables))
        for t in self.tables:
            named = [t.pk_name, *(fk.name for fk in t.foreign_keys)]
            if t.kind == "parent":
                named.append(t.unique_name)
            if t.check is not None:
                named.append(t.check or None)
            s.named_constraints += sum(1 for n in named if n)
            s.unnamed_constraints += sum(1 for n in named if not n)
            for fk in t.foreign_keys:
                s.foreign_keys += 1
                s.composite_foreign_keys += len(fk.columns) > 1
                s.uncovered_foreign_keys += fk.coverage == "none"
        return s


def _short(name: str) -> str:
    """An explicit name PostgreSQL accepts (SQLAlchemy refuses a plain string over 63 characters)."""
    from alembic_standards.naming import truncate_name

    return truncate_name(name)


def _maybe(rng: random.Random, name: str) -> str | None:
    return _short(name) if rng.random() < 0.5 else None


def generate_schema(n_tables: int, seed: int = 2025, uncovered: float = 0.45) -> SchemaSpec:
    """The specification of an ``n_tables`` schema; the same ``(n_tables, seed)`` gives the same schema.

    ``uncovered`` is the share of (non-junction) foreign keys left without an index; the other
    coverages keep their relative shares (0.45 is the sweep's historical mix, bit for bit).
    """
    rng = random.Random(f"{seed}:{n_tables}")
    tables: list[TableSpec] = []
    for i in range(n_tables):
        name = f"{_NOUNS[i % len(_NOUNS)]}_{i:04d}"
        class_name = "".join(p.capitalize() for p in name.split("_"))
        kind = "entity"
        if i % 10 == 3:
            kind = "parent"
        elif i % 10 == 7 and i >= 2:
            kind = "junction"
        entities = [t for t in tables if t.kind != "junction"]
        if kind == "junction":
            a, b = rng.sample(entities, 2)
            pk = (f"{a.name}_id", f"{b.name}_id")
            table = TableSpec(name, class_name, kind, pk, _maybe(rng, f"pk_{name}"))
            for target, coverage in ((a, "pk"), (b, rng.choice(("index", "none")))):
                col = f"{target.name}_id"
                table.foreign_keys.append(
                    ForeignKeySpec((col,), target.name, ("id",), _maybe(rng, f"fk_{name}_{col}"), coverage, False)
                )
            tables.append(table)
            continue
        table = TableSpec(name, class_name, kind, ("id",), _maybe(rng, f"pk_{name}"))
        if kind == "parent":
            table.unique_name = _maybe(rng, f"uq_{name}_code_region")
        roll = rng.random()
        if roll < 0.3:
            table.check = _short(f"ck_{name}_status")
        elif roll < 0.4:
            table.check = ""
        targets: list[TableSpec] = rng.sample(entities, min(2, len(entities))) if entities else []
        if len(targets) < 2:
            targets.append(table)  # self-reference (parent_id) while there are too few tables
        for target in targets:
            composite = target.kind == "parent" and rng.random() < 0.6
            if target is table:
                cols: tuple[str, ...] = ("parent_id",)
                target_cols: tuple[str, ...] = ("id",)
            elif composite:
                cols = (f"{target.name}_code", f"{target.name}_region")
                target_cols = ("code", "region")
            else:
                cols = (f"{target.name}_id",)
                target_cols = ("id",)
            roll = rng.random()
            rest = 0.45 + (roll - uncovered) * 0.55 / (1 - uncovered)  # the covered mix, rescaled
            if roll < uncovered:
                coverage = "none"
            elif rest < 0.75:
                coverage = "column-index" if len(cols) == 1 else "index"
            elif rest < 0.9:
                coverage = "index"
            else:
                coverage = "leading-index"  # Index(<fk cols>, created_at) covers the key
            fk = ForeignKeySpec(
                cols,
                target.name,
                target_cols,
                _maybe(rng, f"fk_{name}_{'_'.join(cols)}"),
                coverage,
                target is table or rng.random() < 0.5,  # a self-reference must be nullable
            )
            table.foreign_keys.append(fk)
            if len(cols) == 1 and target is not table:
                back = f"{name}_list"
                table.relationships.append((target.name, target.class_name, back, ""))
                target.relationships.append(
                    (back, class_name, target.name, ', cascade="all, delete-orphan", passive_deletes=True')
                )
        tables.append(table)
    return SchemaSpec(tables, seed)


def _q(value: str) -> str:
    return repr(value)


def render_models(spec: SchemaSpec) -> str:
    """The schema as a Python module of declarative models (``Base.metadata`` is the MetaData)."""
    out = [
        '"""Generated by benchmarks/schema.py -- do not edit."""',
        "",
        "from sqlalchemy import (",
        "    CheckConstraint, Column, DateTime, ForeignKey, ForeignKeyConstraint, Index, Integer, MetaData,",
        "    PrimaryKeyConstraint, String, UniqueConstraint, func,",
        ")",
        "from sqlalchemy.orm import DeclarativeBase, relationship",
        "",
        "",
        "class Base(DeclarativeBase):",
        "    metadata = MetaData()",
        "",
    ]
    for t in spec.tables:
        out += ["", f"class {t.class_name}(Base):", f"    __tablename__ = {_q(t.name)}", ""]
        args: list[str] = []
        if t.pk_name:
            args.append(f"PrimaryKeyConstraint({', '.join(map(_q, t.pk_columns))}, name={_q(t.pk_name)})")
        pk_flag = "" if t.pk_name else ", primary_key=True"
        if t.kind != "junction":
            out.append(f"    id = Column(Integer{pk_flag})")
            out.append("    name = Column(String(100), nullable=False)")
        for fk in t.foreign_keys:
            if len(fk.columns) == 1:
                col = fk.columns[0]
                fk_args = f"ForeignKey({_q(fk.target + '.' + fk.target_columns[0])}"
                fk_args += f", name={_q(fk.name)})" if fk.name else ")"
                flags = pk_flag if col in t.pk_columns else ""
                if fk.coverage == "column-index":
                    flags += ", index=True"
                nullable = "False" if col in t.pk_columns else str(fk.nullable)
                out.append(f"    {col} = Column(Integer, {fk_args}{flags}, nullable={nullable})")
            else:
                for col in fk.columns:
                    out.append(f"    {col} = Column(String(20), nullable={fk.nullable})")
                refs = [f"{fk.target}.{c}" for c in fk.target_columns]
                name = f", name={_q(fk.name)}" if fk.name else ""
                args.append(f"ForeignKeyConstraint({list(fk.columns)!r}, {refs!r}{name})")
            if fk.coverage == "index":
                ix = _short(f"idx_{t.name}_{'_'.join(fk.columns)}")
                args.append(f"Index({_q(ix)}, {', '.join(map(_q, fk.columns))})")
            elif fk.coverage == "leading-index":
                ix = _short(f"idx_{t.name}_{'_'.join(fk.columns)}_created_at")
                args.append(f"Index({_q(ix)}, {', '.join(map(_q, fk.columns))}, 'created_at')")
        if t.kind == "parent":
            out.append("    code = Column(String(20), nullable=False)")
            out.append("    region = Column(String(20), nullable=False)")
            name = f", name={_q(t.unique_name)}" if t.unique_name else ""
            args.append(f"UniqueConstraint('code', 'region'{name})")
        if t.check is not None:
            out.append("    status = Column(String(20), nullable=False)")
            name = f", name={_q(t.check)}" if t.check else ""
            args.append(f"CheckConstraint(\"status IN ('active', 'inactive')\"{name})")
        out.append("    created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)")
        out.append(
            "    updated_at = Column(DateTime(timezone=True), server_default=func.now(), "
            "onupdate=func.now(), nullable=False)"
        )
        for attr, target_class, back, extra in t.relationships:
            out.append(f"    {attr} = relationship({_q(target_class)}, back_populates={_q(back)}{extra})")
        if args:
            out.append("    __table_args__ = (")
            out += [f"        {a}," for a in args]
            out.append("    )")
    out.append("")
    return "\n".join(out)


def models_module_name(n_tables: int, seed: int = 2025, uncovered: float = 0.45) -> str:
    suffix = "" if uncovered == 0.45 else f"_u{round(uncovered * 100)}"
    return f"bench_models_{n_tables}_{seed}{suffix}"


def load_metadata(
    n_tables: int, workdir: Path, seed: int = 2025, uncovered: float = 0.45
) -> tuple[MetaData, SchemaStats]:
    """Write the models of an ``n_tables`` schema into ``workdir``, import them, return their MetaData."""
    from sqlalchemy.orm import configure_mappers

    spec = generate_schema(n_tables, seed, uncovered)
    module_name = models_module_name(n_tables, seed, uncovered)
    path = workdir / f"{module_name}.py"
    workdir.mkdir(parents=True, exist_ok=True)
    source = render_models(spec)
    if not path.exists() or path.read_text(encoding="utf-8") != source:
        path.write_text(source, encoding="utf-8")
    module = sys.modules.get(module_name)
    if module is None or getattr(module, "__file__", None) != str(path):
        module_spec = importlib.util.spec_from_file_location(module_name, path)
        assert module_spec is not None and module_spec.loader is not None
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_name] = module  # the linter finds source lines through sys.modules
        module_spec.loader.exec_module(module)
        configure_mappers()
    metadata: MetaData = module.Base.metadata
    return metadata, spec.stats()
