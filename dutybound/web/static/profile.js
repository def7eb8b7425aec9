// Show only the roles of the jurisdictions ticked on the profile form. Without this script every
// jurisdiction's roles stay visible, and the form works just the same.
(function () {
  "use strict";
  var form = document.getElementById("profile-form");
  if (!form) { return; }
  function update() {
    var chosen = {};
    form.querySelectorAll("input[data-jurisdiction]").forEach(function (box) {
      chosen[box.value] = box.checked;
    });
    var any = Object.keys(chosen).some(function (k) { return chosen[k]; });
    form.querySelectorAll("[data-roles-of]").forEach(function (group) {
      var code = group.getAttribute("data-roles-of");
      var shown = !any || chosen[code];
      // a ticked role stays visible, so nothing posted is hidden from the person
      var ticked = group.querySelector("input:checked") !== null;
      group.hidden = !(shown || ticked);
    });
  }
  form.addEventListener("change", update);
  update();
})();
