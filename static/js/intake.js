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

// Intake page: fit the demand's fields to the instrument picked. Only the issuing
// jurisdictions the instrument allows are offered (its own, or for an EU order the
// members of its blocs); "Preservation extended" is for preservations and "Proceeding
// pending since" for Indian process. The server checks all of this again.
(function () {
  "use strict";
  function fit() {
    var instrument = document.querySelector("select[data-role=instrument]");
    if (!instrument) return;
    var option = instrument.options[instrument.selectedIndex];
    var picked = option && option.value ? option : null;
    var issuers = picked && picked.dataset.issuers !== undefined ? picked.dataset.issuers.split(" ").filter(Boolean) : null;
    var issuer = document.querySelector("select[data-role=issuer]");
    if (issuer) {
      Array.prototype.forEach.call(issuer.options, function (o) {
        var allowed = !o.value || issuers === null || issuers.indexOf(o.value) !== -1;
        o.hidden = !allowed;
        o.disabled = !allowed;
      });
      if (issuers && issuers.length === 1 && !issuer.value) issuer.value = issuers[0];
      var chosen = issuer.options[issuer.selectedIndex];
      if (chosen && chosen.disabled) issuer.value = "";
    }
    var kind = picked ? picked.dataset.kind : null;
    var extended = document.querySelector("[data-field=extended]");
    if (extended) {
      extended.hidden = kind !== "preservation";
      var box = extended.querySelector("input[type=checkbox]");
      if (box && extended.hidden) box.checked = false;
    }
    var pending = document.querySelector("[data-field=pending_since]");
    if (pending) {
      var shown = !!(picked && picked.dataset.pending);
      // Keep a value typed in (the server says why it does not fit) visible.
      var input = pending.querySelector("input");
      pending.hidden = !shown && !(input && input.value);
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-role=instrument]")) fit();
  });
  document.addEventListener("DOMContentLoaded", fit);
})();
