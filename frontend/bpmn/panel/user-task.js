// The panel groups of a user task: its form, instructions, deadline and who may do it, as the engine reads them
// (spiffworkflow properties and instructionsForEndUser).
import { Group } from '@bpmn-io/properties-panel';

import {
  BodyTextArea,
  PropertyCheckbox,
  PropertySelect,
  PropertyText,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from './entries.jsx';
import { validateDurationList, validateIsoDuration } from './validate.js';

/** A properties-panel group, open unless told otherwise. */
export function group(id, label, entries, open = true) {
  return { id, label, entries, component: Group, shouldOpen: open };
}

function formOptions(forms, ui) {
  const matching = forms.filter((name) => name.includes('.uischema.') === ui);
  return (matching.length ? matching : forms).map((name) => ({ value: name, label: name }));
}

export function userTaskGroups(options) {
  const roles = options.roles;
  return [
    group('sto-form', 'Formulier', [
      {
        id: 'sto-form-schema',
        component: PropertySelect,
        isEdited: isSelectEntryEdited,
        name: 'formJsonSchemaFilename',
        label: 'Formulier',
        description: 'Het JSON-schema dat de medewerker invult.',
        options: formOptions(options.forms, false),
        unknownLabel: 'bestaat niet',
      },
      {
        id: 'sto-form-ui',
        component: PropertySelect,
        isEdited: isSelectEntryEdited,
        name: 'formUiSchemaFilename',
        label: 'UI-schema',
        description: 'Volgorde en weergave van de velden (mag leeg).',
        options: formOptions(options.forms, true),
        unknownLabel: 'bestaat niet',
      },
    ]),
    group('sto-instructions', 'Instructies', [
      {
        id: 'sto-instructions',
        component: BodyTextArea,
        isEdited: isTextAreaEntryEdited,
        type: 'spiffworkflow:instructionsForEndUser',
        label: 'Instructies',
        description: 'Wat de medewerker boven het formulier leest (Markdown mag).',
      },
    ]),
    group('sto-deadline', 'Termijn', [
      {
        id: 'sto-due-in',
        component: PropertyText,
        isEdited: isTextFieldEntryEdited,
        name: 'dueIn',
        label: 'Termijn',
        placeholder: 'bijvoorbeeld P21D',
        description: 'Hoe lang na het klaarzetten de taak af moet zijn, als ISO-duur: P21D is 21 dagen.',
        validate: validateIsoDuration,
      },
      {
        id: 'sto-due-at',
        component: PropertyText,
        isEdited: isTextFieldEntryEdited,
        name: 'dueAt',
        label: 'Uiterlijk op (variabele)',
        placeholder: 'bijvoorbeeld uiterlijk_besluit',
        description: 'Naam van de procesvariabele met de uiterste datum; gaat voor de termijn.',
      },
      {
        id: 'sto-reminders',
        component: PropertyText,
        isEdited: isTextFieldEntryEdited,
        name: 'reminders',
        label: 'Herinneringen',
        placeholder: 'bijvoorbeeld P7D,P2D',
        description: "Hoe lang vóór de uiterste datum een herinnering gaat, gescheiden door komma's.",
        validate: validateDurationList,
      },
      {
        id: 'sto-escalate-to',
        component: PropertySelect,
        isEdited: isSelectEntryEdited,
        name: 'escalateTo',
        label: 'Escaleren naar',
        description: 'Welke rol bericht krijgt als de taak te laat is.',
        options: roles,
        unknownLabel: 'onbekende rol',
      },
    ]),
    group('sto-assignment', 'Wie voert uit', [
      {
        id: 'sto-for-starter',
        component: PropertyCheckbox,
        isEdited: isCheckboxEntryEdited,
        name: 'forStarter',
        label: 'Ook voor wie startte',
        description: 'De taak staat ook klaar voor wie het verzoek startte, naast de rol van de baan.',
      },
    ]),
  ];
}
