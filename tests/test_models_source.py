"""Finding model source lines stays linear: at most one parse per model file per run, whatever
the number of classes in it (``inspect.getsourcelines`` re-parsed the module for every class,
which made linting N models in one module quadratic), none for an unchanged file already read in
this process, and the right ``class`` statement among same-named ones (nested, local to
functions)."""

from __future__ import annotations

import ast
import gc
import importlib.util
import sys
from typing import TYPE_CHECKING, Any

import pytest

from alembic_standards.config import Config
from alembic_standards.exceptions import ExceptionRegister
from alembic_standards.models import class_source, lint_metadata

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from types import ModuleType

MARKER = "# parse-count-marker"
N_CLASSES = 30


def _models_source(n: int) -> str:
    lines = [
        MARKER,
        "from sqlalchemy import Column, ForeignKey, Integer, MetaData",
        "from sqlalchemy.orm import DeclarativeBase, relationship",
        "",
        "class Base(DeclarativeBase):",
        "    metadata = MetaData()",
        "",
    ]
    for i in range(n):
        lines += [
            f"class Model{i}(Base):",
            f"    __tablename__ = 'model_{i}'",
            "    id = Column(Integer, primary_key=True)",
        ]
        if i:
            lines.append(f"    parent_id = Column(Integer, ForeignKey('model_{i - 1}.id'), nullable=True)")
            info = {"alembic_standards": {"exceptions": {"AS101": "ordered log"}}} if i == n - 1 else None
            if info:
                lines.append(f"    __table_args__ = {{'info': {info!r}}}")
        lines.append("")
    return "\n".join(lines)


def _import(path: Path, name: str) -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # where inspect finds a class's file
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]
        module.Base.registry.dispose()


