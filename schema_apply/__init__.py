"""schema-apply: bring a live MySQL/MariaDB database to the schema declared in a Schemafile."""

__version__ = "0.1.0"
