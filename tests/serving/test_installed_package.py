"""`pip install .` into a fresh virtual environment outside the checkout gives a working service: `sto-flow setup`
migrates, deploys the bundled diagrams and loads the demo, and `sto-flow serve` serves pages, the editor bundle,
the English catalogue and the API, all from the installed package (takes a minute or two: pip builds and installs)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serving.running import ROOT, clean_env, free_port, http, listening, start_serving


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with STO Flow installed from the checkout (not editable); returns its bin/."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run([*pip, str(ROOT)], env=clean_env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin"


def test_the_installed_package_sets_up_and_serves_from_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"  # where an operator runs it: no checkout, no node_modules
    site.mkdir()
    env = clean_env(
        STO_DATABASE_URL=f"sqlite:///{site / 'sto.sqlite'}",
        STO_MAIL_CATCHALL_PORT=str(free_port()),
        STO_ENGINE_WORKERS="1",
    )
    where = subprocess.run(
        [str(installed / "python"), "-c", "import service; print(service.__file__)"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(installed.parent)), where.stdout  # the installed copy, not the checkout
    manifests = subprocess.run(
        [str(installed / "python"), "-c", "from service.settings import project_path; print(project_path('.'))"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    bundled = Path(manifests.stdout.strip())
    for name in ("package.json", "package-lock.json"):  # for `npm ci` where it is deployed (README, Production)
        assert (bundled / name).read_text() == (ROOT / name).read_text()

    setup = subprocess.run(
        [str(installed / "sto-flow"), "setup"], cwd=site, env=env, capture_output=True, text=True, timeout=300
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "deployed wijzigingsverzoek version 1" in setup.stdout  # bpmn/ and forms/ came with the package
    assert "demo data loaded" in setup.stdout
    assert (site / "instance" / "dev-secret-key").is_file()  # beside where it runs, not in site-packages
    assert not list(installed.parent.rglob("dev-secret-key"))

    port = free_port()
    command = [str(installed / "sto-flow"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    served = start_serving(command, cwd=site, env=env, log=tmp_path / "serve.log")
    try:
        served.wait_until_serving()
        sign_in = http(port, "/aanmelden")
        assert sign_in.status == 200 and "Aanmelden bij STO Flow" in sign_in.text  # the templates
        assert "/static/sto.css" in sign_in.text and http(port, "/static/sto.css").status == 200
        editors = http(port, "/static/build/sto-editors.js")
        assert editors.status == 200 and len(editors.body) > 100_000  # the esbuild bundle

        wrong = http(
            port,
            "/api/v1/auth/token",
            body={"email": "projectleider@demo.sto", "password": "wrong"},
            headers={"Accept-Language": "en"},
        )
        assert wrong.status == 401 and "Incorrect email address or password." in wrong.text  # the compiled .mo
        token = http(port, "/api/v1/auth/token", body={"email": "projectleider@demo.sto", "password": "demo"})
        assert token.status == 200
        bearer = {"Authorization": f"Bearer {token.json()['token']}"}
        started = http(port, "/api/v1/processes/wijzigingsverzoek/instances", body={"region": "demo"}, headers=bearer)
        assert started.status == 201, started.text  # the bundled diagram runs in the installed engine
        tasks = http(port, "/api/v1/tasks", headers=bearer).json()
        assert tasks["total"] >= 1

        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=60) == 0
        assert not listening(port)
    finally:
        served.stop()
