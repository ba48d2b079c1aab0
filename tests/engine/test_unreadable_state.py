"""A stored state that cannot be loaded raises StateUnreadable, whatever broke it, in this process and from an
engine worker alike, so callers can say so in Dutch and make it an incident instead of answering 500."""

from __future__ import annotations

import json

import pytest

from service.engine import StateUnreadable, fire_due_timers, parse_files, read_snapshot, start_workflow

from .tiny import timer_process


def _waiting_state() -> tuple[object, str]:
    process = parse_files({"p.bpmn": timer_process("p", '"PT1H"')})["p"]
    return process, start_workflow(process, {}).state


def _nested(depth: int) -> object:
    value: object = "bodem"
    for _ in range(depth):
        value = {"laag": value}
    return value


def _with_data(state: str, value: object) -> str:
    envelope = json.loads(state)
    for task in envelope["workflow"]["tasks"].values():
        task["data"]["diep"] = "PLACEHOLDER"
    text = json.dumps(envelope)
    return text.replace('"PLACEHOLDER"', json.dumps(value) if not isinstance(value, dict) else _dump_deep(value))


def _dump_deep(value: object) -> str:
    depth, inner = 0, value
    while isinstance(inner, dict):
        depth, inner = depth + 1, inner["laag"]
    return '{"laag": ' * depth + json.dumps(inner) + "}" * depth


@pytest.mark.parametrize(
    "damage",
    [
        lambda state: state[: len(state) // 2],  # cut off
        lambda state: "[]",  # not our envelope
        lambda state: state.replace('"sto_format": 1', '"sto_format": 99'),  # a format we do not know
        lambda state: _with_data(state, _nested(5000)),  # nested too deep to load (RecursionError)
    ],
    ids=["cut-off", "not-an-envelope", "unknown-format", "nested-5000-deep"],
)
def test_damaged_state_is_unreadable_here_and_in_a_worker(damage) -> None:  # type: ignore[no-untyped-def]
    process, state = _waiting_state()
    damaged = damage(state)
    with pytest.raises(StateUnreadable):
        read_snapshot(process, damaged)  # type: ignore[arg-type]
    with pytest.raises(StateUnreadable):
        fire_due_timers(process, damaged)  # type: ignore[arg-type]
    assert read_snapshot(process, state).status == "running"  # type: ignore[arg-type]  # the undamaged one loads
