// Dutch for the texts bpmn-js, its properties panel and bpmnlint show (tool tips, type names, standard groups,
// lint messages). A text without a translation stays English rather than disappearing.
import lintMessages from '../service/lint/messages_nl.json';

const NL = {
  // properties panel: standard groups and entries
  General: 'Algemeen',
  Name: 'Naam',
  ID: 'ID',
  Documentation: 'Documentatie',
  'Element documentation': 'Toelichting bij het element',
  'Process documentation': 'Toelichting bij het proces',
  'Process ID': 'Proces-ID',
  'Process name': 'Procesnaam',
  Executable: 'Uitvoerbaar',
  'Select an element to edit its properties.': 'Kies een element om zijn eigenschappen te bewerken.',
  'Multiple elements are selected. Select a single element to edit its properties.':
    'Er zijn meerdere elementen gekozen. Kies er één om zijn eigenschappen te bewerken.',
  'Toggle section': 'Sectie open- of dichtklappen',
  'Open pop-up editor': 'In een groot venster bewerken',
  'Section contains data': 'Sectie bevat gegevens',
  'Section contains an error': 'Sectie bevat een fout',
  'ID must not be empty.': 'Het ID mag niet leeg zijn.',
  'ID must be unique.': 'Het ID moet uniek zijn.',
  'ID must not contain spaces.': 'Het ID mag geen spaties bevatten.',
  'ID must be a valid QName.': 'Het ID moet een geldige QName zijn.',
  'ID must not contain prefix.': 'Het ID mag geen voorvoegsel bevatten.',
  '<none>': '(geen)',
  'Multi-instance': 'Meervoudig',
  Message: 'Bericht',
  Signal: 'Signaal',
  Error: 'Fout',
  Escalation: 'Escalatie',
  Compensation: 'Compensatie',
  Link: 'Link',
  // panel header: element types
  Process: 'Proces',
  Collaboration: 'Samenwerking',
  Participant: 'Deelnemer',
  Lane: 'Baan (rol)',
  Task: 'Taak',
  'User Task': 'Gebruikerstaak',
  'Manual Task': 'Handmatige taak',
  'Service Task': 'Servicetaak',
  'Script Task': 'Scripttaak',
  'Business Rule Task': 'Beslistaak',
  'Send Task': 'Verzendtaak',
  'Receive Task': 'Ontvangsttaak',
  'Call Activity': 'Aanroep',
  'Sub Process': 'Deelproces',
  'Start Event': 'Startgebeurtenis',
  'End Event': 'Eindgebeurtenis',
  'Timer Start Event': 'Timer-start',
  'Timer Boundary Event': 'Timer aan de rand',
  'Timer Boundary Event (Non Interrupting)': 'Timer aan de rand (niet onderbrekend)',
  'Timer Intermediate Catch Event': 'Tussentijdse timer',
  'Intermediate Throw Event': 'Tussengebeurtenis',
  'Exclusive Gateway': 'Exclusieve splitsing',
  'Inclusive Gateway': 'Inclusieve splitsing',
  'Parallel Gateway': 'Parallelle splitsing',
  'Event Based Gateway': 'Splitsing op gebeurtenis',
  'Sequence Flow': 'Verbinding',
  'Conditional Flow': 'Verbinding met voorwaarde',
  'Default Flow': 'Standaardverbinding',
  'Text Annotation': 'Notitie',
  // palette and context pad
  'Activate hand tool': 'Handgereedschap',
  'Activate lasso tool': 'Lasso: meerdere elementen kiezen',
  'Activate create/remove space tool': 'Ruimte maken of weghalen',
  'Activate global connect tool': 'Verbinden',
  'Create start event': 'Startgebeurtenis maken',
  'Create end event': 'Eindgebeurtenis maken',
  'Create intermediate/boundary event': 'Tussen- of randgebeurtenis maken',
  'Create task': 'Taak maken',
  'Create gateway': 'Splitsing maken',
  'Create expanded sub-process': 'Deelproces maken',
  'Create pool/participant': 'Pool maken',
  'Create data object reference': 'Gegevensobject maken',
  'Create data store reference': 'Gegevensopslag maken',
  'Create group': 'Groep maken',
  'Search in diagram': 'Zoeken in het diagram',
  'Append task': 'Taak erna',
  'Append end event': 'Einde erna',
  'Append gateway': 'Splitsing erna',
  'Append intermediate/boundary event': 'Gebeurtenis erna',
  'Append timer intermediate catch event': 'Timer erna',
  'Append message intermediate catch event': 'Bericht-gebeurtenis erna',
  'Append signal intermediate catch event': 'Signaal-gebeurtenis erna',
  'Append conditional intermediate catch event': 'Voorwaarde-gebeurtenis erna',
  'Append receive task': 'Ontvangsttaak erna',
  'Append compensation activity': 'Compensatie erna',
  'Add text annotation': 'Notitie toevoegen',
  'Add lane above': 'Baan erboven',
  'Add lane below': 'Baan eronder',
  'Divide into two lanes': 'In twee banen verdelen',
  'Divide into three lanes': 'In drie banen verdelen',
  'Change element': 'Element wijzigen',
  'Connect to other element': 'Verbinden met een ander element',
  'Connect using association': 'Verbinden met een associatie',
  Delete: 'Verwijderen',
  'Toggle non-interrupting': 'Onderbrekend aan of uit',
  // bpmn-js-bpmnlint
  'Toggle linting overlays': 'Controlemeldingen tonen of verbergen',
  'Issues for child elements': 'Meldingen bij onderliggende elementen',
  'No Issues': 'Geen meldingen',
  // bpmnlint's recommended rules: one list for the editor and the server's checks
  ...lintMessages,
  // dmn-js decision tables
  When: 'Als',
  And: 'En',
  Then: 'Dan',
  'Hit policy:': 'Welke regel telt:',
  'Hit policy': 'Welke regel telt',
  Unique: 'Uniek (de eerste passende)',
  First: 'Eerste',
  Priority: 'Voorrang',
  Any: 'Willekeurig',
  Collect: 'Verzamelen',
  'Rule order': 'Regelvolgorde',
  'Output order': 'Uitkomstvolgorde',
  'View DRD': 'Overzicht van de beslissingen',
  Annotations: 'Opmerkingen',
  Annotation: 'Opmerking',
  Input: 'Invoer',
  Output: 'Uitkomst',
  'Input label': 'Naam van de invoer',
  'Input expression': 'Invoer-expressie',
  'Input type': 'Soort invoer',
  'Output label': 'Naam van de uitkomst',
  'Output name': 'Variabele van de uitkomst',
  'Output type': 'Soort uitkomst',
  'Add rule': 'Regel toevoegen',
  'Add rule above': 'Regel erboven',
  'Add rule below': 'Regel eronder',
  'Remove rule': 'Regel verwijderen',
  'Copy rule': 'Regel kopiëren',
  'Cut rule': 'Regel knippen',
  'Paste rule above': 'Regel erboven plakken',
  'Paste rule below': 'Regel eronder plakken',
  'Move rule': 'Regel verplaatsen',
  'Add input': 'Invoer toevoegen',
  'Add output': 'Uitkomst toevoegen',
  'Add input column left': 'Invoerkolom links',
  'Add input column right': 'Invoerkolom rechts',
  'Add output column left': 'Uitkomstkolom links',
  'Add output column right': 'Uitkomstkolom rechts',
  'Remove input column': 'Invoerkolom verwijderen',
  'Remove output column': 'Uitkomstkolom verwijderen',
  'Add cell description': 'Toelichting bij de cel',
  'Remove cell description': 'Toelichting verwijderen',
  'Expression language': 'Expressietaal',
  'Decision name': 'Naam van de beslissing',
  Yes: 'Ja',
  No: 'Nee',
  Value: 'Waarde',
  Type: 'Soort',
};

