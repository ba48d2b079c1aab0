/* Draws the process diagram on the instance page with the bpmn-js navigated viewer and marks finished
   ("sto-done") and current ("sto-current") steps. Reads its data from the JSON block #sto-diagram-data; runs no
   inline code. Opens at a zoom where labels are readable: the whole diagram when it fits that way, otherwise the
   current step(s) in the middle. Zoom: the buttons, or Ctrl + wheel (a plain wheel scrolls the page, so the
   diagram never traps someone scrolling past it). Pan: drag with the mouse or a finger. */
(function () {
  "use strict";

  // bpmn-js draws labels at 11-12 px at scale 1: never open smaller than that, nor zoomed in much further.
  var READABLE = 1;
  var MAX_START = 1.25;
  var STEP = 1.25;
  var MIN_SCALE = 0.2;
  var MAX_SCALE = 4;

  var box = document.querySelector("[data-diagram]");
  var source = document.getElementById("sto-diagram-data");
  var fallback = document.querySelector("[data-diagram-fallback]");
  var container = document.getElementById("diagram");
  if (!box || !source || !container) {
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
  var viewer = new window.BpmnJS({ container: container });
  var canvas = viewer.get("canvas");
  var registry = viewer.get("elementRegistry");

  function shapes(ids) {
    // engine-internal steps (e.g. a generated start) have no shape
    return (ids || []).map(function (id) { return registry.get(id); }).filter(Boolean);
  }

  function mark(ids, marker) {
    shapes(ids).forEach(function (shape) { canvas.addMarker(shape.id, marker); });
  }

  function clamp(scale) {
    return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
  }

  // Where a view of `size` starting near `wanted` may start without showing more than a margin of empty
  // space beyond the drawing (from `low` to `high`); a drawing smaller than the view sits in its middle.
  function within(wanted, size, low, high) {
    var margin = 20;
    if (high - low + 2 * margin <= size) {
      return (low + high) / 2 - size / 2;
    }
    return Math.min(Math.max(wanted, low - margin), high + margin - size);
  }

  // Put the middle of `area` (diagram coordinates) in the middle of the view, at `scale`, but keep the
  // drawing filling the view (a step near an edge is shown off-centre rather than beside blank space).
  function centre(area, scale) {
    var box = canvas.viewbox();
    var inner = box.inner;
    var width = box.outer.width / scale;
    var height = box.outer.height / scale;
    canvas.viewbox({
      x: within(area.x + area.width / 2 - width / 2, width, inner.x, inner.x + inner.width),
      y: within(area.y + area.height / 2 - height / 2, height, inner.y, inner.y + inner.height),
      width: width,
      height: height
    });
  }

  function bounds(elements) {
    var left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    elements.forEach(function (el) {
      left = Math.min(left, el.x);
      top = Math.min(top, el.y);
      right = Math.max(right, el.x + el.width);
      bottom = Math.max(bottom, el.y + el.height);
    });
    return { x: left, y: top, width: right - left, height: bottom - top };
  }

  function showCurrent() {
    var current = shapes(data.current);
    if (current.length) {
      centre(bounds(current), READABLE);
      return;
    }
    // Nothing waits on a person: begin where the diagram begins (its top left corner), readable.
    var inner = canvas.viewbox().inner;
    centre({ x: inner.x, y: inner.y, width: 0, height: 0 }, READABLE);
  }

  function showReadable() {
    canvas.zoom("fit-viewport", "auto");
    var fit = canvas.zoom();
    if (fit >= READABLE) {
      centre(canvas.viewbox().inner, Math.min(fit, MAX_START));
    } else {
      showCurrent();
    }
  }

  var actions = {
    in: function () { canvas.zoom(clamp(canvas.zoom() * STEP)); },
    out: function () { canvas.zoom(clamp(canvas.zoom() / STEP)); },
    fit: function () { canvas.zoom("fit-viewport", "auto"); },
    current: showCurrent
  };
  box.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      var action = actions[button.getAttribute("data-zoom")];
      if (action) {
        action();
      }
    });
  });

  // A plain wheel scrolls the page, not the diagram; Ctrl + wheel (and a touchpad pinch) zooms.
  container.addEventListener("wheel", function (event) {
    if (!event.ctrlKey && !event.metaKey) {
      event.stopPropagation();
    }
  }, true);

  // The viewer pans by dragging only once its canvas has focus: give it focus before the first drag.
  container.addEventListener("mousedown", function () { canvas.focus(); }, true);

  // Touch: one finger pans (diagram-js itself only listens to the mouse).
  var touch = null;
  container.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "touch" && event.isPrimary) {
      touch = { id: event.pointerId, x: event.clientX, y: event.clientY };
    }
  });
  container.addEventListener("pointermove", function (event) {
    if (touch && event.pointerId === touch.id) {
      canvas.scroll({ dx: event.clientX - touch.x, dy: event.clientY - touch.y });
      touch.x = event.clientX;
      touch.y = event.clientY;
    }
  });
  ["pointerup", "pointercancel"].forEach(function (type) {
    container.addEventListener(type, function () { touch = null; });
  });

  viewer
    .importXML(data.xml)
    .then(function () {
      mark(data.done, "sto-done");
      mark(data.current, "sto-current");
      showReadable();
    })
    .catch(failed);
})();
