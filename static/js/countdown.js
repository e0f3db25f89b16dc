// Case file: a live countdown to an emergency's response deadline. The server renders
// the due time and the time left when the page was made; this only keeps the time
// left current, each second (without JavaScript the page still says both).
(function () {
  "use strict";
  function format(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(s / 86400), hours = Math.floor((s % 86400) / 3600);
    var minutes = Math.floor((s % 3600) / 60), seconds = s % 60;
    var parts = [];
    if (days) parts.push(days + " d");
    if (days || hours) parts.push(hours + " h");
    parts.push(minutes + " min");
    if (!days) parts.push(seconds + " s");
    return parts.join(" ");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown-to]").forEach(function (node) {
      var due = Date.parse(node.getAttribute("data-countdown-to"));
      if (isNaN(due)) return;
      var left = due - now;
      node.textContent = left > 0 ? format(left) + " left" : "overdue by " + format(left);
      node.classList.toggle("overdue", left <= 0);
      node.dataset.live = "true";
    });
  }
  function start() {
    tick();
    window.setInterval(tick, 1000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
