/* supportdesk console behaviour. Loaded as a file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // A widget's words: its template writes them with _() into data-text-* attributes of the
  // widget's root element (a value as {name}), so the page's language reaches the scripts and no
  // sentence lives in them. Shared with the other console scripts (all deferred, this one first).
  function words(el, name, values) {
    var text = el.getAttribute("data-text-" + name) || "";
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return values && Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  // A sentence about {count} things: data-text-<name>-one, -other (the forms English and German
  // need; a language with more gets its forms the same way, -few, -many, by Intl.PluralRules).
  var pluralRules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;
  function countWords(el, name, count, values) {
    var form = pluralRules ? pluralRules.select(count) : (count === 1 ? "one" : "other");
    if (!el.hasAttribute("data-text-" + name + "-" + form)) { form = "other"; }
    var all = { count: count };
    Object.keys(values || {}).forEach(function (key) { all[key] = values[key]; });
    return words(el, name + "-" + form, all);
  }

  window.supportdesk = { words: words, countWords: countWords };

  // The server prints times in the agent's chosen zone. On the account page, offer the
  // browser's own zone as a one-click choice when the list has it and it is not chosen yet.
  function offerBrowserZone() {
    var button = document.querySelector("button[data-browser-zone]");
    if (!button || !window.Intl) { return; }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var select = document.getElementById(button.getAttribute("data-browser-zone"));
    // Nothing to offer when times already show in that zone (chosen, or the organization's).
    if (!zone || !select || select.value === zone || button.getAttribute("data-shown-zone") === zone) { return; }
    var listed = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (!listed) { return; }
    button.textContent = words(button, "offer", { zone: zone.replace(/_/g, " ") });
    button.hidden = false;
    button.addEventListener("click", function () {
      select.value = zone;
      if (select.form.requestSubmit) { select.form.requestSubmit(); } else { select.form.submit(); }
    });
  }

  // Filter bars submit as soon as a select changes.
  function autosubmit() {
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
  }

  // Destructive buttons ask first.
  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { ev.preventDefault(); }
      });
    });
  }

  // On a phone the top bar's links fold behind the Menu button (CSS shows it only with this script).
  function topbarMenu() {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    function setOpen(open) {
      button.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("is-open", open);
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && menu.classList.contains("is-open")) {
        setOpen(false);
        button.focus();
      }
    });
  }

  // Never lose a half-written reply by navigating away: the composer (composer.js) marks
  // itself data-unsaved while typed text waits for its autosave.
  function guardComposer() {
    window.addEventListener("beforeunload", function (ev) {
      if (document.querySelector("[data-composer][data-unsaved]")) { ev.preventDefault(); ev.returnValue = ""; }
    });
  }

  // Bulk actions on a queue: the toolbar shows once a row is checked, counts the selection,
  // offers every ticket matching the filter when the whole page is checked, and shows only the
  // value field of the chosen action. Without this script the toolbar is simply always shown.
  function bulkBar() {
    var form = document.querySelector("form[data-bulk]");
    if (!form) { return; }
    var rows = Array.prototype.slice.call(document.querySelectorAll("input[data-bulk-row]"));
    var toggle = document.querySelector("input[data-bulk-toggle]");
    var count = form.querySelector("[data-bulk-count]");
    var all = form.querySelector("[data-bulk-all]");
    var selectAll = form.querySelector("[data-bulk-select-all]");
    var clear = form.querySelector("[data-bulk-clear]");
    var action = form.querySelector("[data-bulk-action]");
    var fields = form.querySelectorAll("[data-bulk-field]");
    function update() {
      var n = rows.filter(function (r) { return r.checked; }).length;
      if (n < rows.length) { all.value = "0"; }
      form.hidden = n === 0;
      clear.hidden = n === 0;
      rows.forEach(function (r) { r.closest("tr").classList.toggle("is-selected", r.checked); });
      count.textContent = all.value === "1"
        ? words(form, "all", { count: form.getAttribute("data-matching-label") })
        : countWords(form, "selected", n);
      if (selectAll) { selectAll.hidden = all.value === "1" || n < rows.length; }
      toggle.checked = n > 0 && n === rows.length;
      toggle.indeterminate = n > 0 && n < rows.length;
    }
    function showField() {
      fields.forEach(function (label) {
        label.hidden = label.getAttribute("data-bulk-field").split(" ").indexOf(action.value) < 0;
      });
    }
    rows.forEach(function (r) { r.addEventListener("change", update); });
    // Rows that arrive live (static/js/live.js) join the selection's bookkeeping.
    document.addEventListener("live:rows", function () {
      var now = Array.prototype.slice.call(document.querySelectorAll("input[data-bulk-row]"));
      now.forEach(function (r) { if (rows.indexOf(r) < 0) { r.addEventListener("change", update); } });
      rows = now;
      update();
    });
    toggle.addEventListener("change", function () {
      rows.forEach(function (r) { r.checked = toggle.checked; });
      update();
    });
    if (selectAll) {
      selectAll.addEventListener("click", function () { all.value = "1"; update(); });
    }
    clear.addEventListener("click", function () {
      rows.forEach(function (r) { r.checked = false; });
      update();
    });
    action.addEventListener("change", showField);
    showField();
    update();
  }

  // A page following background work (a bulk job) reloads itself until the work ends.
  function refreshWhileRunning() {
    var el = document.querySelector("[data-refresh-seconds]");
    if (!el) { return; }
    var seconds = parseFloat(el.getAttribute("data-refresh-seconds")) || 2;
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }

  // Anchors and keyboard jumps land below the sticky top bar, however many rows it wraps to
  // (an admin's links at 1,280 px: three); the stylesheet's 7rem holds without scripts.
  function padBelowTopbar() {
    var bar = document.querySelector(".topbar");
    if (!bar) { return; }
    var pad = function () {
      document.documentElement.style.scrollPaddingTop = (bar.offsetHeight + 12) + "px";
    };
    pad();
    window.addEventListener("resize", pad);
  }

  document.addEventListener("DOMContentLoaded", function () {
    padBelowTopbar();
    offerBrowserZone();
    autosubmit();
    confirmations();
    guardComposer();
    topbarMenu();
    bulkBar();
    refreshWhileRunning();
  });
})();
