"""Try a draft before deploying it: run not-yet-deployed files with sample data and the answers a person would
give, in the engine's sandbox. Nothing is stored, mailed or written to the register: service tasks are only
recorded, and this module takes no database session at all."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from .. import engine
from .errors import InvalidInput
from .forms import validate_submission
from .texts import N_

MAX_ANSWERS = 100  # every answer is a step with a real step's time limit: this bounds what one trial may take


class InvalidAnswer(InvalidInput):
    """An answer does not fit its task's form: `fields` are the form's fields, as for a real submission;
    `answer` is the answer's position (0-based) and `task` its task's element id."""

    def __init__(self, message: str, fields: dict[str, str], *, answer: int, task: str) -> None:
        super().__init__(message, fields)
        self.answer = answer
        self.task = task


# What a real start always adds (launch_instance); a trial without a region gets these, so scripts find them.
SAMPLE_REGION = {"regio": "proef", "regio_naam": "Proefregio"}


def try_draft(
    files: dict[str, str],
    *,
    process_key: str,
    start_data: dict[str, Any] | None,
    answers: list[dict[str, Any]],
    service_results: dict[str, Any] | None,
    now: datetime,
) -> engine.TrialRun:
    """Run draft files (name -> text: BPMN, DMN, form JSON) from the start of process `process_key`, applying
    each answer in turn ({"task": id, "data": {...}} or {"timer": id}); answers are checked against the task's
    form when that form is among the files. Raises InvalidInput for files that do not parse and for answers
    that do not fit their form (InvalidAnswer; a form's region choices, x-sto-options, are not checked: a draft
    has no region); a step that fails or an answer that does not fit the run is the TrialRun's error."""
    process = _parse(files, process_key)
    forms = {PurePosixPath(name).name: text for name, text in files.items() if name.lower().endswith(".json")}
    checked = [_check_answer(process, forms, number, answer) for number, answer in enumerate(_list(answers), 1)]
    return engine.run_trial(
        process,
        start_data=_start_data(start_data),
        answers=checked,
        service_results=_object(service_results, "service_results", N_("De resultaten van servicetaken")),
        now=now,
    )


def user_tasks_of(files: dict[str, str], process_key: str) -> list[engine.UserTaskInfo]:
    """The user tasks of a draft's process (to read a trial answer with the right form)."""
    return list(_parse(files, process_key).user_tasks)


def _parse(files: dict[str, str], process_key: str) -> engine.ParsedProcess:
    if not isinstance(files, dict) or not all(isinstance(t, str) for t in files.values()):
        raise InvalidInput(N_("Stuur de bestanden van het concept mee."), {"files": N_("Verwacht bestanden.")})
    diagrams = {name: text.encode() for name, text in files.items() if name.lower().endswith((".bpmn", ".dmn"))}
    try:
        processes = engine.parse_files(diagrams)
    except engine.DiagramError as err:
        raise InvalidInput(str(err), {"files": str(err)}) from err
    if process_key not in processes:
        message = f"Het concept bevat geen uitvoerbaar proces met id '{process_key}'."
        raise InvalidInput(message, {"process_key": message})
    return processes[process_key]


def _list(answers: Any) -> list[Any]:
    if not isinstance(answers, list):
        raise InvalidInput(N_("De antwoorden moeten een lijst zijn."), {"answers": N_("Verwacht een lijst.")})
    if len(answers) > MAX_ANSWERS:
        message = N_("Gebruik hoogstens %(max)s antwoorden.", max=MAX_ANSWERS)
        raise InvalidInput(message, {"answers": message})
    return answers


def _check_answer(process: engine.ParsedProcess, forms: dict[str, str], number: int, answer: Any) -> dict[str, Any]:
    """The answer as the engine gets it: a task's data checked against its form exactly as a submission is."""
    field = f"answers.{number - 1}"
    if isinstance(answer, dict) and isinstance(answer.get("timer"), str):
        return {"timer": answer["timer"]}
    if not isinstance(answer, dict) or not isinstance(answer.get("task"), str):
        message = f"Antwoord {number} noemt geen taak en geen timer."
        raise InvalidInput(message, {field: message})
    data = answer.get("data") or {}
    task = next((t for t in process.user_tasks if t.spec_name == answer["task"]), None)
    if task is None:  # the engine says that it does not exist, with what waits instead
        return {"task": answer["task"], "data": data}
    if task.form is None:
        if data != {}:  # as for a real task: without a form, data would silently overwrite process variables
            message = f"De taak '{task.name}' heeft geen formulier: stuur bij antwoord {number} geen gegevens mee."
            raise InvalidInput(message, {field: message})
    elif task.form in forms:
        try:
            data = validate_submission(_schema(forms, task.form), data)
        except InvalidInput as err:
            message = f"Antwoord {number} voor '{task.name}': {err.message}"
            raise InvalidAnswer(message, err.fields, answer=number - 1, task=task.spec_name) from err
    return {"task": answer["task"], "data": data}


def _schema(forms: dict[str, str], name: str) -> dict[str, Any]:
    try:
        schema = json.loads(forms[name])
    except json.JSONDecodeError as err:
        message = f"Het formulier {name} is geen geldige JSON (regel {err.lineno}): {err.msg}."
        raise InvalidInput(message, {"files": message}) from err
    if not isinstance(schema, dict):
        message = f"Het formulier {name} is geen JSON Schema-object."
        raise InvalidInput(message, {"files": message})
    return schema


def _start_data(data: Any) -> dict[str, Any]:
    values = _object(data, "start_data", N_("De startgegevens"))
    return {**SAMPLE_REGION, **{k: v for k, v in values.items() if not k.startswith("_")}}


def _object(value: Any, field: str, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} moeten een object zijn.", {field: N_("Verwacht een object.")})
    return value
