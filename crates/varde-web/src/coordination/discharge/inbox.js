// The coordination worklists update themselves (the discharge inbox, the overdose follow-up
// list): every 10 seconds the page asks for the stamp of its list (`data-stamp-url`, default
// the discharge notices'), and when the stamp moves it fetches the page (`data-page-url`) and
// replaces the list. No data is sent; the page works without this script.
(function () {
  "use strict";
  var region = document.getElementById("discharge-inbox") || document.getElementById("overdose-worklist");
  if (!region) { return; }
  var id = region.id;
  var stampUrl = region.getAttribute("data-stamp-url") || "/api/v1/coordination/discharge/stamp";
  var pageUrl = region.getAttribute("data-page-url") || "/coordination/discharge";
  var updated = region.getAttribute("data-updated") || "discharge-updated";
  var stamp = region.getAttribute("data-stamp");
  function refresh() {
    fetch(pageUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById(id);
        if (!fresh) { return; }
        region.innerHTML = fresh.innerHTML;
        stamp = fresh.getAttribute("data-stamp");
        region.setAttribute("data-stamp", stamp);
        var note = document.getElementById(updated);
        if (note) { note.hidden = false; }
      });
  }
  function poll() {
    fetch(stampUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && body.stamp !== stamp) { refresh(); }
      })
      .catch(function () {});
  }
  window.setInterval(poll, 10000);
})();
