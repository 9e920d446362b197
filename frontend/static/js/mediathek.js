// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to the first error summary after a form comes back with errors.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".alert-error[tabindex='-1']");
    if (summary) summary.focus();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.detail.target.querySelector(".alert-error[tabindex='-1']");
    if (summary) summary.focus();
  });
})();
// Print buttons (no inline script under the Content-Security-Policy).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
