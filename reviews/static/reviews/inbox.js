// Reviewer inbox: a changed select re-runs the filter (through htmx when it is loaded);
// the bulk-approval checkboxes: "select all on this page" and the live count.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("form[data-autosubmit] select, form[data-autosubmit] input[type=date]")) return;
    var form = field.form;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  function rows(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name=selected]"));
  }

  function refresh(form) {
    var boxes = rows(form);
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    var all = form.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    var count = form.querySelector("[data-bulk-count]");
    if (count) count.textContent = ticked ? count.getAttribute("data-template").replace("{count}", ticked) : "";
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    var form = box.closest && box.closest("form[data-bulk-form]");
    if (!form) return;
    if (box.matches("[data-select-all]")) {
      rows(form).forEach(function (row) { row.checked = box.checked; });
    }
    refresh(form);
  });

  // The browser may restore ticks on "back": show them in the count.
  function init(root) {
    (root || document).querySelectorAll("form[data-bulk-form]").forEach(refresh);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function () { init(document); });
})();
