"""The restricted Python environment in which diagram scripts, conditions and DMN cells run.

SpiffWorkflow's default environment is plain eval/exec with full builtins: a gateway condition could call
`__import__('os').system(...)`. RestrictedPython refuses dunder names, imports and unsafe attribute access at
compile time, and compiled code is cached so the check costs nothing per step.
"""

from __future__ import annotations

import ast
import contextlib
import json
import operator
import time
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException


class ScriptRejected(SpiffWorkflowException):
    """A script or expression uses something the sandbox does not allow.

    A SpiffWorkflowException, so the engine passes it up as it is instead of wrapping it into a message.
    Deliberately not a SyntaxError: SpiffWorkflow's error formatter crashes on SyntaxErrors without a line number.
    """


_INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
}
_UNSAFE_BUILTINS = {"SystemExit", "KeyboardInterrupt", "GeneratorExit", "setattr", "delattr", "__build_class__"}
_EXTRA_BUILTINS = {
    "dict": dict,
    "list": list,
    "set": set,
    "frozenset": frozenset,
    "sum": sum,
    "min": min,
    "max": max,
    "sorted": sorted,
    "any": any,
    "all": all,
    "enumerate": enumerate,
    "zip": zip,
    "map": map,
    "filter": filter,
    "reversed": reversed,
}


def _euro(value: Any) -> str:
    """An amount as Dutch readers write it, for letters drafted in scripts: euro(7500) -> '€ 7.500,00'."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as err:
        raise ValueError(f"euro(): {value!r} is geen bedrag") from err
    return format_currency(amount, "EUR", locale="nl_NL").replace("\xa0", " ")


def _datum(value: Any) -> str:
    """A date as Dutch readers write it: datum("2026-12-10") -> '10 december 2026' (a date-time: its day)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError as err:
            raise ValueError(f"datum(): {value!r} is geen datum") from err
    if not isinstance(value, date):
        raise ValueError(f"datum(): {value!r} is geen datum")
    return format_date(value, "d MMMM y", locale="nl")


_EXTRA_BUILTINS["euro"] = _euro
_EXTRA_BUILTINS["datum"] = _datum

_BUILTINS = {
    **{k: v for k, v in {**safe_builtins, **limited_builtins}.items() if k not in _UNSAFE_BUILTINS},
    **_EXTRA_BUILTINS,
}
_HELPERS: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_write_": full_write_guard,
    "_inplacevar_": lambda op, x, y: _INPLACE[op](x, y),
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
}


MAX_LOOP_ROUNDS = 1_000_000  # per script run, counting every loop and comprehension round
_budget = {"seconds": 5.0}  # wall time a script may loop; the worker sets it below its own hard limit


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Let loops in scripts run for at most most of `seconds`, so they stop with a clear reason before the
    worker's hard limit (which also catches what no loop counter sees, such as one huge C operation)."""
    previous = _budget["seconds"]
    _budget["seconds"] = seconds * 0.8
    try:
        yield
    finally:
        _budget["seconds"] = previous


class ScriptTooLong(ScriptRejected):
    """A script looped too often or ran too long."""


class _LoopGuard(RestrictingNodeTransformer):
    """RestrictedPython's checks, plus a call to `_tick_()` in every round of every loop and comprehension."""

    def _guard(self, node: ast.For | ast.While) -> ast.AST:
        # The parent's visitor keeps RestrictedPython's own guards (for loops iterate through `_getiter_`).
        node = super().visit_For(node) if isinstance(node, ast.For) else super().visit_While(node)
        tick = ast.Expr(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]))
        node.body.insert(0, ast.copy_location(tick, node))
        return ast.fix_missing_locations(node)

    def visit_While(self, node: ast.While) -> ast.AST:
        return self._guard(node)

    def visit_For(self, node: ast.For) -> ast.AST:
        return self._guard(node)

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        # `_tick_()` returns True, so as the first condition it counts each round without filtering any out.
        node = super().visit_comprehension(node)
        tick = ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[])
        node.ifs.insert(0, ast.copy_location(tick, node.iter))
        return ast.fix_missing_locations(node)


def _ticker() -> Callable[[], bool]:
    rounds = 0
    deadline = time.monotonic() + _budget["seconds"]

    def tick() -> bool:
        nonlocal rounds
        rounds += 1
        if rounds > MAX_LOOP_ROUNDS or (rounds % 1000 == 0 and time.monotonic() > deadline):
            raise ScriptTooLong("het script herhaalt te vaak of duurt te lang")
        return True

    return tick


def _compiled(compiler: Callable[..., Any], source: str) -> Any:
    result = compiler(source, policy=_LoopGuard)
    if result.errors:
        raise ScriptRejected("; ".join(result.errors))
    return result.code


@lru_cache(maxsize=4096)
def compile_expression(expression: str) -> Any:
    """Compile an expression under the sandbox rules, or raise ScriptRejected."""
    return _compiled(compile_restricted_eval, expression)


@lru_cache(maxsize=4096)
def compile_script(script: str) -> Any:
    """Compile a script under the sandbox rules, or raise ScriptRejected."""
    return _compiled(compile_restricted_exec, script)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Runs scripts against the task data, the way TaskDataEnvironment does, but sandboxed."""

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        scope = {**_HELPERS, "_tick_": _ticker(), **(external_context or {}), **context}
        return eval(compile_expression(expression), scope)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        scope = {**_HELPERS, "_tick_": _ticker(), **(external_context or {}), **context}
        exec(compile_script(script), scope)
        for name in [n for n in context if n not in scope]:
            del context[name]  # the script ran `del name`
        for name, value in scope.items():
            if name.startswith("_") or name in _HELPERS or callable(value):
                continue
            context[name] = value
        return True

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        raise ScriptRejected("service tasks need a service handler")


ServiceHandler = Callable[[str, dict[str, Any], dict[str, Any]], Any]


class StoScriptEngine(PythonScriptEngine):
    """The script engine for one engine call: sandboxed scripts plus the domain's service-task handler."""

    def __init__(self, services: ServiceHandler | None = None) -> None:
        super().__init__(environment=RestrictedEnvironment())
        self.services = services

    def call_service(self, task: Any, **kwargs: Any) -> str:
        # The base class formats errors with an undefined name; errors raised here travel up unchanged
        # so the domain can report its own (e.g. an invalid budget mutation) to the user.
        if self.services is None:
            raise ScriptRejected(f"no handler for service '{kwargs.get('operation_name')}'")
        params = {name: p["value"] for name, p in (kwargs.get("operation_params") or {}).items()}
        return json.dumps(self.services(kwargs["operation_name"], params, dict(task.data)))
