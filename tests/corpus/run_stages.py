"""Run every alembic-standards stage on one corpus project and write what it observed as JSON.

Why a separate script: each corpus project is installed in its own virtual environment (its
dependency pins must not fight ours), so the stages run under that environment's Python, through
the real command line (``alembic-standards``, ``alembic``), exactly as the project's developers
would run them.  The pytest layer (``test_corpus.py``) calls this script and compares its output
with the judged expectations in ``expected/NAME.json``; ``python tests/corpus/run_stages.py NAME
--pg-url URL --out FILE`` runs it by hand.

Stages (each one a separate process, so one project's import side effects cannot leak into
another stage):

``models``
    ``alembic-standards check --metadata MODULE:ATTR`` (the model linter).
``migrations``
    ``alembic-standards check --no-models VERSIONS`` on the installed versions directory (static).
``audit``
    ``metadata.create_all`` on an empty PostgreSQL database, then ``alembic-standards check
    --no-models --database-url URL`` (the live audit).
``autogenerate``
    A scratch environment from ``alembic-standards init`` whose ``env.py`` targets the project's
    MetaData; ``alembic revision --autogenerate`` on an empty database, ``alembic upgrade head``,
    the foreign keys of the database catalog that no index covers, ``alembic check``, the static
    checker on the generated revision (its findings are this stage's findings) and ``alembic
    downgrade base``.

A process that exits with a code the command does not document, or prints a traceback, is a
crash: recorded separately with the last lines of its output, never mixed with findings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHIMS = HERE / "shims"
sys.path.insert(0, str(HERE.parent))  # tests/: the throwaway-database helpers

from support.postgres import create_database, drop_database  # noqa: E402

STAGES = ("models", "migrations", "audit", "autogenerate")
GENERATED = "<generated revision>"

# Foreign keys whose columns, in order, are not the leading columns of any index (primary keys
# and unique constraints have one).  The same definition of "covered" as the product's AS201.
UNINDEXED_FKS_SQL = """
SELECT c.conrelid::regclass::text AS table_name, c.conname AS name
FROM pg_constraint c
WHERE c.contype = 'f'
  AND c.connamespace = 'public'::regnamespace
  AND NOT EXISTS (
    SELECT 1 FROM pg_index i
    WHERE i.indrelid = c.conrelid
      AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey
  )
ORDER BY 1, 2
"""


@dataclass
class Observed:
    project: str
    version: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    crashes: list[dict[str, Any]] = field(default_factory=list)
    autogenerate: dict[str, Any] = field(default_factory=dict)


def _site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"]).resolve()


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SHIMS), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("DATABASE_URL", None)
    env.update(extra or {})
    return env


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(
    observed: Observed,
    stage: str,
    cmd: list[str],
    cwd: Path,
    *,
    ok_codes: tuple[int, ...] = (0, 1),
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str] | None:
    """Run ``cmd``; a traceback or an undocumented exit code is recorded as a crash (returns None)."""
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=_env(env), timeout=900, check=False)
    if result.returncode not in ok_codes or "Traceback (most recent call last)" in result.stderr:
        observed.crashes.append(
            {
                "stage": stage,
                "command": " ".join(Path(cmd[0]).name if i == 0 else c for i, c in enumerate(cmd)),
                "returncode": result.returncode,
                "output": _tail(result.stderr + "\n" + result.stdout),
            }
        )
        return None
    return result


def _normalise_path(path: str | None, cwd: Path) -> str | None:
    if path is None:
        return None
    full = (cwd / path).resolve()
    site = _site_packages()
    if full.is_relative_to(site):
        return full.relative_to(site).as_posix()
    if "/versions/" in full.as_posix() and full.is_relative_to(cwd.resolve()):
        return GENERATED  # autogenerate's revision id is random: the file name is not stable
    return path


def _findings(observed: Observed, stage: str, result: subprocess.CompletedProcess[str] | None, cwd: Path) -> None:
    if result is None:
        return
    for item in json.loads(result.stdout or "[]"):
        path = _normalise_path(item["path"], cwd)
        observed.findings.append(
            {
                "stage": stage,
                "rule": item["rule"],
                "severity": item["severity"],
                "path": path,
                "line": item["line"],
                "table": item["table"],
                "column": item["column"],
                "constraint": item["constraint"],
                "message": _stable_message(item["message"]),
            }
        )


def _stable_message(message: str) -> str:
    # Generated revision ids and scratch paths change from run to run.
    message = re.sub(r"\b[0-9a-f]{12}\b", "<rev>", message)
    return re.sub(r"/tmp/[^\s:]+/", "<scratch>/", message)


def _check(args: list[str]) -> list[str]:
    return [_bin("alembic-standards"), "check", "--format", "json", "--quiet", "--no-cache", "--fail-on", "info", *args]


def _prepare_database(url: str, extensions: list[str]) -> None:
    """Extensions go in their own schema so that ``public`` holds the project's tables only."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if not extensions:
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE SCHEMA extensions"))
            for ext in extensions:
                conn.execute(text(f'CREATE EXTENSION "{ext}" SCHEMA extensions'))
            database = make_url(url).database
            conn.execute(text(f'ALTER DATABASE "{database}" SET search_path = public, extensions'))
    finally:
        engine.dispose()


