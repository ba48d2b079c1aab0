"""Build tiny one-process diagrams for engine scenarios."""

from __future__ import annotations

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_{pid}" targetNamespace="t">
  <bpmn:process id="{pid}" name="{pid}" isExecutable="true">
{body}
  </bpmn:process>
</bpmn:definitions>
"""

USER_TASK = """
    <bpmn:userTask id="{id}" name="{name}">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="{form}"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>"""


def diagram(pid: str, body: str) -> bytes:
    """A BPMN document with one executable process."""
    return HEADER.format(pid=pid, body=body).encode()


def script_process(pid: str, script: str) -> bytes:
    """start -> script task -> user task -> end."""
    return diagram(
        pid,
        f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script"/>
    <bpmn:scriptTask id="script" name="Script"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="werk"/>
    {USER_TASK.format(id="werk", name="Werk", form="none.json")}
    <bpmn:sequenceFlow id="f3" sourceRef="werk" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    )


def condition_process(pid: str, condition: str) -> bytes:
    """start -> gateway (condition or default) -> end."""
    return diagram(
        pid,
        f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="f3"/>
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="end">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    )


def timer_process(pid: str, expression: str) -> bytes:
    """start -> intermediate timer -> end."""
    return diagram(
        pid,
        f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wacht"/>
    <bpmn:intermediateCatchEvent id="wacht" name="Wachten">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{expression}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wacht" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    )


def decision_process(pid: str, decision_id: str) -> bytes:
    """start -> business rule task -> user task -> end."""
    return diagram(
        pid,
        f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="beslis"/>
    <bpmn:businessRuleTask id="beslis" name="Beslissen">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{decision_id}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="beslis" targetRef="werk"/>
    {USER_TASK.format(id="werk", name="Werk", form="none.json")}
    <bpmn:sequenceFlow id="f3" sourceRef="werk" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    )
