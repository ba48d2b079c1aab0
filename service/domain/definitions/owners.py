"""Who may edit and deploy processes: a process owner for every region (the shared processes and any region's
variant), or a region's process owner (that region's variants only). Administrators may do both."""

from __future__ import annotations

from ...models import PROCESS_OWNER, User
from ..errors import NotAllowed


def owns_every_region(user: User) -> bool:
    """Whether the user edits the shared processes (and every region's variant)."""
    return bool(user.is_admin or user.is_process_owner)


def owned_regions(user: User) -> set[str]:
    """The regions whose variants the user may edit through a regional process-owner role."""
    return {m.region_code for m in user.memberships if m.role == PROCESS_OWNER}


def may_edit(user: User, region_code: str | None) -> bool:
    """Whether the user may edit and deploy the shared process (None) or one region's variant."""
    if owns_every_region(user):
        return True
    return region_code is not None and region_code in owned_regions(user)


def is_process_owner(user: User) -> bool:
    """Whether the user may open the process editor at all."""
    return owns_every_region(user) or bool(owned_regions(user))


def require_process_owner(user: User, region_code: str | None) -> None:
    """NotAllowed unless the user may edit this scope (shared, or a region's variant)."""
    if may_edit(user, region_code):
        return
    if region_code is None:
        raise NotAllowed("Alleen een procesbeheerder voor alle regio's kan het gedeelde proces wijzigen.")
    raise NotAllowed("U bent geen procesbeheerder voor deze regio.")
