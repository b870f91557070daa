// The "Bets" section: a closing countdown in its last hour, and no poll while I am filling in my bet.
(function () {
  "use strict";

  function phrase(seconds) {
    if (seconds <= 0) return "now";
    if (seconds < 3600) {
      var m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
      return "in " + (m ? m + " min " : "") + s + " s";
    }
    return null; // further away: the server's "in 2 days" stays
  }

  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (element) {
      var at = Date.parse(element.getAttribute("datetime"));
      var text = isNaN(at) ? null : phrase((at - Date.now()) / 1000);
      if (text) element.textContent = text;
    });
  }
  setInterval(tick, 1000);

  // The race poll refreshes #bets too; skip it while my bet form has focus or unsent changes, so
  // what I am typing is not replaced under my fingers. Sending the form swaps the section anyway.
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-bet-form]");
    if (form) form.dataset.edited = "1";
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (!element || element.id !== "bets") return;
    var form = element.querySelector("form[data-bet-form]");
    var typing = document.activeElement && form && form.contains(document.activeElement) &&
      document.activeElement.matches("input, select, textarea");
    if (form && (form.dataset.edited || typing)) event.preventDefault();
  });
})();
