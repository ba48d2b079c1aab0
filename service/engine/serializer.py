"""The stored form of a running workflow: SpiffWorkflow's JSON without the process spec.

The spec is the same for every instance of a definition version and is most of the JSON, so it is kept out;
the caller hands the parsed spec back in on load. `FORMAT` versions our envelope around the library's JSON.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

FORMAT = 1


class _SpecApartConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def restore(self, dct: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
_converter = _SpecApartConverter(BpmnWorkflow, _registry)
_serializer = BpmnWorkflowSerializer(_registry)


class StateFormatError(Exception):
    """The stored state was written in a format this version cannot read."""


class StateUnreadable(Exception):
    """The stored state of an instance cannot be loaded (damaged JSON, nested too deep, an unknown format):
    no engine call on it can succeed until someone repairs it, so callers report it instead of retrying."""


def dump_state(workflow: BpmnWorkflow) -> str:
    """Serialize a workflow without its spec."""
    library_json = _serializer.serialize_json(workflow)
    return f'{{"sto_format": {FORMAT}, "workflow": {library_json}}}'


def load_state(state: str, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Restore a workflow from `dump_state` output and its parsed spec (the script engine is NOT set).
    Raises StateUnreadable when the state cannot be read, whatever the cause."""
    try:
        envelope = json.loads(state)
        if not isinstance(envelope, dict) or envelope.get("sto_format") != FORMAT:
            found = envelope.get("sto_format") if isinstance(envelope, dict) else None
            raise StateFormatError(f"unknown state format {found!r}")
        dct = envelope["workflow"]
        _serializer.migrate(dct)
        return _converter.restore(dct, spec, subprocess_specs)
    except (StateFormatError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as err:
        # Library code walks the JSON recursively: a damaged or 900-level-deep state fails in many ways.
        raise StateUnreadable(repr(err)[:500]) from err
