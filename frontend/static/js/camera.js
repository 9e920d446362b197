// Scanning with a phone or tablet camera: the browser's BarcodeDetector where it exists,
// else the vendored ZXing decoder. A recognised code is typed into the scan field and sent,
// exactly like a USB scanner would.
(function () {
  "use strict";
  var ZXING_SRC = "/static/vendor/zxing-library-0.21.3.min.js";
  var FORMATS = ["code_128", "ean_13", "ean_8", "code_39", "qr_code"];
  var stream = null, timer = null, zxingReader = null;
  var lastCode = "", lastAt = 0;

  function status(text) {
    var el = document.getElementById("camera-status");
    if (el) el.textContent = text;
  }

  // The words come from the page (data-text-* on #camera, in the person's language).
  function t(key, code) {
    var box = document.getElementById("camera");
    var text = (box && box.getAttribute("data-text-" + key)) || "";
    return text.split("{code}").join(code || "");
  }

  function submitCode(code) {
    var now = Date.now();
    // The camera sees the same label many times a second: send it once.
    if (code === lastCode && now - lastAt < 3000) return;
    lastCode = code; lastAt = now;
    var field = document.getElementById("scan-code");
    if (!field || !field.form) return;
    field.value = code;
    status(t("recognised", code));
    if (field.form.requestSubmit) field.form.requestSubmit(); else field.form.submit();
  }

  function loadZXing(done) {
    if (window.ZXing) { done(); return; }
    var script = document.createElement("script");
    script.src = ZXING_SRC;
    script.onload = done;
    script.onerror = function () { status(t("not-loaded")); };
    document.head.appendChild(script);
  }

  function startDetector(video) {
    var detector = new window.BarcodeDetector({ formats: FORMATS });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play();
      })
      .then(function () {
        timer = setInterval(function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) submitCode(codes[0].rawValue);
          }).catch(function () {});
        }, 250);
      })
      .catch(function () { status(t("no-access")); });
  }

  function startZXing(video) {
    loadZXing(function () {
      zxingReader = new window.ZXing.BrowserMultiFormatReader();
      zxingReader.decodeFromConstraints(
        { video: { facingMode: "environment" } }, video,
        function (result) { if (result) submitCode(result.getText()); }
      ).catch(function () { status(t("no-access")); });
    });
  }

  function stop(video) {
    if (timer) { clearInterval(timer); timer = null; }
    if (zxingReader) { zxingReader.reset(); zxingReader = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("camera");
    if (!box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    box.hidden = false;
    var toggle = document.getElementById("camera-toggle");
    var panel = document.getElementById("camera-box");
    var video = document.getElementById("camera-video");
    toggle.addEventListener("click", function () {
      var open = panel.hidden;
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? t("off") : t("on");
      if (!open) { stop(video); return; }
      status(t("hold"));
      if ("BarcodeDetector" in window) startDetector(video); else startZXing(video);
    });
  });
})();
