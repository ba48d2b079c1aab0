// A properties-panel entry that edits Python (scripts, conditions) in CodeMirror, inline in the panel.
// Edits reach the XML through the panel's (flushable) debounce, at once when the editor loses focus.
import { useEffect, useMemo, useRef, useState } from '@bpmn-io/properties-panel/preact/hooks';
import { useService } from 'bpmn-js-properties-panel';

import { createCodeEditor } from '../../code.js';

/** The same code in a large modal dialog, for scripts too long to read in the panel. */
function openCodeDialog({ title, value, onChange, onClose }) {
  const dialog = document.createElement('dialog');
  dialog.className = 'sto-code-dialog';
  dialog.setAttribute('aria-label', title);
  const header = document.createElement('div');
  header.className = 'sto-code-dialog-header';
  const heading = document.createElement('h2');
  heading.textContent = title;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = 'Sluiten';
  header.append(heading, close);
  const body = document.createElement('div');
  body.className = 'sto-code-dialog-body';
  dialog.append(header, body);
  document.body.append(dialog);
  const editor = createCodeEditor({ parent: body, value, language: 'python', label: title, onChange });
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    onClose();
    editor.destroy();
    dialog.remove();
  });
  dialog.showModal();
  editor.focus();
}

export function isPythonEntryEdited(node) {
  return Boolean(node && node.dataset.edited === 'true');
}

export function PythonEntry({ element, id, label, description, getValue, setValue, validate, placeholder }) {
  const debounce = useService('debounceInput');
  const containerRef = useRef(null);
  const editorRef = useRef(null);
  const value = getValue(element) || '';
  const [error, setError] = useState(() => (validate ? validate(value) : null));

  // One debounced commit per element; the latest setter is read through a ref, so a re-render loses no edit.
  const setterRef = useRef(setValue);
  setterRef.current = setValue;
  const commit = useMemo(() => debounce((next) => setterRef.current(next)), [element, debounce]);

  useEffect(() => {
    const editor = createCodeEditor({
      parent: containerRef.current,
      value,
      language: 'python',
      label,
      onChange: (next) => {
        setError(validate ? validate(next) : null);
        commit(next);
      },
      onBlur: () => commit.flush && commit.flush(),
    });
    editorRef.current = editor;
    return () => {
      if (commit.flush) {
        commit.flush();
      }
      editor.destroy();
      editorRef.current = null;
    };
  }, [element, commit]);

  // Undo/redo or another entry changed the value: show it, unless the person is typing here.
  useEffect(() => {
    const editor = editorRef.current;
    if (editor && !editor.hasFocus() && editor.getValue() !== value) {
      editor.setValue(value);
      setError(validate ? validate(value) : null);
    }
  }, [value]);

  const openLarge = () =>
    openCodeDialog({
      title: label,
      value: getValue(element) || '',
      onChange: (next) => {
        setError(validate ? validate(next) : null);
        commit(next);
      },
      onClose: () => commit.flush && commit.flush(),
    });

  const labelId = `bio-properties-panel-${id}-label`;
  return (
    <div class={`bio-properties-panel-entry sto-python-entry${error ? ' has-error' : ''}`} data-entry-id={id}>
      <div class="sto-python-label">
        <label id={labelId} class="bio-properties-panel-label" onClick={() => editorRef.current?.focus()}>
          {label}
        </label>
        <button type="button" class="sto-python-enlarge" onClick={openLarge}>
          Groot venster
        </button>
      </div>
      <div
        class="bio-properties-panel-input sto-code"
        data-edited={value ? 'true' : 'false'}
        data-placeholder={placeholder || ''}
        ref={containerRef}
      />
      {error && <div class="bio-properties-panel-error">{error}</div>}
      {description && <div class="bio-properties-panel-description">{description}</div>}
    </div>
  );
}
