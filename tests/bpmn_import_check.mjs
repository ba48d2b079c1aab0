// Reads each BPMN file the way bpmn-js's importer does (bpmn-moddle) and prints, per file, the import warnings
// and the flow elements that have no shape in the diagram (bpmn-js would not draw them). Run by
// tests/test_bpmn_files.py: node tests/bpmn_import_check.mjs <node_modules dir> <file>...
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [modules, ...files] = process.argv.slice(2);
const { BpmnModdle } = await import(pathToFileURL(path.join(modules, 'bpmn-moddle/dist/index.js')).href);
const moddle = new BpmnModdle();
const report = {};
for (const file of files) {
  const { rootElement, warnings } = await moddle.fromXML(fs.readFileSync(file, 'utf8'));
  const drawn = new Set();
  for (const diagram of rootElement.diagrams) {
    for (const shape of diagram.plane.planeElement) if (shape.bpmnElement) drawn.add(shape.bpmnElement.id);
  }
  const undrawn = [];
  for (const root of rootElement.rootElements) {
    for (const element of root.flowElements || []) if (!drawn.has(element.id)) undrawn.push(element.id);
  }
  report[path.basename(file)] = { warnings: warnings.map((w) => w.message), undrawn };
}
console.log(JSON.stringify(report));
