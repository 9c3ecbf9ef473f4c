"""The rules that need the whole history, recomputed from the per-file facts on every run.

Why apart: a revision's per-file results are cached, but whether its foreign key is indexed (AS201),
whether it refers to a constraint by a name only an older revision's unnamed DDL gave it (AS506),
or whether the table it locks already exists (AS1001-AS1011: created by an ancestor) depends on
other revisions -- their ancestry (``down_revision``/``depends_on``, through merges) and
what they created.  These checks never read a file; they take :class:`~.facts._Revision` facts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .. import messages
from ..coverage import KeyColumns, is_covered
from ..findings import Location, RuleId
from ..naming import postgresql_default_name
from ..safety import check as check_safety
from ..safety import may_create_index
from .safety_steps import EnvTimeouts, hazard_finding

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ..config import Config
    from ..safety import InUse, TableKey
    from .facts import _Revision, _Unnamed


_MAX_RENAME_CHAIN: Final = 64
"""How many ``rename_table`` steps AS201 follows back (or forward) from one table: far beyond any
real history, and a bound on a history that renames two tables into each other again and again."""


def _self_and_ancestors(bit: int | None, masks: Sequence[int | None]) -> int:
    """The bitset of a revision and its ancestors (0 for a revision outside the graph)."""
    if bit is None:
        return 0
    return (masks[bit] or 0) | 1 << bit


def _creators(graph: _Ancestry) -> dict[TableKey, int]:
    """Each table's creating revisions as a bitset over ``graph.by_id``: ``create_table`` (or raw
    ``CREATE TABLE``) and ``rename_table`` to its name, as the safety steps record them."""
    creators: dict[TableKey, int] = {}
    for bit, node in enumerate(graph.by_id.values()):
        for step in node.safety:
            if step.op == "create_table" and step.key is not None:
                creators[step.key] = creators.get(step.key, 0) | 1 << bit
            elif step.op == "rename_table" and step.new_name is not None:
                key = (step.schema, step.new_name)
                creators[key] = creators.get(key, 0) | 1 << bit
    return creators


def _check_fk_coverage(
    revisions: Sequence[_Revision], config: Config, graph: _Ancestry, creators: dict[TableKey, int]
) -> None:
    """A foreign key needs an index created in its own revision, in one of its ancestors, or in a
    later revision descending from it (a history that fixed the gap is not asked to edit the past).
    A missing index is reported once: at the last revision that creates a key on those columns;
    not at all when a later revision drops the key's table or one of its columns.

    Ancestry is computed once for the whole history (a bitset of ancestors per revision, built in
    topological order) and the keys are indexed by table, so each foreign key looks only at the
    revisions that created a key on its table: linear in the history instead of quadratic.

    An index follows its table through ``rename_table`` (PostgreSQL keeps a table's indexes when
    it is renamed): one created on ``posts`` covers a foreign key that a later revision adds to
    ``articles`` once ``posts`` was renamed so in between, and one created after a later rename
    fixes the key as it would under the old name.
    """
    if not config.is_enabled(RuleId.AS201):
        return
    by_id = graph.by_id
    Table = tuple[str | None, str]
    keys_by_table: dict[Table, list[tuple[int, list[KeyColumns]]]] = {}
    renamed_into: dict[Table, list[tuple[int, Table]]] = {}  # new name -> (renaming revision, old name)
    renamed_from: dict[Table, list[tuple[int, Table]]] = {}  # old name -> (renaming revision, new name)
    # Where each foreign key is created: keys on the same columns created again by a later
    # revision (dropped and re-created to change ON DELETE or the name, a table rebuilt, or a
    # second key on those columns) need the same one index, reported once, at the last creation
    # (Dispatch, CTFd, Warehouse, Prefect repeated one missing index up to three times).
    fks_by_table: dict[Table, list[tuple[int, tuple[str, ...]]]] = {}
    # What the upgrades drop: a key on a table, or on a column, that a later revision drops no
    # longer exists where that revision leads; there is nothing left to index (Dispatch: 38).
    drops_by_table: dict[Table, list[tuple[int, tuple[str, ...]]]] = {}  # () = the whole table
    raw_sql_bits = 0
    bit_of: dict[int, int] = {}
    masks: list[int | None] = []
    for bit, node in enumerate(by_id.values()):
        bit_of[id(node)] = bit
        masks.append(graph.of(node))
        for table, keys in node.keys.items():
            keys_by_table.setdefault(table, []).append((bit, keys))
        for fk in node.foreign_keys:
            fks_by_table.setdefault((fk.schema, fk.table), []).append((bit, fk.columns))
        if node.raw_sql:
            raw_sql_bits |= 1 << bit
        for step in node.safety:  # the upgrade's rename_table calls, as the safety rules read them
            if step.op == "drop_table" and step.table:
                drops_by_table.setdefault((step.schema, step.table), []).append((bit, ()))
            elif step.op == "drop_column" and step.table and step.columns:
                drops_by_table.setdefault((step.schema, step.table), []).append((bit, step.columns))
            if step.op == "rename_table" and step.table and step.new_name and step.new_name != step.table:
                old, new = (step.schema, step.table), (step.schema, step.new_name)
                renamed_into.setdefault(new, []).append((bit, old))
                renamed_from.setdefault(old, []).append((bit, new))

    # What one rename carries, computed once: a history renaming tables back and forth would
    # otherwise repeat the same walk for every path through it.
    carried_back: dict[tuple[Table, int], list[KeyColumns]] = {}
    carried_on: dict[tuple[Table, int], list[KeyColumns]] = {}

    def earlier(table: Table, mask: int, depth: int = 0) -> list[KeyColumns]:
        """The keys the revisions in ``mask`` created on ``table``, and on each table renamed to
        it there before that renaming revision (the revision's own earlier keys moved with the
        table when it was read: :meth:`~.extract._Reader._collect_keys`)."""
        found = [k for bit, keys in keys_by_table.get(table, ()) if mask >> bit & 1 for k in keys]
        if depth < _MAX_RENAME_CHAIN:
            for bit, old in renamed_into.get(table, ()):
                before = masks[bit]
                if mask >> bit & 1 and before is not None:
                    if (old, bit) not in carried_back:
                        carried_back[old, bit] = earlier(old, before, depth + 1)
                    found += carried_back[old, bit]
        return found

    def later(table: Table, since: int, depth: int = 0) -> list[KeyColumns]:
        """The keys created on ``table`` by the revisions descending from revision bit ``since``,
        and on the tables it is renamed to by such a revision (that revision's own keys included)."""
        found = [
            k
            for bit, keys in keys_by_table.get(table, ())
            if (mask := masks[bit]) is not None and mask >> since & 1
            for k in keys
        ]
        if depth < _MAX_RENAME_CHAIN:
            for bit, new in renamed_from.get(table, ()):
                mask = masks[bit]
                if mask is not None and mask >> since & 1:
                    if (new, bit) not in carried_on:
                        renamer = [k for at, keys in keys_by_table.get(new, ()) if at == bit for k in keys]
                        carried_on[new, bit] = renamer + later(new, bit, depth + 1)
                    found += carried_on[new, bit]
        return found

    def created_again(table: Table, columns: tuple[str, ...], since: int) -> bool:
        """Whether a revision descending from revision bit ``since`` creates the same foreign key."""
        for bit, other in fks_by_table.get(table, ()):
            mask = masks[bit]
            if bit != since and other == columns and mask is not None and mask >> since & 1:
                return True
        return False

    def dropped_later(table: Table, columns: tuple[str, ...], since: int) -> bool:
        """Whether a revision descending from revision bit ``since`` drops ``table`` or one of
        ``columns`` (and so the key on them)."""
        for bit, dropped in drops_by_table.get(table, ()):
            mask = masks[bit]
            if bit != since and mask is not None and mask >> since & 1 and (not dropped or set(dropped) & set(columns)):
                return True
        return False

    for revision in revisions:
        if not revision.foreign_keys:
            continue
        ancestors = graph.of(revision)
        own = bit_of.get(id(revision))
        reported: set[tuple[Table, tuple[str, ...]]] = set()  # both arms of a dialect branch: once
        for fk in revision.foreign_keys:
            table = (fk.schema, fk.table)
            if is_covered(fk.columns, revision.keys.get(table, ())):
                continue
            if (table, fk.columns) in reported or (own is not None and created_again(table, fk.columns, own)):
                continue
            if ancestors is None:  # a cycle in the graph: walk it as written
                history = [revision, *_ancestors(revision, by_id)]
                keys = [k for r in history for k in r.keys.get(table, ())]
            else:
                # The revision's own bit too: a table it renames carries its ancestors' keys.
                keys = earlier(table, ancestors if own is None else ancestors | 1 << own)
            if is_covered(fk.columns, keys):
                continue
            # A later revision on the way to a head that adds the index fixed it (FitTrackee's
            # "add missing indexes" revisions): asking to edit the old revision helps nobody.
            if own is not None and is_covered(fk.columns, later(table, own)):
                continue
            # Nor is a key a later revision removes with its table or column: no migration can
            # index it any more (a key created again after that is judged where it is created).
            if own is not None and dropped_later(table, fk.columns, own):
                continue
            reported.add((table, fk.columns))
            location = Location(
                path=revision.path,
                line=fk.line,
                col=fk.col,
                schema=fk.schema,
                table=fk.table,
                column=fk.columns[0] if len(fk.columns) == 1 else None,
                revision=revision.info.revision,
            )
            hidden = None
            if revision.raw_sql or ancestors is None or ancestors & raw_sql_bits:
                # Rare: some revision in the history runs raw SQL.  Which one is named depends on
                # the order of the walk, so walk exactly as the message has always been built.
                history = [revision, *_ancestors(revision, by_id)]
                made = creators.get(table, 0)
                if ancestors is not None and own is not None and made & (ancestors | 1 << own):
                    # Raw SQL can build an index on a table only once the table exists: a revision
                    # before the one that created it cannot (Warehouse: a data migration 150
                    # revisions before the table was blamed for 37 unindexed keys).
                    history = [r for r in history if made & _self_and_ancestors(bit_of.get(id(r)), masks)]
                hidden = _raw_sql_that_may_index(history, fk.table)
            if hidden is not None:
                if config.is_enabled(RuleId.AS704):
                    revision.findings.append(
                        config.finding(
                            RuleId.AS704,
                            f"cannot decide whether foreign key {fk.table}({', '.join(fk.columns)}) is indexed: "
                            f"raw SQL in revision {hidden} may create the index; review it by hand",
                            location,
                        )
                    )
                continue
            name = config.naming.index(fk.table, fk.columns)
            fix = messages.create_index_call(name, fk.table, fk.columns)
            revision.findings.append(
                config.finding(
                    RuleId.AS201,
                    messages.fk_unindexed(
                        fk.table, fk.columns, fk.referred, fix, scope=" created in this revision or before it"
                    ),
                    location,
                )
            )


class _Ancestry:
    """The ancestors of every revision as a bitset over ``by_id`` (bit i = the i-th revision).

    A revision's ancestors are what ``down_revision`` and ``depends_on`` reach, through ids
    present in ``by_id`` (unknown ids are skipped, as Alembic's own walk would fail on them
    elsewhere).  Built once, iteratively (a linear history is as deep as it is long), and shared
    by the history-wide checks (:func:`check_history`).  A cycle, which only a broken history has,
    makes :meth:`of` return None: the caller then walks the graph revision by revision as before.
    """

    def __init__(self, revisions: Sequence[_Revision]) -> None:
        self.by_id = {r.info.revision: r for r in revisions if r.info.revision}
        self.bit = {rev_id: 1 << i for i, rev_id in enumerate(self.by_id)}
        self.masks: dict[str, int] | None = self._build(self.by_id)

    def _parents(self, revision: _Revision) -> list[str]:
        return [p for p in (*revision.info.down_revisions, *revision.info.depends_on) if p in self.bit]

    def _build(self, by_id: dict[str, _Revision]) -> dict[str, int] | None:
        parents_of = {rev_id: self._parents(revision) for rev_id, revision in by_id.items()}
        bit = self.bit
        masks: dict[str, int] = {}
        entered: set[str] = set()
        for root in by_id:
            if root in masks:
                continue
            entered.add(root)
            stack: list[tuple[str, list[str]]] = [(root, list(parents_of[root]))]
            while stack:
                rev_id, todo = stack[-1]
                if todo:
                    parent = todo.pop()
                    if parent in masks:
                        continue
                    if parent in entered:
                        return None  # a cycle
                    entered.add(parent)
                    stack.append((parent, list(parents_of[parent])))
                    continue
                stack.pop()
                mask = 0
                for parent in parents_of[rev_id]:
                    mask |= bit[parent] | masks[parent]
                masks[rev_id] = mask
        return masks

    def of(self, revision: _Revision) -> int | None:
        """The bitset of ``revision``'s ancestors (None when the graph has a cycle)."""
        if self.masks is None:
            return None
        rev_id = revision.info.revision
        if rev_id is not None and self.by_id.get(rev_id) is revision:
            return self.masks[rev_id]  # built from the same parents (a duplicate id is not this one)
        mask = 0
        for parent in self._parents(revision):
            mask |= self.bit[parent] | self.masks[parent]
        return mask


def _raw_sql_that_may_index(history: Sequence[_Revision], table: str) -> str | None:
    """The first revision whose raw SQL might create an index on ``table`` that was not read as
    one: SQL built at run time, or a statement about an index and the table that is not a
    ``CREATE INDEX`` (:func:`~alembic_standards.safety.may_create_index`)."""
    for revision in history:
        for sql in revision.raw_sql:
            if may_create_index(sql, table):
                return revision.info.revision or str(revision.path)
    return None


def _ancestors(revision: _Revision, by_id: dict[str, _Revision]) -> list[_Revision]:
    seen: set[str] = set()
    out: list[_Revision] = []
    todo = [*revision.info.down_revisions, *revision.info.depends_on]
    while todo:
        rev_id = todo.pop()
        if rev_id in seen:
            continue
        seen.add(rev_id)
        parent = by_id.get(rev_id)
        if parent is None:
            continue
        out.append(parent)
        todo.extend([*parent.info.down_revisions, *parent.info.depends_on])
    return out


# ---------------------------------------------------------------------------------------------
# AS506: a revision that depends on a name the database generated
# ---------------------------------------------------------------------------------------------

_KIND_WORDS: Final = {"fk": "foreign key", "uq": "unique constraint", "ck": "check constraint", "pk": "primary key"}


def _check_generated_names(revisions: Sequence[_Revision], config: Config, graph: _Ancestry) -> None:
    """AS506: an upgrade drops a constraint by the name PostgreSQL gave an unnamed constraint that an
    ancestor revision created.

    Alembic's operations build their ``MetaData`` with the ``target_metadata``'s naming convention,
    so once a convention is set, replaying the old revision on a fresh database names that
    constraint by the convention, and the drop of the generated name fails (``constraint
    "item_owner_id_fkey" of relation "item" does not exist``).  Not reported: a convention that
    yields the generated name itself, and a name some ancestor (or the revision, earlier) created
    explicitly.  Linear: only drops whose name matches a generated name look at the ancestry.
    """
    if not config.is_enabled(RuleId.AS506):
        return
    generated: dict[tuple[str | None, str, str], list[tuple[_Revision, _Unnamed]]] = {}
    for revision in revisions:
        for unnamed in revision.names.unnamed:
            convention = _convention_name(unnamed, config)
            for name in _generated_names(unnamed):
                if name != convention:
                    generated.setdefault((unnamed.schema, unnamed.table, name), []).append((revision, unnamed))
    if not generated:
        return
    by_id = graph.by_id
    explicit: dict[tuple[str | None, str | None, str], list[tuple[_Revision, int]]] = {}
    for revision in revisions:
        for ref in revision.names.created:
            explicit.setdefault((ref.schema, ref.table, ref.name), []).append((revision, ref.line))
    for revision in revisions:
        for ref in revision.names.dropped:
            if ref.table is None or (found := generated.get((ref.schema, ref.table, ref.name))) is None:
                continue
            before = _ancestor_test(revision, graph, by_id)
            creators = [(r, u) for r, u in found if before(r)]
            if not creators:
                continue
            named = explicit.get((ref.schema, ref.table, ref.name), [])
            if any(before(r) or (r is revision and line < ref.line) for r, line in named):
                continue
            creator, unnamed = creators[0]
            revision.findings.append(
                config.finding(
                    RuleId.AS506,
                    _generated_message(ref.name, creator, unnamed, config),
                    Location(
                        path=revision.path,
                        line=ref.line,
                        col=ref.col,
                        schema=ref.schema,
                        table=ref.table,
                        constraint=ref.name,
                        revision=revision.info.revision,
                    ),
                )
            )


def _ancestor_test(revision: _Revision, graph: _Ancestry, by_id: dict[str, _Revision]) -> Callable[[_Revision], bool]:
    """A predicate: is a revision an ancestor of ``revision``?"""
    mask = graph.of(revision)
    if mask is None:  # a cycle: walk the graph as written
        ancestors = {id(r) for r in _ancestors(revision, by_id)}
        return lambda other: id(other) in ancestors
    return lambda other: other.info.revision in graph.bit and bool(mask & graph.bit[other.info.revision])


def _generated_names(unnamed: _Unnamed) -> list[str]:
    """The names PostgreSQL may have given ``unnamed``."""
    if unnamed.kind == "ck":
        # Named after the one column the condition uses, or after the table alone.
        words = [(word,) for word in unnamed.columns]
        return [postgresql_default_name("ck", unnamed.table, columns) for columns in [(), *words]]
    if unnamed.kind != "pk" and not unnamed.columns:
        return []  # columns computed at run time: the name cannot be told
    return [postgresql_default_name(unnamed.kind, unnamed.table, unnamed.columns)]


def _convention_name(unnamed: _Unnamed, config: Config) -> str | None:
    """What the naming convention calls ``unnamed`` (None when it cannot be derived statically)."""
    if unnamed.kind == "ck":
        return None  # a CHECK's convention name depends on its SQL text or an explicit name
    try:
        return config.naming.name(unnamed.kind, unnamed.table, unnamed.columns, referred_table=unnamed.referred)
    except (KeyError, ValueError, TypeError):
        return None


def _generated_message(name: str, creator: _Revision, unnamed: _Unnamed, config: Config) -> str:
    what = _KIND_WORDS[unnamed.kind]
    columns = f"({', '.join(unnamed.columns)})" if unnamed.kind != "ck" else ""
    where = f"{creator.path.name}:{unnamed.line}"
    rev = f"revision {creator.info.revision} " if creator.info.revision else ""
    convention = _convention_name(unnamed, config)
    replay = f"names it {convention!r}" if convention else "names it by the convention"
    return (
        f"drop_constraint({name!r}) depends on the name PostgreSQL generated for the unnamed {what} "
        f"{unnamed.table}{columns} created in {rev}({where}); with a naming convention a fresh replay {replay} "
        f"and this drop fails: give that constraint this name explicitly there (name={name!r}), which replays the "
        "same with or without a convention, or run `alembic-standards rename-constraints` first"
    )


# ---------------------------------------------------------------------------------------------
# AS1001-AS1011: locks and rewrites on tables the history created
# ---------------------------------------------------------------------------------------------

_SAFETY_RULES: Final = (
    RuleId.AS1001,
    RuleId.AS1002,
    RuleId.AS1003,
    RuleId.AS1004,
    RuleId.AS1005,
    RuleId.AS1006,
    RuleId.AS1007,
    RuleId.AS1008,
    RuleId.AS1009,
    RuleId.AS1010,
    RuleId.AS1011,
)


def _check_safety(
    revisions: Sequence[_Revision],
    config: Config,
    graph: _Ancestry,
    creators: dict[TableKey, int],
    in_use: InUse | None = None,
) -> None:
    """Judge each revision's safety steps (:func:`alembic_standards.safety.check`) against the
    tables its ancestors created: an *existing* table is one created (or renamed into being) by an
    ancestor revision -- decided from the history, never guessed.  A table no visible revision
    creates (the history starts from a database made otherwise, or raw SQL we cannot read) is not
    judged; a table the revision itself creates is new.

    ``in_use`` (the tables and columns of the current models) decides AS1008 for the head revisions
    only: what an older revision dropped, a later one may have added back.
    """
    if not any(config.is_enabled(rule) for rule in _SAFETY_RULES):
        return
    by_id = graph.by_id
    bit_of = {id(node): bit for bit, node in enumerate(by_id.values())}
    timeouts = EnvTimeouts()
    parents = {p for r in revisions for p in (*r.info.down_revisions, *r.info.depends_on)}
    for revision in revisions:
        if not revision.safety:
            continue
        ancestors = graph.of(revision)
        if ancestors is None:  # a cycle: walk the graph as written
            ancestors = 0
            for parent in _ancestors(revision, by_id):
                ancestors |= 1 << bit_of[id(parent)] if id(parent) in bit_of else 0

        def existing(key: TableKey, mask: int = ancestors) -> bool:
            return bool(creators.get(key, 0) & mask)

        head = revision.info.revision not in parents
        hazards = check_safety(
            revision.safety,
            existing,
            timeout_elsewhere=timeouts.covers(revision.path),
            in_use=in_use if head else None,
        )
        revision.findings.extend(
            hazard_finding(revision.path, revision.info.revision, hazard, config) for hazard in hazards
        )


def check_history(revisions: Sequence[_Revision], config: Config, in_use: InUse | None = None) -> None:
    """Every history-wide check (AS201, AS506, AS1001-AS1011), the ancestry computed once for all
    three (it was built by each: about 20 k instructions per revision)."""
    graph = _Ancestry(revisions)
    creators = _creators(graph)  # table -> bitset of the revisions that create it
    _check_fk_coverage(revisions, config, graph, creators)
    _check_generated_names(revisions, config, graph)
    _check_safety(revisions, config, graph, creators, in_use)
