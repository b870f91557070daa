// The bell in the nav refreshes its unread count: every `data-notifications-poll` seconds (60 by default)
// while the tab is visible, it fires `notifications-poll` on <body>, which the bell listens to
// (hx-trigger="notifications-poll from:body"). A hidden tab does not poll; coming back to it refreshes at
// once if a poll was missed. (htmx's "every 60s [condition]" would need eval, which our CSP forbids.)
(function () {
  "use strict";
  var lastPoll = Date.now();

  function bell() { return document.getElementById("notification-bell"); }

  function intervalMs(element) {
    var seconds = parseFloat(element.getAttribute("data-notifications-poll"));
    return (seconds > 0 ? seconds : 60) * 1000;
  }

  function pollIfDue() {
    var element = bell();
    if (!element || !window.htmx || document.visibilityState !== "visible") return;
    if (Date.now() - lastPoll >= intervalMs(element)) {
      lastPoll = Date.now();
      window.htmx.trigger(document.body, "notifications-poll");
    }
  }

  setInterval(pollIfDue, 5000);
  document.addEventListener("visibilitychange", pollIfDue);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "notification-bell") lastPoll = Date.now();
  });
})();
