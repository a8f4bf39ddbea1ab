// Reviewer inbox: a changed select re-runs the filter (through htmx when it is loaded).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("form[data-autosubmit] select, form[data-autosubmit] input[type=date]")) return;
    var form = field.form;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
})();
