"""Command-line tasks: `flask --app service <command>` (setup, deployment, users, roles and administrators)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from .backups import BackupError, backup_database, database_kind, restore_database
from .dev_secret import ensure_development_secret
from .domain import accounts, credentials, deadlines, definitions, demo, people
from .domain.errors import DomainError
from .engine import DiagramError
from .migrate import upgrade_database
from .observability.logs import configure_logging
from .web.runtime import runtime


def register_cli(app: Flask) -> None:
    """Attach the commands to the app."""

    @app.cli.command("setup")
    @click.option("--demo/--no-demo", "demo_data", default=True, help="Load demo data into an empty database.")
    def setup(demo_data: bool) -> None:
        """Migrate the database, deploy changed diagrams and (outside production) load demo data."""
        configure_logging()
        ensure_development_secret()  # development: later starts share one key, so sign-ins survive restarts
        rt = runtime()
        upgrade_database(rt.settings.database_url)
        with rt.transaction(write=True) as session:
            deployed = definitions.deploy_directory(
                session,
                bpmn_dir=rt.settings.bpmn_dir,
                forms_dir=rt.settings.forms_dir,
                now=rt.clock(),
                deployed_by="setup",
            )
            for d in deployed:
                click.echo(f"deployed {d.process_key} version {d.version}")
            if demo_data and not rt.settings.is_production and demo.is_empty(session):
                demo.load_demo_data(session, now=rt.clock())
                click.echo("demo data loaded (password 'demo')")

    @app.cli.command("scheduler")
    def scheduler() -> None:
        """Run the scheduler: BPMN timers, mail, reminders and reports (its own process; stop with Ctrl-C)."""
        import logging
        import signal
        import sys

        from .jobs.scheduler import Scheduler, StartupError
        from .launcher import tell_ready

        configure_logging()
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every run of every job at INFO
        # Stopped by the launcher or a service manager (SIGTERM) like by Ctrl-C: the scheduler stops cleanly and
        # removes its heartbeat, so /readyz says at once that no scheduler runs.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            Scheduler(runtime()).start(on_ready=tell_ready)
        except StartupError as err:
            raise click.ClickException(f"the scheduler cannot start: {err}") from err
        except (KeyboardInterrupt, SystemExit):
            click.echo("scheduler stopped")

    @app.cli.command("deploy")
    def deploy() -> None:
        """Deploy every diagram in bpmn/ whose content changed."""
        configure_logging()
        rt = runtime()
        try:
            with rt.transaction(write=True) as session:
                deployed = definitions.deploy_directory(
                    session,
                    bpmn_dir=rt.settings.bpmn_dir,
                    forms_dir=rt.settings.forms_dir,
                    now=rt.clock(),
                    deployed_by="cli",
                )
                for d in deployed:
                    click.echo(f"deployed {d.process_key} version {d.version}")
        except DiagramError as err:
            raise click.ClickException(str(err)) from err

    @app.cli.command("create-region")
    @click.option("--code", required=True)
    @click.option("--name", required=True)
    def create_region(code: str, name: str) -> None:
        """Create a region (or leave an existing one as it is)."""
        rt = runtime()
        with rt.transaction(write=True) as session:
            accounts.ensure_region(session, code=code, name=name)
            seeded = deadlines.seed_calendar(session, region_code=code, now=rt.clock())
        click.echo(f"region {code} ready" + (f" ({seeded} known deadlines in its calendar)" if seeded else ""))

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.password_option()
    def create_user(email: str, name: str, password: str) -> None:
        """Create a user (the password is asked for, never put it on the command line in production)."""
        rt = runtime()
        try:
            with rt.transaction(write=True) as session:
                accounts.create_user(session, email=email, name=name, password=password, now=rt.clock())
        except DomainError as err:
            raise click.ClickException(err.message) from err
        click.echo(f"user {email} created")

    @app.cli.command("grant-role")
    @click.option("--email", required=True)
    @click.option("--region", required=True)
    @click.option("--role", required=True)
    def grant_role(email: str, region: str, role: str) -> None:
        """Give a user a role (projectleider, penvoerder, stuurgroep, coordinator) in a region."""
        from sqlalchemy import select

        from .models import User

        try:
            with runtime().transaction(write=True) as session:
                user = session.scalar(select(User).where(User.email == email.strip().lower()))
                if user is None:
                    raise click.ClickException(f"no user {email}")
                accounts.grant_role(session, user=user, region_code=region, role=role)
        except DomainError as err:
            raise click.ClickException(err.message) from err
        click.echo(f"{email} is {role} in {region}")

    @app.cli.command("make-admin")
    @click.option("--email", required=True)
    def make_admin(email: str) -> None:
        """Make a user an administrator: they can then manage people, roles and regions in the web app."""
        rt = runtime()
        try:
            with rt.transaction(write=True) as session:
                user = people.make_admin(session, email=email, now=rt.clock())
                address = user.email
        except DomainError as err:
            raise click.ClickException(err.message) from err
        click.echo(f"{address} is an administrator")

    @app.cli.command("set-password")
    @click.argument("email")
    def set_password(email: str) -> None:
        """Give a user a new password (asked for twice, never taken from the command line); all their sign-ins end."""
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        rt = runtime()
        try:
            with rt.transaction(write=True) as session:
                user = credentials.set_password(
                    session, email=email, password=password, now=rt.clock(), fast_hash=rt.settings.fast_password_hashing
                )
                address = user.email
        except DomainError as err:
            raise click.ClickException(err.message) from err
        click.echo(f"password of {address} changed; every session and API token of this user has ended")

    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def backup(file: Path) -> None:
        """Write a backup of the database (with the attachments in it) to FILE, while the service may keep running."""
        settings = runtime().settings
        try:
            summary = backup_database(settings.database_url, file, pg_bin_dir=settings.pg_bin_dir)
        except BackupError as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"backup written to {file} ({database_kind(settings.database_url).value})")
        for line in summary.lines():
            click.echo(line)

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    @click.option("--force", is_flag=True, help="PostgreSQL: restore although other connections are open.")
    def restore(file: Path, yes: bool, force: bool) -> None:
        """Replace the whole database with the backup in FILE. Stop the service (web server and scheduler) first."""
        settings = runtime().settings
        click.echo("Restoring replaces every request, task, person and attachment with the backup's.")
        click.echo("The web server and the scheduler must be stopped while it runs.")
        if not yes:
            click.confirm("Continue?", abort=True)
        try:
            restored = restore_database(settings.database_url, file, pg_bin_dir=settings.pg_bin_dir, force=force)
        except BackupError as err:
            raise click.ClickException(f"{err}; the database was not changed") from err
        click.echo(f"restored from {file}")
        for line in restored.summary.lines():
            click.echo(line)
        if restored.note:
            click.echo(f"note: {restored.note}")
