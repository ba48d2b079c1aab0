"""Dutch by default, English on request: every UI string the code and templates mark has an English translation."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from service.domain import demo
from service.settings import ROOT

TRANSLATIONS = ROOT / "service" / "web" / "translations"
ENGLISH_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_LONE_PERCENT = re.compile(r"%(?!\(\w+\)s|%)")


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue as it is in the tree, compiled afresh (the .mo in the tree is built by `make install`)."""
    target = tmp_path_factory.mktemp("translations")
    mo = target / "en" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    with ENGLISH_PO.open("rb") as po_file, mo.open("wb") as mo_file:
        write_mo(mo_file, read_po(po_file, locale="en"))
    return target


@pytest.fixture
def bilingual(app: Flask, compiled_translations: Path) -> FlaskClient:
    app.extensions["babel"].translation_directories = [str(compiled_translations)]
    return app.test_client()


def csrf(client: FlaskClient, path: str = "/aanmelden") -> str:
    return _CSRF.search(client.get(path).text).group(1)


def sign_in(client: FlaskClient, email: str, password: str = demo.DEMO_PASSWORD):  # type: ignore[no-untyped-def]
    data = {"email": email, "password": password, "csrf_token": csrf(client)}
    return client.post("/aanmelden", data=data)


def choose(client: FlaskClient, lang: str, back_to: str = "/") -> None:
    response = client.post("/taal", data={"lang": lang, "next": back_to, "csrf_token": csrf(client, back_to)})
    assert response.status_code == 302 and response.location == back_to


def test_dutch_is_the_default(bilingual: FlaskClient) -> None:
    page = bilingual.get("/aanmelden", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="nl">' in page.text
    assert "Aanmelden bij STO Flow" in page.text and 'value="en"' in page.text
    assert sign_in(bilingual, "projectleider@demo.sto").status_code == 302
    assert "<h1>Mijn taken</h1>" in bilingual.get("/").text


def test_the_sign_in_page_speaks_english_after_the_switch(bilingual: FlaskClient) -> None:
    choose(bilingual, "en", "/aanmelden")

    page = bilingual.get("/aanmelden").text

    assert '<html lang="en">' in page
    assert "<h1>Sign in to STO Flow</h1>" in page
    assert '<label for="email">Email address</label>' in page and '<label for="password">Password</label>' in page
    assert "Wachtwoord" not in page and 'lang="nl">Nederlands</button>' in page
    wrong = sign_in(bilingual, "projectleider@demo.sto", "fout")
    assert wrong.status_code == 401 and "Incorrect email address or password." in wrong.text


def test_the_inbox_switches_to_english_and_back_to_dutch(bilingual: FlaskClient) -> None:
    sign_in(bilingual, "projectleider@demo.sto")

    choose(bilingual, "en")
    english = bilingual.get("/").text
    choose(bilingual, "nl")
    dutch = bilingual.get("/").text

    assert "<h1>My tasks</h1>" in english and "You have no open tasks." in english and "Mijn taken" not in english
    assert "<h1>Mijn taken</h1>" in dutch and "My tasks" not in dutch


def test_an_unknown_language_leaves_dutch(bilingual: FlaskClient) -> None:
    bilingual.post("/taal", data={"lang": "fr", "next": "/aanmelden", "csrf_token": csrf(bilingual)})
    assert "Aanmelden bij STO Flow" in bilingual.get("/aanmelden").text


def test_the_app_speaks_dutch_when_the_catalogue_is_not_compiled(app: Flask, tmp_path: Path) -> None:
    app.extensions["babel"].translation_directories = [str(tmp_path)]  # no .mo anywhere
    client = app.test_client()
    sign_in(client, "projectleider@demo.sto")
    choose(client, "en")

    page = client.get("/")

    assert page.status_code == 200 and "<h1>Mijn taken</h1>" in page.text


def test_the_app_reads_the_catalogue_next_to_its_templates(app: Flask) -> None:
    assert [Path(d) for d in app.extensions["babel"].translation_directories] == [TRANSLATIONS]
    assert ENGLISH_PO.exists()


def test_every_message_in_the_code_and_templates_has_an_english_translation() -> None:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    in_use: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, directory_filter=_source_dirs_only
    ):
        msgid = message if isinstance(message, str) else message[0]
        in_use.setdefault(msgid, f"{filename}:{lineno}")
    with ENGLISH_PO.open("rb") as po_file:
        catalogue = read_po(po_file, locale="en")

    assert len(in_use) > 100  # the extraction really found the templates and the code
    untranslated = {
        msgid: where
        for msgid, where in in_use.items()
        if (entry := catalogue.get(msgid)) is None
        or entry.fuzzy
        or not all(entry.string if isinstance(entry.string, tuple) else [entry.string])
    }
    assert not untranslated, (
        f"Translate these in service/web/translations/en/LC_MESSAGES/messages.po (see babel.cfg): {untranslated}"
    )
    assert not [(message.id, errors) for message, errors in catalogue.check()]
    assert not [message.id for message in catalogue if message.id and not _same_placeholders(message)]


def _same_placeholders(message) -> bool:  # type: ignore[no-untyped-def]
    """Each translation uses exactly the msgid's %(name)s placeholders, and no other '%' (templates always
    format their strings, so a lone '%' would break the page)."""
    singular = message.id if isinstance(message.id, str) else message.id[0]
    wanted = set(_PLACEHOLDER.findall(singular))
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(set(_PLACEHOLDER.findall(s)) == wanted and not _LONE_PERCENT.search(s) for s in strings)


def _source_dirs_only(dirpath: str) -> bool:
    name = os.path.basename(dirpath)
    return not name.startswith((".", "_")) and name not in {"node_modules", "instance", "tests", "test-artifacts"}
