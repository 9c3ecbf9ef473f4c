"""What users install: the wheel carries the templates, the entry point and py.typed, and
importing Alembic with the package installed stays cheap and never fails."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_entry_point_is_registered_in_the_alembic_plugins_group() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="alembic.plugins")}
    assert found.get("alembic_standards.autogenerate") == "alembic_standards.plugin"


def test_import_alembic_loads_only_the_thin_plugin_module() -> None:
    code = (
        "import sys, json, alembic; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('alembic_standards'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert "alembic_standards.plugin" in loaded
    heavy = {
        "alembic_standards.autogenerate",
        "alembic_standards.directives",
        "alembic_standards.models",
        "alembic_standards.model_rules",
        "alembic_standards.relationships",
        "alembic_standards.source_index",
    }
    assert not heavy & set(loaded), loaded


@pytest.mark.slow
def test_wheel_contains_templates_entry_point_and_py_typed(tmp_path: Path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(next(iter(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry = next(n for n in names if n.endswith("entry_points.txt"))
        entry_text = zf.read(entry).decode()
    assert "alembic_standards/py.typed" in names
    assert any(n.startswith("alembic_standards/templates/") and n.endswith("script.py.mako") for n in names)
    assert "[alembic.plugins]" in entry_text
    assert "alembic_standards.autogenerate = alembic_standards.plugin" in entry_text
    assert "alembic-standards = alembic_standards.cli:main" in entry_text
    assert not any(n.startswith(("tests/", "sample_project/")) for n in names)
