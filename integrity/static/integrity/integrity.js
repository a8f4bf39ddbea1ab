// 诚信录入 forms. No inline script (CSP): behaviour hangs on data- attributes set by integrity/forms.py.
(function () {
  "use strict";

  // The honour name select: show the "name of the honour" box only for items that ask for it.
  function syncOtherName(select) {
    var asks;
    try { asks = JSON.parse(select.getAttribute("data-asks-name") || "[]"); } catch (e) { asks = []; }
    var input = select.form && select.form.querySelector("[data-other-name]");
    if (!input) return;
    var wrapper = input.closest("[data-field]") || input;
    var needed = asks.indexOf(select.value) !== -1;
    wrapper.hidden = !needed && !input.classList.contains("is-invalid");
    input.required = needed;
  }

  // The "permanent" checkbox of a negative record: a permanent period has no end date.
  function syncPermanent(box) {
    var end = box.form && box.form.querySelector("[name='period_end']");
    if (!end) return;
    end.disabled = box.checked;
    if (box.checked) end.value = "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-asks-name]").forEach(function (select) {
      syncOtherName(select);
      select.addEventListener("change", function () { syncOtherName(select); });
    });
    document.querySelectorAll("input[data-permanent]").forEach(function (box) {
      syncPermanent(box);
      box.addEventListener("change", function () { syncPermanent(box); });
    });
  });
})();
