# Alembic configuration, created by `alembic-standards init --config-kind pyproject`.
# Alembic's settings are in pyproject.toml ([tool.alembic]); this file keeps what Alembic reads from
# an ini file only: the database URL (DATABASE_URL in the environment overrides it) and logging.

[alembic]
sqlalchemy.url = driver://user:pass@localhost/dbname

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
