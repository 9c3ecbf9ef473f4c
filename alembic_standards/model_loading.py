"""Loading what the model linter reads: the ``--metadata`` target and the ORM mappers behind it.

Separate from the rules (:mod:`alembic_standards.model_rules`) and from the source locator
(:mod:`alembic_standards.source_index`) because its callers need neither: the CLI and the pytest
checks import the user's metadata with :func:`load_metadata`, and the suppression scan
(:func:`alembic_standards.suppressions.model_source_files`) and the source locator enumerate
mappers with :func:`all_mappers`, without loading a single rule.

Importing the user's module is the one place the linter executes project code (the model code
the application itself imports, never a revision file).  Every failure becomes a
:class:`~alembic_standards.findings.StandardsError` naming the spec and, when the error was
raised in the user's code, the file and line (:func:`user_frame`).
"""

from __future__ import annotations

import importlib
import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Table

from . import sqla_compat
from .findings import StandardsError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from sqlalchemy.orm import Mapper

__all__ = ["all_mappers", "load_metadata", "mapper_tables", "user_frame"]


def load_metadata(spec: str, *, root: Path | None = None) -> list[MetaData]:
    """Import ``spec`` and return the ``MetaData`` it names.

    ``spec`` is ``"pkg.mod:Base.metadata"``, ``"pkg.mod:Base"`` (a declarative base: its
    ``metadata``) or ``"pkg.mod:metadata"``; a list/tuple of those objects is accepted too.
    ``root`` is put first on ``sys.path`` (the project directory), then the working directory.  Any failure is a
    :class:`StandardsError` naming the spec and the cause, never a traceback; so is a metadata
    with no tables (the model modules were never imported), which would otherwise lint nothing.
    """
    module_name, sep, attr_path = spec.partition(":")
    module_name = module_name.strip()
    attr_path = attr_path.strip()
    if not sep or not module_name or not attr_path:
        raise StandardsError(f"metadata {spec!r} is not 'module:attribute'", hint='e.g. "app.models:Base.metadata"')
    # The project root first; the working directory too (as ``python -m`` and Alembic's
    # ``prepend_sys_path = .`` do), so a module next to the user resolves from a subdirectory.
    for directory in (Path.cwd(), root):
        if directory is not None and str(Path(directory).resolve()) not in sys.path:
            sys.path.insert(0, str(Path(directory).resolve()))
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # the user's code may raise anything while importing
        raise StandardsError(
            f"metadata {spec!r}: cannot import module {module_name!r}: {type(exc).__name__}: {_one_line(exc)}",
            path=_error_path(exc),
            line=_error_line(exc),
        ) from None
    obj: Any = module
    walked = module_name
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise StandardsError(f"metadata {spec!r}: {walked!r} has no attribute {part!r}") from None
        except Exception as exc:  # a property of the user's code raising
            raise StandardsError(
                f"metadata {spec!r}: reading {walked}.{part} failed: {type(exc).__name__}: {exc}"
            ) from None
        walked += f".{part}"
    found = _as_metadata(obj)
    if found is None:
        raise StandardsError(
            f"metadata {spec!r} is a {type(obj).__name__}, not a MetaData or a declarative base",
            hint="point at Base.metadata, the declarative Base, or a MetaData object",
        )
    if not any(md.tables for md in found):
        # Linting nothing would pass silently: the usual cause is a Base defined in one module
        # and the models in others that nothing imported.
        raise StandardsError(
            f"metadata {spec!r} has no tables: no model was defined on it when {module_name!r} was imported",
            hint=f"point at a module that imports every model module, or import them in {module_name!r}",
        )
    return found


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _as_metadata(obj: Any) -> list[MetaData] | None:
    if isinstance(obj, MetaData):
        return [obj]
    metadata = getattr(obj, "metadata", None)
    if isinstance(metadata, MetaData):  # DeclarativeBase, declarative_base(), registry
        return [metadata]
    if isinstance(obj, (list, tuple)) and obj:
        out: list[MetaData] = []
        for item in obj:
            one = _as_metadata(item)
            if one is None:
                return None
            out.extend(one)
        return out
    return None


def user_frame(exc: BaseException) -> tuple[Path, int] | None:
    """The innermost traceback frame in the user's code (not the standard library, not an
    installed package, not importlib's frozen frames): where their import went wrong."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return Path(exc.filename), exc.lineno or 0
    library = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    library.add(str(Path(__file__).resolve().parent))  # our own frames (load_metadata itself)
    found: tuple[Path, int] | None = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith("<") and not any(filename.startswith(lib) for lib in library):
            found = (Path(filename), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _error_path(exc: BaseException) -> Path | None:
    frame = user_frame(exc)
    return frame[0] if frame else None


def _error_line(exc: BaseException) -> int | None:
    frame = user_frame(exc)
    return frame[1] if frame else None


def all_mappers() -> Iterator[Mapper[Any]]:
    """Every mapper of every live SQLAlchemy registry (the ORM classes the process defined).

    The set of live registries is ``sqlalchemy.orm.mapperlib._mapper_registries`` (private,
    pinned by a test); ``registry.mappers`` is public.  Imperative ``Table`` objects have none.
    """
    for registry in sqla_compat.live_registries():
        try:
            yield from list(registry.mappers)
        except Exception:  # a half-configured registry must not break linting
            continue


def mapper_tables(mapper: Mapper[Any]) -> Iterable[Table]:
    """The ``Table`` a mapper maps (none for a mapper of a join or a select)."""
    local = mapper.local_table
    if isinstance(local, Table):
        yield local
