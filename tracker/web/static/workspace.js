// fact-tracker workspace: a little progressive enhancement. Everything works without it
// (every form posts and reloads); with it, link and claim states refresh while checks run.
(function () {
  "use strict";
  var POLL_MS = 5000;

  function ids(selector, attribute) {
    var found = {};
    document.querySelectorAll(selector).forEach(function (el) {
      found[el.getAttribute(attribute)] = true;
    });
    return Object.keys(found).filter(function (id) { return /^\d+$/.test(id); });
  }

  function refresh(root) {
    var links = ids("[data-link-state]", "data-link-state");
    var claims = ids("[data-claim-status]", "data-claim-status");
    if (!links.length && !claims.length) { return; }
    var url = root.getAttribute("data-poll") + "?links=" + links.join(",") + "&claims=" + claims.join(",");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        Object.keys(data.links || {}).forEach(function (id) {
          var state = data.links[id].state;
          document.querySelectorAll('[data-link-state="' + id + '"]').forEach(function (el) {
            if (el.classList.contains("overridden")) { return; }
            el.textContent = state.replace("_", " ");
            el.className = "badge state-" + state.replace("_", "-");
          });
          document.querySelectorAll('[data-link-checked="' + id + '"]').forEach(function (el) {
            var checked = data.links[id].checked;
            el.textContent = checked ? checked.replace("T", " ").slice(0, 16) : "not checked";
          });
        });
        Object.keys(data.claims || {}).forEach(function (id) {
          var status = data.claims[id].status;
          document.querySelectorAll('[data-claim-status="' + id + '"] .badge').forEach(function (el) {
            el.textContent = status.replace(/_/g, " ");
          });
        });
      })
      .catch(function () { /* the next round tries again */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-poll]");
    if (!root) { return; }
    window.setInterval(function () {
      if (!document.hidden) { refresh(root); }
    }, POLL_MS);
  });
})();
