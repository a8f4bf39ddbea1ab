// The review-unit picker (regions/forms.py). No inline script (CSP): behaviour by data- attributes.
(function () {
  "use strict";
  if (window.hbkjUnitPicker) return;
  window.hbkjUnitPicker = true;

  // htmx would send the 市州 select under its form name; the options endpoint wants ?city=<code>.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-unit-picker-city")) return;
    var params = event.detail.parameters;
    if (elt.name) delete params[elt.name];
    params.city = elt.value;
  });

  // The options of the second select arrive by htmx after a 市州 is chosen. A unit already picked
  // (quick hands, or a unit of the grouped list) stays picked if the new list still has it.
  var kept = {};
  function isUnitSelect(elt) {
    return elt && elt.matches && elt.matches("select[data-unit-picker-unit]");
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (isUnitSelect(target)) kept[target.id] = target.value;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!isUnitSelect(target)) return;
    var value = kept[target.id];
    delete kept[target.id];
    if (!value) return;
    for (var i = 0; i < target.options.length; i += 1) {
      if (target.options[i].value === value) {
        target.value = value;
        return;
      }
    }
  });

  // Picking a unit from the grouped list (no 市州 chosen yet) fills in its 市州.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-unit-picker-unit]")) return;
    var option = select.selectedOptions[0];
    var group = option && option.parentElement;
    if (!group || group.tagName !== "OPTGROUP") return;
    var city = document.getElementById(select.getAttribute("data-unit-picker-unit"));
    if (city && !city.value) city.value = group.getAttribute("data-city");
  });
})();
