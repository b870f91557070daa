// The race track refreshes itself: every `data-race-poll` seconds (30 by default) while the tab is
// visible, it fires `race-refresh` on <body>, which the track listens to (hx-trigger="race-refresh from:body").
// A hidden tab does not poll; coming back to it refreshes at once if a poll was missed.
// (htmx's "every 30s [condition]" would need eval, which our CSP and htmx config forbid.)
(function () {
  "use strict";
  var lastRefresh = Date.now();

  function track() { return document.querySelector("[data-race-poll]"); }

  function intervalMs(element) {
    var seconds = parseFloat(element.getAttribute("data-race-poll"));
    return (seconds > 0 ? seconds : 30) * 1000;
  }

  function refreshIfDue() {
    var element = track();
    if (!element || !window.htmx || document.visibilityState !== "visible") return;
    if (Date.now() - lastRefresh >= intervalMs(element)) {
      lastRefresh = Date.now();
      window.htmx.trigger(document.body, "race-refresh");
    }
  }

  setInterval(refreshIfDue, 1000);
  document.addEventListener("visibilitychange", refreshIfDue);
  // A refresh for any other reason (my own progress saved) restarts the countdown.
  function refreshed(event) {
    if (event.target && event.target.id === "race") lastRefresh = Date.now();
  }
  document.addEventListener("htmx:afterSwap", refreshed);
  // Saving my progress sends the race along out of band.
  document.addEventListener("htmx:oobAfterSwap", refreshed);
})();
