// The desk: keep the scan field focused, flash and (optionally) beep after each scan.
(function () {
  "use strict";
  var SOUND_KEY = "mediathek-desk-sound";
  var audio = null;

  function beep(ok) {
    if (localStorage.getItem(SOUND_KEY) !== "1") return;
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    audio = audio || new Ctx();
    var osc = audio.createOscillator();
    var gain = audio.createGain();
    osc.type = ok ? "sine" : "square";
    osc.frequency.value = ok ? 880 : 220;
    gain.gain.value = 0.15;
    osc.connect(gain);
    gain.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + (ok ? 0.12 : 0.4));
  }

  function focusScan() {
    var field = document.getElementById("scan-code");
    // The scanner types wherever the focus is: keep it in the scan field, except while a
    // person types an override reason or a note.
    var active = document.activeElement;
    if (active && active.classList && active.classList.contains("no-autofocus")) return;
    if (field) field.focus();
  }

  function setup() {
    var toggle = document.getElementById("sound-toggle");
    if (toggle) {
      toggle.checked = localStorage.getItem(SOUND_KEY) === "1";
      toggle.addEventListener("change", function () {
        localStorage.setItem(SOUND_KEY, toggle.checked ? "1" : "0");
      });
    }
    var result = document.getElementById("desk-result");
    if (result) {
      result.classList.add("flash");
      beep(result.getAttribute("data-feedback") === "ok");
    }
    var printButton = document.getElementById("print-receipt");
    if (printButton) printButton.addEventListener("click", function () { window.print(); });
    focusScan();
    document.dispatchEvent(new CustomEvent("desk:ready"));
  }

  document.addEventListener("DOMContentLoaded", setup);
  // After each action the whole #desk is swapped, after a checkout only its result box and
  // loan list: set the new one up (flash, sound, focus).
  document.addEventListener("htmx:afterSettle", function () {
    if (document.getElementById("desk")) setup();
  });
  // The request has read the code: empty the field at once, so the scanner can type the next
  // code while the desk updates (requests queue up, see hx-sync on the form).
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "scan-form") {
      var field = document.getElementById("scan-code");
      if (field) field.value = "";
    }
  });
  // Clicking anywhere that is not a control brings focus back to the scan field.
  document.addEventListener("click", function (event) {
    if (!document.getElementById("desk")) return;
    if (event.target.closest("input, button, a, summary, label, select, textarea, video")) return;
    focusScan();
  });
})();
