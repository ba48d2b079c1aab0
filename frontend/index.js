// The editors' bundle for the browser: window.StoEditors = { openBpmn, openDmn, openCode }.
// Built by `make assets` (esbuild) into service/web/static/build/sto-editors.{js,css}; see frontend/README.md.
import './editors.css';

import { openBpmn } from './bpmn/editor.js';
import { openCode } from './code.js';
import { openDmn } from './dmn/editor.js';

window.StoEditors = { openBpmn, openDmn, openCode };
