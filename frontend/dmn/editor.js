// window.StoEditors.openDmn: dmn-js's modeler, opened on the decision table (our decisions are tables of Python
// cells; the DRD view has nothing to edit for them).
import DmnModeler from 'dmn-js/lib/Modeler';

import translateModule from '../translate.js';

/** Open a DMN file on its first decision table; rejects when the XML cannot be imported. */
export async function openDmn({ container, xml } = {}) {
  if (!container) {
    throw new Error('openDmn needs a container element');
  }
  const modeler = new DmnModeler({
    container,
    // Our cells are Python (SpiffWorkflow runs them so), not FEEL: a FEEL editor would mark them wrong.
    common: {
      expressionLanguages: { options: [{ value: 'python', label: 'Python' }], defaults: { editor: 'python' } },
    },
    // Dutch texts; dmn-js takes additional modules per view only (it drops common.additionalModules).
    drd: { additionalModules: [translateModule] },
    decisionTable: { additionalModules: [translateModule] },
    literalExpression: { additionalModules: [translateModule] },
    boxedExpression: { additionalModules: [translateModule] },
  });
  let warnings;
  try {
    ({ warnings } = await modeler.importXML(xml, { open: false }));
    const table = modeler.getViews().find((view) => view.type === 'decisionTable');
    await modeler.open(table || modeler.getViews()[0]);
  } catch (error) {
    modeler.destroy();
    throw error;
  }
  return new DmnEditor(modeler, warnings, container);
}

export class DmnEditor {
  constructor(modeler, warnings, container) {
    this.modeler = modeler;
    this._container = container;
    this.importWarnings = (warnings || []).map((w) => ({ message: w.message }));
    this._listeners = new Set();
    this._watched = new WeakSet();
    // Each view (table, DRD) has its own viewer and command stack: listen on every viewer that opens.
    const watch = () => {
      const viewer = modeler.getActiveViewer();
      if (viewer && !this._watched.has(viewer)) {
        this._watched.add(viewer);
        viewer.get('eventBus').on('commandStack.changed', () => this._listeners.forEach((cb) => cb()));
      }
    };
    modeler.on('views.changed', watch);
    watch();
  }

  /** The decisions that have a table: [{id, name}]. */
  decisions() {
    return this.modeler
      .getViews()
      .filter((view) => view.type === 'decisionTable')
      .map((view) => ({ id: view.element.id, name: view.element.name || '' }));
  }

  /** Show another decision's table. */
  async openDecision(id) {
    const view = this.modeler.getViews().find((v) => v.type === 'decisionTable' && v.element.id === id);
    if (!view) {
      throw new Error(`no decision table <${id}>`);
    }
    await this.modeler.open(view);
  }

  async getXml() {
    // A cell being typed in commits on blur; blur it so the export has what is on screen.
    const active = document.activeElement;
    if (active && this._container.contains(active)) {
      active.blur();
    }
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  /** cb() after every change in any view; returns a function that stops listening. */
  onChange(cb) {
    this._listeners.add(cb);
    return () => this._listeners.delete(cb);
  }

  destroy() {
    this.modeler.destroy();
  }
}
