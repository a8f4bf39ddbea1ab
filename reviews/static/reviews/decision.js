// The reviewer's decision forms: a return without a reason is refused here, next to the field,
// before the confirm dialog (core/app.js) asks anything. The server checks the same and keeps its
// own message. Listens on window in the capture phase: that runs before app.js's document listener.
(function () {
  "use strict";

  function reasonGiven(form) {
    var standard = form.querySelector("select[name=standard_reason]");
    var detail = form.querySelector("textarea[name=detail]");
    return Boolean((standard && standard.value) || (detail && detail.value.trim()));
  }

  function showError(form, message) {
    var detail = form.querySelector("textarea[name=detail]");
    var box = form.querySelector("#reason-error");
    form.querySelectorAll("[data-server-error]").forEach(function (el) { el.hidden = true; });
    if (box) {
      box.textContent = message;
      box.hidden = false;
      box.classList.add("d-block");
    }
    if (detail) {
      detail.classList.add("is-invalid");
      detail.setAttribute("aria-invalid", "true");
      if (box) detail.setAttribute("aria-describedby", "reason-error");
      detail.focus();
    }
  }

  function clearError(form) {
    var box = form.querySelector("#reason-error");
    var detail = form.querySelector("textarea[name=detail]");
    if (box) { box.hidden = true; box.classList.remove("d-block"); box.textContent = ""; }
    if (detail) { detail.classList.remove("is-invalid"); detail.removeAttribute("aria-invalid"); }
  }

  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-return-form]")) return;
    if (reasonGiven(form)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    showError(form, form.getAttribute("data-reason-required"));
  }, true);

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-return-form]");
    if (form && reasonGiven(form)) clearError(form);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-return-form]");
    if (form && reasonGiven(form)) clearError(form);
  });
})();
