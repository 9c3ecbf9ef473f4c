"""ihatemoney's MetaData as its own ``env.py`` sees it.

ihatemoney versions its tables with SQLAlchemy-Continuum, whose ``*_version`` and
``transaction`` tables exist only once the mappers are configured; ``ihatemoney.models`` does that
at import (its last line), so importing it is enough.  Its ``env.py`` reads
``current_app.extensions["migrate"].db.metadata``, which is this same ``db.metadata``.
"""

from __future__ import annotations

from ihatemoney.models import db

metadata = db.metadata
