"""`alembic-standards adopt`: an existing env.py and script.py.mako brought to the standards in place."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from alembic_standards.adopt import adopt_environment, merge_script_template, patch_env_source
from alembic_standards.findings import StandardsError
from alembic_standards.scaffold import template_dir

# A team's env.py in the shape of Alembic's stock templates, with customisations of its own.
TEAM_ENV = '''\
"""Our Alembic environment."""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from app.models import Base  # our models

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):
    return name != "spatial_ref_sys"


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.")
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
'''

TEAM_ENV_ADOPTED = '''\
"""Our Alembic environment."""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from app.models import Base  # our models
import alembic_standards

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):
    return name != "spatial_ref_sys"


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        autogenerate_plugins=["alembic.autogenerate.*", "alembic_standards.*"],
        process_revision_directives=alembic_standards.process_revision_directives,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.")
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, include_object=include_object, \
autogenerate_plugins=["alembic.autogenerate.*", "alembic_standards.*"], \
process_revision_directives=alembic_standards.process_revision_directives)
        with context.begin_transaction():
            context.run_migrations()
'''


def test_env_py_gets_the_two_lines_and_the_import_and_nothing_else() -> None:
    assert patch_env_source(TEAM_ENV) == TEAM_ENV_ADOPTED
    # Idempotent: adopting an adopted file changes nothing.
    assert patch_env_source(TEAM_ENV_ADOPTED) == TEAM_ENV_ADOPTED


def test_alembic_context_spelled_in_full_is_adopted() -> None:
    """``import alembic.context`` and ``alembic.context.configure(...)`` (Open WebUI's env.py, sweep 5):
    the same two lines, not "no context.configure(...) call found"."""

    def full(source: str) -> str:
        return source.replace("from alembic import context\n", "import alembic.context\n").replace(
            "context.", "alembic.context."
        )

    assert patch_env_source(full(TEAM_ENV)) == full(TEAM_ENV_ADOPTED)


def test_an_existing_hook_is_kept_and_chained_and_a_partial_plugin_list_completed() -> None:
    source = textwrap.dedent(
        """\
        from alembic import context
        import alembic_standards
        context.configure(url=u, process_revision_directives=my_hook, autogenerate_plugins=["alembic.autogenerate.*"])
        """
    )
    assert patch_env_source(source) == textwrap.dedent(
        """\
        from alembic import context
        import alembic_standards
        context.configure(url=u, process_revision_directives=alembic_standards.chain(my_hook), \
autogenerate_plugins=["alembic.autogenerate.*", "alembic_standards.*"])
        """
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "from alembic import context\ncontext.configure(connection=c, **conf_args)\n",
            "env.py:2: `context.configure(**...)` passes options from a dict",
        ),
        (
            "from alembic import context\ncontext.configure(autogenerate_plugins=PLUGINS)\n",
            "env.py:2: `autogenerate_plugins` is not a literal list of strings",
        ),
        ("from alembic import context\n", "env.py: no `context.configure(...)` call found"),
        ("def broken(:\n", "env.py:1: does not parse"),
    ],
)
def test_unsafe_or_broken_env_py_is_refused_with_file_and_line(source: str, message: str) -> None:
    with pytest.raises(StandardsError) as info:
        patch_env_source(source, "env.py")
    assert str(info.value).startswith(message)


def test_script_template_keeps_the_projects_own_imports() -> None:
    existing = textwrap.dedent(
        """\
        from typing import Sequence, Union

        from alembic import op
        import sqlalchemy as sa
        import sqlmodel.sql.sqltypes
        from app import types as app_types
        ${imports if imports else ""}
        """
    )
    template = (template_dir() / "script.py.mako").read_text(encoding="utf-8")
    merged, carried = merge_script_template(existing, template)
    assert carried == ["import sqlmodel.sql.sqltypes", "from app import types as app_types"]
    assert "from alembic import op\nimport sqlmodel.sql.sqltypes\nfrom app import types as app_types\n" in merged
    assert merged.replace("import sqlmodel.sql.sqltypes\nfrom app import types as app_types\n", "") == template


def test_adopt_writes_backups_and_refuses_to_replace_one(tmp_path: Path) -> None:
    (tmp_path / "env.py").write_text(TEAM_ENV, encoding="utf-8")
    (tmp_path / "script.py.mako").write_text("from alembic import op\nimport app.types\n", encoding="utf-8")
    dry = adopt_environment(tmp_path, dry_run=True)
    assert dry.written == []
    assert (tmp_path / "env.py").read_text(encoding="utf-8") == TEAM_ENV
    assert "+import alembic_standards\n" in dry.changes[0].diff()

    result = adopt_environment(tmp_path)
    assert sorted(p.name for p in result.written) == ["env.py", "script.py.mako"]
    assert (tmp_path / "env.py.orig").read_text(encoding="utf-8") == TEAM_ENV
    assert (tmp_path / "env.py").read_text(encoding="utf-8") == TEAM_ENV_ADOPTED
    assert "import app.types\n" in (tmp_path / "script.py.mako").read_text(encoding="utf-8")

    (tmp_path / "env.py").write_text(TEAM_ENV, encoding="utf-8")
    with pytest.raises(StandardsError, match="a backup from an earlier run exists"):
        adopt_environment(tmp_path)
    assert (tmp_path / "env.py").read_text(encoding="utf-8") == TEAM_ENV  # nothing written


def test_unsafe_env_py_is_reported_and_not_written(tmp_path: Path) -> None:
    source = "from alembic import context\ncontext.configure(connection=c, **conf_args)\n"
    (tmp_path / "env.py").write_text(source, encoding="utf-8")
    result = adopt_environment(tmp_path)
    assert result.needs_manual_step
    assert (tmp_path / "env.py").read_text(encoding="utf-8") == source
    assert not (tmp_path / "env.py.orig").exists()


ADOPTED_REVISION = '''\
"""initial

Revision ID: REV
Revises:
Create Date: DATE
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import app_types

# revision identifiers, used by Alembic.
revision: str = 'REV'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply migration changes"""
    # 1. Tables
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_table('posts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('slug', app_types.Slug(length=80), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_posts_author_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts'))
    )

    # 2. Indexes
    op.create_index(op.f('idx_posts_author_id'), 'posts', ['author_id'], unique=False)


def downgrade() -> None:
    """Rollback migration changes"""
    # 1. Indexes
    op.drop_index(op.f('idx_posts_author_id'), table_name='posts')

    # 2. Tables
    op.drop_table('posts')
    op.drop_table('users')
'''


def _alembic(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def test_adopted_stock_environment_generates_standard_migrations_on_postgres(tmp_path: Path, pg_url: str) -> None:
    """A project made with the stock `alembic init`, with its own type module imported by its template."""
    assert _alembic(tmp_path, "init", "migrations").returncode == 0
    ini = tmp_path / "alembic.ini"
    ini.write_text(
        ini.read_text(encoding="utf-8").replace("driver://user:pass@localhost/dbname", pg_url.replace("%", "%%")),
        encoding="utf-8",
    )
    (tmp_path / "app_types.py").write_text(
        "import sqlalchemy as sa\n\n\nclass Slug(sa.types.TypeDecorator):\n"
        "    impl = sa.String(80)\n    cache_ok = True\n",
        encoding="utf-8",
    )
    (tmp_path / "app_models.py").write_text(
        textwrap.dedent(
            """\
            import uuid

            import sqlalchemy as sa
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            import app_types


            class Base(DeclarativeBase):
                pass


            class User(Base):
                __tablename__ = "users"
                id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)


            class Post(Base):
                __tablename__ = "posts"
                id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
                slug: Mapped[str] = mapped_column(app_types.Slug())
                author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
            """
        ),
        encoding="utf-8",
    )
    env = tmp_path / "migrations" / "env.py"
    env.write_text(
        env.read_text(encoding="utf-8").replace(
            "target_metadata = None", "import app_models\ntarget_metadata = app_models.Base.metadata"
        ),
        encoding="utf-8",
    )
    script = tmp_path / "migrations" / "script.py.mako"
    script.write_text(
        script.read_text(encoding="utf-8").replace(
            "import sqlalchemy as sa\n", "import sqlalchemy as sa\nimport app_types\n"
        ),
        encoding="utf-8",
    )

    adopt_environment(tmp_path / "migrations")
    made = _alembic(tmp_path, "revision", "--autogenerate", "-m", "initial")
    assert made.returncode == 0, made.stderr
    (revision,) = (tmp_path / "migrations" / "versions").glob("*.py")
    text = revision.read_text(encoding="utf-8")
    text = re.sub(r"[0-9a-f]{12}", "REV", text)
    text = re.sub(r"Create Date: .*", "Create Date: DATE", text)
    assert text == ADOPTED_REVISION  # the team's import survived; FK index and names from the plugin
    for step in (("upgrade", "head"), ("downgrade", "base"), ("upgrade", "head"), ("check",)):
        run = _alembic(tmp_path, *step)
        assert run.returncode == 0, (step, run.stdout, run.stderr)


def test_options_from_a_module_level_dict_literal_are_read_not_guessed() -> None:
    source = textwrap.dedent(
        """\
        from alembic import context
        OPTIONS = {"target_metadata": None, "compare_type": True}
        context.configure(connection=c, **OPTIONS)
        """
    )
    assert patch_env_source(source) == textwrap.dedent(
        """\
        from alembic import context
        import alembic_standards
        OPTIONS = {"target_metadata": None, "compare_type": True}
        context.configure(connection=c, **OPTIONS, autogenerate_plugins=["alembic.autogenerate.*", \
"alembic_standards.*"], process_revision_directives=alembic_standards.process_revision_directives)
        """
    )
    # A dict changed elsewhere might gain the keys at run time: refused, not guessed.
    with pytest.raises(StandardsError, match="not a plain module-level literal") as refused:
        patch_env_source(source + 'OPTIONS["process_revision_directives"] = hook\n', "env.py")
    # ... and the refusal says exactly what to add by hand (found adopting JupyterHub's env.py).
    assert refused.value.hint == (
        "add these by hand: `import alembic_standards` at the top, and in the options context.configure() "
        'receives: autogenerate_plugins=["alembic.autogenerate.*", "alembic_standards.*"], '
        "process_revision_directives=alembic_standards.process_revision_directives "
        "(chain a hook you have: alembic_standards.chain(your_hook))"
    )
