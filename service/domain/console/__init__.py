"""The operators' console: administrators find any instance, see where it waits, and act on it (retry, skip,
cancel, suspend, resume, reassign), each action on the instance's audit trail with who, when and why."""
