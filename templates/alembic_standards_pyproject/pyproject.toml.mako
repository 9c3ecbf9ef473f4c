[tool.alembic]
# Where env.py, script.py.mako and versions/ live, relative to this file (%(here)s).
script_location = "${script_location}"
# Revision file names: date first, so `ls versions/` reads like the history.
file_template = "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"
# Put the project root on sys.path so env.py can import the models.
prepend_sys_path = ["."]
