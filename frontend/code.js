// CodeMirror 6 editors: the form JSON on the page (openCode) and the Python entries in the properties panel.
import { EditorView, basicSetup } from 'codemirror';
import { python } from '@codemirror/lang-python';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { linter } from '@codemirror/lint';

const LANGUAGES = {
  python: () => [python()],
  json: () => [json(), linter(jsonParseLinter(), { delay: 300 })],
};

/**
 * A CodeMirror editor in `parent`. onChange(value) fires on the person's edits only, never on setValue.
 * Returns { view, getValue(), setValue(v), focus(), hasFocus(), destroy() }.
 */
export function createCodeEditor({ parent, value = '', language = 'python', onChange, label, onBlur }) {
  if (!LANGUAGES[language]) {
    throw new Error(`unknown language <${language}>: use 'python' or 'json'`);
  }
  let external = false;
  const view = new EditorView({
    doc: value || '',
    parent,
    extensions: [
      basicSetup,
      ...LANGUAGES[language](),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': label || '', spellcheck: 'false' }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged && !external && onChange) {
          onChange(update.state.doc.toString());
        }
      }),
      EditorView.domEventHandlers({ blur: () => onBlur && onBlur() }),
    ],
  });
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue(next) {
      const current = view.state.doc.toString();
      if ((next || '') === current) {
        return;
      }
      external = true;
      try {
        view.dispatch({ changes: { from: 0, to: current.length, insert: next || '' } });
      } finally {
        external = false;
      }
    },
    focus: () => view.focus(),
    hasFocus: () => view.hasFocus,
    destroy: () => view.destroy(),
  };
}

/** window.StoEditors.openCode: a code editor for JSON (form schemas) or Python on a page. */
export function openCode({ container, value = '', language = 'json', onChange, label }) {
  if (!container) {
    throw new Error('openCode needs a container element');
  }
  const editor = createCodeEditor({ parent: container, value, language, onChange, label });
  return {
    getValue: editor.getValue,
    setValue: editor.setValue,
    focus: editor.focus,
    destroy: editor.destroy,
    view: editor.view,
  };
}
