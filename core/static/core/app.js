// Behaviour shared by all pages. No inline scripts anywhere (CSP): pages opt in with data- attributes.
(function () {
  "use strict";

  // <form data-confirm="..."> asks before an irreversible action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Clicking a captcha image asks for a new one.
  document.addEventListener("click", function (event) {
    var img = event.target.closest && event.target.closest("img.captcha");
    if (!img) return;
    var refresh = img.getAttribute("data-refresh-url");
    if (!refresh) return;
    fetch(refresh, { headers: { "X-Requested-With": "XMLHttpRequest" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        img.src = data.image_url;
        var hidden = img.closest("form").querySelector("input[name$='captcha_0']");
        if (hidden) hidden.value = data.key;
      });
  });

  // Once an SMS code was sent the image captcha is hidden (only the SMS code is needed to go on).
  // "Get SMS code" for a new code first shows the captcha again and asks for it; the request goes
  // on the next press. Runs in the capture phase, before htmx sees the click.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-testid='send-code']");
    if (!button) return;
    var scope = button.closest("form, fieldset");
    var row = scope && scope.querySelector("[data-captcha-row][hidden]");
    if (!row) return;
    event.preventDefault();
    event.stopPropagation();
    row.hidden = false;
    var note = scope.querySelector("[data-captcha-note]");
    if (note) note.hidden = true;
    var input = row.querySelector("input[type='text']");
    if (input) input.focus();
  }, true);

  // Buttons with data-countdown="60" stay disabled for that many seconds after an htmx swap.
  function startCountdowns(root) {
    (root || document).querySelectorAll("[data-countdown]").forEach(function (btn) {
      var left = parseInt(btn.getAttribute("data-countdown"), 10);
      if (!left || btn.dataset.counting) return;
      btn.dataset.counting = "1";
      var label = btn.textContent;
      btn.disabled = true;
      var timer = setInterval(function () {
        left -= 1;
        btn.textContent = label + " (" + left + ")";
        if (left <= 0) {
          clearInterval(timer);
          btn.disabled = false;
          btn.textContent = label;
          delete btn.dataset.counting;
        }
      }, 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { startCountdowns(document); });
  document.addEventListener("htmx:afterSwap", function (event) { startCountdowns(event.target); });
})();
