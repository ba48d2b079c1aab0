"""Creating the app writes no file and leaves logging alone; reading settings never writes the development key.
Only the entry points keep a key (and configure logging)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from service import dev_secret, settings
from service.settings import Settings
from tests.serving.running import ROOT, clean_env

# Runs in a fresh interpreter (nothing configured logging yet) in an empty directory: lists every file under the
# checkout's instance/ and the working directory, and the root logger, before and after create_app.
PROBE = """
import json, logging, os, sys
from pathlib import Path

def files():
    found = {}
    for top in (Path(sys.argv[1]) / "instance", Path.cwd()):
        for path in top.rglob("*") if top.exists() else ():
            if path.is_file():
                stat = path.stat()
                found[str(path)] = [stat.st_size, stat.st_mtime_ns]
    return found

def root_logger():
    root = logging.getLogger()
    return [root.level, [repr(h) for h in root.handlers], logging.getLogger("spiff").level]

before, logging_before = files(), root_logger()
from service import create_app
app = create_app()
with app.test_client() as client:
    status = client.get("/aanmelden").status_code
print(json.dumps({"status": status, "files": [before, files()], "logging": [logging_before, root_logger()],
                  "key": len(app.config["SECRET_KEY"])}))
"""


def test_create_app_writes_no_file_and_configures_no_logging(tmp_path: Path) -> None:
    env = clean_env(STO_DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite'}", STO_ENGINE_WORKERS="1")
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT)], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 200  # a real app, serving its sign-in page
    before, after = result["files"]
    assert after == before  # neither instance/dev-secret-key nor anything else was written
    assert list(workdir.iterdir()) == []
    logging_before, logging_after = result["logging"]
    assert logging_after == logging_before
    assert result["key"] >= 32  # without STO_SECRET_KEY (and, when there is none, a kept file): a random key


def test_settings_use_the_kept_key_else_a_random_one_and_never_write(tmp_path: Path, monkeypatch) -> None:
    kept = tmp_path / "instance" / "dev-secret-key"
    monkeypatch.setattr(settings, "DEV_SECRET_FILE", kept)

    first, second = Settings.from_env({}).secret_key, Settings.from_env({}).secret_key
    assert first != second and len(first) >= 32  # each process its own until an entry point keeps one
    assert not kept.parent.exists()

    assert dev_secret.ensure_development_secret({}, path=kept) == kept
    assert kept.stat().st_mode & 0o777 == 0o600
    assert Settings.from_env({}).secret_key == kept.read_text() == Settings.from_env({}).secret_key
    assert dev_secret.ensure_development_secret({}, path=kept) == kept  # kept as it is
    assert Settings.from_env({}).secret_key == kept.read_text()
    assert Settings.from_env({"STO_SECRET_KEY": "from-the-environment"}).secret_key == "from-the-environment"


def test_no_development_key_file_with_a_key_from_the_environment_or_in_production(tmp_path: Path) -> None:
    kept = tmp_path / "dev-secret-key"
    assert dev_secret.ensure_development_secret({"STO_SECRET_KEY": "x"}, path=kept) is None
    assert dev_secret.ensure_development_secret({"STO_ENV": "production"}, path=kept) is None
    assert not kept.exists()
    with pytest.raises(RuntimeError, match="STO_SECRET_KEY must be set"):
        Settings.from_env({"STO_ENV": "production"})


def test_a_server_process_without_any_key_says_its_sign_ins_are_its_own(tmp_path: Path, monkeypatch, caplog) -> None:
    from service.serving import wsgi

    monkeypatch.delenv("STO_SECRET_KEY", raising=False)
    monkeypatch.setattr(wsgi, "DEV_SECRET_FILE", tmp_path / "dev-secret-key")
    monkeypatch.setattr(wsgi, "create_app", lambda: "the app")
    assert wsgi.create_served_app() == "the app"
    assert "no STO_SECRET_KEY" in caplog.text and "random key of its own" in caplog.text

    caplog.clear()
    monkeypatch.setenv("STO_SECRET_KEY", "set-by-the-operator")
    wsgi.create_served_app()
    assert "no STO_SECRET_KEY" not in caplog.text
