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
// Staff actions that change much ("Verloren", "Ergebnis übernehmen", "Titel aussondern") ask
// first, in a modal <dialog> (not confirm(): it takes no note and cannot be styled or read
// well). A form with data-confirm gets the question, an optional note for the audit log and
// the answer "confirmed"; without this script the server asks on a page of its own.
(function () {
  "use strict";
  var dialog = null;
  var pending = null; // {form, opener}

  function hidden(form, name, value) {
    var input = form.querySelector("input[type=hidden][name='" + name + "']");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.id = "confirm-dialog";
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.setAttribute("aria-describedby", "confirm-dialog-detail");
    dialog.innerHTML =
      '<form method="dialog" class="form">' +
      '<h2 id="confirm-dialog-title"></h2>' +
      '<p id="confirm-dialog-detail"></p>' +
      '<div class="field"><label for="confirm-dialog-note">Notiz (freiwillig, wird protokolliert)</label>' +
      '<textarea id="confirm-dialog-note" rows="3" maxlength="500"></textarea></div>' +
      '<div class="actions">' +
      '<button type="submit" value="yes" class="button button-danger" id="confirm-dialog-yes"></button> ' +
      '<button type="submit" value="no" class="button button-secondary" id="confirm-dialog-no">Abbrechen</button>' +
      "</div></form>";
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var job = pending;
      pending = null;
      if (!job) return;
      if (dialog.returnValue === "yes") {
        hidden(job.form, "confirmed", "1");
        hidden(job.form, "note", document.getElementById("confirm-dialog-note").value);
        job.form.setAttribute("data-confirmed", "1");
        job.form.requestSubmit();
        job.form.removeAttribute("data-confirmed");
      } else if (job.opener && document.contains(job.opener)) {
        job.opener.focus(); // back where the person was
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-confirm") || form.hasAttribute("data-confirmed")) return;
    if (typeof HTMLDialogElement === "undefined") return; // the server asks instead
    event.preventDefault();
    event.stopPropagation(); // htmx must not send it before the answer
    if (!dialog) build();
    pending = { form: form, opener: event.submitter || document.activeElement };
    dialog.returnValue = "";
    document.getElementById("confirm-dialog-title").textContent = form.getAttribute("data-confirm");
    document.getElementById("confirm-dialog-detail").textContent = form.getAttribute("data-confirm-detail") || "";
    document.getElementById("confirm-dialog-yes").textContent = form.getAttribute("data-confirm-button") || "Ja, ausführen";
    document.getElementById("confirm-dialog-note").value = "";
    dialog.showModal();
    document.getElementById("confirm-dialog-note").focus();
  }, true);
})();
