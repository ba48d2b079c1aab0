// The process editor page: the diagram, decision tables and forms of one draft, saved, checked, tried and
// deployed through the page's JSON endpoints. The editors themselves come from the bundle (window.StoEditors).
(function () {
  'use strict';

  const root = document.getElementById('editor');
  if (!root || !window.StoEditors) return;
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const files = read('editor-files');
  const options = read('editor-options');
  const texts = read('editor-texts');
  const process = root.dataset.process;
  const bpmnName = process + '.bpmn';
  let revision = read('editor-draft').revision;
  let dirty = false;
  let bpmn = null;
  const dmnEditors = {}; // file name -> DmnEditor, once opened
  let openDmnName = null;
  let schemaEditor = null;
  let uiEditor = null;
  let openFormName = null;
  let trial = { answers: [], serviceResults: {} };

  const $ = (id) => document.getElementById(id);
  const status = $('draft-status');
  const format = (text, values) => text.replace(/\{(\w+)\}/g, (_m, key) => values[key] ?? '');

  function markDirty() {
    dirty = true;
    status.textContent = texts.unsaved;
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': root.dataset.csrf, Accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    let json = {};
    try {
      json = await response.json();
    } catch (_err) {
      json = { message: texts.error };
    }
    return { status: response.status, json };
  }

  // Everything on screen, as files: the diagram from the modeler, each opened decision table, the forms.
  async function currentFiles() {
    saveOpenForm();
    const out = Object.assign({}, files);
    if (bpmn) out[bpmnName] = await bpmn.getXml();
    for (const [name, editor] of Object.entries(dmnEditors)) out[name] = await editor.getXml();
    Object.assign(files, out);
    return out;
  }

  // --- tabs
  const tabs = Array.from(root.querySelectorAll('[role="tab"]'));
  function showTab(name) {
    for (const tab of tabs) tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
    // A trial run is drawn on the diagram: trying shows the diagram above its controls.
    const shown = name === 'proberen' ? ['diagram', 'proberen'] : [name];
    for (const pane of root.querySelectorAll('[data-pane]')) pane.hidden = !shown.includes(pane.dataset.pane);
    if (name === 'beslistabellen' && !openDmnName) openDmnFile($('dmn-file').value);
    if (name === 'formulieren' && !openFormName) openForm($('form-file').value);
  }
  tabs.forEach((tab) => tab.addEventListener('click', () => showTab(tab.dataset.tab)));

  // --- the diagram
  async function openDiagram() {
    bpmn = await window.StoEditors.openBpmn({
      canvas: $('bpmn-canvas'),
      panel: $('bpmn-panel'),
      xml: files[bpmnName],
      options,
    });
    bpmn.onChange(markDirty);
  }

  // --- decision tables
  const dmnNames = () => Object.keys(files).filter((n) => n.endsWith('.dmn')).sort();
  function fillSelect(select, names) {
    select.replaceChildren(...names.map((n) => new Option(n, n)));
  }
  async function openDmnFile(name) {
    if (!name) return;
    if (openDmnName && dmnEditors[openDmnName]) files[openDmnName] = await dmnEditors[openDmnName].getXml();
    const container = $('dmn-editor');
    container.replaceChildren();
    delete dmnEditors[name];
    const editor = await window.StoEditors.openDmn({ container, xml: files[name] });
    editor.onChange(markDirty);
    dmnEditors[name] = editor;
    openDmnName = name;
  }
  $('dmn-file').addEventListener('change', (e) => openDmnFile(e.target.value));

  // --- forms: the JSON Schema and UI schema side by side with the preview the task page would draw
  const formNames = () => Object.keys(files).filter((n) => n.endsWith('.schema.json')).sort();
  const uiNameOf = (name) => name.replace(/\.schema\.json$/, '.uischema.json');
  function saveOpenForm() {
    if (!openFormName || !schemaEditor) return;
    files[openFormName] = schemaEditor.getValue();
    const ui = uiEditor.getValue().trim();
    if (ui && ui !== '{}') files[uiNameOf(openFormName)] = ui;
    else if (uiNameOf(openFormName) in files) files[uiNameOf(openFormName)] = ui || '{}';
  }
  function openForm(name) {
    if (!name) return;
    saveOpenForm();
    openFormName = name;
    const onChange = () => {
      markDirty();
      schedulePreview();
    };
    $('form-schema').replaceChildren();
    $('form-uischema').replaceChildren();
    schemaEditor = window.StoEditors.openCode({
      container: $('form-schema'), value: files[name], language: 'json', onChange, label: 'JSON Schema',
    });
    uiEditor = window.StoEditors.openCode({
      container: $('form-uischema'), value: files[uiNameOf(name)] || '{}', language: 'json', onChange, label: 'UI-schema',
    });
    preview();
  }
  $('form-file').addEventListener('change', (e) => openForm(e.target.value));
  $('new-form').addEventListener('click', () => {
    const base = (window.prompt(texts.new_form_name) || '').trim();
    if (!base) return;
    if (!/^[a-z0-9_]{1,80}$/.test(base)) {
      window.alert(texts.bad_form_name);
      return;
    }
    const name = base + '.schema.json';
    if (!(name in files)) {
      files[name] = JSON.stringify({ type: 'object', required: [], properties: {} }, null, 2);
      markDirty();
    }
    fillSelect($('form-file'), formNames());
    $('form-file').value = name;
    options.forms = Object.keys(files).filter((n) => n.endsWith('.json')).sort();
    openForm(name);
  });

  let previewTimer = null;
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 350);
  }
  async function preview(values) {
    if (!schemaEditor) return;
    const body = { schema: schemaEditor.getValue(), uischema: uiEditor.getValue(), region: root.dataset.region };
    if (values) body.values = values;
    const { json } = await post(root.dataset.previewUrl, body);
    const problem = $('form-preview-problem');
    problem.hidden = !json.problem;
    problem.textContent = json.problem || '';
    if (json.html !== undefined && !json.problem) $('form-preview').innerHTML = json.html; // our own server's HTML
  }
  function formValues(form) {
    const values = {};
    for (const [name, value] of new FormData(form).entries()) {
      if (typeof value !== 'string') continue;
      if (name in values) values[name] = [].concat(values[name], value);
      else values[name] = value;
    }
    return values;
  }
  $('form-preview-check').addEventListener('click', () => {
    const form = $('form-preview').querySelector('form');
    preview(form ? formValues(form) : {});
  });

  // --- saving, checking, deploying
  async function save() {
    const { status: code, json } = await post(root.dataset.saveUrl, { files: await currentFiles(), revision });
    if (code === 200) {
      revision = json.revision;
      dirty = false;
      status.textContent = format(texts.saved, { time: new Date().toLocaleTimeString('nl-NL') });
      return true;
    }
    status.textContent = code === 409 ? json.message || texts.conflict : json.message || texts.error;
    return false;
  }
  $('save-draft').addEventListener('click', save);

  function showProblems(problems, heading) {
    const pane = $('problems');
    const list = $('problems-list');
    pane.hidden = false;
    const lint = bpmn ? bpmn.lintProblems().filter((p) => p.category === 'error') : [];
    const all = problems.concat(
      lint
        .filter((l) => !problems.some((p) => p.element === l.element && p.message.includes(l.rule)))
        .map((l) => ({ file: bpmnName, element: l.element, message: texts.lint + ': ' + l.message, severity: 'fout' })),
    );
    $('problems-summary').textContent = all.length ? heading || texts.problems : texts.no_problems;
    list.replaceChildren(
      ...all.map((p) => {
        const item = document.createElement('li');
        item.className = p.severity === 'fout' ? 'refused' : 'warning';
        item.dataset.element = p.element || '';
        const where = [p.file, p.element].filter(Boolean).join(' › ');
        item.textContent = (p.severity === 'fout' ? '' : texts.warning + ': ') + (where ? where + ': ' : '') + p.message;
        if (p.element && bpmn) {
          item.tabIndex = 0;
          item.addEventListener('click', () => {
            showTab('diagram');
            bpmn.select(p.element);
          });
        }
        return item;
      }),
    );
    if (bpmn) {
      bpmn.clearProblems();
      bpmn.showProblems(all.filter((p) => p.element && p.file === bpmnName));
    }
    pane.scrollIntoView({ block: 'nearest' });
  }

  $('check-draft').addEventListener('click', async () => {
    const { json } = await post(root.dataset.checkUrl, { files: await currentFiles() });
    showProblems(json.problems || [], null);
  });

  $('deploy-draft').addEventListener('click', async () => {
    if ((dirty || revision === 0) && !(await save())) return;
    const { status: code, json } = await post(root.dataset.deployUrl, { revision, note: $('deploy-note').value });
    if (code === 201) {
      dirty = false;
      window.location.assign(json.next);
    } else if (json.errors) {
      showProblems(json.errors, texts.refused);
    } else {
      status.textContent = json.message || texts.error;
    }
  });

  // --- trying the draft: replayed from the start with every answer given so far
  async function runTrial() {
    let start = {};
    try {
      start = JSON.parse($('trial-start').value || '{}');
    } catch (err) {
      $('trial-state').textContent = err.message;
      return;
    }
    const body = {
      files: await currentFiles(),
      start_data: start,
      answers: trial.answers,
      service_results: trial.serviceResults,
    };
    const { status: code, json } = await post(root.dataset.trialUrl, body);
    if (code !== 200) {
      $('trial-state').textContent = json.message || texts.error;
      if (json.fields) $('trial-state').textContent += ' ' + Object.values(json.fields).join(' ');
      trial.answers.pop(); // the last answer was refused: try it again
      return;
    }
    drawTrial(json);
  }
  function drawTrial(run) {
    if (bpmn) {
      bpmn.clearPath();
      bpmn.highlightPath(run.path);
    }
    $('trial-steps').replaceChildren(
      ...run.steps.map((s) => {
        const li = document.createElement('li');
        li.dataset.element = s.element;
        li.textContent = s.kind + ': ' + s.name + (s.detail ? ' — ' + s.detail : '');
        return li;
      }),
    );
    const state = $('trial-state');
    const form = $('trial-form');
    form.replaceChildren();
    if (run.error) {
      state.textContent = run.error;
      return;
    }
    if (run.finished) {
      state.textContent = texts.trial_finished;
      return;
    }
    state.replaceChildren();
    for (const waiting of run.waiting) {
      const p = document.createElement('p');
      if (waiting.kind === 'timer') {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'secondary';
        button.textContent = format(texts.trial_timer, { name: waiting.name });
        button.addEventListener('click', () => {
          trial.answers.push({ timer: waiting.id });
          runTrial();
        });
        p.append(button);
      } else {
        p.textContent = format(texts.trial_waiting, { task: waiting.name, role: waiting.lane || '' });
        const holder = document.createElement('div');
        holder.innerHTML = waiting.form_html || ''; // drawn by our own server from the draft's form
        const submit = document.createElement('button');
        submit.type = 'button';
        submit.textContent = texts.trial_submit;
        submit.addEventListener('click', () => {
          const filled = holder.querySelector('form');
          trial.answers.push({ task: waiting.task, values: filled ? formValues(filled) : {} });
          runTrial();
        });
        form.append(holder, submit);
      }
      state.append(p);
    }
  }
  $('trial-begin').addEventListener('click', () => {
    trial = { answers: [], serviceResults: {} };
    runTrial();
  });

  window.addEventListener('beforeunload', (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = texts.leave;
    }
  });

  fillSelect($('dmn-file'), dmnNames());
  fillSelect($('form-file'), formNames());
  openDiagram();
})();