CREATE_ALL = """
import sys
from sqlalchemy import create_engine
from alembic_standards.models import load_metadata
engine = create_engine(sys.argv[2])
for metadata in load_metadata(sys.argv[1]):
    metadata.create_all(engine)
engine.dispose()
"""


def stage_models(observed: Observed, project: dict[str, Any], work: Path) -> None:
    _findings(observed, "models", _run(observed, "models", _check(["--metadata", project["metadata"]]), work), work)


def stage_migrations(observed: Observed, project: dict[str, Any], work: Path) -> None:
    versions = _site_packages() / project["versions"]
    result = _run(observed, "migrations", _check(["--no-models", str(versions)]), work)
    _findings(observed, "migrations", result, work)


def stage_audit(observed: Observed, project: dict[str, Any], work: Path, pg_url: str) -> None:
    url = create_database(pg_url, prefix="corpus_audit")
    try:
        _prepare_database(url, project["extensions"])
        if _run(observed, "audit", [sys.executable, "-c", CREATE_ALL, project["metadata"], url], work, ok_codes=(0,)):
            result = _run(observed, "audit", _check(["--no-models", "--database-url", url]), work)
            _findings(observed, "audit", result, work)
    finally:
        drop_database(url)


ENV_TARGET = """\
from alembic_standards.models import load_metadata as _load_metadata

target_metadata = _load_metadata({spec!r})[0]
"""

# The imports of the project's own column types (see shims/corpus_env.py), as a team adds them.
ENV_RENDER = """
import corpus_env as _corpus_env

CONFIGURE_OPTIONS["render_item"] = _corpus_env.render_item
"""

ENV_OPTIONS = """
# The project's own env.py options (corpus shim), applied as its team would.
import {shim} as _corpus_shim

CONFIGURE_OPTIONS.update(getattr(_corpus_shim, "ALEMBIC_OPTIONS", {{}}))
"""


def _scratch_env(observed: Observed, project: dict[str, Any], work: Path) -> Path | None:
    scratch = work / "scratch"
    scratch.mkdir()
    init = [_bin("alembic-standards"), "init", "migrations"]
    if _run(observed, "autogenerate", init, scratch, ok_codes=(0,)) is None:
        return None
    env_py = scratch / "migrations" / "env.py"
    text = env_py.read_text()
    if "target_metadata = None\n" not in text:
        raise SystemExit(f"{env_py}: the template no longer has 'target_metadata = None'; update run_stages.py")
    text = text.replace("target_metadata = None\n", ENV_TARGET.format(spec=project["metadata"]), 1)
    marker = "\n\ndef _database_url()"
    extra = ENV_RENDER + (ENV_OPTIONS.format(shim=project["shim"]) if project["shim"] else "")
    text = text.replace(marker, extra + marker, 1)
    env_py.write_text(text)
    return scratch


