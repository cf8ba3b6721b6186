"""schema-apply: bring a live MySQL/MariaDB database to the schema declared in a Schemafile."""

from . import lazy_metadata

__version__ = "0.1.0"

lazy_metadata.install()
