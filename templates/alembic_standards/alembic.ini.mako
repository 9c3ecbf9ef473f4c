# Alembic configuration, created by `alembic-standards init` (alembic-standards template).
# Rule selection, severities and exceptions live in pyproject.toml, [tool.alembic_standards].

[alembic]
# Where env.py, script.py.mako and versions/ live, relative to this file (%(here)s).
script_location = ${script_location}

# Revision file names: date first, so `ls versions/` reads like the history.
file_template = %%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s

# Put the project root on sys.path so env.py can import the models.
prepend_sys_path = .
path_separator = os

# The database URL read by env.py (DATABASE_URL in the environment overrides it).
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
