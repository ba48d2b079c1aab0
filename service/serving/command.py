"""The `sto-flow` command of an installed STO Flow: `serve` (gunicorn and the scheduler(s)), `migrate`, and every
`flask --app service` command (setup, scheduler, deploy, create-user, grant-role, make-admin, set-password)."""

from __future__ import annotations

import logging
import os
import secrets
import sys

import click
from flask.cli import FlaskGroup

from .. import create_app
from ..observability.logs import configure_logging
from ..settings import DEV_SECRET_FILE, Settings
from .preflight import NotServable, check_database
from .supervisor import metrics_directory, serve
from .workers import default_workers

log = logging.getLogger("service.serving")


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False, load_dotenv=False)
def main() -> None:
    """STO Flow: BPMN workflows for the regions of Sterk Techniekonderwijs."""


@main.command("serve", with_appcontext=False)
@click.option("--bind", default=lambda: os.environ.get("STO_BIND", "127.0.0.1:8000"), show_default="127.0.0.1:8000")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=lambda: int(os.environ.get("STO_WEB_WORKERS") or default_workers()),
    show_default="2 x cores + 1",
    help="gunicorn worker processes (STO_WEB_WORKERS).",
)
@click.option(
    "--schedulers",
    type=click.IntRange(min=0),
    default=lambda: int(os.environ.get("STO_SCHEDULERS") or 1),
    show_default="1",
    help="Scheduler processes; several may run side by side (each job claims its work). 0: run them elsewhere.",
)
def serve_command(bind: str, workers: int, schedulers: int) -> None:
    """Serve the web app under gunicorn with the scheduler(s); stops everything when one of them stops."""
    configure_logging()
    env = dict(os.environ)
    try:
        settings = Settings.from_env(env)
        check_database(settings)
    except (RuntimeError, NotServable) as err:
        raise click.ClickException(str(err)) from err
    if settings.database_url.startswith("sqlite"):
        log.warning("serving from SQLite: fine to try STO Flow, not for production (use PostgreSQL)")
    if not env.get("STO_SECRET_KEY") and not DEV_SECRET_FILE.exists():
        # Every worker must sign with the same key, or a sign-in would hold only in the worker that made it.
        env["STO_SECRET_KEY"] = secrets.token_urlsafe(48)
        log.warning("no STO_SECRET_KEY: a random key for this run only; everyone is signed out when it stops")
    with metrics_directory(env.get("STO_METRICS_DIR", "")) as metrics:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
        code = serve(bind=bind, workers=workers, schedulers=schedulers, env=env)
    sys.exit(code)


@main.command("migrate", with_appcontext=False)
def migrate_command() -> None:
    """Bring the database (STO_DATABASE_URL) to the newest schema."""
    from ..migrate import upgrade_database

    configure_logging()
    try:
        settings = Settings.from_env()
    except RuntimeError as err:
        raise click.ClickException(str(err)) from err
    upgrade_database(settings.database_url)
    click.echo("database up to date")


if __name__ == "__main__":
    main()
