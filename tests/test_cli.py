"""The command line sets up a database and manages real regions, users and roles."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from service.models import Membership, ProcessDefinition, User
from service.web.app import create_app
from service.web.runtime import Runtime

from .conftest import empty_database


def _cli(runtime: Runtime, **settings_changes):  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(runtime.settings, **settings_changes)
    return create_app(runtime=dataclasses.replace(runtime, settings=settings)).test_cli_runner()


def test_region_user_and_role_created_from_the_command_line_can_sign_in(runtime, client) -> None:
    cli = _cli(runtime)
    assert cli.invoke(args=["create-region", "--code", "twente", "--name", "STO Twente"]).exit_code == 0
    created = cli.invoke(
        args=["create-user", "--email", "Anna@Twente.nl", "--name", "Anna"], input="geheim1\ngeheim1\n"
    )
    assert created.exit_code == 0, created.output
    granted = cli.invoke(args=["grant-role", "--email", "anna@twente.nl", "--region", "twente", "--role", "penvoerder"])
    assert granted.exit_code == 0 and "penvoerder in twente" in granted.output

    token = client.post("/api/v1/auth/token", json={"email": "anna@twente.nl", "password": "geheim1"})
    assert token.status_code == 200
    with runtime.transaction(write=False) as session:
        user = session.scalar(select(User).where(User.email == "anna@twente.nl"))
        assert user.password_hash.startswith("$argon2")
        assert [(m.region_code, m.role) for m in user.memberships] == [("twente", "penvoerder")]


def test_unknown_role_or_region_is_refused_with_a_clear_message(runtime) -> None:
    cli = _cli(runtime)
    bad_role = cli.invoke(args=["grant-role", "--email", "penvoerder@demo.sto", "--region", "demo", "--role", "baas"])
    assert bad_role.exit_code != 0 and "Onbekende rol" in bad_role.output
    bad_region = cli.invoke(
        args=["grant-role", "--email", "penvoerder@demo.sto", "--region", "x", "--role", "stuurgroep"]
    )
    assert bad_region.exit_code != 0 and "Onbekende regio" in bad_region.output
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Membership).where(Membership.role == "baas")) == 0


def test_setup_loads_demo_data_into_an_empty_database_only_outside_production(runtime) -> None:
    empty_database(runtime.db)
    production = _cli(runtime, env="production").invoke(args=["setup"])
    assert production.exit_code == 0, production.output
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
        assert session.scalar(select(ProcessDefinition.process_key)) == "wijzigingsverzoek"

    first = _cli(runtime).invoke(args=["setup"])
    again = _cli(runtime).invoke(args=["setup"])
    assert "demo data loaded" in first.output and "demo data loaded" not in again.output
    assert "deployed" not in again.output  # unchanged diagrams are not deployed again
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 8
