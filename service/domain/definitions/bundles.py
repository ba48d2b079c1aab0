"""Which files make up one version of a process: its BPMN file, the DMN files whose decisions it calls and the
forms its user tasks name. Forms are versioned with the diagram, so a running instance keeps the forms it began with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
)
FORM_PROPERTIES = ("formJsonSchemaFilename", "formUiSchemaFilename")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,150}\.(bpmn|dmn|json)$")
# A safe parser: no entities, no network, no huge trees (the files come from people's browsers).
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)


@dataclass(frozen=True)
class References:
    """What a BPMN file refers to outside itself."""

    decisions: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)
    process_ids: list[str] = field(default_factory=list)


def kind_of(name: str) -> str:
    """'bpmn', 'dmn' or 'json' (a form), by the file name."""
    return name.rsplit(".", 1)[-1].lower()


def parse_xml(content: str) -> etree._Element:
    """The root element; raises etree.XMLSyntaxError with the line."""
    return etree.fromstring(content.encode("utf-8"), XML_PARSER)


def references(bpmn: str) -> References:
    """The decisions and forms a BPMN file names, and its process ids (empty when it does not parse)."""
    try:
        root = parse_xml(bpmn)
    except etree.XMLSyntaxError:
        return References()
    found = References(process_ids=[p.get("id") or "" for p in root.iter(f"{{{BPMN_NS}}}process")])
    for called in root.iter(f"{{{SPIFF_NS}}}calledDecisionId"):
        if (called.text or "").strip():
            found.decisions.add(called.text.strip())
    for prop in root.iter(f"{{{SPIFF_NS}}}property"):
        if prop.get("name") in FORM_PROPERTIES and (prop.get("value") or "").strip():
            found.forms.add(prop.get("value").strip())
    return found


def decisions_in(dmn: str) -> set[str]:
    """The decision ids a DMN file holds (empty when it does not parse)."""
    try:
        root = parse_xml(dmn)
    except etree.XMLSyntaxError:
        return set()
    return {d.get("id") for ns in DMN_NAMESPACES for d in root.iter(f"{{{ns}}}decision") if d.get("id")}


def bundle(bpmn_name: str, pool: dict[str, str], keep: Iterable[str] = ()) -> dict[str, str]:
    """One process's files out of a pool of available files: its BPMN, the DMN files holding the decisions it
    calls, and the forms it names (what is missing from the pool is missing from the bundle; checks.py says so).
    Files named in `keep` stay in whatever they hold (a changed file that no longer parses must be checked)."""
    bpmn = pool[bpmn_name]
    wanted = references(bpmn)
    files = {bpmn_name: bpmn}
    for name, content in sorted(pool.items()):
        calls_it = kind_of(name) == "dmn" and bool(decisions_in(content) & wanted.decisions)
        if calls_it or name in keep or (kind_of(name) == "json" and name in wanted.forms):
            files[name] = content
    return files


def bpmn_names(files: Iterable[str]) -> list[str]:
    """The BPMN files among file names, sorted."""
    return sorted(name for name in files if kind_of(name) == "bpmn")


def process_key_of(bpmn_name: str) -> str:
    """A process's key is its BPMN file's name without the extension (and the process id inside it)."""
    return bpmn_name.rsplit(".", 1)[0]
