// Book pages: cover fallback, arrow keys in the result list, 429 answers shown in place.
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

  // Too many searches: htmx would drop a 429; swap its friendly message in instead.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
