// The availability calendar as a date picker: the first tap on a free day picks the pickup
// day, the second the return day; both go into the booking form's date fields, which stay
// the source of truth (and work without this file). Days are real buttons, so the keyboard
// (Tab, Enter, Space) and screen readers use them like any other button.
(function () {
  "use strict";
  if (window.mediathekDayPicker) return; // the calendar fragment may load this file again
  window.mediathekDayPicker = true;

  function fields(calendar) {
    var box = calendar.closest("#reservation-box") || document;
    return {
      start: box.querySelector("input[name='start_on']"),
      end: box.querySelector("input[name='end_on']"),
    };
  }

  function shortName(cell) {
    return (cell.getAttribute("data-label") || "").split(":")[0];
  }

  function cellFor(calendar, day) {
    return day ? calendar.querySelector("td[data-day='" + day + "']") : null;
  }

  function mark(calendar) {
    var f = fields(calendar);
    var start = f.start.value, end = f.end.value;
    calendar.querySelectorAll("td[data-day]").forEach(function (cell) {
      var day = cell.getAttribute("data-day");
      var chosen = day === start || day === end;
      cell.classList.toggle("day-chosen", chosen);
      cell.classList.toggle("day-between", !!(start && end && day > start && day < end));
      var button = cell.querySelector("button");
      if (button) button.setAttribute("aria-pressed", chosen ? "true" : "false");
    });
  }

  function say(calendar, text) {
    var status = calendar.querySelector(".day-pick-status");
    // A short day ends with a dot ("Do 24.12.", "24 груд."): one full stop after it, not two.
    if (status) status.textContent = text.replace(/\.\.(\s|$)/g, ".$1");
  }

  function enhance(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(".availability").forEach(function (calendar) {
      var f = fields(calendar);
      if (!f.start || !f.end) return; // not logged in: the calendar only informs
      calendar.querySelectorAll("td[data-day]").forEach(function (cell) {
        if (cell.querySelector("button")) return;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "day-pick";
        // Its name is its visible text (plus the weekday for screen readers), not a label.
        while (cell.firstChild) button.appendChild(cell.firstChild);
        cell.appendChild(button);
      });
      var hint = calendar.querySelector(".day-pick-hint");
      if (hint) hint.hidden = false;
      mark(calendar);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".availability .day-pick");
    if (!button) return;
    var cell = button.closest("td[data-day]");
    var calendar = cell.closest(".availability");
    var f = fields(calendar);
    var day = cell.getAttribute("data-day");
    if (!f.start.value || f.end.value || day < f.start.value) {
      f.start.value = day;
      f.end.value = "";
      say(calendar, calendar.getAttribute("data-text-start").replace("{day}", shortName(cell)));
    } else {
      f.end.value = day;
      var first = cellFor(calendar, f.start.value);
      var from = first ? shortName(first) : f.start.value;
      say(calendar, calendar.getAttribute("data-text-range").replace("{start}", from).replace("{end}", shortName(cell)));
    }
    mark(calendar);
  });

  // Typing a date into the form marks it in the calendar too.
  document.addEventListener("change", function (event) {
    if (!event.target.matches("input[name='start_on'], input[name='end_on']")) return;
    document.querySelectorAll(".availability").forEach(mark);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
  document.addEventListener("htmx:afterSwap", function () { enhance(document); });
})();
