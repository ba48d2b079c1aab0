// Reading and writing the spiffworkflow extension elements the engine reads. Every write goes through the command
// stack (undo works, onChange fires) and touches only the one element it changes, so the rest round-trips unchanged.
import { is } from 'bpmn-js/lib/util/ModelUtil';

const MULTI = 'properties-panel.multi-command-executor';

export function extensionsOf(bo, type) {
  const values = (bo.get('extensionElements') && bo.get('extensionElements').get('values')) || [];
  return type ? values.filter((value) => is(value, type)) : values;
}

export function firstExtension(bo, type) {
  return extensionsOf(bo, type)[0];
}

/** The value of <spiffworkflow:property name=...>, or '' when there is none. */
export function getProperty(bo, name) {
  const container = firstExtension(bo, 'spiffworkflow:properties');
  const property = container && (container.get('properties') || []).find((p) => p.get('name') === name);
  return (property && property.get('value')) || '';
}

/** The text body of an extension element such as spiffworkflow:preScript, or ''. */
export function getBody(bo, type) {
  const ext = firstExtension(bo, type);
  return (ext && ext.get('value')) || '';
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

// moddle.create, not bpmnFactory.create: the factory claims every `id` attribute as a diagram id, and parameter ids
// ("titel", "partner_id") repeat across tasks and may equal a task's id.
function create(moddle, type, attrs, parent) {
  const created = moddle.create(type, attrs);
  created.$parent = parent;
  return created;
}

/**
 * The bpmn:extensionElements of an element, with the command that creates it when it is missing
 * (returned in `commands`, so the caller runs everything as one undoable step).
 */
function ensureExtensionElements(element, moddle, commands) {
  const bo = element.businessObject;
  let ext = bo.get('extensionElements');
  if (!ext) {
    ext = create(moddle, 'bpmn:ExtensionElements', { values: [] }, bo);
    commands.push(update(element, bo, { extensionElements: ext }));
  }
  return ext;
}

function appendExtension(element, ext, value, commands) {
  value.$parent = ext;
  commands.push(update(element, ext, { values: [...ext.get('values'), value] }));
}

function run(commandStack, commands) {
  if (commands.length) {
    commandStack.execute(MULTI, commands);
  }
}

/** Set one spiffworkflow:property; an empty value removes it (the engine then uses its default). */
export function setProperty(injector, element, name, value) {
  const moddle = injector.get('moddle');
  const bo = element.businessObject;
  const commands = [];
  let container = firstExtension(bo, 'spiffworkflow:properties');
  const current = container && (container.get('properties') || []).find((p) => p.get('name') === name);
  if (!value) {
    if (current) {
      commands.push(update(element, container, { properties: container.get('properties').filter((p) => p !== current) }));
    }
  } else if (current) {
    commands.push(update(element, current, { value }));
  } else {
    if (!container) {
      const ext = ensureExtensionElements(element, moddle, commands);
      container = create(moddle, 'spiffworkflow:properties', { properties: [] }, ext);
      appendExtension(element, ext, container, commands);
    }
    const property = create(moddle, 'spiffworkflow:property', { name, value }, container);
    commands.push(update(element, container, { properties: [...container.get('properties'), property] }));
  }
  run(injector.get('commandStack'), commands);
}

/** Set the text body of an extension element (preScript, postScript, calledDecisionId, ...); empty removes it. */
export function setBody(injector, element, type, value) {
  const moddle = injector.get('moddle');
  const bo = element.businessObject;
  const commands = [];
  const current = firstExtension(bo, type);
  if (!value) {
    if (current) {
      const ext = bo.get('extensionElements');
      commands.push(update(element, ext, { values: ext.get('values').filter((v) => v !== current) }));
    }
  } else if (current) {
    commands.push(update(element, current, { value }));
  } else {
    const ext = ensureExtensionElements(element, moddle, commands);
    appendExtension(element, ext, create(moddle, type, { value }, ext), commands);
  }
  run(injector.get('commandStack'), commands);
}

export function getOperator(bo) {
  return firstExtension(bo, 'spiffworkflow:serviceTaskOperator');
}

/** Set an attribute (id, resultVariable) of the service task's operator, creating the operator when needed. */
export function setOperatorAttribute(injector, element, name, value) {
  const moddle = injector.get('moddle');
  const commands = [];
  const operator = getOperator(element.businessObject);
  if (operator) {
    commands.push(update(element, operator, { [name]: value || undefined }));
  } else if (value) {
    const ext = ensureExtensionElements(element, moddle, commands);
    const created = create(moddle, 'spiffworkflow:serviceTaskOperator', { [name]: value }, ext);
    created.set('parameterList', create(moddle, 'spiffworkflow:parameters', { parameters: [] }, created));
    appendExtension(element, ext, created, commands);
  }
  run(injector.get('commandStack'), commands);
}

export function getParameters(bo) {
  const operator = getOperator(bo);
  const list = operator && operator.get('parameterList');
  return (list && list.get('parameters')) || [];
}

/** Set one parameter's value (a Python expression); empty removes the parameter. New ones get type "any". */
export function setParameter(injector, element, id, value) {
  const moddle = injector.get('moddle');
  const commands = [];
  let operator = getOperator(element.businessObject);
  if (!operator) {
    return;
  }
  let list = operator.get('parameterList');
  const current = list && list.get('parameters').find((p) => p.get('id') === id);
  if (!value) {
    if (current) {
      commands.push(update(element, list, { parameters: list.get('parameters').filter((p) => p !== current) }));
    }
  } else if (current) {
    commands.push(update(element, current, { value }));
  } else {
    if (!list) {
      list = create(moddle, 'spiffworkflow:parameters', { parameters: [] }, operator);
      commands.push(update(element, operator, { parameterList: list }));
    }
    const parameter = create(moddle, 'spiffworkflow:parameter', { id, type: 'any', value }, list);
    commands.push(update(element, list, { parameters: [...list.get('parameters'), parameter] }));
  }
  run(injector.get('commandStack'), commands);
}
