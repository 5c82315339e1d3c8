/* supportdesk console behaviour. Loaded as a file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // Show times in the agent's own time zone; the server renders UTC as a fallback.
  function localiseTimes() {
    var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    document.querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d)) { el.title = fmt.format(d); }
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

  // Never lose a half-written reply by navigating away.
  function guardComposer() {
    var dirty = false;
    document.querySelectorAll(".composer textarea").forEach(function (ta) {
      ta.addEventListener("input", function () { dirty = ta.value.trim().length > 0; });
      ta.form.addEventListener("submit", function () { dirty = false; });
    });
    window.addEventListener("beforeunload", function (ev) {
      if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localiseTimes();
    autosubmit();
    confirmations();
    guardComposer();
    topbarMenu();
  });
})();
