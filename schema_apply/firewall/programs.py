"""The firewall's rules for what stored programs may do — read from their bodies, parsed.

A trigger, routine or event runs with its definer's privileges, on others'
writes or on a schedule, so it can move secret rows where the firewall
promised they would never go. Before one is created or replaced, its body
(``parse.references``) and the bodies of every routine it calls, transitively,
are checked; a program is refused when

- its body cannot be fully read (fail closed);
- it runs dynamic SQL (PREPARE/EXECUTE), whose text nothing can check;
- it reads or writes files (SELECT … INTO OUTFILE/DUMPFILE, LOAD DATA, LOAD_FILE());
- it reads or writes a system schema or another database;
- it calls a routine the Schemafile does not declare (so cannot be followed);
- it reads or writes a secret table (a trigger: is on one) while its own name has
  no secret prefix;
- it reads a secret table (or is a trigger on one) and writes a table without the
  secret prefix — secret rows would leave the prefix — whatever its own name (a name the
  body creates as a temporary table counts as the base table too: the CREATE may not run);
- it reads a secret table (or is a trigger on one) and takes or releases a named lock,
  which every session on the server can see.

And who it runs as: a DEFINER other than the applying account (or CURRENT_USER)
is refused unless ``--allow-definer`` names it: a program runs with its
definer's privileges, so naming another account is a way to borrow them.

The API is that of ``firewall.objects``, and these rules are registered in its
``RULES``: one function per kind, fed the parsed program, the run's
:class:`~schema_apply.firewall.secrecy.SecrecyPolicy` and the
:class:`~schema_apply.firewall.objects.Surroundings` — which carry the routines
the Schemafile declares (calls are followed into them), the applying account
and the definers ``--allow-definer`` permits — each returning the reasons to
refuse it (empty: allowed)::

    trigger_refusals(trigger, policy, around) -> list[str]
    routine_refusals(routine, policy, around) -> list[str]
    event_refusals(event, policy, around) -> list[str]
    program_refusals(program, policy, around, *, definer=True) -> list[str]

Unlike the other kinds' reasons, each of these names its program already
(``"trigger t reads …"``, ``"its DEFINER …"``). ``statement_refusals`` is the
statement guard's view of one CREATE as it is sent.
"""

from __future__ import annotations


from ..errors import ParseError
from ..model import Event, Routine, Trigger, key
from ..parse.references import Call, References, TableRef, analyse
from ..parse.schemafile import parse_program
from ..values import frozen
from .objects import RULES, Surroundings
from .secrecy import SYSTEM_SCHEMAS, SecrecyPolicy


NAMED_LOCK_FUNCTIONS = frozenset({"GET_LOCK", "RELEASE_LOCK", "RELEASE_ALL_LOCKS"})
"""Server-wide named locks: which are held, and by whom, any session may ask (IS_FREE_LOCK, IS_USED_LOCK,
no privilege needed) — a channel out of a program that reads secret rows."""


def program_refusals(program: Trigger | Routine | Event, policy: SecrecyPolicy, around: Surroundings, *,
                     definer: bool = True) -> list[str]:
    """Why ``program`` may not be created (empty: it may). ``definer``: check its DEFINER too."""
    return ProgramRules(policy, around).refusals(program, definer=definer)


def trigger_refusals(trigger: Trigger, policy: SecrecyPolicy, around: Surroundings) -> list[str]:
    return program_refusals(trigger, policy, around)


def routine_refusals(routine: Routine, policy: SecrecyPolicy, around: Surroundings) -> list[str]:
    return program_refusals(routine, policy, around)


def event_refusals(event: Event, policy: SecrecyPolicy, around: Surroundings) -> list[str]:
    return program_refusals(event, policy, around)


RULES[Trigger] = trigger_refusals
RULES[Routine] = routine_refusals
RULES[Event] = event_refusals


