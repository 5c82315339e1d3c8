/* Keyboard shortcuts of the console. Never while typing in a field (except Ctrl+Enter, which
   composer.js handles inside the composer). `?` opens the page's list of them (templates/base.html). */
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    if (target.isContentEditable || tag === "textarea" || tag === "select") { return true; }
    if (tag !== "input") { return false; }
    var type = (target.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(type) === -1;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table.tickets tbody tr"))
      .filter(function (row) { return row.querySelector("a[href]"); });
  }

  function select(delta) {
    var list = rows();
    if (!list.length) { return; }
    var current = list.findIndex(function (row) { return row.classList.contains("is-selected"); });
    var next = current === -1 ? (delta > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, current + delta));
    list.forEach(function (row) { row.classList.remove("is-selected"); });
    var row = list[next];
    row.classList.add("is-selected");
    // Focus the row's subject link: Enter opens it, and screen readers announce the ticket.
    var link = row.querySelector(".col-subject a[href]") || row.querySelector("a[href]");
    link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function openSelected() {
    var row = document.querySelector("table.tickets tbody tr.is-selected");
    var link = row && (row.querySelector(".col-subject a[href]") || row.querySelector("a[href]"));
    if (!link) { return false; }
    window.location.href = link.href;
    return true;
  }

  // The dialog is the page's own (a template in templates/base.html, in the page's language),
  // put in the page the first time it is asked for.
  var template = document.getElementById("shortcuts-template");
  var dialog = null;
  var opener = null;

  function buildDialog() {
    dialog = template.content.firstElementChild.cloneNode(true);
    document.body.appendChild(dialog);
    dialog.querySelector("[data-shortcuts-close]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { if (opener) { opener.focus(); } });
  }

  function showShortcuts() {
    if (!template) { return; }
    if (!dialog) { buildDialog(); }
    if (dialog.open) { return; }
    opener = document.activeElement;
    dialog.showModal();
    dialog.querySelector("button").focus();
  }

  function composer(mode) {
    var section = document.querySelector("[data-composer]");
    if (!section || !section.composer) { return false; }
    section.scrollIntoView({ block: "nearest" });
    section.composer.focus(mode);
    return true;
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (typing(ev.target) || (dialog && dialog.open)) { return; }
    var handled = true;
    switch (ev.key) {
      case "j": select(1); break;
      case "k": select(-1); break;
      case "Enter":
        // A focused link or button does its own thing; Enter opens the selected row otherwise.
        handled = !/^(a|button)$/i.test(ev.target.tagName) && openSelected();
        break;
      case "r": handled = composer("public"); break;
      case "n": handled = composer("internal"); break;
      case "/": {
        var search = document.querySelector(".topsearch input[type=search]");
        if (search) { search.focus(); search.select(); } else { handled = false; }
        break;
      }
      case "?": showShortcuts(); break;
      default: handled = false;
    }
    if (handled) { ev.preventDefault(); }
  });
})();
