// The browser's time zone as the person's default, once: loaded only while their
// profile has no zone (base.html), it sends `Intl.DateTimeFormat().resolvedOptions().timeZone`
// to the profile's endpoint, which stores it only if none is set yet (a zone picked on
// the profile page is never replaced). The page already shown stays as it is (in UTC);
// the next one is in the new zone. Without JavaScript times stay in UTC until a zone
// is picked on the profile page.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !window.Intl || !Intl.DateTimeFormat) return;
  var url = script.getAttribute("data-url"), token = script.getAttribute("data-csrf");
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!url || !token || !zone) return;
  var body = new URLSearchParams();
  body.set("time_zone", zone);
  fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded" },
    body: body.toString()
  }).catch(function () { /* times stay in UTC; the profile page sets the zone */ });
})();
