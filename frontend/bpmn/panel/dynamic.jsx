// Entries whose shape depends on the current XML, not only on the selected element: the panel computes its groups
// once per selection, so these read the model on every render instead.
import { TextFieldEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';

import { getOperator, getParameters, setParameter } from './extensions.js';
import { PythonEntry } from './PythonEntry.jsx';

/** One text entry per parameter the chosen operation declares, plus any the XML has that it does not declare. */
export function ParameterEntries({ element, id, operations }) {
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  const bo = element.businessObject;
  const operator = getOperator(bo);
  if (!operator || !operator.get('id')) {
    return (
      <div class="bio-properties-panel-entry bio-properties-panel-description" data-entry-id={id}>
        Kies eerst een bewerking.
      </div>
    );
  }
  const operation = operations.find((o) => o.id === operator.get('id'));
  const declared = operation ? operation.params : [];
  const existing = getParameters(bo).map((p) => p.get('id'));
  const names = [...declared, ...existing.filter((name) => !declared.includes(name))];
  if (!names.length) {
    return (
      <div class="bio-properties-panel-entry bio-properties-panel-description" data-entry-id={id}>
        Deze bewerking heeft geen parameters.
      </div>
    );
  }
  return (
    <div data-entry-id={id}>
      <div class="bio-properties-panel-entry bio-properties-panel-description sto-note">
        Elke waarde is een Python-expressie, bijvoorbeeld de naam van een procesvariabele.
      </div>
      {names.map((name) => (
        <TextFieldEntry
          key={`${operator.get('id')}-${name}`}
          id={`${id}-${name}`}
          element={element}
          label={name}
          debounce={debounce}
          description={
            declared.includes(name)
              ? undefined
              : 'Deze bewerking kent deze parameter niet; maak het veld leeg om hem weg te halen.'
          }
          getValue={() => {
            const parameter = getParameters(bo).find((p) => p.get('id') === name);
            return (parameter && parameter.get('value')) || '';
          }}
          setValue={(value) => setParameter(injector, element, name, value)}
        />
      ))}
    </div>
  );
}

/** The condition of a flow leaving a gateway; the gateway's default flow has none, and says so. */
export function ConditionEntry({ element, id }) {
  const modeling = useService('modeling');
  const bpmnFactory = useService('bpmnFactory');
  const bo = element.businessObject;
  if (bo.sourceRef && bo.sourceRef.get('default') === bo) {
    return (
      <div class="bio-properties-panel-entry bio-properties-panel-description" data-entry-id={id}>
        Dit is de standaardroute van de splitsing: die volgt het proces als geen andere voorwaarde klopt. Een
        standaardroute heeft geen voorwaarde.
      </div>
    );
  }
  const setValue = (value) => {
    const expression = bo.get('conditionExpression');
    if (!value) {
      modeling.updateProperties(element, { conditionExpression: undefined });
    } else if (expression) {
      modeling.updateModdleProperties(element, expression, { body: value });
    } else {
      modeling.updateProperties(element, {
        conditionExpression: bpmnFactory.create('bpmn:FormalExpression', { body: value }),
      });
    }
  };
  return (
    <PythonEntry
      element={element}
      id={id}
      label="Voorwaarde (Python-expressie)"
      description="Deze route volgt het proces als de expressie waar is, bijvoorbeeld: bedrag > 5000"
      getValue={() => (bo.get('conditionExpression') && bo.get('conditionExpression').get('body')) || ''}
      setValue={setValue}
    />
  );
}
