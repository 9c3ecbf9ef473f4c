#!/usr/bin/env bash
# The main job, on a scratch copy of the sample project (the repository is never modified):
#   0. `alembic-standards doctor`: the versions in use, and whether the plugin is active;
#   1. apply the committed history and prove `alembic check` sees no drift;
#   2. add a model that "forgets" the standards (an unindexed foreign key, unnamed constraints);
#   3. `alembic revision --autogenerate` with the plugin: the migration adds the missing index and
#      names every constraint, in the spec's layout; print it;
#   4. run it both ways, then `alembic check` again;
#   5. `alembic-standards check`: the linter tells you what the model itself should still declare.
# Uses SQLite inside the scratch copy by default; set DATABASE_URL to use PostgreSQL.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/alembic-standards-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$here" && tar --exclude='*.db' --exclude='__pycache__' -cf - .) | (cd "$work" && tar -xf -)
cd "$work"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "alembic-standards doctor   (versions; is the autogenerate plugin active here?)"
alembic-standards doctor

step "alembic upgrade head   (the committed history: $(ls migrations/versions/*.py | wc -l) revision(s))"
alembic upgrade head
step "alembic check"
alembic check

step "a new model that forgets the standards (scratch copy only)"
cat >> sample_app/models.py <<'PY'


class Attachment(Base, TimestampMixin):
    """Added by demo.sh: uploaded_by_id has no index (journal_entry_id is covered by the unique
    constraint, whose leading column it is) and the unique constraint has no name."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("journal_entry_id", "file_name"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=uuid.uuid4)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("users.id"), nullable=False)
    journal_entry_id: Mapped[uuid.UUID] = mapped_column(UUID, ForeignKey("journal_entries.id"), nullable=False)
PY
tail -n 13 sample_app/models.py

step "alembic revision --autogenerate -m 'add attachments'"
alembic revision --autogenerate -m "add attachments" --rev-id 0002_attachments
step "the generated migration"
cat migrations/versions/*0002_attachments*.py

step "alembic upgrade head; alembic downgrade -1; alembic upgrade head; alembic check"
alembic upgrade head && alembic downgrade -1 && alembic upgrade head && alembic check

step "alembic-standards check   (models + migrations; exit 1 = findings)"
set +e
alembic-standards check
status=$?
set -e
echo "alembic-standards exited with $status"