@frozen
class ProgramRules:
    """The rules with what they need: the run's secrecy policy and the surroundings (the database,
    the declared routines, the applying account, the definers allowed). ``follow_calls``: False where
    the declared routines are not known (the statement guard): calls are not followed."""

    policy: SecrecyPolicy
    around: Surroundings
    follow_calls: bool = True

    @property
    def database(self) -> str | None:
        return self.around.database

    def secret(self, name: str) -> bool:
        return self.policy.is_secret(name)

    # -- the rules ------------------------------------------------------------------

    def refusals(self, program: Trigger | Routine | Event, *, definer: bool = True) -> list[str]:
        """Why ``program`` may not be created (empty: it may). ``definer``: check its DEFINER too."""
        out = self._definer(program.definer) if definer else []
        if isinstance(program, Trigger):
            return out + self.trigger(program)
        if isinstance(program, Routine):
            return out + self.routine(program)
        return out + self.event(program)

    def trigger(self, trigger: Trigger) -> list[str]:
        """The body rules for a trigger: its table counts as read (NEW and OLD are its rows)."""
        return self._rules(f"trigger {trigger.name}", trigger.name, self.effective(trigger),
                           on=TableRef(None, trigger.table))

    def routine(self, routine: Routine) -> list[str]:
        return self._rules(routine.label, routine.name, self.effective(routine))

    def event(self, event: Event) -> list[str]:
        return self._rules(f"event {event.name}", event.name, self.effective(event))

    def _definer(self, definer: str | None) -> list[str]:
        account = self.around.account
        allowed = {_account_key(a) for a in self.around.allow_definers + ((account,) if account else ())}
        if definer is None or _account_key(definer) in allowed:
            return []
        who = f"the applying account {account}" if account else "the applying account"
        return [f"its DEFINER {definer} is not {who}: a stored program runs with its definer's privileges, so"
                " naming another account borrows them; give --allow-definer " + definer + " to permit it, or"
                " leave DEFINER out (the applying account becomes the definer)"]

    def _rules(self, label: str, name: str, refs: References, on: TableRef | None = None) -> list[str]:
        out: list[str] = []
        if refs.problems:
            out.append(f"{label}: its body cannot be fully analysed ({refs.problems[0]}); the firewall refuses what"
                       " it cannot read")
        if refs.dynamic_sql:
            out.append(f"{label} runs dynamic SQL (PREPARE/EXECUTE), whose text the firewall cannot check")
        if refs.files:
            out.append(f"{label} reads or writes files on the server (SELECT … INTO OUTFILE/DUMPFILE, LOAD DATA,"
                       " LOAD_FILE)")
        foreign = sorted({str(t) for t in refs.reads | refs.writes if self._elsewhere(t)})
        if foreign:
            system = [t for t in foreign if t.split(".")[0].lower() in SYSTEM_SCHEMAS]
            where = "a system schema" if system else "another database"
            out.append(f"{label} reads or writes {', '.join(foreign)} in {where}; stored programs may use the tables"
                       " of this database only")
        unknown = sorted(str(c) for c in refs.calls if self.follow_calls and self.routine_called(c) is None)
        if unknown:
            out.append(f"{label} calls {', '.join(unknown)}, which the Schemafile does not declare (the firewall can"
                       " follow only the routines it manages, and no built-in function has that name)")
        # A name the body also creates as a temporary table still counts as the base table of that name:
        # the CREATE may not run (IF 0 THEN …), or the temporary table may be dropped before the name
        # is used, and the server then reads or writes the base table.
        tables = [t for t in (refs.reads | refs.writes | ({on} if on else set())) if t.db is None or not self._elsewhere(t)]
        secret = sorted({t.name for t in tables if self.secret(t.name)})
        if secret and not self.secret(name):
            what = f"is on secret table {on.name}" if on is not None and self.secret(on.name) else \
                f"reads or writes secret table(s) {', '.join(secret)}"
            out.append(f"{label} {what} but its own name has no secret prefix: stored code that touches secret rows"
                       " must itself be secret-named (and may then write only secret tables)")
        sources = sorted({t.name for t in refs.reads if self.secret(t.name)})
        if on is not None and self.secret(on.name):
            sources = sorted(set(sources) | {on.name})
        sinks = sorted({t.name for t in refs.writes if not self.secret(t.name) and not self._elsewhere(t)})
        if sources and sinks:
            temporary = {key(t) for t in refs.temporary}
            hint = (" (a temporary table that holds secret rows must be secret-named too: the name may also mean"
                    " the base table of that name)") if any(key(t) in temporary for t in sinks) else ""
            out.append(f"{label} writes non-secret table(s) {', '.join(sinks)} while reading secret table(s)"
                       f" {', '.join(sources)}: secret rows must not leave the secret prefix{hint}")
        locks = sorted(n.upper() for n in refs.called_names if n.upper() in NAMED_LOCK_FUNCTIONS)
        if sources and locks:
            out.append(f"{label} takes or releases named locks ({', '.join(locks)}) while reading secret table(s)"
                       f" {', '.join(sources)}: a named lock is seen by every session on the server"
                       " (IS_FREE_LOCK('a guess') answers anyone), so its name or its being held would carry"
                       " secret values out")
        if on is not None and not self.secret(on.name) and sources:
            # whatever such a trigger does lands with whoever writes its table, without any privilege
            # on the secret table: what it sets in NEW, the errors it raises, the writes it lets through
            out.append(f"{label} is on non-secret table {on.name} but reads secret table(s) {', '.join(sources)}:"
                       f" what it sets in the row, the errors it raises and which writes it lets through reach"
                       f" whoever writes {on.name}")
        return out

    def _elsewhere(self, table: TableRef) -> bool:
        if table.db is None:
            return False
        return self.database is None or table.db.lower() != self.database.lower()

    # -- the call graph ---------------------------------------------------------------

    def routine_called(self, call: Call) -> Routine | None:
        if call.db is not None and (self.database is None or call.db.lower() != self.database.lower()):
            return None
        for routine in self.around.routines:
            if routine.kind == call.kind and key(routine.name) == key(call.name):
                return routine
        return None

    def _calls(self, refs: References) -> list[Routine]:
        """The routines a body calls: CALL and unknown functions, and every declared function whose
        name it writes before "(" (sqlglot reads some names as its own functions)."""
        out = [r for c in refs.calls if (r := self.routine_called(c)) is not None]
        out += [r for r in self.around.routines if r.kind == "FUNCTION" and key(r.name) in refs.called_names]
        return out

    def effective(self, program: Trigger | Routine | Event) -> References:
        """The program's references with those of every routine it calls, transitively."""
        seen: set[int] = set()
        total = References()
        stack = [program]
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            refs = analyse(current.body.sql, current.settings.sql_mode)
            total = total.merge(refs)
            stack.extend(self._calls(refs))
        return total


