// Booky's small client script. No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  // Fill empty timezone fields (sign-up, settings) from the browser.
  function fillTimezones(root) {
    var tz;
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!tz) return;
    root.querySelectorAll("[data-browser-timezone]").forEach(function (field) {
      if (field.dataset.filled) return;
      var hasOption = field.tagName !== "SELECT" || Array.prototype.some.call(field.options, function (o) { return o.value === tz; });
      if (hasOption && (!field.value || field.value === "UTC")) field.value = tz;
      field.dataset.filled = "1";
    });
  }
  // Ask before destructive actions: <form data-confirm="Delete this club?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);
  // Copy buttons: <button data-copy="#invite-url">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.value || source.textContent).then(function () {
      button.textContent = "Copied";
    });
  });
  // htmx does not swap error answers it is not told to (403, 404, 429, 5xx): say what happened instead
  // of leaving the button looking dead.
  var ERROR_TEXT = {
    401: "Please log in again, then retry.",
    403: "You do not have permission to do that.",
    404: "That is no longer here. Reload the page to see the current state.",
    429: "Too many requests. Please wait a minute and try again.",
    503: "Booky is briefly unavailable. Please try again in a minute.",
  };
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var box = document.getElementById("request-error");
    if (!box) return;
    box.textContent = ERROR_TEXT[status] || "Something went wrong. Reload the page and try again.";
    box.hidden = false;
  });
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("request-error");
    if (!box) return;
    box.textContent = "Booky could not be reached. Check your connection and try again.";
    box.hidden = false;
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-error");
    if (box) box.hidden = true;
  });
  document.addEventListener("DOMContentLoaded", function () { fillTimezones(document); });
  document.addEventListener("htmx:afterSettle", function (event) { fillTimezones(event.target); });
})();
