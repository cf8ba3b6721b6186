"""The defaults and choices of the command-line options: what ``--help`` shows, and what the modules
that apply them (settings, online, limits, ecs_config) fall back to.

A leaf: it imports nothing, so that ``schema-apply --help`` loads none of the modules a run needs
(the model and the change values alone take tens of milliseconds to define).
"""

# settings
DEFAULT_SCHEMA_FILE = "Schemafile.sql"
DEFAULT_CREDSTASH_TABLE = "credential-store"
DEFAULT_SECRET_PREFIXES = ("secret_",)
DEFAULT_LOCK_TIMEOUT = 60.0
FORMATS = ("text", "json", "sql", "markdown")

# online: --algorithm, --lock
ALGORITHM_CHOICES = ("auto", "instant", "inplace", "default")
LOCK_CHOICES = ("auto", "none", "default")

# limits: --ddl-lock-wait, --ddl-retries, --stop-grace (seconds)
DEFAULT_DDL_LOCK_WAIT = 3.0
DEFAULT_DDL_RETRIES = 5
DEFAULT_STOP_GRACE = 60.0

# ecs_config: run-task
DEFAULT_CONFIG_FILE = "schema-apply.toml"
LAUNCH_TYPES = ("FARGATE", "EC2", "EXTERNAL")