// Messages bpmnlint builds from parts; {type} stays as bpmnlint wrote it.
const PATTERNS = [
  [/^(.+) is missing end event$/, (m) => `${m[1]} heeft geen eindgebeurtenis`],
  [/^(.+) is missing start event$/, (m) => `${m[1]} heeft geen startgebeurtenis`],
  [/^(.+) has multiple blank start events$/, (m) => `${m[1]} heeft meer dan één lege startgebeurtenis`],
  [/^Element type <(.+)> is discouraged$/, (m) => `Elementtype <${m[1]}> liever niet gebruiken`],
];

const plural = (count, one, many) => `${count} ${String(count) === '1' ? one : many}`;

// Texts with counts in them: Dutch says "1 fout" but "2 fouten".
const COUNTED = {
  '{errors} Errors, {warnings} Warnings': ({ errors, warnings }) =>
    `${plural(errors, 'fout', 'fouten')}, ${plural(warnings, 'waarschuwing', 'waarschuwingen')}`,
};

export function translateNl(template, replacements) {
  if (COUNTED[template]) {
    return COUNTED[template](replacements || {});
  }
  let text = NL[template];
  if (text === undefined) {
    const pattern = PATTERNS.find(([regex]) => regex.test(template));
    text = pattern ? pattern[1](template.match(pattern[0])) : template;
  }
  return text.replace(/{([^}]+)}/g, (whole, key) => {
    return replacements && key in replacements ? replacements[key] : whole;
  });
}

export default {
  translate: ['value', translateNl],
};
