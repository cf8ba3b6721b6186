"""The console script ends without freeing its models (``cli.run``: flush, ``atexit``, ``os._exit``).

A quick exit must change nothing a caller sees: every exit code, every byte of standard output and
error (piped, redirected to a file, or cut short by a reader that closes its end), the ``atexit``
handlers, and a thread that a normal exit waits for. Each case runs ``python -m schema_apply`` (or a
small program calling ``cli.run``) in a fresh process; no database is needed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from schema_apply import cli


def _table(k: int) -> str:
    return f"CREATE TABLE t{k} (id int PRIMARY KEY, name varchar(40) NOT NULL DEFAULT 'x{k}', KEY (name));\n"


@pytest.fixture
def files(tmp_path):
    """Two Schemafiles 300 tables apart: a diff of some 300 statements (tens of kilobytes)."""
    old = tmp_path / "old.sql"
    new = tmp_path / "new.sql"
    old.write_text("".join(_table(k) for k in range(10)))
    new.write_text("".join(_table(k) for k in range(310)))
    return old, new


def _module(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "schema_apply", *args], capture_output=True, text=True,
                          timeout=120, **kw)


def _in_process(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        cli.main(list(args))
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_the_exit_code_and_every_byte_of_output_are_those_of_main(files, capsys):
    old, new = files
    code, out, err = _in_process(capsys, "diff", str(old), str(new))
    assert code == 2 and out.count("CREATE TABLE") == 300  # (the positive control: a long output)
    ran = _module("diff", str(old), str(new))
    assert (ran.returncode, ran.stdout, ran.stderr) == (code, out, err)


def test_output_redirected_to_a_file_is_complete(files, tmp_path, capsys):
    old, new = files
    _, out, _ = _in_process(capsys, "diff", str(old), str(new))
    target = tmp_path / "out.sql"
    with target.open("w") as sink:
        ran = subprocess.run([sys.executable, "-m", "schema_apply", "diff", str(old), str(new)], stdout=sink,
                             stderr=subprocess.PIPE, text=True, timeout=120)
    assert ran.returncode == 2
    assert target.read_text() == out


@pytest.mark.parametrize("args, code", [(["--version"], 0), (["--help"], 0), (["no-such-command"], 1),
                                        (["diff", "/no/such/file.sql", "/no/such/file.sql"], 1)])
def test_exit_codes(args, code):
    ran = _module(*args)
    assert ran.returncode == code
    assert "Traceback" not in ran.stderr
    assert (ran.stdout + ran.stderr).strip()  # it said something


def test_a_reader_that_closes_early_gets_no_traceback(files):
    old, new = files
    shell = f"{sys.executable} -m schema_apply diff {old} {new} | head -c 100 >/dev/null; echo ${{PIPESTATUS[0]}}"
    ran = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120)
    assert ran.stdout.strip() == "2"
    assert ran.stderr == ""


def _program(body: str, tmp_path) -> subprocess.CompletedProcess:
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(body))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)


def test_atexit_handlers_still_run(tmp_path):
    ran = _program("""
        import atexit, sys
        from schema_apply import cli
        atexit.register(lambda: print("atexit ran", flush=True))
        sys.argv = ["schema-apply", "--version"]
        cli.run()
        """, tmp_path)
    assert ran.returncode == 0
    assert ran.stdout.splitlines() == ["schema-apply, version " + cli.__version__, "atexit ran"]


def test_a_running_thread_is_waited_for(tmp_path):
    ran = _program("""
        import sys, threading, time
        from schema_apply import cli
        def late():
            time.sleep(0.5)
            print("the thread finished", flush=True)
        threading.Thread(target=late).start()
        sys.argv = ["schema-apply", "--version"]
        cli.run()
        """, tmp_path)
    assert ran.returncode == 0
    assert ran.stdout.splitlines()[-1] == "the thread finished"


@pytest.mark.parametrize("status, code", [(None, 0), (0, 0), (2, 2), (6, 6), (255, 255)])
def test_exit_status_as_sys_exit_gives_it(status, code):
    assert cli._exit_status(status) == code


@pytest.mark.parametrize("status", ["a message", True, -1, 256, 1.5])
def test_a_status_sys_exit_would_print_or_translate_takes_the_normal_exit(status):
    assert cli._exit_status(status) is None


def test_no_collection_while_the_models_are_built_and_the_collector_restored_after():
    import gc

    from schema_apply import collector
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with pytest.raises(RuntimeError):
        with collector.building_models():
            assert not gc.isenabled()
            raise RuntimeError("a failed read")
    assert gc.isenabled() and gc.get_freeze_count() == frozen  # not a one-shot run: nothing kept for good
    gc.disable()
    try:
        with collector.building_models():
            pass
        assert not gc.isenabled()  # a collector that was off stays off
    finally:
        gc.enable()


def test_a_one_shot_run_freezes_what_it_built():
    """After the pause, the next collection must not walk every object made during it (≈ 80 ms at
    1,000 tables): in the console script's process, they are frozen as the pause ends."""
    code = textwrap.dedent("""
        import gc
        from schema_apply import collector
        collector.one_shot()
        with collector.building_models():
            models = [[k] for k in range(200_000)]  # (lists are always tracked)
        print(gc.isenabled(), gc.get_count()[0] < 1000, gc.get_freeze_count() >= 200_000)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True"]
