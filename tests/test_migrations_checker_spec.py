"""The spec's own migration examples, verbatim, through the static checker (issue #10, section 1).

The scenario files under tests/scenarios/migrations/spec_template and spec_example are the code
blocks of the spec copied byte for byte; the first test proves they still are, so that the exact
expectations below are about the spec and not about an edited copy.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alembic_standards.config import Config
from alembic_standards.migrations import check_migrations

ROOT = Path(__file__).parent.parent
SPEC = ROOT / "docs" / "schema-standardization-guidelines.md"
SCENARIOS = Path(__file__).parent / "scenarios" / "migrations"


def spec_block(heading: str) -> str:
    """The first ```python block after the spec heading ``heading``."""
    text = SPEC.read_text(encoding="utf-8")
    start = text.index(heading)
    found = re.search(r"^```python\n(.*?)^```", text[start:], re.DOTALL | re.MULTILINE)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("heading", "copy"),
    [
        ("### **Migration Template**", "spec_template/m1_migration_template.py"),
        ("#### **Clean Schema Migration**", "spec_example/j1_clean_schema.py"),
    ],
)
def test_scenario_files_are_verbatim_copies_of_the_spec(heading: str, copy: str) -> None:
    assert (SCENARIOS / copy).read_text(encoding="utf-8") == spec_block(heading)


def rendered(folder: Path) -> list[str]:
    report = check_migrations([folder], Config(root=folder), cache=False)
    return [
        f.render(relative_to=folder)
        for f in sorted([*report.findings, *report.input_errors], key=lambda f: f.sort_key())
    ]


def test_the_spec_migration_template_passes_with_no_finding() -> None:
    assert rendered(SCENARIOS / "spec_template") == []


def test_the_spec_clean_schema_migration() -> None:
    """The spec's clean-schema sketch: its guarded drops followed by the creations are "create or
    replace" (no AS703); what remains are real departures from the template (no header, no return
    annotations, unnamed primary keys)."""
    assert rendered(SCENARIOS / "spec_example") == [
        "j1_clean_schema.py:1:1: AS801 revision has no module docstring (message, Revision ID, Revises, Create Date)",
        "j1_clean_schema.py:1:1: AS802 upgrade() has no return annotation (`def upgrade() -> None:`)",
        "j1_clean_schema.py:22:9: AS501 the primary key on 'journal_entries' has no name: declare "
        "sa.PrimaryKeyConstraint(..., name=...) (convention name: 'pk_journal_entries')",
        "j1_clean_schema.py:35:9: AS501 the primary key on 'tags' has no name: declare "
        "sa.PrimaryKeyConstraint(..., name=...) (convention name: 'pk_tags')",
        "j1_clean_schema.py:49:9: AS501 unnamed primary key in op.create_table() on 'journal_entry_tags' "
        "(convention name: 'pk_journal_entry_tags')",
        "j1_clean_schema.py:56:9: AS501 the primary key on 'reminders' has no name: declare "
        "sa.PrimaryKeyConstraint(..., name=...) (convention name: 'pk_reminders')",
        "j1_clean_schema.py:71:9: AS501 the primary key on 'opaque_sessions' has no name: declare "
        "sa.PrimaryKeyConstraint(..., name=...) (convention name: 'pk_opaque_sessions')",
        "j1_clean_schema.py:99:1: AS802 downgrade() has no return annotation (`def downgrade() -> None:`)",
    ]
