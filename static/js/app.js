/* supportdesk console behaviour. Loaded as a file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

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
    button.textContent = "Use this browser's zone: " + zone.replace(/_/g, " ");
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

  document.addEventListener("DOMContentLoaded", function () {
    offerBrowserZone();
    autosubmit();
    confirmations();
    guardComposer();
    topbarMenu();
  });
})();
