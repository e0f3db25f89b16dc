// Every page: a table (or preformatted text) too wide for the screen, as on a phone,
// scrolls inside its own box (lexloci.css). Such a box is made reachable by the keyboard
// (tabindex=0, so the arrow keys scroll it) and named after its caption or the heading
// above it, for screen readers; a box that no longer scrolls (a wider window) is given
// back as it was.
// Without JavaScript the tables still scroll by touch, trackpad or mouse.
(function () {
  "use strict";
  var SELECTOR = "table.grid, .table-scroll, pre";

  function heading(el) {
    var caption = el.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    for (var node = el; node && node !== document.body; node = node.parentElement) {
      for (var sib = node.previousElementSibling; sib; sib = sib.previousElementSibling) {
        if (/^H[1-6]$/.test(sib.tagName)) return sib.textContent.trim();
        if (sib.tagName === "LEGEND") return sib.textContent.trim();
      }
      if (node.parentElement && node.parentElement.tagName === "FIELDSET") {
        var legend = node.parentElement.querySelector("legend");
        if (legend) return legend.textContent.trim();
      }
    }
    return "Table";
  }

  function scrolls(el) {
    var overflow = window.getComputedStyle(el).overflowX;
    return (overflow === "auto" || overflow === "scroll") && el.scrollWidth > el.clientWidth + 1;
  }

  function mark() {
    document.querySelectorAll(SELECTOR).forEach(function (el) {
      if (el.parentElement && el.parentElement.closest(".table-scroll")) return; // its box scrolls
      if (scrolls(el)) {
        if (!el.hasAttribute("tabindex")) {
          el.setAttribute("tabindex", "0");
          el.dataset.scrollRegion = "tabindex";
        }
        if (el.tagName !== "TABLE" && !el.hasAttribute("role")) {
          el.setAttribute("role", "region");
          el.dataset.scrollRole = "region";
        }
        if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) {
          el.setAttribute("aria-label", heading(el) + " (scrolls sideways)");
          el.dataset.scrollLabel = "aria-label";
        }
      } else {
        if (el.dataset.scrollRegion) el.removeAttribute("tabindex");
        if (el.dataset.scrollRole) el.removeAttribute("role");
        if (el.dataset.scrollLabel) el.removeAttribute("aria-label");
        delete el.dataset.scrollRegion;
        delete el.dataset.scrollRole;
        delete el.dataset.scrollLabel;
      }
    });
  }

  var pending = null;
  function later() {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(mark, 100);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", mark);
})();
