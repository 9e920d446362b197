// The desk at scanner speed. A USB scanner types a whole code and Enter in a few milliseconds,
// then the next one: each code is taken off the field the moment Enter arrives and waits in a
// queue in the page (kept across a reload), and the queue is sent one scan after the other,
// each with an id made here, so that a scan sent again after a lost answer is applied once.
// Every scan and its outcome stay listed in the session log; refusals and questions stay
// marked until dismissed. Without this file the scan form is a plain form (one scan a page).
(function () {
  "use strict";
  var SOUND_KEY = "mediathek-desk-sound";
  var TAB_KEY = "mediathek-desk-tab";
  var LOG_LIMIT = 200;
  var SEND_TIMEOUT_MS = 15000;
  var audio = null;

  // One queue and log per browser tab (sessionStorage survives a reload of the tab, the
  // entries themselves live in localStorage): two desk tabs never send each other's scans.
  var tab = sessionStorage.getItem(TAB_KEY);
  if (!tab) {
    tab = newId();
    sessionStorage.setItem(TAB_KEY, tab);
  }
  var QUEUE_KEY = "mediathek-desk-queue:" + tab;
  var LOG_KEY = "mediathek-desk-log:" + tab;
  var CARD_KEY = "mediathek-desk-card:" + tab;
  var BLOCK_KEY = "mediathek-desk-question:" + tab;
  var ALIVE_KEY = "mediathek-desk-alive:" + tab;
  var ALIVE_MS = 2000; // an open desk tab says so this often
  var GONE_MS = 10000; // silent this long: the tab was closed
  var queue = read(QUEUE_KEY, []); // [{id, code}], oldest first
  var log = read(LOG_KEY, []); // [{id, code, at, state, text, ok, attention, done}], newest first
  var sending = false;
  var blockedBy = null; // log id of the scan whose question is open
  var offline = false;
  var stopped = ""; // a reason that needs the person (logged out), not just time
  var retryTimer = null;

  // The words come from the page (data-text-* on the scan form, in the person's language);
  // "{n}" and "{code}" stand for a number and a code.
  function t(key, values) {
    var form = document.getElementById("scan-form");
    var text = (form && form.getAttribute("data-text-" + key)) || "";
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }
  var retryDelay = 1000;
  var applying = false;
  var openCard = null; // the card the waiting scans were scanned for (null: not known yet)

  function currentCard() {
    var field = document.getElementById("desk-ausweis");
    return field ? field.value : "";
  }

  // A person changed the open card (closed it, opened another) while scans were waiting:
  // they were meant for the card open when they were scanned, so none is sent to another
  // borrower or taken as a return. They stay in the log, marked, to be scanned again.
  function setAside() {
    queue.forEach(function (waiting) {
      var item = entry(waiting.id);
      if (!item) return;
      item.state = "done";
      item.text = t("set-aside");
      item.ok = false;
      item.attention = true;
      item.done = false;
    });
    queue = [];
  }

  function newId() {
    // crypto.randomUUID needs a secure context; a desk on http inside the town hall has none.
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function read(key, fallback) {
    try {
      var value = JSON.parse(localStorage.getItem(key));
      return Array.isArray(value) ? value : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function save() {
    try {
      localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
      localStorage.setItem(LOG_KEY, JSON.stringify(log.slice(0, LOG_LIMIT)));
      localStorage.setItem(CARD_KEY, currentCard());
      localStorage.setItem(BLOCK_KEY, blockedBy || "");
    } catch (e) {
      // Storage full or forbidden: the queue still works while the page stays open.
    }
  }

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

  function entry(id) {
    for (var i = 0; i < log.length; i++) if (log[i].id === id) return log[i];
    return null;
  }

  function time(at) {
    var d = new Date(at);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2) + ":" +
      ("0" + d.getSeconds()).slice(-2);
  }

  function renderLog() {
    var section = document.getElementById("desk-log");
    var list = document.getElementById("desk-log-list");
    if (!section || !list) return;
    section.hidden = false;
    list.textContent = "";
    log.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "log-item log-" + item.state + (item.attention && !item.done ? " log-attention" : "") +
        (item.state === "done" && !item.ok ? " log-error" : "");
      li.setAttribute("data-scan-id", item.id);
      var head = document.createElement("span");
      head.className = "log-head";
      head.textContent = time(item.at) + " · " + item.code;
      if (item.adopted) head.title = t("adopted");
      li.appendChild(head);
      var text = document.createElement("span");
      text.className = "log-text";
      if (item.state === "queued") text.textContent = t("queued");
      else if (item.state === "sending") text.textContent = t("sending");
      else text.textContent = item.text;
      if (item.attention && !item.done) {
        var mark = document.createElement("strong");
        mark.className = "badge " + (item.ok ? "badge-warn" : "badge-error");
        mark.textContent = item.ok ? t("attention") : t("not-done");
        li.appendChild(mark);
      }
      li.appendChild(text);
      if (item.receipt) {
        // A return's borrower: her receipt (today's returns and loans) after the stack.
        var receipt = document.createElement("a");
        receipt.className = "log-receipt";
        receipt.href = item.receipt;
        receipt.target = "_blank";
        receipt.textContent = t("receipt");
        li.appendChild(receipt);
      }
      if (item.attention && !item.done && item.id !== blockedBy) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button-small button-secondary log-dismiss";
        button.textContent = t("seen");
        button.setAttribute("aria-label", t("seen-code", { code: item.code }));
        button.setAttribute("data-dismiss", item.id);
        li.appendChild(button);
      }
      list.appendChild(li);
    });
    renderStatus();
  }

  function renderStatus() {
    var status = document.getElementById("desk-queue-status");
    if (!status) return;
    var waiting = queue.length;
    var text = "";
    var cls = "desk-queue-status";
    if (stopped) {
      text = stopped;
      cls += " queue-stopped";
    } else if (offline) {
      text = t(waiting === 1 ? "offline-one" : "offline-many", { n: waiting });
      cls += " queue-offline";
    } else if (blockedBy && waiting) {
      text = t(waiting === 1 ? "blocked-one" : "blocked-many", { n: waiting });
      cls += " queue-blocked";
    } else if (waiting > 1 || (waiting === 1 && !sending)) {
      text = t(waiting === 1 ? "waiting-one" : "waiting-many", { n: waiting });
    }
    status.hidden = !text;
    status.className = cls;
    if (status.textContent !== text) status.textContent = text;
  }

  function take(code) {
    code = (code || "").trim();
    if (!code) return;
    var id = newId();
    queue.push({ id: id, code: code });
    log.unshift({ id: id, code: code, at: Date.now(), state: "queued", text: "", ok: true, scanned: true });
    save();
    renderLog();
    pump();
  }

  // Scans left waiting in a desk tab that was closed (offline, or closed before the queue
  // was sent) are taken over by the next desk tab: sent in their order with their ids
  // (applied once, also if the closed tab sent one just before), after the card that tab
  // had open. Only when this tab has nothing waiting of its own.
  function adoptClosedTabs() {
    if (queue.length) return;
    var now = Date.now();
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (!key || key.indexOf("mediathek-desk-queue:") !== 0) continue;
      var other = key.slice("mediathek-desk-queue:".length);
      if (other === tab) continue;
      var alive = parseInt(localStorage.getItem("mediathek-desk-alive:" + other) || "0", 10);
      if (now - alive < GONE_MS) continue; // open in another tab: its own queue
      var waiting = read(key, []);
      var otherLog = read("mediathek-desk-log:" + other, []);
      var card = localStorage.getItem("mediathek-desk-card:" + other) || "";
      ["queue", "log", "card", "alive", "question"].forEach(function (name) {
        localStorage.removeItem("mediathek-desk-" + name + ":" + other);
      });
      if (!waiting.length) {
        i = -1; // keys moved: look again from the start
        continue;
      }
      if (card) {
        // Her card first, so that the scans after it are lent to her as they were meant.
        waiting.unshift({ id: newId(), code: card });
      } else {
        waiting[0].card = ""; // scanned in return mode: sent in return mode
      }
      waiting.forEach(function (item) {
        var old = otherLog.filter(function (e) { return e.id === item.id; })[0];
        queue.push(item);
        log.unshift({
          id: item.id, code: item.code, at: old ? old.at : now, state: "queued",
          text: "", ok: true, adopted: true, scanned: true
        });
      });
      return;
    }
  }

  function heartbeat() {
    try {
      localStorage.setItem(ALIVE_KEY, String(Date.now()));
    } catch (e) { /* storage forbidden: nothing to hand over */ }
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["x-csrftoken"];
    } catch (e) {
      return "";
    }
  }

  function pump() {
    if (sending || blockedBy || stopped || !queue.length) {
      renderStatus();
      return;
    }
    var item = queue[0];
    var current = entry(item.id);
    if (current) current.state = "sending";
    sending = true;
    renderLog();
    var ausweis = document.getElementById("desk-ausweis");
    var body = new URLSearchParams();
    body.set("code", item.code);
    // A scan taken over from a closed tab in return mode is sent in return mode.
    body.set("ausweis", "card" in item ? item.card : ausweis ? ausweis.value : "");
    body.set("scan_id", item.id);
    body.set("desk", tab);
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, SEND_TIMEOUT_MS);
    fetch("/theke/scan", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
      headers: { "HX-Request": "true", "HX-Target": "desk", "x-csrftoken": csrfToken() }
    }).then(function (response) {
      clearTimeout(timer);
      if (response.status >= 500 || response.status === 429) throw new Error("server");
      return response.text().then(function (html) { return { response: response, html: html }; });
    }).then(function (answer) {
      sending = false;
      setOffline(false);
      var response = answer.response;
      if (response.redirected && response.url.indexOf("/theke") === -1) {
        // The login ran out: the page shows the login form, the scan was not applied.
        if (current) current.state = "queued";
        stopped = t("logged-out");
        renderLog();
        return;
      }
      if (!(response.ok || response.status === 422)) {
        if (current) current.state = "queued";
        stopped = t("refused", { n: response.status });
        renderLog();
        return;
      }
      queue.shift();
      apply(response, answer.html);
      record(item.id);
      save();
      renderLog();
      pump();
    }).catch(function () {
      clearTimeout(timer);
      sending = false;
      if (current) current.state = "queued";
      setOffline(true);
      renderLog();
      // The same scan goes again with the same id: applied once however often it is sent.
      retryTimer = setTimeout(function () { retryTimer = null; pump(); }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }

  function setOffline(value) {
    offline = value;
    if (!value) retryDelay = 1000;
  }

  // Swap the answer in as htmx would have done for the form: the target and swap the server
  // names, the out-of-band parts, the address of the open card.
  function apply(response, html) {
    var selector = response.headers.get("HX-Retarget") || "#desk";
    var target = document.querySelector(selector);
    var swap = response.headers.get("HX-Reswap") || "outerHTML";
    applying = true;
    try {
      if (target) htmx.swap(target, html, { swapStyle: swap, swapDelay: 0, settleDelay: 0 });
    } finally {
      applying = false;
    }
    var url = response.headers.get("HX-Push-Url");
    if (url) history.replaceState(history.state, "", url);
    openCard = currentCard();
    setup();
  }

  // Copy the answer now on screen into the log entry of the scan (or action) it answers.
  function record(id) {
    var item = entry(id);
    var result = document.getElementById("desk-result");
    if (!item) return;
    item.state = "done";
    if (!result) {
      // "Nicht jetzt": the question stays open, and marked, in the log.
      item.text = t("unanswered", { text: item.text || item.code });
      return;
    }
    var message = result.querySelector(".desk-message");
    var hold = result.querySelector(".hold-shelf");
    item.text = (message ? message.textContent.trim() : "") + (hold ? " " + hold.textContent.trim() : "");
    item.ok = result.getAttribute("data-feedback") === "ok";
    item.attention = result.getAttribute("data-attention") === "1";
    // An answered question (the hold shelf) keeps the receipt link of the return it answers.
    item.receipt = result.getAttribute("data-receipt") || item.receipt || "";
    item.done = false;
    if (result.getAttribute("data-blocks") === "1") {
      blockedBy = id;
      result.setAttribute("data-answers", id); // what is sent from here answers it
    }
  }

  // Borrowers by name: the scan field is a combobox (ARIA 1.2 pattern) whose listbox the
  // server fills from three letters on. Codes carry digits, names do not, so a scanner typing
  // a code never triggers a lookup. Arrow keys choose, Enter opens, Escape closes.
  var suggest = (function () {
    var field = null;
    var box = null;
    var status = null;
    var timer = null;
    var asked = 0; // answers to older questions are dropped
    var active = -1;

    function options() {
      return box ? box.querySelectorAll("[role=option]") : [];
    }

    function isName(text) {
      var letters = (text.match(/\p{L}/gu) || []).length;
      return letters >= 3 && !/\d/.test(text);
    }

    function say(text) {
      if (status && status.textContent !== text) status.textContent = text;
    }

    function mark(index) {
      var list = options();
      active = index;
      for (var i = 0; i < list.length; i++) list[i].setAttribute("aria-selected", i === index ? "true" : "false");
      if (index >= 0 && list[index]) {
        field.setAttribute("aria-activedescendant", list[index].id);
        list[index].scrollIntoView({ block: "nearest" });
      } else {
        field.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      asked++;
      clearTimeout(timer);
      active = -1;
      if (!box) return;
      box.hidden = true;
      box.textContent = "";
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
      field.removeAttribute("aria-controls");
    }

    function show(html) {
      box.innerHTML = html;
      var count = options().length;
      if (!count) {
        close();
        say(t("nobody"));
        return;
      }
      box.hidden = false;
      field.setAttribute("aria-controls", "borrower-options");
      field.setAttribute("aria-expanded", "true");
      mark(-1);
      say(t(count === 1 ? "found-one" : "found-many", { n: count }));
    }

    function lookup() {
      var text = field.value.trim();
      if (!isName(text)) {
        close();
        return;
      }
      var mine = ++asked;
      fetch("/theke/ausleihende?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { "HX-Request": "true" }
      }).then(function (response) {
        return response.ok ? response.text() : "";
      }).then(function (html) {
        if (mine === asked && field.value.trim() === text) show(html);
      }).catch(function () { /* offline: the card scan still works */ });
    }

    return {
      start: function (input) {
        field = input;
        box = document.getElementById("borrower-suggestions");
        status = document.getElementById("borrower-status");
        if (!box) return;
        field.setAttribute("role", "combobox");
        field.setAttribute("aria-autocomplete", "list");
        field.setAttribute("aria-expanded", "false");
        field.addEventListener("input", function () {
          clearTimeout(timer);
          timer = setTimeout(lookup, 200);
        });
        field.addEventListener("blur", function () { setTimeout(close, 200); });
        box.addEventListener("mousedown", function (event) {
          var option = event.target.closest("[role=option]");
          if (!option) return;
          event.preventDefault(); // keep the focus in the field
          close();
          field.value = "";
          take(option.getAttribute("data-card"));
        });
      },
      // Arrow keys and Escape while the list is open; true when the key was used here.
      key: function (event) {
        if (!box || box.hidden) return false;
        var count = options().length;
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          var step = event.key === "ArrowDown" ? 1 : -1;
          mark(active < 0 && step < 0 ? count - 1 : (active + step + count) % count);
          return true;
        }
        if (event.key === "Escape") {
          event.preventDefault();
          close();
          return true;
        }
        return false;
      },
      chosen: function () {
        var option = active >= 0 ? options()[active] : null;
        return option ? option.getAttribute("data-card") : "";
      },
      close: close
    };
  })();

  function setup() {
    var result = document.getElementById("desk-result");
    if (result && !result.classList.contains("flash")) {
      result.classList.add("flash");
      beep(result.getAttribute("data-feedback") === "ok");
    }
    var printButton = document.getElementById("print-receipt");
    if (printButton) printButton.addEventListener("click", function () { window.print(); });
    // A question the person answers by typing (a renewal's reason) takes the focus; every
    // other answer gives it back to the scan field.
    var ask = document.querySelector("#desk-result [data-focus]");
    if (ask) ask.focus();
    else focusScan();
    document.dispatchEvent(new CustomEvent("desk:ready"));
  }

  function start() {
    var field = document.getElementById("scan-code");
    var form = document.getElementById("scan-form");
    if (!field || !form) return;
    var toggle = document.getElementById("sound-toggle");
    if (toggle) {
      toggle.checked = localStorage.getItem(SOUND_KEY) === "1";
      toggle.addEventListener("change", function () {
        localStorage.setItem(SOUND_KEY, toggle.checked ? "1" : "0");
      });
    }
    // Enter ends a code: take it off the field before the scanner types the next one. With
    // a borrower chosen in the suggestions, Enter opens her card instead.
    field.addEventListener("keydown", function (event) {
      if (suggest.key(event)) return;
      if (event.key !== "Enter") return;
      event.preventDefault();
      var chosen = suggest.chosen();
      var code = chosen || field.value;
      suggest.close();
      field.value = "";
      take(code);
    });
    suggest.start(field);
    // The OK button and the camera submit the form.
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      suggest.close();
      var code = field.value;
      field.value = "";
      take(code);
    });
    document.getElementById("desk-log").addEventListener("click", function (event) {
      var button = event.target.closest("[data-dismiss]");
      if (button) {
        var item = entry(button.getAttribute("data-dismiss"));
        if (item) item.done = true;
      } else if (event.target.id === "desk-log-clear") {
        log = log.filter(function (item) {
          return item.state !== "done" || (item.attention && !item.done);
        });
      } else {
        return;
      }
      save();
      renderLog();
      focusScan();
    });
    // Scans that were waiting when the page was left go first; one that was on its way
    // goes again (with its id, so it is not applied twice).
    log.forEach(function (item) { if (item.state === "sending") item.state = "queued"; });
    // A question was open when the page was left (reload, crash): its scan goes again first,
    // with its id, so the server answers with the same question and nothing is skipped.
    var open = entry(localStorage.getItem(BLOCK_KEY) || "");
    var waiting = open && queue.some(function (q) { return q.id === open.id; });
    if (open && open.scanned && !waiting) {
      open.state = "queued";
      queue.unshift({ id: open.id, code: open.code });
    }
    heartbeat();
    setInterval(heartbeat, ALIVE_MS);
    adoptClosedTabs();
    openCard = currentCard();
    save();
    renderLog();
    setup();
    pump();
  }

  document.addEventListener("DOMContentLoaded", start);
  // A person answered in the desk (checklist, override, undo …): log the answer; an answered
  // question lets the queue go on.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (applying || !document.getElementById("desk")) return;
    if (!event.target || event.target.id !== "desk") return;
    var result = document.getElementById("desk-result");
    var id = blockedBy;
    var elt = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    if (id && !(elt && elt.closest && elt.closest("[data-answers='" + id + "']"))) {
      // Another action (the card closed, a renewal …) replaced the open question: the item
      // in hand was not dealt with. Its entry says so and stays marked until dismissed.
      var open = entry(id);
      if (open) {
        open.text = t("unanswered", { text: open.text || open.code });
        open.ok = false;
        open.attention = true;
        open.done = false;
      }
      id = null;
    }
    if (openCard !== null && currentCard() !== openCard && queue.length) setAside();
    openCard = currentCard();
    if (!id) {
      if (!result) {
        save();
        renderLog();
        return setup();
      }
      id = newId();
      log.unshift({ id: id, code: t("action"), at: Date.now(), state: "done", text: "", ok: true });
    }
    blockedBy = null;
    record(id);
    save();
    renderLog();
    setup();
    pump();
  });
  // Every action of the desk names this tab's desk session: an undo made for one tab is
  // refused in another.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.closest && elt.closest("#desk")) event.detail.parameters.desk = tab;
  });
  window.addEventListener("online", function () {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    pump();
  });
  // Clicking anywhere that is not a control brings focus back to the scan field.
  document.addEventListener("click", function (event) {
    if (!document.getElementById("desk")) return;
    if (event.target.closest("input, button, a, summary, label, select, textarea, video")) return;
    focusScan();
  });
})();