def _account_key(account: str) -> str:
    """'user'@'host', `user`@`host`, user@host -> user@host (user case kept, host lower-case)."""
    user, _, host = account.rpartition("@")
    strip = lambda s: s.strip().strip("'`\"")  # noqa: E731
    return f"{strip(user)}@{strip(host).lower()}"


# --------------------------------------------------------------------------
# The statement guard's view: one CREATE of a stored program, as it is sent
# --------------------------------------------------------------------------

def statement_refusals(text: str, policy: SecrecyPolicy, database: str | None) -> tuple[list[str], list[str]]:
    """For the guard: (tables it names, reasons to refuse) of one CREATE TRIGGER/PROCEDURE/FUNCTION/
    EVENT statement (or the ALTER EVENT schema-apply sends). The body rules apply, except the call
    graph (the guard does not know the Schemafile) and the definer (the server checks that one)."""
    try:
        program = parse_program(text)
    except ParseError as exc:
        return [], [f"the guard cannot read it as one stored program ({exc.reason})"]
    rules = ProgramRules(policy, Surroundings(database), follow_calls=False)
    reasons = rules.refusals(program, definer=False)
    refs = analyse(program.body.sql, program.settings.sql_mode)
    tables = sorted({str(t) for t in refs.reads | refs.writes}
                    | ({program.table} if isinstance(program, Trigger) else set()))
    return tables, reasons
