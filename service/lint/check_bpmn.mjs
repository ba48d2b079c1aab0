// Checks BPMN files the way the browser modeler reads them: bpmn-moddle (the parser of bpmn-js's importer), a
// shape for every flow element, and bpmnlint's recommended rules. Run by service/lint/bpmnlint.py:
//   node check_bpmn.mjs --node-modules DIR  < {"files": {"name.bpmn": "<xml>", ...}}
// and answers {"problems": [{file, element, rule, message, category}]} on stdout. Exit 2: setup broken (stderr says why).
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const LINT_CONFIG = { extends: 'bpmnlint:recommended' };

function fail(message) {
  process.stderr.write(`check_bpmn: ${message}\n`);
  process.exit(2);
}

function nodeModulesDir(argv) {
  const at = argv.indexOf('--node-modules');
  const dir = at >= 0 ? argv[at + 1] : (process.env.NODE_PATH || '').split(path.delimiter)[0];
  if (!dir) fail('no node_modules directory given (--node-modules DIR or NODE_PATH)');
  return path.resolve(dir);
}

// Packages resolve from the given node_modules, never from the working directory or this file's location.
async function loadPackages(dir) {
  const requireHere = createRequire(path.join(dir, '__placeholder__.js'));
  try {
    // The bpmn-moddle that bpmn-js itself imports with (a nested copy, if npm installed one).
    const fromBpmnJs = createRequire(requireHere.resolve('bpmn-js/package.json'));
    const { BpmnModdle } = await import(pathToFileURL(fromBpmnJs.resolve('bpmn-moddle')).href);
    const { Linter } = requireHere('bpmnlint');
    const NodeResolver = requireHere('bpmnlint/lib/resolver/node-resolver');
    // A fresh Linter per file: bpmnlint caches rule instances in its Linter, and some rules keep state between
    // runs (no-duplicate-sequence-flows would see flows of an earlier file as duplicates).
    const resolver = new NodeResolver({ require: requireHere });
    return { BpmnModdle, newLinter: () => new Linter({ config: LINT_CONFIG, resolver }) };
  } catch (err) {
    fail(`bpmn-js, bpmn-moddle or bpmnlint missing under ${dir} (run \`make install\`): ${err.message}`);
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  try {
    const { files } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!files || typeof files !== 'object') throw new Error('expected {"files": {...}}');
    return files;
  } catch (err) {
    fail(`bad input: ${err.message}`);
  }
}

// moddle's messages read "unparsable content <x> detected\n\tline: 0\n\tcolumn: 5\n\tnested error: why";
// its line and column count from 0. Make them one line, counted from 1 as editors do.
function readable(message) {
  const [head, ...rest] = message.split('\n').map((part) => part.trim());
  const fields = Object.fromEntries(rest.map((part) => part.split(/:\s*(.*)/s).slice(0, 2)));
  const where = 'line' in fields ? ` (line ${Number(fields.line) + 1}, column ${Number(fields.column) + 1})` : '';
  return `${head}${where}${fields['nested error'] ? `: ${fields['nested error']}` : ''}`;
}

function warningElement(warning) {
  if (warning.element && warning.element.id) return warning.element.id;
  const duplicate = /duplicate ID <([^>]+)>/.exec(warning.message);
  return duplicate ? duplicate[1] : null;
}

function* flowElements(container) {
  for (const element of container.flowElements || []) {
    yield element;
    yield* flowElements(element);  // inside sub-processes
  }
}

// What bpmn-js's importer would not draw (no shape), draws twice, or cannot place (DI pointing at nothing).
function diagramProblems(definitions) {
  const problems = [];
  const drawn = new Map();
  for (const diagram of definitions.diagrams || []) {
    for (const di of (diagram.plane && diagram.plane.planeElement) || []) {
      if (!di.bpmnElement) {
        problems.push([di.id || null, `diagram element ${di.id} refers to no BPMN element`]);
      } else if (drawn.has(di.bpmnElement.id)) {
        problems.push([di.bpmnElement.id, `element ${di.bpmnElement.id} has more than one shape in the diagram`]);
      } else {
        drawn.set(di.bpmnElement.id, di);
      }
    }
  }
  for (const root of definitions.rootElements || []) {
    for (const element of flowElements(root)) {
      if (!drawn.has(element.id)) {
        problems.push([element.id, `${element.$type} ${element.id} has no shape in the diagram (it would not be drawn)`]);
      }
    }
  }
  return problems;
}

async function checkFile(name, xml, { BpmnModdle, newLinter }) {
  const problem = (element, rule, message, category = 'error') => ({ file: name, element, rule, message, category });
  let parsed;
  try {
    parsed = await new BpmnModdle().fromXML(String(xml));
  } catch (err) {
    const details = [err.message, ...(err.warnings || []).map((w) => w.message)].map(readable);
    return [problem(null, 'xml', details.join('; '))];
  }
  const problems = parsed.warnings.map((w) => problem(warningElement(w), 'import', readable(w.message)));
  for (const [element, message] of diagramProblems(parsed.rootElement)) problems.push(problem(element, 'bpmndi', message));
  const results = await newLinter().lint(parsed.rootElement);
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      // A rule that crashed reports category 'rule-error' without an element: count it as an error, visibly.
      const crashed = report.category === 'rule-error';
      problems.push(problem(report.id || null, rule, crashed ? `rule failed: ${report.message}` : report.message,
        crashed ? 'error' : report.category));
    }
  }
  return problems;
}

const packages = await loadPackages(nodeModulesDir(process.argv.slice(2)));
const files = await readStdin();
const problems = [];
for (const [name, xml] of Object.entries(files)) problems.push(...(await checkFile(name, xml, packages)));
process.stdout.write(JSON.stringify({ problems }));
