/* A "Kopiëren" button beside a read-only text field (the calendar address on 'Mijn agenda'): copies the field's
   value with the clipboard API and says so in words. Without JavaScript or a clipboard the button stays hidden
   and the field is still there to select and copy by hand. */
(function () {
  "use strict";

  if (!navigator.clipboard || typeof navigator.clipboard.writeText !== "function") {
    return;
  }
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!field) {
      return;
    }
    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }
    button.hidden = false;
    field.addEventListener("focus", function () { field.select(); });
    button.addEventListener("click", function () {
      say("");
      navigator.clipboard.writeText(field.value).then(
        function () { say(button.getAttribute("data-copied")); },
        function () {
          field.focus();
          field.select();
          say(button.getAttribute("data-copy-failed"));
        }
      );
    });
  });
})();
