// Booky's client script, one file for every page (templates/base.html); each part below acts only where
// its elements are on the page. No inline scripts anywhere: the Content-Security-Policy forbids them.
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
  // A zone chosen from the matches under a time-zone box (social.forms.TimezoneInput) fills that box.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-timezone-choice]");
    var list = button && button.closest(".timezone-suggestions");
    var field = list && document.getElementById(list.id.replace(/_suggestions$/, ""));
    if (!field) return;
    field.value = button.dataset.timezoneChoice;
    list.textContent = "";
    field.focus();
  });
  // Ask before destructive actions: <form data-confirm="Delete this club?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);
  // Links to copy (invite link, calendar link): a read-only field that selects itself on focus, so
  // copying by hand works everywhere; <button data-copy="#invite-url" hidden> is shown only where the
  // Clipboard API exists, and says "Copied" (also in the nearby [data-copy-status] live region).
  function showCopyButtons(root) {
    if (!navigator.clipboard || !navigator.clipboard.writeText) return;
    root.querySelectorAll("button[data-copy][hidden]").forEach(function (button) { button.hidden = false; });
  }
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field.matches && field.matches("input[data-select-on-focus]")) field.select();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.value || source.textContent).then(function () {
      button.textContent = "Copied";
      var box = button.closest("article, div[id], form, section");
      var status = box && box.querySelector("[data-copy-status]");
      if (status) status.textContent = "Copied";
    }, function () {
      // Refused (no permission): the link stays selected in its field, to copy by hand.
      source.focus();
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
  // Dropdown menus (<details class="dropdown">, open without JavaScript too) close on Escape, returning
  // focus to their summary, and when focus moves out of them, so an open menu never covers the element
  // that has focus (WCAG 2.4.11).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest("details.dropdown[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
  document.addEventListener("focusout", function (event) {
    var menu = event.target.closest && event.target.closest("details.dropdown[open]");
    if (menu && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
  });
  document.addEventListener("DOMContentLoaded", function () { fillTimezones(document); showCopyButtons(document); });
  document.addEventListener("htmx:afterSettle", function (event) { fillTimezones(event.target); showCopyButtons(document); });
  // What a swap says (its role="status" lines) must reach screen readers, which announce changes to a
  // live region already on the page, not a region that arrives with its text. So each swapped-in status
  // line is emptied and, a moment later, given its words back: the region exists first, then changes.
  function announce(root) {
    if (!root.querySelectorAll) return;
    var lines = Array.prototype.slice.call(root.querySelectorAll("[role=status]"));
    if (root.matches && root.matches("[role=status]")) lines.push(root);
    lines.forEach(function (line) {
      var words = line.innerHTML;
      if (!words.trim() || line.dataset.announced) return;
      line.dataset.announced = "1";
      line.innerHTML = "";
      setTimeout(function () { line.innerHTML = words; }, 50);
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) { announce(event.target); });
  document.addEventListener("htmx:oobAfterSwap", function (event) { announce(event.target); });
})();

// ── Polls: the bell in the nav (its unread count) and a meeting's race track refresh themselves. Every
// `data-notifications-poll` seconds (60 by default) / `data-race-poll` seconds (30 by default) while the
// tab is visible, each fires its event on <body>, which the element listens to (hx-trigger="... from:body").
// A hidden tab does not poll; coming back to it refreshes at once if a poll was missed.
// (htmx's "every 60s [condition]" would need eval, which our CSP and htmx config forbid.)
(function () {
  "use strict";
  function poll(selector, id, attribute, defaultSeconds, eventName, checkEveryMs) {
    var last = Date.now();
    function pollIfDue() {
      var element = document.querySelector(selector);
      if (!element || !window.htmx || document.visibilityState !== "visible") return;
      var seconds = parseFloat(element.getAttribute(attribute));
      if (Date.now() - last >= (seconds > 0 ? seconds : defaultSeconds) * 1000) {
        last = Date.now();
        window.htmx.trigger(document.body, eventName);
      }
    }
    setInterval(pollIfDue, checkEveryMs);
    document.addEventListener("visibilitychange", pollIfDue);
    // A refresh for any other reason (my own progress saved, which sends the race along out of band)
    // restarts the countdown.
    function refreshed(event) {
      if (event.target && event.target.id === id) last = Date.now();
    }
    document.addEventListener("htmx:afterSwap", refreshed);
    document.addEventListener("htmx:oobAfterSwap", refreshed);
  }
  poll("#notification-bell", "notification-bell", "data-notifications-poll", 60, "notifications-poll", 5000);
  poll("[data-race-poll]", "race", "data-race-poll", 30, "race-refresh", 1000);
})();

// ── Books: cover fallback, arrow keys in the result list, 429 answers shown in place.
(function () {
  "use strict";
  // A cover that fails to load is hidden so the generated placeholder under it shows.
  // (`error` does not bubble: listen in the capture phase. onerror="" would be an inline script, which the CSP blocks.)
  function hideCover(img) { img.classList.add("cover-failed"); }
  document.addEventListener("error", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("img[data-book-cover]")) hideCover(target);
  }, true);
  function checkCovers(root) {
    root.querySelectorAll("img[data-book-cover]").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) hideCover(img);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { checkCovers(document); });

  // ↓ from the search box enters the results; ↑/↓ move between them; ↑ from the first goes back.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    var target = event.target;
    if (target.matches && target.matches("input[data-results-list]")) {
      if (event.key !== "ArrowDown") return;
      var first = document.querySelector(target.dataset.resultsList + " [data-book-result]");
      if (first) { event.preventDefault(); first.focus(); }
      return;
    }
    if (!target.matches || !target.matches("[data-book-result]")) return;
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-book-result]"));
    var index = links.indexOf(target);
    event.preventDefault();
    if (event.key === "ArrowDown" && index < links.length - 1) links[index + 1].focus();
    if (event.key === "ArrowUp") {
      if (index > 0) links[index - 1].focus();
      else { var box = document.querySelector("input[data-results-list]"); if (box) box.focus(); }
    }
  });

  // Enter in the picker's search box searches (as typing does) rather than submitting the form around it:
  // that form's default button saves it. Without JavaScript, the "Find" button searches.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    var target = event.target;
    if (!target.matches || !target.matches(".book-picker-search input[type=search]")) return;
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(target, "search");
  });

  // Too many searches: htmx would drop a 429; swap its friendly message in instead. Only for the book
  // search and picker: elsewhere a 429 stays unswapped and the page's error line says it (above).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.closest || !target.closest("#book-results, .book-picker")) return;
    if (event.detail.xhr && event.detail.xhr.status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

// ── Bets: the "Bets" section: a closing countdown in its last hour, and no poll while I am filling in my bet.
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
