"""Packaging beyond pyproject.toml: the project's top-level bpmn/, forms/, migrations/ and alembic.ini (their place is
fixed), and the npm manifests (for `npm ci` where it is deployed), go into the package as service/_bundled/, where
service/settings.py finds them once installed."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("bpmn", "forms", "migrations", "alembic.ini", "package.json", "package-lock.json")
# Built by `make install`, never committed: a package without them would have an English-less UI and no editor.
BUILT = ("service/web/static/build/sto-editors.js", "service/web/translations/en/LC_MESSAGES/messages.mo")


class BuildWithProjectFiles(build_py):
    def run(self) -> None:
        if getattr(self, "editable_mode", False):
            super().run()
            return  # an editable install (make install) reads the checkout's folders directly
        # build/lib survives between builds: a module deleted from the checkout must not live on in the package.
        shutil.rmtree(Path(self.build_lib) / "service", ignore_errors=True)
        super().run()
        missing = [name for name in BUILT if not (HERE / name).is_file()]
        if missing:
            raise SystemExit(f"Run `make install` before building the package: {', '.join(missing)} missing.")
        target = Path(self.build_lib) / "service" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name in BUNDLED:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithProjectFiles})
