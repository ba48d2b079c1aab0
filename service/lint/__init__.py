"""Diagram checks that run outside the workflow engine: bpmnlint and the bpmn-js importer's parser, under node."""

from .bpmnlint import DEFAULT_NODE_MODULES, LintProblem, LintUnavailable, lint_bpmn

__all__ = ["DEFAULT_NODE_MODULES", "LintProblem", "LintUnavailable", "lint_bpmn"]
