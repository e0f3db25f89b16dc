// What-if page: "Add account" and "Add holding" add a blank row here, without a round
// trip (without this script they are submit buttons the server answers with the row).
// Picking a data location suggests its operator as the controller (control is not
// always operation: counsel may pick another).
(function () {
  "use strict";
  var MAX_ACCOUNTS = 50, MAX_HOLDINGS = 30; // jurisdictions/reach/limits.py; past them the server says so

  function total(prefix) {
    return document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  }
  function fromTemplate(id, replacements) {
    var html = document.getElementById(id).innerHTML;
    Object.keys(replacements).forEach(function (key) {
      html = html.split(key).join(String(replacements[key]));
    });
    return html;
  }
  function addAccount() {
    var count = total("accounts");
    var n = parseInt(count.value, 10);
    if (!(n >= 0) || n >= MAX_ACCOUNTS) return false;
    document.getElementById("accounts").insertAdjacentHTML(
      "beforeend", fromTemplate("account-template", { "__prefix__": n, "__number__": n + 1 }));
    count.value = n + 1;
    var first = document.getElementById("id_accounts-" + n + "-identifier");
    if (first) first.focus();
    return true;
  }
  function addHolding(account) {
    var count = total("accounts-" + account + "-holdings");
    var body = document.getElementById("holdings-" + account);
    if (!count || !body) return false;
    var n = parseInt(count.value, 10);
    if (!(n >= 0) || n >= MAX_HOLDINGS) return false;
    body.insertAdjacentHTML(
      "beforeend", fromTemplate("holding-template", { "__account__": account, "__prefix__": n }));
    count.value = n + 1;
    var first = document.getElementById("id_accounts-" + account + "-holdings-" + n + "-category");
    if (first) first.focus();
    return true;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("#what-if-form button[name]") : null;
    if (!button) return;
    var added = false;
    if (button.name === "add_account") added = addAccount();
    else if (button.name === "add_holding") added = addHolding(button.value);
    if (added) event.preventDefault(); // else the server adds it, or says why not
  });

  function operators() {
    var node = document.getElementById("what-if-operators");
    return node ? JSON.parse(node.textContent) : {};
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("#what-if-form select[data-role=location]")) return;
    var row = select.closest(".holding");
    var controller = row && row.querySelector("select[data-role=controller]");
    if (!controller) return;
    var hint = row.querySelector(".suggestion");
    var name = operators()[select.value];
    if (!name) { if (hint) hint.textContent = ""; return; }
    // Only fill an empty controller, or one this script filled before.
    if (!controller.value || controller.dataset.suggested === controller.value) {
      controller.value = name;
      controller.dataset.suggested = name;
    }
    if (hint) hint.textContent = "Operated by " + name;
  });
})();
