"""Diagram code runs in worker processes: stopped after its time, refused past its memory, and only JSON values of
bounded depth may stay in the process data. A stopped worker is replaced; the next call runs as usual."""

from __future__ import annotations

import time

import pytest

from service.engine import EngineError, Limits, configure, parse_files, start_workflow
from service.engine.isolation import EnginePool

from .tiny import script_process


def _run(script: str, data: dict | None = None) -> EngineError:
    process = parse_files({"p.bpmn": script_process("p", script)})["p"]
    with pytest.raises(EngineError) as caught:
        start_workflow(process, data or {})
    return caught.value


@pytest.fixture(autouse=True)
def _tight_limits():  # type: ignore[no-untyped-def]
    configure(workers=2, limits=Limits(seconds=0.5, memory_mb=64))
    yield
    configure(workers=4, limits=Limits())


def test_a_computation_no_loop_counter_sees_is_stopped_at_the_time_limit_and_the_next_call_works() -> None:
    began = time.monotonic()
    error = _run("n = 9 ** 9 ** 9")
    assert time.monotonic() - began < 1.5
    assert error.task_name == "Script"
    assert error.reason.startswith("het script of de berekening duurde te lang (meer dan 0.5 seconde)")
    process = parse_files({"p.bpmn": script_process("p", "n = 2 ** 10")})["p"]
    assert start_workflow(process, {}).snapshot.data["n"] == 1024


def test_a_comprehension_is_counted_like_a_loop() -> None:
    error = _run("n = sum(1 for a in 'x' * 25000 for b in 'x' * 25000)")
    assert error.reason == "het script herhaalt te vaak of duurt te lang"


def test_memory_past_the_limit_fails_the_step() -> None:
    assert _run("n = len('x' * 10 ** 9)").reason == "het script gebruikte te veel geheugen"


def test_base_exception_is_contained() -> None:
    assert _run("raise BaseException()").reason == "de berekening is onverwacht afgebroken"


@pytest.mark.parametrize(
    ("script", "kind"),
    [("m = map(str, [1])", "map"), ("r = range(3)", "range"), ("g = (i for i in [1])", "generator")],
)
def test_a_value_that_cannot_be_stored_fails_the_step_naming_the_variable(script: str, kind: str) -> None:
    name = script.split(" ")[0]
    error = _run(script)
    assert error.reason == f"de variabele '{name}' bevat een waarde die niet bewaard kan worden ({kind})"


def test_not_a_number_cannot_be_stored() -> None:
    assert "geen geldig getal" in _run("x = float('nan')").reason


def test_data_nested_too_deep_is_refused_before_it_reaches_the_engine() -> None:
    deep: dict = {}
    inner = deep
    for _ in range(900):
        inner["a"] = {}
        inner = inner["a"]
    assert _run("x = 1", {"diep": deep}).reason == "de variabele 'diep' is te diep genest (meer dan 20 lagen)"


def _wait_for_ready(pool: EnginePool, count: int) -> float:
    began = time.monotonic()
    while pool.ready_workers() < count and time.monotonic() - began < 30:
        time.sleep(0.02)
    return time.monotonic() - began


def test_workers_start_ahead_of_calls_and_a_stopped_one_is_replaced_in_the_background() -> None:
    pool = EnginePool(2, Limits(seconds=0.5, memory_mb=64))
    try:
        assert pool.ready_workers() == 0
        pool.warm()
        _wait_for_ready(pool, 2)
        assert pool.ready_workers() == 2  # started before any call needed them
        bomb = parse_files({"p.bpmn": script_process("p", "while True: pass")})["p"]

        with pytest.raises(EngineError):
            pool.run("start", bomb, ({},), None)

        _wait_for_ready(pool, 2)
        assert pool.ready_workers() == 2  # the stopped worker's successor waits already
    finally:
        pool.shutdown()
