// The panel groups for what the engine reads (spiffworkflow extensions, lanes as roles, conditions, timers),
// in Dutch, placed after bpmn-js-properties-panel's standard groups (id, name, documentation).
import { is, isAny } from 'bpmn-js/lib/util/ModelUtil';

import {
  BodySelect,
  BodyTextArea,
  PropertyText,
  ValueSelect,
  ValueText,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
  withCurrent,
} from './entries.jsx';
import { PythonEntry, isPythonEntryEdited } from './PythonEntry.jsx';
import { getBody, getOperator, setBody, setOperatorAttribute } from './extensions.js';
import { ConditionEntry, ParameterEntries } from './dynamic.jsx';
import { group, userTaskGroups } from './user-task.js';
import { validateRoleList, validateTimerExpression } from './validate.js';

const LOW_PRIORITY = 500; // after the standard provider, so its groups are there to extend

const TIMER_KINDS = [
  { value: 'timeDuration', label: 'Duur (na hoe lang)' },
  { value: 'timeDate', label: 'Datum (op welk moment)' },
  { value: 'timeCycle', label: 'Herhaling (hoe vaak)' },
];
const TIMER_EXAMPLES = {
  timeDuration: '"P14D"',
  timeDate: '"2027-01-31T09:00:00+01:00"',
  timeCycle: '"R3/P7D"',
};

function timerDefinition(bo) {
  return (bo.get('eventDefinitions') || []).find((d) => is(d, 'bpmn:TimerEventDefinition'));
}

function timerKind(definition) {
  return TIMER_KINDS.map((k) => k.value).find((kind) => definition.get(kind)) || '';
}

