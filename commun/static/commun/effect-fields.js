/*
 * On the form that adds an item to an assembly's agenda, show only the fields of the
 * effect chosen (year close, rules change, admission, exclusion). Without this file every
 * field stays visible and the server reads those of the effect chosen, as before.
 *
 * The effect's <select> carries data-effect-choice; each effect's field carries
 * data-effect="<effect>". A field the server refused stays visible, so its error is seen.
 */
"use strict";

(function () {
  function showTheChosenEffect(form) {
    var choice = form.querySelector("[data-effect-choice]");
    if (!choice) return;
    var fields = form.querySelectorAll("[data-effect]");

    function update() {
      fields.forEach(function (field) {
        var row = field.closest(".form-row") || field;
        var refused = field.getAttribute("aria-invalid") === "true";
        row.hidden = field.getAttribute("data-effect") !== choice.value && !refused;
      });
    }

    choice.addEventListener("change", update);
    update();
  }

  function enhance() {
    document.querySelectorAll("form").forEach(showTheChosenEffect);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
