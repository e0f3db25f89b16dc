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
      // A jurisdiction that cannot issue the instrument is taken out, and the page says
      // so beside the field (a status region, read out by screen readers).
      var note = document.getElementById("issuer-note");
      if (!note) {
        note = document.createElement("p");
        note.id = "issuer-note";
        note.className = "field-note";
        note.setAttribute("role", "status");
        issuer.insertAdjacentElement("afterend", note);
      }
      var message = "";
      var chosen = issuer.options[issuer.selectedIndex];
      if (chosen && chosen.value && chosen.disabled) {
        message = chosen.text + " cannot issue " + picked.value +
          (issuers.length ? " (issued by " + issuers.join(", ") + ")" : "") + ": pick the issuing jurisdiction again.";
        issuer.value = "";
      }
      if (issuers && issuers.length === 1 && !issuer.value) {
        issuer.value = issuers[0];
        if (message) message = chosen.text + " cannot issue " + picked.value + ": set to " + issuers[0] + ", its only issuer.";
      }
      note.textContent = message;
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

// Intake page: offer the courts and authorities of the issuing jurisdiction picked (the
// others are hidden; none picked, all are offered), read the times in the court's zone
// while no zone is picked, and name the document as the instrument does ("Warrant",
// "European Production Order Certificate (EPOC)"...). The server checks the court too.
(function () {
  "use strict";
  function fitCourts() {
    var issuer = document.querySelector("select[data-role=issuer]");
    var court = document.querySelector("select[data-role=court]");
    if (!issuer || !court) return;
    var code = issuer.value;
    Array.prototype.forEach.call(court.querySelectorAll("optgroup"), function (group) {
      var shown = false;
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (o) {
        var allowed = !code || o.dataset.jurisdiction === code;
        o.hidden = !allowed;
        o.disabled = !allowed;
        shown = shown || allowed;
      });
      group.hidden = !shown;
    });
    var chosen = court.options[court.selectedIndex];
    if (chosen && chosen.disabled) court.value = "";
  }
  function followCourt() {
    var court = document.querySelector("select[data-role=court]");
    var zone = document.querySelector("select[data-role=zone]");
    if (!court || !zone) return;
    var chosen = court.options[court.selectedIndex];
    var courtZone = chosen && chosen.value ? chosen.dataset.zone : "";
    // Only a zone left blank, or one this script set, follows the court.
    if (zone.value !== "" && zone.dataset.followed !== zone.value) return;
    var target = courtZone && zone.querySelector('option[value="' + courtZone + '"]') ? courtZone : "";
    zone.value = target;
    if (target) zone.dataset.followed = target; else delete zone.dataset.followed;
  }
  function nameDocument() {
    var instrument = document.querySelector("select[data-role=instrument]");
    var input = document.querySelector("input[data-role=document]");
    if (!instrument || !input || !input.id || !input.dataset.label) return;
    var label = document.querySelector('label[for="' + input.id + '"]:not(.kept-replace)');
    if (!label) return;
    var option = instrument.options[instrument.selectedIndex];
    var name = option && option.dataset.document ? option.dataset.document : "Demand document";
    var suffix = /:\s*$/.test(label.textContent) ? ":" : "";
    label.textContent = input.dataset.label.replace("{name}", name) + suffix;
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches) return;
    if (target.matches("select[data-role=instrument]")) { fitCourts(); followCourt(); nameDocument(); }
    if (target.matches("select[data-role=issuer]")) { fitCourts(); followCourt(); }
    if (target.matches("select[data-role=court]")) followCourt();
    if (target.matches("select[data-role=zone]")) delete target.dataset.followed;
  });
  document.addEventListener("DOMContentLoaded", function () { fitCourts(); nameDocument(); });
})();
