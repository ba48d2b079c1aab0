"""Put a change request in a known state straight through the use cases (no browser), for tests whose point
is a later page. Runs in the test thread against the same database the live server uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.domain import instances as instance_cases
from service.domain import tasks as task_cases
from service.domain.attachments import store_attachment
from service.models import Attachment, HumanTask, User
from service.web.runtime import Runtime


def _user(session: Any, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def start_request(
    runtime: Runtime,
    email: str = "projectleider@demo.sto",
    region: str = "demo",
    *,
    process_key: str = "wijzigingsverzoek",
    data: dict[str, Any] | None = None,
) -> int:
    """Start a change request (or another process); returns the instance id."""
    with runtime.transaction(write=True) as session:
        instance = instance_cases.start_instance(
            session,
            user=_user(session, email),
            process_key=process_key,
            region_code=region,
            data=data or {},
            now=runtime.clock(),
        )
        return instance.id


def open_task_id(runtime: Runtime, instance_id: int) -> int:
    """The one open task of an instance."""
    with runtime.transaction(write=False) as session:
        ids = list(
            session.scalars(
                select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
            )
        )
    assert len(ids) == 1, ids
    return ids[0]


def complete_open_task(runtime: Runtime, instance_id: int, email: str, data: dict[str, Any]) -> int:
    """Complete the instance's one open task as `email`; returns that task's id."""
    task_id = open_task_id(runtime, instance_id)
    with runtime.transaction(write=True) as session:
        task_cases.complete_task(
            session, runtime.forms, user=_user(session, email), task_id=task_id, data=data, now=runtime.clock()
        )
    return task_id


def task_status(runtime: Runtime, task_id: int) -> str:
    with runtime.transaction(write=False) as session:
        task = session.get(HumanTask, task_id)
        assert task is not None
        return task.status


def attachment_count(runtime: Runtime, instance_id: int) -> int:
    with runtime.transaction(write=False) as session:
        return len(list(session.scalars(select(Attachment.id).where(Attachment.instance_id == instance_id))))


def submit_request_with_offerte(
    runtime: Runtime, instance_id: int, data: dict[str, Any], filename: str, content: bytes
) -> int:
    """Submit the first step with a file in 'offerte', as the task page does; returns the attachment id."""
    task_id = open_task_id(runtime, instance_id)
    with runtime.transaction(write=True) as session:
        user = _user(session, "projectleider@demo.sto")
        task = task_cases.get_task(session, user=user, task_id=task_id)
        reference = store_attachment(
            session,
            user=user,
            task=task,
            field="offerte",
            filename=filename,
            content_type="application/pdf",
            content=content,
            max_bytes=runtime.settings.max_upload_bytes,
            now=runtime.clock(),
        )
        task_cases.complete_task(
            session,
            runtime.forms,
            user=user,
            task_id=task_id,
            data={**data, "offerte": reference},
            now=runtime.clock(),
        )
        return int(reference["bijlage_id"])
