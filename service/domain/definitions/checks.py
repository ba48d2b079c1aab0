"""Everything a process version must pass before it may run, each refusal naming the file and the element.

XML that does not parse, BPMN the engine cannot run, lanes and roles that are not known roles, forms that are
missing or not valid JSON Schema, unquoted ISO timers, scripts and conditions the sandbox refuses (engine parse),
DMN that does not parse, and bpmnlint's recommended rules at error level.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from ... import engine
from ...models import ROLES
from . import bundles
from .versions import encoded

MAX_FILE_SIZE = 1_000_000  # characters; the shipped diagrams are under 40,000
MAX_FILES = 60


@dataclass(frozen=True)
class Problem:
    """One reason a deploy is refused (or, with `severity` "waarschuwing", something to look at)."""

    file: str | None
    element: str | None
    message: str
    severity: str = "fout"  # fout: refused; waarschuwing: deployed anyway

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "element": self.element, "message": self.message, "severity": self.severity}


class LintFinding(Protocol):
    file: str
    element: str | None
    rule: str
    message: str
    category: str


Linter = Callable[[dict[str, str]], Iterable[LintFinding]]


def check_names(files: dict[str, Any]) -> list[Problem]:
    """File names, kinds and sizes: before anything reads the content."""
    problems = []
    if not files:
        problems.append(Problem(None, None, "Er is geen bestand meegestuurd."))
    if len(files) > MAX_FILES:
        problems.append(Problem(None, None, f"Te veel bestanden: hoogstens {MAX_FILES}."))
    for name, content in sorted(files.items()):
        if not isinstance(name, str) or not bundles.FILE_NAME.match(name):
            problems.append(
                Problem(
                    str(name)[:200],
                    None,
                    "Deze bestandsnaam kan niet: gebruik letters, cijfers, '-', '_' en '.', "
                    "eindigend op .bpmn, .dmn of .json.",
                )
            )
        elif not isinstance(content, str):
            problems.append(Problem(name, None, "De inhoud moet tekst zijn."))
        elif len(content) > MAX_FILE_SIZE:
            problems.append(Problem(name, None, f"Dit bestand is te groot (hoogstens {MAX_FILE_SIZE:,} tekens)."))
        elif "\0" in content:
            problems.append(Problem(name, None, "Dit bestand bevat een NUL-teken."))
    return problems


def check_version(files: dict[str, str], *, process_key: str, lint: Linter | None) -> list[Problem]:
    """Every problem of one process version's files (its bundle): empty when it may be deployed."""
    problems = check_names(files)
    if problems:
        return problems
    problems += _syntax(files)
    bpmn_name = f"{process_key}.bpmn"
    if bpmn_name not in files:
        return [*problems, Problem(bpmn_name, None, "Het BPMN-bestand van dit proces ontbreekt.")]
    if any(p.file == bpmn_name for p in problems):
        return problems  # the diagram does not parse: nothing else can be said about it
    refs = bundles.references(files[bpmn_name])
    if process_key not in refs.process_ids:
        found = ", ".join(f"'{p}'" for p in refs.process_ids) or "geen"
        problems.append(
            Problem(
                bpmn_name,
                refs.process_ids[0] if refs.process_ids else None,
                f"Het proces moet het id '{process_key}' hebben, zoals de bestandsnaam (gevonden: {found}). "
                "Geef het proces dat id, of noem het bestand naar het proces.",
            )
        )
    problems += _missing_parts(files, bpmn_name, refs)
    if problems:
        return problems
    problems += _engine(files, process_key)
    problems += portability_warnings(bpmn_name, files[bpmn_name])
    if lint is not None:
        problems += _lint(files, lint)
    return problems


def _syntax(files: dict[str, str]) -> list[Problem]:
    problems = []
    for name, content in sorted(files.items()):
        kind = bundles.kind_of(name)
        if kind in ("bpmn", "dmn"):
            try:
                bundles.parse_xml(content)
            except etree.XMLSyntaxError as err:
                problems.append(Problem(name, None, f"De XML klopt niet (regel {err.lineno}): {err.msg}"))
        else:
            problems += form_problems(name, content)
    return problems


def form_problems(name: str, content: str) -> list[Problem]:
    """What is wrong with a form file (not JSON, not a JSON Schema, not an object with properties)."""
    try:
        schema = json.loads(content)
    except ValueError as err:
        return [Problem(name, None, f"Geen geldige JSON: {err}")]
    if not isinstance(schema, dict):
        return [Problem(name, None, "Een formulier moet een JSON-object zijn.")]
    if name.endswith(".uischema.json"):
        return []  # a UI schema only shapes how fields look; unknown keys are ignored
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        where = "/".join(str(p) for p in err.path) or "het schema"
        return [Problem(name, None, f"Geen geldig JSON Schema ({where}): {err.message}")]
    if schema.get("type") != "object" or not isinstance(schema.get("properties", {}), dict):
        return [Problem(name, None, 'Een formulier is een schema met "type": "object" en "properties".')]
    return []


def _missing_parts(files: dict[str, str], bpmn_name: str, refs: bundles.References) -> list[Problem]:
    problems = []
    for form in sorted(refs.forms):
        if form not in files:
            problems.append(
                Problem(bpmn_name, _element_naming(files[bpmn_name], form), f"Het formulier {form} ontbreekt.")
            )
    held = set().union(*(bundles.decisions_in(c) for n, c in files.items() if bundles.kind_of(n) == "dmn"))
    for decision in sorted(refs.decisions - held):
        problems.append(
            Problem(bpmn_name, _element_naming(files[bpmn_name], decision), f"De beslistabel '{decision}' ontbreekt.")
        )
    problems += _role_problems(bpmn_name, files[bpmn_name])
    return problems


