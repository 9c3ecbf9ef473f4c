"""The ORM relationship rules (AS301-AS303): judged on configured mappers, not on tables.

They need what the table rules do not: the registries configured (which may fail: the models
themselves are wrong), and the class bodies (``cascade=`` spelled out).  The live-database audit
and the autogenerate plugin never run them, so they are kept apart from
:mod:`alembic_standards.model_rules`, with whose :class:`~alembic_standards.model_rules.ModelRules`
they share the configuration and the finding helpers.

What each rule reads:

* AS303: a one-to-many relationship states its cascade when ``rel.cascade`` differs from the
  default (``save-update, merge``) or when its class body passes ``cascade=`` (read with ast:
  the default spelled out is a statement too, and SQLAlchemy cannot tell it apart).
* Relationship findings name the relationship attribute in ``Location.column`` (so an
  exception can be scoped to it with ``column = "<attribute>"``).
"""

from __future__ import annotations

import re
import sys
import sysconfig
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table
from sqlalchemy.orm import ONETOMANY

from . import sqla_compat
from .findings import Finding, Location, RuleId

if TYPE_CHECKING:
    from sqlalchemy.orm import Mapper, RelationshipProperty

    from .model_rules import ModelRules
    from .source_index import SourceIndex

__all__ = ["RelationshipRules"]


_DEFAULT_CASCADE = frozenset({"save-update", "merge"})


