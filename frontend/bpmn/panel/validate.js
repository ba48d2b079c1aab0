// Checks the panel shows while typing, in Dutch. The server checks everything again when a draft is deployed;
// these only catch the mistakes people make most, where they make them.
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

export function validateIsoDuration(value) {
  if (value && !ISO_DURATION.test(value.trim())) {
    return 'Geen ISO-duur: schrijf bijvoorbeeld P21D (21 dagen), P2W (2 weken) of PT12H (12 uur).';
  }
  return null;
}

export function validateDurationList(value) {
  const wrong = (value || '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part && !ISO_DURATION.test(part));
  if (wrong.length) {
    return `Geen ISO-duur: ${wrong.join(', ')}. Schrijf bijvoorbeeld P7D,P2D.`;
  }
  return null;
}

export function validateRoleList(value, roles) {
  if (!roles.length) {
    return null;
  }
  const known = roles.map((r) => r.value);
  const unknown = (value || '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part && !known.includes(part));
  if (unknown.length) {
    return `Onbekende rol: ${unknown.join(', ')}. Bekende rollen: ${known.join(', ')}.`;
  }
  return null;
}

/** A timer expression is Python: a bare P14D is a name error at run time, "P14D" (quoted) is a duration. */
export function validateTimerExpression(value) {
  const text = (value || '').trim();
  if (!text) {
    return 'Vul in wanneer de timer afgaat, bijvoorbeeld "P14D" (met aanhalingstekens).';
  }
  if (ISO_DURATION.test(text) || /^R\d*\/P/.test(text) || /^\d{4}-\d{2}-\d{2}/.test(text)) {
    return `Zet de waarde tussen aanhalingstekens: "${text}". Het is een Python-expressie.`;
  }
  return null;
}