def stage_autogenerate(observed: Observed, project: dict[str, Any], work: Path, pg_url: str) -> None:
    from sqlalchemy import create_engine, text

    result: dict[str, Any] = {
        "revision": False,
        "upgrade": False,
        "unindexed_fks": None,
        "alembic_check": None,
        "downgrade": False,
    }
    observed.autogenerate = result
    scratch = _scratch_env(observed, project, work)
    if scratch is None:
        return
    url = create_database(pg_url, prefix="corpus_autogen")
    env = {"DATABASE_URL": url}
    alembic = _bin("alembic")
    try:
        _prepare_database(url, project["extensions"])
        revision = [alembic, "revision", "--autogenerate", "-m", "corpus"]
        if _run(observed, "autogenerate", revision, scratch, ok_codes=(0,), env=env) is None:
            return
        result["revision"] = True
        checked = _run(observed, "autogenerate", _check(["--no-models", "migrations/versions"]), scratch)
        _findings(observed, "autogenerate", checked, scratch)
        if _run(observed, "autogenerate", [alembic, "upgrade", "head"], scratch, ok_codes=(0,), env=env) is None:
            return
        result["upgrade"] = True
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text(UNINDEXED_FKS_SQL)).all()
        finally:
            engine.dispose()
        result["unindexed_fks"] = [f"{table}.{name}" for table, name in rows]
        check = subprocess.run(
            [alembic, "check"], cwd=scratch, capture_output=True, text=True, env=_env(env), timeout=900, check=False
        )
        result["alembic_check"] = "clean" if check.returncode == 0 else _tail(check.stderr + check.stdout, 10)
        down = [alembic, "downgrade", "base"]
        result["downgrade"] = _run(observed, "autogenerate", down, scratch, ok_codes=(0,), env=env) is not None
    finally:
        drop_database(url)


def run(name: str, project: dict[str, Any], pg_url: str, stages: tuple[str, ...], keep: Path | None = None) -> Observed:
    from importlib.metadata import version

    dist = project["requirement"].split("==")[0]
    observed = Observed(project=name, version=version(dist))
    with tempfile.TemporaryDirectory(prefix=f"corpus-{name}-") as tmp:
        work = Path(tmp)
        if keep is not None:
            keep.mkdir(parents=True)
            work = keep.resolve()
        if "models" in stages:
            stage_models(observed, project, work)
        if "migrations" in stages:
            stage_migrations(observed, project, work)
        if "audit" in stages:
            stage_audit(observed, project, work, pg_url)
        if "autogenerate" in stages:
            stage_autogenerate(observed, project, work, pg_url)
    observed.findings.sort(key=finding_key)
    return observed


def finding_key(f: dict[str, Any]) -> tuple[str, ...]:
    """What identifies a finding across runs: not its message (wording may improve), its place."""
    return (
        f["stage"],
        f["rule"],
        f["path"] or "",
        str(f["line"] or ""),
        f["table"] or "",
        f["column"] or "",
        f["constraint"] or "",
    )


def load_projects() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((HERE / "projects.json").read_text())
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", choices=sorted(load_projects()))
    parser.add_argument("--pg-url", required=True, help="URL of a PostgreSQL server (any database on it)")
    parser.add_argument("--out", type=Path, required=True, help="where to write the observed JSON")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it (scratch env, revision)")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {', '.join(STAGES)}")
    args = parser.parse_args(argv)
    stages = tuple(s.strip() for s in args.stages.split(",") if s.strip())
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        parser.error(f"unknown stage(s): {', '.join(unknown)}")
    observed = run(args.project, load_projects()[args.project], args.pg_url, stages, keep=args.keep)
    args.out.write_text(json.dumps(observed.__dict__, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
