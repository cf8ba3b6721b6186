"""The SQL toolkit: the lexical grammar of MySQL DDL (``lexer``)."""
