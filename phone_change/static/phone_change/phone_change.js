// The 手机号更换 application page. No inline scripts (CSP): behaviour hangs on data- attributes.
(function () {
  "use strict";

  // <form data-submit-once>: the final button is disabled while the page is being sent, so a
  // double click sends one request. The "get code" button (htmx) is not affected.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-submit-once") || event.defaultPrevented) return;
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("formaction")) return;
    form.querySelectorAll("[data-testid='submit']").forEach(function (button) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
    });
  });

  // Coming back with the browser's back button shows the page from its cache: enable the button again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submit-once] [data-testid='submit']").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
})();
