"""`flask --app service backup FILE` and `restore FILE` as an operator runs them: a summary after each, a
question before replacing anything, clear refusals, and the database password in no output and no argument."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from service.web.app import create_app
from tests.conftest import FakeClock

from .conftest import PgDatabases
from .sample import change_everything_after_the_backup, request_with_offerte, rows, service_on

FLASK = [sys.executable, "-m", "flask", "--app", "service"]


def _flask(database_url: str, *arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STO_DATABASE_URL": database_url, "STO_SECRET_KEY": "cli-test-key", **environment}
    return subprocess.run([*FLASK, *arguments], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_sqlite_backup_and_restore_commands_print_what_they_hold_and_ask_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sto.sqlite'}"
    backup_file = tmp_path / "sto.backup"
    with service_on(url, FakeClock()) as rt:
        instance_id = request_with_offerte(rt)
        at_backup = rows(rt)
        cli = create_app(runtime=rt).test_cli_runner()

        made = cli.invoke(args=["backup", str(backup_file)])
        change_everything_after_the_backup(rt, instance_id)
        rt.db.dispose()  # the service stops before a restore
        declined = cli.invoke(args=["restore", str(backup_file)], input="n\n")
        after_declining = rows(rt)
        rt.db.dispose()
        restored = cli.invoke(args=["restore", str(backup_file)], input="y\n")

        assert made.exit_code == 0, made.output
        assert f"backup written to {backup_file} (SQLite)" in made.output
        assert "1 instances, 2 tasks" in made.output and "1 attachments (10.0 kB" in made.output
        assert declined.exit_code != 0 and "must be stopped" in declined.output and "Aborted" in declined.output
        assert after_declining != at_backup
        assert restored.exit_code == 0, restored.output
        assert "restored from" in restored.output and "1 instances, 2 tasks" in restored.output
        assert rows(rt) == at_backup


def test_restore_command_refuses_a_file_that_is_not_a_backup_and_says_nothing_changed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sto.sqlite'}"
    notes = tmp_path / "notes.txt"
    notes.write_text("boodschappen: melk, brood\n")
    with service_on(url, FakeClock()) as rt:
        request_with_offerte(rt)
        before = rows(rt)
        rt.db.dispose()
        refused = create_app(runtime=rt).test_cli_runner().invoke(args=["restore", str(notes), "--yes"])
        assert refused.exit_code == 1
        assert "is not a backup of STO Flow" in refused.output and "the database was not changed" in refused.output
        assert rows(rt) == before


def test_postgresql_commands_never_show_the_password(pg_databases: PgDatabases, tmp_path: Path) -> None:
    backup_file = tmp_path / "sto.dump"
    with service_on(pg_databases.a, FakeClock()) as rt:
        instance_id = request_with_offerte(rt)
        at_backup = rows(rt)
        made = _flask(pg_databases.a, "backup", str(backup_file))
        change_everything_after_the_backup(rt, instance_id)
    restored = _flask(pg_databases.a, "restore", "--yes", str(backup_file))

    for done in (made, restored):
        assert done.returncode == 0, done.stderr
        assert pg_databases.password not in done.stdout + done.stderr
    assert "(PostgreSQL (pg_dump custom format))" in made.stdout and "1 instances, 2 tasks" in made.stdout
    assert "restored from" in restored.stdout and "1 attachments" in restored.stdout
    with service_on(pg_databases.a, FakeClock(), seed=False) as rt:
        assert rows(rt) == at_backup


def test_a_failing_pg_dump_shows_its_error_without_the_password_which_it_got_only_from_the_environment(
    pg_databases: PgDatabases, tmp_path: Path
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    seen = tmp_path / "seen"
    fake = tools / "pg_dump"
    fake.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > {seen}.argv\n'
        f'printf "%s" "$PGPASSWORD" > {seen}.env\n'
        'echo "pg_dump: error: server said no to password $PGPASSWORD" >&2\n'
        "exit 1\n"
    )
    fake.chmod(0o755)
    with service_on(pg_databases.a, FakeClock()):
        pass

    failed = _flask(pg_databases.a, "backup", str(tmp_path / "sto.dump"), STO_PG_BIN_DIR=str(tools))

    assert failed.returncode == 1
    assert "pg_dump failed: pg_dump: error: server said no to password ********" in failed.stderr
    assert pg_databases.password not in failed.stdout + failed.stderr
    assert Path(f"{seen}.env").read_text() == pg_databases.password  # it had the password, from PGPASSWORD
    arguments = Path(f"{seen}.argv").read_text()
    assert "--format=custom" in arguments and "--username=sto_backups_test" in arguments
    assert pg_databases.password not in arguments
    assert not (tmp_path / "sto.dump").exists()


def test_missing_pg_dump_and_a_wrong_password_are_told_plainly(pg_databases: PgDatabases, tmp_path: Path) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()
    with service_on(pg_databases.a, FakeClock()):
        pass
    wrong_password = "wrong-" + pg_databases.password[::-1]
    wrong_url = pg_databases.a.replace(pg_databases.password, wrong_password)

    missing = _flask(pg_databases.a, "backup", str(tmp_path / "a.dump"), STO_PG_BIN_DIR=str(empty))
    refused = _flask(wrong_url, "backup", str(tmp_path / "b.dump"))

    assert missing.returncode == 1
    assert f"pg_dump was not found in {empty} (STO_PG_BIN_DIR)" in missing.stderr
    assert refused.returncode == 1
    assert 'password authentication failed for user "sto_backups_test"' in refused.stderr
    assert wrong_password not in refused.stdout + refused.stderr
    assert not list(tmp_path.glob("*.dump"))
