// Accountant sign-in and registration forms. No inline scripts (CSP): behaviour hangs on data- attributes.
(function () {
  "use strict";

  // htmx does not swap 4xx/5xx answers by default. Forms marked data-swap-errors show the
  // server's re-rendered form for "too many requests" (429) and "service unavailable" (503),
  // so the message appears next to the field.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 429 || status === 503) && target && target.hasAttribute("data-swap-errors")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