@pytest.fixture
def many_models(tmp_path: Path) -> Iterator[tuple[ModuleType, Path]]:
    path = tmp_path / "many_models_for_parse_count.py"
    path.write_text(_models_source(N_CLASSES))
    for module in _import(path, "many_models_for_parse_count"):
        yield module, path


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every ``ast.parse`` of the test's model file, by anyone (``inspect`` included)."""
    seen: list[str] = []
    real = ast.parse

    def counting(source: Any, *args: Any, **kwargs: Any) -> Any:
        text = source.decode() if isinstance(source, bytes) else str(source)
        if MARKER in text:
            seen.append("parse")
        return real(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    return seen


def test_lint_parses_a_model_file_once_for_all_its_classes(
    many_models: tuple[ModuleType, Path], parses: list[str]
) -> None:
    module, path = many_models
    findings = lint_metadata([module.Base.metadata], Config())
    assert parses == ["parse"]
    # ... and every class is still found at its own line (AS101: the integer key of each model).
    text = path.read_text().splitlines()
    at = {f.location.table: f.location.line for f in findings if f.rule_id == "AS101"}
    assert len(at) == N_CLASSES
    for i in range(N_CLASSES):
        assert at[f"model_{i}"] == text.index(f"class Model{i}(Base):") + 3  # the `id = ...` line


def test_an_unchanged_file_is_not_parsed_again_and_an_edited_one_is(
    many_models: tuple[ModuleType, Path], parses: list[str]
) -> None:
    module, path = many_models
    first = lint_metadata([module.Base.metadata], Config())
    assert lint_metadata([module.Base.metadata], Config()) == first
    ExceptionRegister.collect(Config(), [module.Base.metadata])
    assert parses == ["parse"]
    # Two blank lines before the first model: every location below moves down by two.
    path.write_text(path.read_text().replace("class Model0(", "\n\nclass Model0("))
    moved = lint_metadata([module.Base.metadata], Config())
    assert parses == ["parse", "parse"]
    assert [f.location.line for f in moved if f.rule_id == "AS101"] == [
        f.location.line + 2 for f in first if f.rule_id == "AS101"
    ]


def test_exceptions_register_reads_source_only_for_declaring_tables(
    many_models: tuple[ModuleType, Path], parses: list[str]
) -> None:
    module, path = many_models
    register = ExceptionRegister.collect(Config(), [module.Base.metadata])
    assert parses == ["parse"]  # one table declares an exception: its file is read, once
    (entry,) = register.entries
    assert (entry.table, entry.source.path, entry.source.line) == (
        f"model_{N_CLASSES - 1}",
        path.resolve(),
        path.read_text().splitlines().index(f"class Model{N_CLASSES - 1}(Base):") + 1,
    )


def test_exceptions_register_reads_no_source_without_declarations(tmp_path: Path, parses: list[str]) -> None:
    path = tmp_path / "undeclared_models_for_parse_count.py"
    path.write_text(_models_source(5).replace("'info'", "'comment'"))
    for module in _import(path, "undeclared_models_for_parse_count"):
        assert ExceptionRegister.collect(Config(), [module.Base.metadata]).entries == ()
    assert parses == []


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_source_restores_the_garbage_collector_state(
    many_models: tuple[ModuleType, Path], enabled: bool
) -> None:
    module, _ = many_models
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        assert class_source(module.Model3) is not None
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()


NESTED = """\
class Thing:
    a = 1

class Outer:
    class Thing:
        b = 2

def factory():
    class Thing:
        c = 3
    return Thing

@decorate
class Decorated:
    d = 4

class Thing:  # redefinition: the class object now bound to the name is this one
    e = 5
"""


def test_same_named_classes_are_told_apart(tmp_path: Path) -> None:
    path = tmp_path / "nested_classes_for_source.py"
    path.write_text(NESTED.replace("@decorate", "@(lambda c: c)"))
    lines = NESTED.splitlines()

    def line_of(text: str) -> int:
        return lines.index(text) + 1

    for module in _import_plain(path, "nested_classes_for_source"):
        first = class_source(module.Outer.Thing)
        assert first is not None and "b" in first.attributes
        assert (first.line, first.col) == (line_of("    class Thing:"), 5)
        local = class_source(module.factory())
        assert local is not None and set(local.attributes) == {"c"}
        decorated = class_source(module.Decorated)
        assert decorated is not None and decorated.line == line_of("class Decorated:")
        # Two top-level statements share the qualified name ``Thing``.  Python < 3.13 cannot tell
        # them apart and, as inspect.getsourcelines does, answers with the first; 3.13+ records
        # the line (``__firstlineno__``) and finds the redefinition.
        top = class_source(module.Thing)
        assert top is not None
        expected = "e" if hasattr(module.Thing, "__firstlineno__") else "a"
        assert set(top.attributes) == {expected}


def test_a_class_without_a_statement_has_no_source(tmp_path: Path) -> None:
    path = tmp_path / "dynamic_classes_for_source.py"
    path.write_text("Made = type('Made', (), {'x': 1})\n")
    for module in _import_plain(path, "dynamic_classes_for_source"):
        assert class_source(module.Made) is None
    assert class_source(int) is None


def _import_plain(path: Path, name: str) -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


@pytest.fixture
def pieces(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[bytes]]:
    """Every text ``ast.parse`` was given, by file name."""
    seen: dict[str, list[bytes]] = {}
    real = ast.parse

    def recording(source: Any, filename: str = "<unknown>", *args: Any, **kwargs: Any) -> Any:
        text = source if isinstance(source, bytes) else str(source).encode()
        seen.setdefault(str(filename), []).append(text)
        return real(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", recording)
    return seen


def test_a_model_file_is_parsed_class_by_class_each_line_once(
    many_models: tuple[ModuleType, Path], pieces: dict[str, list[bytes]]
) -> None:
    # Small trees, each dropped before the next: the cycle collector has little to walk, with no
    # process-wide gc.disable() (a large module parsed in one piece cost twice as much).  A plain
    # model class is not parsed whole at all: the statements a rule asks about are
    # (source_index._LazyBody), and only for more than a location; what is not plain (here the
    # imports and Base) is parsed whole.
    module, path = many_models
    lint_metadata([module.Base.metadata], Config())
    parsed = pieces[str(path.resolve())]
    text = path.read_bytes()
    assert parsed and text.startswith(b"".join(parsed))  # the leading pieces, once each
    assert not any(b"class Model" in piece for piece in parsed)
    # Locations need no parse (the scan knows where statements start); these models state
    # nullable= on every column, so no rule needs a statement's keywords either.
    assert pieces.get("<unknown>", []) == []


def test_reading_source_leaves_the_garbage_collector_alone(
    many_models: tuple[ModuleType, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    module, _ = many_models
    calls: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: calls.append("disable"))
    monkeypatch.setattr(gc, "enable", lambda: calls.append("enable"))
    assert lint_metadata([module.Base.metadata], Config())
    assert calls == []


CUTS_IN_THE_WRONG_PLACE = '''\
from sqlalchemy import Index


DOC = """
class Fake:
    z = 1
"""

class Real:
    a = 1

PRODUCT = (2
@ 3) if False else None

@(lambda c: c)
@(lambda c: c)
class Later:
    __table_args__ = (Index("ix_later_b", "b"),)
    b = 2
'''


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize(
    "text",
    [
        CUTS_IN_THE_WRONG_PLACE,
        CUTS_IN_THE_WRONG_PLACE.replace("\nclass Fake", "\n  class Fake").replace("(2\n@ 3)", "(2 @ 3)"),
    ],
    ids=["fallback", "pieces"],
)
def test_lines_are_those_of_the_whole_file_wherever_the_cuts_fall(tmp_path: Path, text: str, newline: str) -> None:
    # A line starting with `class`/`@` inside a string or a bracket makes a piece that does not
    # parse: the whole file is parsed instead, and every line is where one parse puts it.
    path = tmp_path / "cut_classes_for_source.py"
    path.write_bytes(text.replace("\n", newline).encode())
    tree = ast.parse(text)
    expected = {
        node.name: (
            node.lineno,
            node.col_offset + 1,
            {
                s.targets[0].id: s.lineno
                for s in node.body
                if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)
            },
        )
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }
    for module in _import_plain(path, "cut_classes_for_source"):
        classes = (
            [module.Later] if hasattr(module, "Later") else [module.Decorated, module.Outer.Thing, module.factory()]
        )
        if hasattr(module, "Real"):
            classes.append(module.Real)
        for cls in classes:
            src = class_source(cls)
            assert src is not None, cls
            line, col, attributes = expected[cls.__name__]
            assert (src.line, src.col) == (line, col)
            assert {name: at.line for name, at in src.attributes.items()} == {
                name: at for name, at in attributes.items() if name != "__table_args__"
            }
            if cls.__name__ == "Later":
                assert src.table_args_line == attributes["__table_args__"]
                assert [(e.line, e.name, e.columns) for e in src.table_args] == [
                    (attributes["__table_args__"], "ix_later_b", ("b",))
                ]
