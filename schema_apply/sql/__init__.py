"""The SQL toolkit, beneath the parser, introspection and rendering alike: the lexical grammar of MySQL
DDL (``lexer``), quoting (``quoting``) and expressions in one canonical form (``expressions``)."""
