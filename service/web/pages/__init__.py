"""The staff web app: one blueprint per area, plain server-rendered HTML that works without JavaScript."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_babel import get_locale

from ...domain.definitions import may_start_any
from ...domain.inbox import count_open_tasks
from ...domain.incidents import WATCHING_ROLE
from ...domain.overviews import OVERVIEW_ROLES
from ...models import Region
from ..runtime import runtime
from .account_link import account_link
from .auth import auth
from .console import console
from .deadlines import deadlines
from .dev_mail import dev_mail
from .inbox import inbox
from .incidents import incidents
from .instances import instances
from .invitation import invitation
from .mail_admin import mail_admin
from .overviews import overviews
from .partners import partners
from .password import password
from .people import people
from .personal_data import personal
from .process_admin import process_admin
from .process_editor import process_editor
from .process_moves import process_moves
from .requests import requests_list
from .start import start
from .tasks import tasks


def register_pages(app: Flask) -> None:
    """Attach every page blueprint and the helpers the layout uses."""
    for blueprint in (auth, inbox, tasks, start, instances, overviews, people, mail_admin, password, incidents):
        app.register_blueprint(blueprint)
    app.register_blueprint(deadlines)  # the deadline calendar, 'Mijn agenda' and the .ics feed
    app.register_blueprint(partners)  # the region's partner register
    app.register_blueprint(personal)  # a person's data: export and anonymisation (AVG)
    app.register_blueprint(invitation)  # a new partner's contact, without an account, accepts the house rules
    app.register_blueprint(requests_list)  # 'Verzoeken': find a request again, with a CSV export
    app.register_blueprint(account_link)  # an account made for someone: they choose their first password
    app.register_blueprint(process_admin)  # 'Procesbeheer': processes, versions, differences, rollback, uploads
    app.register_blueprint(process_editor)  # the editor: drafts, checks, form preview, trial runs, deploys
    app.register_blueprint(process_moves)  # running requests moved to another version, after a dry run
    app.register_blueprint(console)  # the operators' console: every instance, its failures and actions on it
    if not app.extensions["sto"].settings.is_production:
        app.register_blueprint(dev_mail)  # in production /dev/mail does not exist at all

    @app.context_processor
    def _layout_helpers() -> dict[str, object]:
        def user_roles() -> dict[str, set[str]]:
            user = g.get("user")
            return user.roles if user is not None else {}

        def region_name(code: str) -> str:
            names = g.get("region_names")
            if names is None:
                with runtime().transaction(write=False) as session:
                    names = {r.code: r.name for r in session.query(Region).all()}
                g.region_names = names
            return names.get(code, code)

        def can_see_overviews() -> bool:
            return any(roles & OVERVIEW_ROLES for roles in user_roles().values())  # same rule as the domain

        def menu_facts() -> tuple[bool, int]:
            """(may start a request, open tasks): read once per page, in one short transaction."""
            facts = g.get("menu_facts")
            user = g.get("user")
            if facts is None and user is not None:
                with runtime().transaction(write=False) as session:
                    facts = (
                        may_start_any(session, user.roles),
                        count_open_tasks(session, user_id=user.id, roles=user.roles),
                    )
                g.menu_facts = facts
            return facts or (False, 0)

        def can_see_incidents() -> bool:
            user = g.get("user")
            if user is None:
                return False
            return bool(user.is_admin or any(WATCHING_ROLE in roles for roles in user.roles.values()))

        return {
            "user_roles": user_roles,
            "can_see_incidents": can_see_incidents,
            "region_name": region_name,
            "can_see_overviews": can_see_overviews,
            "can_start": lambda: menu_facts()[0],
            "open_task_count": lambda: menu_facts()[1],
            "current_lang": lambda: str(get_locale() or "nl"),
            "has_dev_mail": lambda: "dev_mail" in current_app.blueprints and not runtime().settings.is_production,
        }
