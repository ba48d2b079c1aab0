// Dutch for the texts bpmn-js, its properties panel and bpmnlint show (tool tips, type names, standard groups,
// lint messages). A text without a translation stays English rather than disappearing.
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
  // bpmnlint's recommended rules
  'Gateway forks and joins': 'Splitsing splitst én voegt samen: gebruik twee splitsingen',
  'Incoming flows do not join': 'Binnenkomende verbindingen worden niet samengevoegd',
  'Flow splits implicitly': 'De stroom splitst zonder splitsing',
  'Element is not connected': 'Element is niet verbonden',
  'Element is missing label/name': 'Element heeft geen naam',
  'Element is an implicit end': 'Element eindigt het proces zonder eindgebeurtenis',
  'Element is an implicit start': 'Element begint zonder startgebeurtenis',
  'Sequence flow is missing condition': 'Verbinding heeft geen voorwaarde',
  'Gateway is superfluous. It only has one source and target.':
    'Overbodige splitsing: één binnenkomende en één uitgaande verbinding.',
  'Element overlaps with other element': 'Element overlapt een ander element',
  'Element is outside of parent boundary': 'Element valt buiten zijn omgeving',
  'SequenceFlow is a duplicate': 'Dubbele verbinding',
  'Duplicate outgoing sequence flows': 'Dubbele uitgaande verbindingen',
  'Duplicate incoming sequence flows': 'Dubbele binnenkomende verbindingen',
  'Event has multiple event definitions': 'Gebeurtenis heeft meer dan één definitie',
  'Start event must be blank': 'Startgebeurtenis moet leeg zijn',
  'Start event is missing event definition': 'Startgebeurtenis mist een definitie',
  'Sequence flow has superfluous label': 'Verbinding heeft een overbodig label',
  'Termination is superfluous.': 'Beëindigen is overbodig.',
  'Element is missing bpmndi': 'Element staat niet in de tekening',
  'Element name is not unique': 'Naam van het element is niet uniek',
  'Element is unused': 'Element wordt niet gebruikt',
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
