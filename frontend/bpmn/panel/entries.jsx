// Entry components of the STO panel groups: thin wrappers around @bpmn-io/properties-panel's entries, reading and
// writing through extensions.js. Each takes its field's meaning as props, so provider.js reads as a list of fields.
import {
  CheckboxEntry,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import { getBody, getProperty, setBody, setProperty } from './extensions.js';

export { isCheckboxEntryEdited, isSelectEntryEdited, isTextAreaEntryEdited, isTextFieldEntryEdited };

const NONE = { value: '', label: '(geen)' };

/** Options for a select: the known ones, plus the current value when the list does not know it (never hide it). */
export function withCurrent(options, current, unknownLabel) {
  if (!current || options.some((option) => option.value === current)) {
    return options;
  }
  return [...options, { value: current, label: `${current} (${unknownLabel})` }];
}

/** A text field bound to <spiffworkflow:property name=...>. */
export function PropertyText({ element, id, name, label, description, validate, placeholder }) {
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  return (
    <TextFieldEntry
      id={id}
      element={element}
      label={label}
      description={description}
      placeholder={placeholder}
      validate={validate}
      debounce={debounce}
      getValue={() => getProperty(element.businessObject, name)}
      setValue={(value) => setProperty(injector, element, name, value)}
    />
  );
}

/** A select bound to <spiffworkflow:property name=...>; `options` are [{value, label}], an empty choice first. */
export function PropertySelect({ element, id, name, label, description, options, unknownLabel }) {
  const injector = useService('injector');
  return (
    <SelectEntry
      id={id}
      element={element}
      label={label}
      description={description}
      getValue={() => getProperty(element.businessObject, name)}
      setValue={(value) => setProperty(injector, element, name, value)}
      getOptions={() => [NONE, ...withCurrent(options, getProperty(element.businessObject, name), unknownLabel)]}
    />
  );
}

/** A checkbox bound to a property that is "true" when ticked and absent otherwise. */
export function PropertyCheckbox({ element, id, name, label, description }) {
  const injector = useService('injector');
  return (
    <CheckboxEntry
      id={id}
      element={element}
      label={label}
      description={description}
      getValue={() => getProperty(element.businessObject, name) === 'true'}
      setValue={(checked) => setProperty(injector, element, name, checked ? 'true' : '')}
    />
  );
}

/** A text area bound to the text body of an extension element (instructionsForEndUser). */
export function BodyTextArea({ element, id, type, label, description, rows = 6 }) {
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  return (
    <TextAreaEntry
      translate={translate}
      id={id}
      element={element}
      label={label}
      description={description}
      rows={rows}
      autoResize
      debounce={debounce}
      getValue={() => getBody(element.businessObject, type)}
      setValue={(value) => setBody(injector, element, type, value)}
    />
  );
}

/** A select bound to the text body of an extension element (calledDecisionId). */
export function BodySelect({ element, id, type, label, description, options, unknownLabel }) {
  const injector = useService('injector');
  return (
    <SelectEntry
      id={id}
      element={element}
      label={label}
      description={description}
      getValue={() => getBody(element.businessObject, type)}
      setValue={(value) => setBody(injector, element, type, value)}
      getOptions={() => [NONE, ...withCurrent(options, getBody(element.businessObject, type), unknownLabel)]}
    />
  );
}

/** A text field with its own getter and setter, for values that are not spiffworkflow properties. */
export function ValueText({ element, id, label, description, validate, placeholder, get, set }) {
  const debounce = useService('debounceInput');
  return (
    <TextFieldEntry
      id={id}
      element={element}
      label={label}
      description={description}
      placeholder={placeholder}
      validate={validate}
      debounce={debounce}
      getValue={() => get(element)}
      setValue={(value) => set(element, value)}
    />
  );
}

/** A select with its own getter and setter; `options` may be a function of the element. */
export function ValueSelect({ element, id, label, description, options, get, set, none = true }) {
  const getOptions = () => {
    const list = typeof options === 'function' ? options(element) : options;
    return none ? [NONE, ...list] : list;
  };
  return (
    <SelectEntry
      id={id}
      element={element}
      label={label}
      description={description}
      getValue={() => get(element)}
      setValue={(value) => set(element, value)}
      getOptions={getOptions}
    />
  );
}