class RelationshipRules:
    """AS301-AS303 (and AS904 for what they cannot judge) over the mappers of the linted tables."""

    def __init__(self, rules: ModelRules) -> None:
        self._rules = rules

    def check(self, index: SourceIndex) -> list[Finding]:
        out: list[Finding] = []
        mappers = index.all_mappers()
        registries = list({id(m.registry): m.registry for m in mappers}.values())
        broken: set[int] = set()
        for registry in registries:
            try:
                registry.configure()
            except Exception as exc:  # the models themselves are wrong; report, don't crash
                broken.add(id(registry))
                out.append(self._configure_error(exc, [m for m in mappers if m.registry is registry], index))
        generated: set[tuple[int, str]] = set()
        for mapper in mappers:
            if id(mapper.registry) in broken:
                continue
            for rel in mapper.relationships:
                if rel.parent is mapper and rel.backref:
                    name = rel.backref if isinstance(rel.backref, str) else rel.backref[0]
                    generated.add((id(rel.mapper), name))
        for mapper in mappers:
            if id(mapper.registry) in broken:
                continue
            for rel in mapper.relationships:
                if rel.parent is not mapper or (id(mapper), rel.key) in generated:
                    continue
                try:
                    out += self._relationship(mapper, rel, index)
                except Exception as exc:  # pragma: no cover - defensive
                    out.append(
                        self._rules.finding(
                            RuleId.AS904,
                            f"relationship {mapper.class_.__name__}.{rel.key} could not be checked "
                            f"({type(exc).__name__}: {exc})",
                            self._rel_loc(mapper, rel.key, index),
                        )
                    )
        return out

    def _rel_loc(self, mapper: Mapper[Any], key: str, index: SourceIndex) -> Location:
        table = mapper.local_table
        tname = table.name if isinstance(table, Table) else None
        schema = table.schema if isinstance(table, Table) else None
        for klass in mapper.class_.__mro__:
            if klass is object:
                continue
            src = index.source(klass)
            if src is not None and key in src.attributes:
                at = src.attributes[key]
                return Location(path=src.path, line=at.line, col=at.col, schema=schema, table=tname, column=key)
        src = index.source(mapper.class_)
        if src is not None:
            return Location(path=src.path, line=src.line, col=src.col, schema=schema, table=tname, column=key)
        return Location(schema=schema, table=tname, column=key)

    def _configure_error(self, exc: Exception, mappers: list[Mapper[Any]], index: SourceIndex) -> Finding:
        """One finding for a registry whose mappers SQLAlchemy refuses to configure.

        The commonest cause is a ``back_populates`` naming an attribute the other class lacks
        (``Mapper 'Mapper[D(d)]' has no property 'owner'``): that is AS302, reported at the
        relationship declaring it.  Anything else is AS904 at the relationship SQLAlchemy names.
        """
        text = " ".join(str(exc).split())
        missing = re.search(r"Mapper\[(\w+)\(.*?has no property '(\w+)'", text)
        if missing is not None:
            target_name, prop = missing.groups()
            for mapper in mappers:
                # Before configuration the declared properties live in Mapper._props (pinned by a test).
                for key, declared in sqla_compat.declared_properties(mapper).items():
                    argument = getattr(declared, "argument", None)
                    target = argument if isinstance(argument, str) else getattr(argument, "__name__", None)
                    if getattr(declared, "back_populates", None) == prop and target == target_name:
                        return self._rules.finding(
                            RuleId.AS302,
                            f"relationship {mapper.class_.__name__}.{key} names back_populates={prop!r}, which "
                            f"{target_name} does not have",
                            self._rel_loc(mapper, key, index),
                        )
        loc = Location()
        for mapper in mappers:
            match = re.search(rf"\b{re.escape(mapper.class_.__name__)}\.(\w+)", text)
            if match:
                loc = self._rel_loc(mapper, match.group(1), index)
                break
        else:
            if mappers:
                table = mappers[0].local_table
                loc = self._rules.table_loc(table) if isinstance(table, Table) else loc
        return self._rules.finding(
            RuleId.AS904, f"mappers cannot be configured, relationships not checked: {text}", loc
        )

    def _relationship(self, mapper: Mapper[Any], rel: RelationshipProperty[Any], index: SourceIndex) -> list[Finding]:
        out: list[Finding] = []
        # Located only when reported: finding a relationship's line reads its statement, and
        # most relationships are fine (3,376 look-ups at 1,000 tables, each a parse once class
        # bodies are read lazily; see source_index._LazyBody).
        loc = partial(self._rel_loc, mapper, rel.key, index)
        where = f"{mapper.class_.__name__}.{rel.key}"
        if rel.viewonly:
            return out
        if index.source(mapper.class_) is None and _built_by_a_library(mapper.class_):
            # A class a library builds at run time (SQLAlchemy-Continuum's `BillVersion`, found on
            # ihatemoney): the project cannot add back_populates or cascades to it.  Said, not judged.
            if self._rules.config.is_enabled(RuleId.AS904):
                out.append(
                    self._rules.finding(
                        RuleId.AS904,
                        f"relationship {where} belongs to a class built at run time by "
                        f"{mapper.class_.__module__}; its relationship rules are not judged",
                        loc(),
                    )
                )
            return out
        if self._rules.runs(RuleId.AS301):
            if rel.backref:
                out.append(
                    self._rules.finding(
                        RuleId.AS301,
                        f"relationship {where} uses backref; declare the other side explicitly and link both with "
                        "back_populates",
                        loc(),
                    )
                )
            elif not rel.back_populates:
                out.append(
                    self._rules.finding(RuleId.AS301, f"relationship {where} does not declare back_populates", loc())
                )
        if self._rules.runs(RuleId.AS302) and rel.back_populates and not rel.backref:
            target = rel.mapper
            other = target.relationships.get(rel.back_populates) if hasattr(target.relationships, "get") else None
            if other is None:
                out.append(
                    self._rules.finding(
                        RuleId.AS302,
                        f"relationship {where} names back_populates={rel.back_populates!r}, which "
                        f"{target.class_.__name__} does not have",
                        loc(),
                    )
                )
            elif not other.back_populates:
                pass  # the other side lacks back_populates: AS301 reports it there, once
            elif other.back_populates != rel.key:
                out.append(
                    self._rules.finding(
                        RuleId.AS302,
                        f"relationship {where} names back_populates={rel.back_populates!r}, but "
                        f"{target.class_.__name__}.{other.key} points back to {other.back_populates!r}",
                        loc(),
                    )
                )
            elif not mapper.isa(other.mapper) and not other.mapper.isa(mapper):
                out.append(
                    self._rules.finding(
                        RuleId.AS302,
                        f"relationship {where} names back_populates={rel.back_populates!r}, but "
                        f"{target.class_.__name__}.{other.key} relates to {other.mapper.class_.__name__}, "
                        f"not {mapper.class_.__name__}",
                        loc(),
                    )
                )
        if self._rules.runs(RuleId.AS303) and rel.direction is ONETOMANY:
            stated = set(rel.cascade) != _DEFAULT_CASCADE
            if not stated:
                found = (
                    index.attribute_source(mapper.local_table, rel.key)
                    if isinstance(mapper.local_table, Table)
                    else None
                )
                stated = found is not None and "cascade" in found[1].keywords
            if not stated:
                out.append(
                    self._rules.finding(
                        RuleId.AS303,
                        f"{'one-to-one' if rel.uselist is False else 'one-to-many'} relationship {where} does "
                        "not state its cascade (e.g. "
                        'cascade="all, delete-orphan", or the default spelled out)',
                        loc(),
                    )
                )
        return out


def _built_by_a_library(cls: type) -> bool:
    """True for a mapped class made by ``type()`` in an installed library's module, not written by
    the project (its module is in site-packages and has no ``class`` statement of that name)."""
    module = sys.modules.get(cls.__module__)
    filename = getattr(module, "__file__", None) or ""
    installed = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    return bool(filename) and any(filename.startswith(prefix) for prefix in installed)