export default function StoPropertiesProvider(propertiesPanel, injector, options, translate) {
  const modeling = injector.get('modeling');
  const bpmnFactory = injector.get('bpmnFactory');
  const roles = options.roles;

  function laneGroup(element) {
    return group('sto-role', 'Rol', [
      {
        id: 'sto-lane-role',
        component: ValueSelect,
        isEdited: isSelectEntryEdited,
        label: 'Rol',
        description: 'Wie de taken in deze baan uitvoert. De naam van de baan is de rolcode die de engine leest.',
        options: (element) => withCurrent(roles, element.businessObject.get('name'), 'onbekende rol'),
        get: (element) => element.businessObject.get('name') || '',
        set: (element, value) => modeling.updateProperties(element, { name: value || undefined }),
      },
    ]);
  }

  function startGroup() {
    return group('sto-start', 'Wie mag starten', [
      {
        id: 'sto-start-roles',
        component: PropertyText,
        isEdited: isTextFieldEntryEdited,
        name: 'startRoles',
        label: 'Rollen die mogen starten',
        description: `Rolcodes, gescheiden door komma's (${roles.map((r) => r.value).join(', ')}). Leeg: de rol van de baan van dit startpunt.`,
        validate: (value) => validateRoleList(value, roles),
      },
    ]);
  }

  function instructionsGroup() {
    return group('sto-instructions', 'Instructies', [
      {
        id: 'sto-instructions',
        component: BodyTextArea,
        isEdited: isTextAreaEntryEdited,
        type: 'spiffworkflow:instructionsForEndUser',
        label: 'Instructies',
      },
    ]);
  }

  function scriptGroup(element) {
    return group('sto-script', 'Script', [
      {
        id: 'sto-script',
        component: PythonEntry,
        isEdited: isPythonEntryEdited,
        label: 'Script (Python)',
        description: 'Draait als het proces hier komt; variabelen die het zet, gaan mee in het proces.',
        getValue: () => element.businessObject.get('script') || '',
        setValue: (value) => modeling.updateProperties(element, { script: value || undefined }),
      },
    ]);
  }

  function prePostGroup(element) {
    const bo = element.businessObject;
    const entry = (type, id, label, description) => ({
      id,
      component: PythonEntry,
      isEdited: isPythonEntryEdited,
      label,
      description,
      getValue: () => getBody(bo, type),
      setValue: (value) => setBody(injector, element, type, value),
    });
    const used = getBody(bo, 'spiffworkflow:preScript') || getBody(bo, 'spiffworkflow:postScript');
    return group(
      'sto-pre-post',
      'Scripts vooraf en achteraf',
      [
        entry('spiffworkflow:preScript', 'sto-pre-script', 'Script vooraf (Python)', 'Draait voordat de taak begint.'),
        entry('spiffworkflow:postScript', 'sto-post-script', 'Script achteraf (Python)', 'Draait nadat de taak klaar is.'),
      ],
      Boolean(used),
    );
  }

  function conditionGroup() {
    return group('sto-condition', 'Voorwaarde', [
      { id: 'sto-condition', component: ConditionEntry, isEdited: isPythonEntryEdited },
    ]);
  }

  function timerGroup(element, definition) {
    const expressionOf = () => {
      const kind = timerKind(definition);
      return kind ? definition.get(kind) : null;
    };
    return group('sto-timer', 'Timer', [
      {
        id: 'sto-timer-kind',
        component: ValueSelect,
        isEdited: isSelectEntryEdited,
        label: 'Soort timer',
        options: TIMER_KINDS,
        get: () => timerKind(definition),
        set: (_element, kind) => {
          const current = expressionOf();
          const body = current ? current.get('body') : '';
          const properties = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
          if (kind) {
            properties[kind] = bpmnFactory.create('bpmn:FormalExpression', { body });
          }
          modeling.updateModdleProperties(element, definition, properties);
        },
      },
      {
        id: 'sto-timer-expression',
        component: ValueText,
        isEdited: isTextFieldEntryEdited,
        label: 'Wanneer (Python-expressie)',
        placeholder: `bijvoorbeeld ${TIMER_EXAMPLES[timerKind(definition) || 'timeDuration']}`,
        description:
          'Een Python-expressie. Een ISO-duur staat tussen aanhalingstekens: "P14D" (met de aanhalingstekens), ' +
          'of berekend: "P" + str(dagen) + "D".',
        validate: validateTimerExpression,
        get: () => (expressionOf() ? expressionOf().get('body') || '' : ''),
        set: (_element, value) => {
          const current = expressionOf();
          if (current) {
            modeling.updateModdleProperties(element, current, { body: value });
          } else {
            modeling.updateModdleProperties(element, definition, {
              timeDuration: bpmnFactory.create('bpmn:FormalExpression', { body: value }),
            });
          }
        },
      },
    ]);
  }

  function decisionGroup() {
    return group('sto-decision', 'Beslistabel', [
      {
        id: 'sto-decision',
        component: BodySelect,
        isEdited: isSelectEntryEdited,
        type: 'spiffworkflow:calledDecisionId',
        label: 'Beslistabel',
        description: 'De beslissing (DMN) die deze taak uitvoert; haar uitkomsten worden procesvariabelen.',
        options: options.decisions.map((d) => ({ value: d.id, label: d.name || d.id })),
        unknownLabel: 'bestaat niet',
      },
    ]);
  }

  function operationGroups(element) {
    const bo = element.businessObject;
    const operationId = () => (getOperator(bo) && getOperator(bo).get('id')) || '';
    return [
      group('sto-operation', 'Bewerking', [
        {
          id: 'sto-operation',
          component: ValueSelect,
          isEdited: isSelectEntryEdited,
          label: 'Bewerking',
          description: 'Wat de service uitvoert.',
          options: () =>
            withCurrent(
              options.operations.map((o) => ({ value: o.id, label: o.label || o.id })),
              operationId(),
              'onbekende bewerking',
            ),
          get: operationId,
          set: (_element, value) => setOperatorAttribute(injector, element, 'id', value),
        },
        {
          id: 'sto-result-variable',
          component: ValueText,
          isEdited: isTextFieldEntryEdited,
          label: 'Resultaat in variabele',
          description: 'De procesvariabele die het resultaat krijgt.',
          get: () => (getOperator(bo) && getOperator(bo).get('resultVariable')) || '',
          set: (_element, value) => setOperatorAttribute(injector, element, 'resultVariable', value),
        },
      ]),
      group('sto-parameters', 'Parameters', [
        {
          id: 'sto-parameters',
          component: ParameterEntries,
          isEdited: isTextFieldEntryEdited,
          operations: options.operations,
        },
      ]),
    ];
  }

  this.getGroups = function (element) {
    return function (groups) {
      const bo = element.businessObject;
      const mine = [];
      if (is(element, 'bpmn:Lane')) {
        // The lane's name is its role code: edit it through the role select only.
        const general = groups.find((g) => g.id === 'general');
        if (general) {
          general.entries = general.entries.filter((entry) => entry.id !== 'name');
        }
        mine.push(laneGroup(element));
      }
      // Who may start: only a plain start event a person triggers (a timer start is the scheduler's).
      const plainStart = !(bo.get('eventDefinitions') || []).length;
      if (is(element, 'bpmn:StartEvent') && plainStart && !is(bo.$parent, 'bpmn:SubProcess')) {
        mine.push(startGroup());
      }
      if (is(element, 'bpmn:UserTask')) {
        mine.push(...userTaskGroups(options));
      } else if (is(element, 'bpmn:ManualTask')) {
        mine.push(instructionsGroup());
      }
      if (is(element, 'bpmn:ScriptTask')) {
        mine.push(scriptGroup(element));
      }
      if (is(element, 'bpmn:BusinessRuleTask')) {
        mine.push(decisionGroup());
      }
      if (is(element, 'bpmn:ServiceTask')) {
        mine.push(...operationGroups(element));
      }
      if (is(element, 'bpmn:SequenceFlow') && isAny(bo.sourceRef, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])) {
        mine.push(conditionGroup());
      }
      const timer = is(element, 'bpmn:Event') && timerDefinition(bo);
      if (timer) {
        mine.push(timerGroup(element, timer));
      }
      if (is(element, 'bpmn:Activity')) {
        mine.push(prePostGroup(element));
      }
      const kept = groups.filter((g) => !(timer && g.id === 'timer')); // ours replaces the English timer group
      const at = kept.findIndex((g) => g.id === 'general') + 1;
      kept.splice(at, 0, ...mine);
      // A group's buttons ("Toggle section") translate through the group's own prop, which nobody else sets.
      kept.forEach((g) => {
        g.translate = g.translate || translate;
      });
      return kept;
    };
  };

  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

StoPropertiesProvider.$inject = ['propertiesPanel', 'injector', 'config.sto', 'translate'];