def _role_problems(bpmn_name: str, bpmn: str) -> list[Problem]:
    root = bundles.parse_xml(bpmn)
    known = ", ".join(ROLES)
    problems = []
    for lane in root.iter(f"{{{bundles.BPMN_NS}}}lane"):
        name = (lane.get("name") or "").strip()
        if name not in ROLES:
            problems.append(
                Problem(bpmn_name, lane.get("id"), f"De baan '{name}' is geen bekende rol (kies uit: {known}).")
            )
    for prop in root.iter(f"{{{bundles.SPIFF_NS}}}property"):
        owner = _flow_element(prop)
        if prop.get("name") == "escalateTo" and (prop.get("value") or "").strip() not in ROLES:
            problems.append(
                Problem(bpmn_name, owner, f"Escaleren naar '{prop.get('value')}': geen bekende rol ({known}).")
            )
        if prop.get("name") == "startRoles":
            for role in (r.strip() for r in (prop.get("value") or "").split(",") if r.strip()):
                if role not in ROLES:
                    problems.append(Problem(bpmn_name, owner, f"Wie mag starten: '{role}' is geen bekende rol."))
    return problems


# Extensions of other engines: a diagram from Camunda Modeler or Flowable opens, but these mean nothing here.
FOREIGN_NAMESPACES = {
    "http://camunda.org/schema/1.0/bpmn": "camunda",
    "http://camunda.org/schema/zeebe/1.0": "zeebe",
    "http://activiti.org/bpmn": "activiti",
    "http://flowable.org/bpmn": "flowable",
}


def portability_warnings(bpmn_name: str, bpmn: str) -> list[Problem]:
    """What a diagram drawn elsewhere lacks for this service (warnings: it can still be deployed)."""
    root = bundles.parse_xml(bpmn)
    in_lanes = {ref.text.strip() for ref in root.iter(f"{{{bundles.BPMN_NS}}}flowNodeRef") if ref.text}
    warnings = []
    for task in root.iter(f"{{{bundles.BPMN_NS}}}userTask"):
        task_id, name = task.get("id"), task.get("name") or task.get("id")
        named = {p.get("name") for p in task.iter(f"{{{bundles.SPIFF_NS}}}property")}
        if "formJsonSchemaFilename" not in named:
            message = f"De taak '{name}' heeft geen formulier: wie de taak krijgt, kan alleen op Afronden drukken."
            warnings.append(Problem(bpmn_name, task_id, message, "waarschuwing"))
        if task_id not in in_lanes:
            message = f"De taak '{name}' staat in geen baan (rol): de taak gaat naar wie het verzoek startte."
            warnings.append(Problem(bpmn_name, task_id, message, "waarschuwing"))
    seen: set[tuple[str | None, str]] = set()
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        foreign = [
            f"{FOREIGN_NAMESPACES[etree.QName(a).namespace]}:{etree.QName(a).localname}"
            for a in node.attrib
            if etree.QName(a).namespace in FOREIGN_NAMESPACES
        ]
        if etree.QName(node).namespace in FOREIGN_NAMESPACES:
            foreign.append(f"{FOREIGN_NAMESPACES[etree.QName(node).namespace]}:{etree.QName(node).localname}")
        for what in foreign:
            owner = node.get("id") if "extensionElements" not in node.tag and node.get("id") else _flow_element(node)
            if (owner, what) not in seen:
                seen.add((owner, what))
                message = f"{what} is van een andere workflow-engine en doet in STO Flow niets."
                warnings.append(Problem(bpmn_name, owner, message, "waarschuwing"))
    return warnings


def _flow_element(node: etree._Element) -> str | None:
    while node is not None and node.getparent() is not None:
        node = node.getparent()
        if node.tag.startswith(f"{{{bundles.BPMN_NS}}}") and node.get("id") and "extensionElements" not in node.tag:
            return node.get("id")
    return None


def _element_naming(bpmn: str, value: str) -> str | None:
    """The element whose extension names a form or decision, for a located message."""
    root = bundles.parse_xml(bpmn)
    for node in root.iter(f"{{{bundles.SPIFF_NS}}}property", f"{{{bundles.SPIFF_NS}}}calledDecisionId"):
        if (node.get("value") or node.text or "").strip() == value:
            return _flow_element(node)
    return None


def _engine(files: dict[str, str], process_key: str) -> list[Problem]:
    try:
        processes = engine.parse_files(encoded(files))
    except engine.DiagramError as err:
        return [Problem(p.file, p.element, p.message) for p in err.problems]
    if process_key not in processes:
        return [Problem(f"{process_key}.bpmn", process_key, "Dit proces is niet uitvoerbaar (isExecutable).")]
    return []


def _lint(files: dict[str, str], lint: Linter) -> list[Problem]:
    bpmn = {name: content for name, content in files.items() if bundles.kind_of(name) == "bpmn"}
    problems = []
    for finding in lint(bpmn):
        severity = "fout" if finding.category == "error" else "waarschuwing"
        problems.append(Problem(finding.file, finding.element, f"{finding.message} ({finding.rule})", severity))
    return problems


def refusals(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that refuse a deploy (warnings do not)."""
    return [p for p in problems if p.severity == "fout"]
