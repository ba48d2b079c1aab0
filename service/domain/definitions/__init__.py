"""Process definitions: deployed versions (shared and per region), drafts, the checks a deploy must pass, and who
may edit them. Import from here."""

from .checks import Linter, Problem, form_problems
from .deploys import DeployRefused, DeployResult, check_upload, deploy, deploy_directory, deploy_files, roll_back
from .drafts import (
    DraftView,
    check_draft,
    check_files,
    deploy_draft,
    discard_draft,
    list_drafts,
    open_draft,
    save_draft,
)
from .owners import is_process_owner, may_edit, owned_regions, owns_every_region, require_process_owner
from .versions import (
    find_current_definition,
    find_latest_definition,
    find_own_version,
    get_current_definition,
    get_latest_definition,
    list_current_definitions,
    list_latest_definitions,
    may_start_any,
    parsed_process,
    slice_latest_definitions,
    store_version,
)

__all__ = [
    "DeployRefused",
    "DeployResult",
    "DraftView",
    "Linter",
    "Problem",
    "check_draft",
    "check_files",
    "check_upload",
    "deploy",
    "deploy_directory",
    "deploy_draft",
    "deploy_files",
    "discard_draft",
    "find_current_definition",
    "find_latest_definition",
    "find_own_version",
    "form_problems",
    "get_current_definition",
    "get_latest_definition",
    "is_process_owner",
    "list_current_definitions",
    "list_drafts",
    "list_latest_definitions",
    "may_edit",
    "may_start_any",
    "open_draft",
    "owned_regions",
    "owns_every_region",
    "parsed_process",
    "require_process_owner",
    "roll_back",
    "save_draft",
    "slice_latest_definitions",
    "store_version",
]
