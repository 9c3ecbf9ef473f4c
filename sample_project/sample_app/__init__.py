"""The sample application schema from the schema standard (journal entries, tags, reminders,
OPAQUE sessions, secret tags, log entries), as a small real Alembic project."""
