"""Run check_bpmn.mjs under node: bpmn-moddle import warnings, missing diagram shapes and bpmnlint's recommended
rules for BPMN files, as LintProblem rows. One node process checks every file of a call."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings

SCRIPT = Path(__file__).with_name("check_bpmn.mjs")
DEFAULT_NODE_MODULES = Settings.node_modules_dir
# Diagrams are untrusted input: node gets a heap cap besides the caller's timeout.
NODE_HEAP_MB = 512
STDERR_SHOWN = 2000  # characters of node's complaint kept in the exception
# bpmnlint's messages in Dutch; the editor's bundle reads the same file, so both say the same.
DUTCH = json.loads(Path(__file__).with_name("messages_nl.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class LintProblem:
    """One finding. rule: "xml", "import", "bpmndi" or a bpmnlint rule name; category: "error", "warn" (or "info")."""

    file: str
    element: str | None
    rule: str
    message: str
    category: str


class LintUnavailable(Exception):
    """The checks could not run (node or the npm packages missing, the script failed or took too long)."""


def lint_bpmn(files: dict[str, str], *, node_modules: Path, timeout: float = 30) -> list[LintProblem]:
    """Check the .bpmn files among `files` (name -> XML text); other names are ignored."""
    bpmn = {name: xml for name, xml in files.items() if name.lower().endswith(".bpmn")}
    if not bpmn:
        return []
    node = shutil.which("node")
    if node is None:
        raise LintUnavailable("node is not installed (or not on PATH); the BPMN checks need it")
    if not Path(node_modules).is_dir():
        raise LintUnavailable(f"{node_modules} does not exist; run `make install` (npm ci) to install bpmnlint")
    command = [node, f"--max-old-space-size={NODE_HEAP_MB}", str(SCRIPT), "--node-modules", str(node_modules)]
    try:
        result = subprocess.run(
            command, input=json.dumps({"files": bpmn}), capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as err:
        raise LintUnavailable(f"the BPMN checks did not finish within {timeout:g} s") from err
    except OSError as err:
        raise LintUnavailable(f"could not start node: {err}") from err
    if result.returncode != 0:
        complaint = result.stderr.strip()[-STDERR_SHOWN:] or f"exit status {result.returncode}"
        raise LintUnavailable(f"the BPMN checks failed: {complaint}")
    try:
        rows = json.loads(result.stdout)["problems"]
        return [LintProblem(**{**row, "message": _dutch(row["message"])}) for row in rows]
    except (ValueError, KeyError, TypeError) as err:
        raise LintUnavailable(f"the BPMN checks answered something unreadable: {result.stdout[:200]!r}") from err


def _dutch(message: str) -> str:
    return DUTCH.get(message, message)
