// Intake page: when a data location is picked, suggest its operating entity as the
// holding's controller (counsel may pick another: control is not always operation).
(function () {
  "use strict";
  function operators() {
    var node = document.getElementById("location-operators");
    return node ? JSON.parse(node.textContent) : {};
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-role=location]")) return;
    var row = select.closest(".holding");
    if (!row) return;
    var controller = row.querySelector("select[data-role=controller]");
    var hint = row.querySelector(".suggestion");
    var op = operators()[select.value];
    if (!controller) return;
    if (!op) { if (hint) hint.textContent = ""; return; }
    // Only fill an empty controller, or one this script filled before.
    if (!controller.value || controller.dataset.suggested === controller.value) {
      controller.value = op.entity;
      controller.dataset.suggested = op.entity;
    }
    if (hint) hint.textContent = "Operated by " + op.name;
  });
})();
