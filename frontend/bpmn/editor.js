// window.StoEditors.openBpmn: bpmn-js's modeler with the STO properties panel, live bpmnlint, and the markers a page
// needs to show server-side problems and the path of a trial run.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';

import translateModule, { translateNl } from '../translate.js';
import lintConfig from './lint-config.js';
import stoPanelModule from './panel/index.js';
import spiffworkflowModdle from './spiffworkflow.json';

const PROBLEM = 'sto-problem';
const READABLE = 1; // labels at bpmn-js's own size (12px): smaller is hard to read while editing
const PALETTE_ROOM = 130; // px on the left the palette covers
const PATH = 'sto-path';

function normaliseOptions(options = {}) {
  return {
    roles: (options.roles || []).map((r) => (typeof r === 'string' ? { value: r, label: r } : r)),
    forms: [...(options.forms || [])],
    decisions: (options.decisions || []).map((d) => (typeof d === 'string' ? { id: d, name: '' } : d)),
    operations: (options.operations || []).map((o) => ({ id: o.id, label: o.label || '', params: o.params || [] })),
  };
}

function afterPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** Open a diagram; resolves once it is drawn and linted. Rejects when the XML cannot be imported at all. */
export async function openBpmn({ canvas, panel, xml, options } = {}) {
  if (!canvas || !panel) {
    throw new Error('openBpmn needs a canvas and a panel element');
  }
  const modeler = new BpmnModeler({
    container: canvas,
    propertiesPanel: { parent: panel },
    linting: { active: true, bpmnlint: lintConfig },
    sto: normaliseOptions(options),
    moddleExtensions: { spiffworkflow: spiffworkflowModdle },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      stoPanelModule,
      lintModule,
      translateModule,
    ],
  });
  const eventBus = modeler.get('eventBus');
  const firstLint = new Promise((resolve) => eventBus.once('linting.completed', resolve));
  let warnings;
  try {
    ({ warnings } = await modeler.importXML(xml));
  } catch (error) {
    modeler.destroy();
    throw error;
  }
  const editor = new BpmnEditor(modeler, warnings, panel);
  editor.zoom('readable');
  await Promise.race([firstLint, new Promise((resolve) => setTimeout(resolve, 2000))]);
  // The panel subscribes to selection changes in effects that run after it is painted; a select() before then
  // would go unseen. Let two frames pass.
  await afterPaint();
  await afterPaint();
  return editor;
}

export class BpmnEditor {
  constructor(modeler, warnings, panel) {
    this.modeler = modeler;
    // Commit what was typed in the panel when focus leaves a field, before a click elsewhere selects another
    // element: a commit that lands after the selection changed would drag the panel back to the old element.
    panel.addEventListener('focusout', () => this._get('debounceInput').flushAll());
    /** What bpmn-js reported while importing (unknown elements, missing references), as [{message}]. */
    this.importWarnings = (warnings || []).map((w) => ({ message: w.message }));
    this._issues = {};
    this._problems = [];
    this._path = [];
    modeler.get('eventBus').on('linting.completed', ({ issues }) => {
      this._issues = issues;
    });
  }

  _get(service) {
    return this.modeler.get(service);
  }

  /** The diagram as BPMN XML, with what was typed in the panel a moment ago. */
  async getXml() {
    this._get('debounceInput').flushAll();
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  /** cb() after every change (edit, undo, redo); returns a function that stops listening. */
  onChange(cb) {
    const listener = () => cb();
    this._get('eventBus').on('commandStack.changed', listener);
    return () => this._get('eventBus').off('commandStack.changed', listener);
  }

  /** cb(problems) each time bpmnlint has checked the diagram again; returns a function that stops listening. */
  onLint(cb) {
    const listener = () => cb(this.lintProblems());
    this._get('eventBus').on('linting.completed', listener);
    return () => this._get('eventBus').off('linting.completed', listener);
  }

  /** bpmnlint's findings now: [{element, message (Dutch), rule, category: 'error'|'warn'}]. */
  lintProblems() {
    const found = [];
    for (const [element, reports] of Object.entries(this._issues)) {
      for (const report of reports) {
        found.push({
          element: report.actualElementId || element,
          message: translateNl(report.message),
          rule: report.rule,
          category: report.category,
        });
      }
    }
    return found;
  }

  /** Mark the elements of server-side problems; returns them with the element's name, for a list on the page. */
  showProblems(problems) {
    this.clearProblems();
    const registry = this._get('elementRegistry');
    const canvas = this._get('canvas');
    return (problems || []).map((problem) => {
      const element = problem.element && registry.get(problem.element);
      if (element) {
        canvas.addMarker(element, PROBLEM);
        this._problems.push(element.id);
      }
      return {
        ...problem,
        name: (element && element.businessObject.get('name')) || problem.element || '',
        found: Boolean(element),
      };
    });
  }

  clearProblems() {
    const canvas = this._get('canvas');
    const registry = this._get('elementRegistry');
    this._problems.filter((id) => registry.get(id)).forEach((id) => canvas.removeMarker(id, PROBLEM));
    this._problems = [];
  }

  /** Colour the flow nodes and sequence flows of a trial run; returns the ids the diagram does not have. */
  highlightPath(ids) {
    this.clearPath();
    const registry = this._get('elementRegistry');
    const canvas = this._get('canvas');
    const missing = [];
    for (const id of ids || []) {
      if (registry.get(id)) {
        canvas.addMarker(id, PATH);
        this._path.push(id);
      } else {
        missing.push(id);
      }
    }
    return missing;
  }

  clearPath() {
    const canvas = this._get('canvas');
    const registry = this._get('elementRegistry');
    this._path.filter((id) => registry.get(id)).forEach((id) => canvas.removeMarker(id, PATH));
    this._path = [];
  }

  /**
   * 'fit': the whole diagram; 'readable': the whole diagram if its labels stay readable, else the top left at
   * 100 % (the default when a diagram opens); a number: that zoom level around the centre.
   */
  zoom(level = 'readable') {
    const canvas = this._get('canvas');
    if (typeof level === 'number') {
      canvas.zoom(level, 'auto');
      return;
    }
    canvas.zoom('fit-viewport', 'auto');
    if (level === 'fit' || canvas.zoom() >= READABLE) {
      return;
    }
    const { inner, outer } = canvas.viewbox();
    canvas.viewbox({
      x: inner.x - PALETTE_ROOM / READABLE,
      y: inner.y - 20 / READABLE,
      width: outer.width / READABLE,
      height: outer.height / READABLE,
    });
  }

  /** Select an element (its properties open in the panel) and scroll it into view; false when there is none. */
  select(elementId) {
    this._get('debounceInput').flushAll();
    const element = this._get('elementRegistry').get(elementId);
    if (!element) {
      return false;
    }
    this._get('selection').select(element);
    this._get('canvas').scrollToElement(element);
    return true;
  }

  destroy() {
    this.modeler.destroy();
  }
}
