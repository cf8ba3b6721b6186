"""The data firewall: nothing schema-apply sends, builds or prints may give away secret rows or a password.

- :mod:`.secrecy` — the one frozen :class:`~.secrecy.SecrecyPolicy` of a run: which names are secret
  (prefixes, the server's ``lower_case_table_names``) and which server's built-ins a view may call.
- :mod:`.statements` — the statement guard: every statement the guarded connection sends is
  classified first and refused if it could read rows (``statements.check``).
  Its rules: :mod:`.query_statements` (queries, value expressions), :mod:`.session_statements`
  (``SET``, ``SHOW``, transactions, ``KILL``), :mod:`.ddl_statements` (DDL, stored programs); what
  it answers (:class:`~.verdicts.StatementInfo`, the refusal and its texts): :mod:`.verdicts`.
- :mod:`.objects` — the rules for what a Schemafile builds (views, foreign keys, storage engines),
  applied by the plan's policy.
- :mod:`.programs` — the same for triggers, routines and events: their bodies (and the routines
  they call) read, their definers checked; registered in ``objects.RULES``.
- :mod:`.queries` — what a query reads, shared by the two above so that they agree on views.
- :mod:`.reading` — reading SQL text as the server does (versioned comments, quoting modes).
- :mod:`.builtins` — the closed lists of the servers' built-in functions.
- :mod:`.redaction` — the one place output is scrubbed of credentials and row values, and the
  redacting standard streams installed before the command line is parsed.

Importing this package imports none of its modules: the CLI installs the redaction before anything
heavy is loaded.
"""
