// The discharge inbox updates itself: every 10 seconds it asks for the stamp of the notices
// addressed to the municipality, and when the stamp moves it fetches the page and replaces the
// list. No data is sent; the page works without this script.
(function () {
  "use strict";
  var region = document.getElementById("discharge-inbox");
  if (!region) { return; }
  var stamp = region.getAttribute("data-stamp");
  function refresh() {
    fetch("/coordination/discharge", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("discharge-inbox");
        if (!fresh) { return; }
        region.innerHTML = fresh.innerHTML;
        stamp = fresh.getAttribute("data-stamp");
        region.setAttribute("data-stamp", stamp);
        var note = document.getElementById("discharge-updated");
        if (note) { note.hidden = false; }
      });
  }
  function poll() {
    fetch("/api/v1/coordination/discharge/stamp", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && body.stamp !== stamp) { refresh(); }
      })
      .catch(function () {});
  }
  window.setInterval(poll, 10000);
})();
