"""What a team adds to its ``env.py`` for its own column types: their imports in the revision.

Alembic renders a type from the project's own package as ``package.module.Type()`` and leaves the
import to the team (its documented ``render_item`` hook).  Every corpus project gets this in its
scratch ``env.py``; it changes nothing else in the rendering.
"""

from __future__ import annotations

from typing import Any


def render_item(obj_type: str, obj: Any, autogen_context: Any) -> Any:
    if obj_type == "type":
        module = type(obj).__module__
        if not module.startswith(("sqlalchemy", "builtins")):
            autogen_context.imports.add(f"import {module}")
    return False
