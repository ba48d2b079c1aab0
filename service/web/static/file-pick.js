/* The file field in Dutch: a 'Bestand kiezen' button and the chosen file's name instead of the browser's own
   (often English) text. Without script the browser's field stays as it is. */
document.querySelectorAll('.file-pick').forEach(function (box) {
  var input = box.querySelector('input[type=file]'), button = box.querySelector('.file-button'),
      chosen = box.querySelector('.file-chosen');
  if (!input || !button || !chosen) { return; }
  box.classList.add('enhanced');
  function show() { chosen.textContent = input.files && input.files.length ? input.files[0].name : box.dataset.none; }
  button.addEventListener('click', function () { input.click(); });
  input.addEventListener('change', show);
  show();
});
