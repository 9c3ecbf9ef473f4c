"""fittrackee's MetaData as its own ``env.py`` sees it, plus the options its ``env.py`` passes.

fittrackee's models live in one module per feature, all on ``fittrackee.db``; its ``env.py``
configures GeoAlchemy2's Alembic helpers (PostGIS objects are left out of the comparison, spatial
types and the ``TZDateTime`` decorator are rendered with their imports).  The corpus's scratch
``env.py`` applies ``ALEMBIC_OPTIONS`` the same way, with alembic-standards' hook chained after
GeoAlchemy2's writer, as the README tells a team with its own hook to do.
"""

from __future__ import annotations

from typing import Any

import corpus_env
import fittrackee.application.models
import fittrackee.comments.models
import fittrackee.equipments.models
import fittrackee.media.models
import fittrackee.oauth2.models
import fittrackee.reports.models
import fittrackee.users.models
import fittrackee.workouts.models  # noqa: F401  (every model module registers its tables)
from fittrackee import db
from fittrackee.database import TZDateTime
from geoalchemy2 import alembic_helpers

import alembic_standards

metadata = db.metadata


def _render_item(obj_type: str, obj: Any, autogen_context: Any) -> Any:
    spatial = alembic_helpers.render_item(obj_type, obj, autogen_context)
    if spatial:
        return spatial
    if obj_type == "type" and isinstance(obj, TZDateTime):
        autogen_context.imports.add("from fittrackee.database import TZDateTime")
        return repr(obj)
    return corpus_env.render_item(obj_type, obj, autogen_context)


ALEMBIC_OPTIONS: dict[str, Any] = {
    "include_object": alembic_helpers.include_object,
    "render_item": _render_item,
    "process_revision_directives": alembic_standards.chain(alembic_helpers.writer),
}
