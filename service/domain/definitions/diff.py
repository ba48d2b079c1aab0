"""A readable difference between two versions of a process: BPMN elements added, removed and changed (name, lane,
form, due date, scripts, conditions, timers, decisions, service steps), decision-table rows changed cell by cell,
form fields added, removed and changed. Moving shapes around on the drawing is not a change of the process."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import bundles

B = f"{{{bundles.BPMN_NS}}}"
S = f"{{{bundles.SPIFF_NS}}}"
KIND_WORDS = {
    "userTask": "taak",
    "scriptTask": "scripttaak",
    "serviceTask": "servicetaak",
    "businessRuleTask": "beslissing",
    "task": "taak",
    "manualTask": "taak",
    "sendTask": "taak",
    "receiveTask": "taak",
    "callActivity": "deelproces",
    "subProcess": "deelproces",
    "startEvent": "start",
    "endEvent": "einde",
    "intermediateCatchEvent": "tussengebeurtenis",
    "intermediateThrowEvent": "tussengebeurtenis",
    "boundaryEvent": "randgebeurtenis",
    "exclusiveGateway": "keuze",
    "parallelGateway": "parallel",
    "inclusiveGateway": "keuze",
    "eventBasedGateway": "keuze",
    "sequenceFlow": "pijl",
    "lane": "baan (rol)",
}


@dataclass(frozen=True)
class Change:
    """One difference: in which file, which element, what kind (toegevoegd, verwijderd, gewijzigd) and the details."""

    file: str
    element: str | None
    label: str
    kind: str
    details: tuple[str, ...] = ()


@dataclass
class VersionDiff:
    changes: list[Change] = field(default_factory=list)
    drawing_only: list[str] = field(default_factory=list)  # files whose only change is the layout


def compare(old: dict[str, str], new: dict[str, str]) -> VersionDiff:
    """What changed from the files of one version to the next."""
    diff = VersionDiff()
    for name in sorted(set(old) | set(new)):
        if name not in old:
            diff.changes.append(Change(name, None, name, "toegevoegd", ("nieuw bestand",)))
        elif name not in new:
            diff.changes.append(Change(name, None, name, "verwijderd", ("bestand niet meer gebruikt",)))
        elif old[name] != new[name]:
            found = _compare_file(name, old[name], new[name])
            if found:
                diff.changes.extend(found)
            else:
                diff.drawing_only.append(name)
    return diff


def _compare_file(name: str, old: str, new: str) -> list[Change]:
    kind = bundles.kind_of(name)
    try:
        if kind == "bpmn":
            return _compare_elements(name, _bpmn_elements(old), _bpmn_elements(new))
        if kind == "dmn":
            return _compare_elements(name, _dmn_elements(old), _dmn_elements(new))
        return _compare_elements(name, _form_fields(old), _form_fields(new))
    except (etree.XMLSyntaxError, ValueError):
        return [Change(name, None, name, "gewijzigd", ("de inhoud is veranderd",))]


def _compare_elements(name: str, old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> list[Change]:
    changes = []
    for element in [*[e for e in new if e not in old], *[e for e in old if e not in new]]:
        side = new if element in new else old
        kind = "toegevoegd" if element in new else "verwijderd"
        shown = tuple(f"{k}: {v}" for k, v in side[element].items() if k != "label" and v)
        changes.append(Change(name, element, side[element].get("label") or element, kind, shown))
    for element in [e for e in new if e in old]:
        before, after = old[element], new[element]
        details = tuple(
            f"{key}: {_short(before.get(key))} → {_short(after.get(key))}"
            for key in dict.fromkeys([*before, *after])
            if before.get(key, "") != after.get(key, "")
        )
        if details:
            changes.append(Change(name, element, after.get("label") or element, "gewijzigd", details))
    return changes


def _short(value: str | None) -> str:
    text = " ".join((value or "").split())
    if not text:
        return "(leeg)"
    return text if len(text) <= 160 else text[:157] + "..."


def _bpmn_elements(xml: str) -> dict[str, dict[str, str]]:
    root = bundles.parse_xml(xml)
    lanes = {
        ref.text.strip(): lane.get("name") or lane.get("id")
        for lane in root.iter(f"{B}lane")
        for ref in lane.findall(f"{B}flowNodeRef")
        if ref.text
    }
    found: dict[str, dict[str, str]] = {}
    for process in root.iter(f"{B}process"):
        for node in process.iter():
            tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
            if tag not in KIND_WORDS or not node.get("id"):
                continue
            found[node.get("id")] = _bpmn_facts(node, tag, lanes)
    return found


def _bpmn_facts(node: etree._Element, tag: str, lanes: dict[str, str]) -> dict[str, str]:
    element_id = node.get("id") or ""
    facts = {"label": f"{KIND_WORDS[tag]} '{node.get('name') or element_id}'", "naam": node.get("name") or ""}
    if tag == "sequenceFlow":
        facts["van → naar"] = f"{node.get('sourceRef')} → {node.get('targetRef')}"
        facts["voorwaarde"] = _text(node.find(f"{B}conditionExpression"))
    elif tag != "lane":
        facts["rol"] = lanes.get(element_id, "")
    facts["script"] = _text(node.find(f"{B}script"))
    for prop in node.iter(f"{S}property"):
        facts[prop.get("name") or "?"] = prop.get("value") or ""
    for part, word in (
        ("preScript", "script vooraf"),
        ("postScript", "script achteraf"),
        ("calledDecisionId", "beslistabel"),
        ("instructionsForEndUser", "instructies"),
    ):
        facts[word] = _text(node.find(f"{B}extensionElements/{S}{part}"))
    operator = node.find(f"{B}extensionElements/{S}serviceTaskOperator")
    if operator is not None:
        facts["bewerking"] = operator.get("id") or ""
        for param in operator.iter(f"{S}parameter"):
            facts[f"parameter {param.get('id')}"] = param.get("value") or ""
    for timer in node.iter(f"{B}timerEventDefinition"):
        for child in timer:
            facts["timer"] = f"{etree.QName(child).localname}: {_text(child)}"
    if tag == "boundaryEvent":
        facts["aan"] = node.get("attachedToRef") or ""
    return {k: v for k, v in facts.items() if v}


def _text(node: etree._Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def _dmn_elements(xml: str) -> dict[str, dict[str, str]]:
    root = bundles.parse_xml(xml)
    found: dict[str, dict[str, str]] = {}
    for ns in bundles.DMN_NAMESPACES:
        d = f"{{{ns}}}"
        for table in root.iter(f"{d}decisionTable"):
            inputs = [i.get("label") or i.get("id") or "?" for i in table.findall(f"{d}input")]
            outputs = [o.get("label") or o.get("name") or "?" for o in table.findall(f"{d}output")]
            found[table.get("id") or "tabel"] = {
                "label": "beslistabel",
                "invoer": ", ".join(inputs),
                "uitkomst": ", ".join(outputs),
                "regels toepassen": table.get("hitPolicy") or "UNIQUE",
            }
            for number, rule in enumerate(table.findall(f"{d}rule"), start=1):
                facts = {"label": f"regel {number}: {_text(rule.find(f'{d}description')) or rule.get('id')}"}
                for column, entry in zip(inputs, rule.findall(f"{d}inputEntry"), strict=False):
                    facts[f"als {column}"] = _text(entry.find(f"{d}text"))
                for column, entry in zip(outputs, rule.findall(f"{d}outputEntry"), strict=False):
                    facts[f"dan {column}"] = _text(entry.find(f"{d}text"))
                facts["volgorde"] = str(number)
                found[rule.get("id") or f"regel_{number}"] = facts
    return found


def _form_fields(text: str) -> dict[str, dict[str, str]]:
    schema: Any = json.loads(text)
    if not isinstance(schema, dict):
        raise ValueError("not an object")
    required = set(schema.get("required") or [])
    found: dict[str, dict[str, str]] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        facts = {"label": f"veld '{prop.get('title') or name}'", "titel": str(prop.get("title") or "")}
        facts["verplicht"] = "ja" if name in required else "nee"
        for key in sorted(set(prop) - {"title"}):
            facts[key] = json.dumps(prop[key], ensure_ascii=False, sort_keys=True)
        found[name] = facts
    rest = {k: json.dumps(v, ensure_ascii=False, sort_keys=True) for k, v in schema.items() if k != "properties"}
    rest.pop("required", None)
    if rest:
        found["(formulier)"] = {"label": "het formulier zelf", **rest}
    return found
