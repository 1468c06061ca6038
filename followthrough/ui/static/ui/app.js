/* The pages' few behaviours, here rather than inline so the Content-Security-Policy needs
   no 'unsafe-inline' or 'unsafe-eval'. Loaded with defer, after htmx. */
(function () {
  "use strict";

  // A button that adds a numbered row sends the next number: data-row-index-from names the
  // rows already on the page (what hx-vals="js:…" did, without eval).
  document.body.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    var rows = source && source.getAttribute && source.getAttribute("data-row-index-from");
    if (rows) {
      event.detail.parameters.index = document.querySelectorAll(rows).length + 1;
    }
  });

  // A fresh-start button fills its date field with its day (the field stays editable).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fill-date]");
    var field = button && document.getElementById(button.getAttribute("data-fill-target"));
    if (field) {
      field.value = button.getAttribute("data-fill-date");
      field.dispatchEvent(new Event("change", {bubbles: true}));
      field.focus();
    }
  });

  // A value to copy (a new API token) is selected whole when focused.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
      event.target.select();
    }
  });

  // A Copy button puts the value of the field it names (data-copy-from) on the clipboard;
  // where the clipboard is refused, the field is selected for the person to copy it.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-from]");
    if (!button) {
      return;
    }
    var field = document.querySelector(button.getAttribute("data-copy-from"));
    if (!field) {
      return;
    }
    field.focus();
    field.select();
    var done = function () {
      button.textContent = button.getAttribute("data-copied-text") || "Copied";
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });
})();
