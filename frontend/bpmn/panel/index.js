// The STO panel module: our provider, and a debounce the editor can flush before it exports the XML.
import StoPropertiesProvider from './provider.js';

const DELAY_MS = 300;

/**
 * Replaces the panel's debounceInput service. Same contract (debounce(fn) -> debounced fn with flush/cancel),
 * plus debounceInput.flushAll(): getXml() calls it, so what someone typed a moment ago is in the export.
 */
function flushableDebounce() {
  const pending = new Set();
  function debounceInput(fn) {
    let timer = null;
    let args = null;
    const debounced = (...next) => {
      args = next;
      clearTimeout(timer);
      pending.add(debounced);
      timer = setTimeout(debounced.flush, DELAY_MS);
    };
    debounced.flush = () => {
      clearTimeout(timer);
      timer = null;
      if (pending.delete(debounced)) {
        fn(...args);
      }
    };
    debounced.cancel = () => {
      clearTimeout(timer);
      pending.delete(debounced);
    };
    return debounced;
  }
  debounceInput.flushAll = () => [...pending].forEach((debounced) => debounced.flush());
  return debounceInput;
}

export default {
  __init__: ['stoPropertiesProvider'],
  stoPropertiesProvider: ['type', StoPropertiesProvider],
  debounceInput: ['factory', flushableDebounce],
};
