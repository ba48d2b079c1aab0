/* Draws the process diagram on the instance page with the bpmn-js viewer and marks finished ("sto-done") and
   current ("sto-current") steps. Reads its data from the JSON block #sto-diagram-data; runs no inline code. */
(function () {
  "use strict";

  var box = document.querySelector("[data-diagram]");
  var source = document.getElementById("sto-diagram-data");
  var fallback = document.querySelector("[data-diagram-fallback]");
  if (!box || !source) {
    return;
  }

  function failed(error) {
    box.hidden = true;
    if (fallback) {
      fallback.hidden = false;
      fallback.textContent = fallback.getAttribute("data-failed");
    }
    if (window.console && error) {
      window.console.error("diagram:", error);
    }
  }

  if (typeof window.BpmnJS !== "function") {
    failed(new Error("the bpmn-js viewer did not load"));
    return;
  }

  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (error) {
    failed(error);
    return;
  }

  // Show the box before drawing: the viewer measures its container to fit the diagram.
  box.hidden = false;
  if (fallback) {
    fallback.hidden = true;
  }
  var viewer = new window.BpmnJS({ container: document.getElementById("diagram") });

  function mark(ids, marker) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    (ids || []).forEach(function (id) {
      if (registry.get(id)) {  // engine-internal steps (e.g. a generated start) have no shape
        canvas.addMarker(id, marker);
      }
    });
  }

  viewer
    .importXML(data.xml)
    .then(function () {
      viewer.get("canvas").zoom("fit-viewport", "auto");
      mark(data.done, "sto-done");
      mark(data.current, "sto-current");
    })
    .catch(failed);
})();
