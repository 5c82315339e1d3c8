/* Keyboard shortcuts of the console. Never while typing in a field (except Ctrl+Enter, which
   composer.js handles inside the composer). `?` lists them in an accessible dialog. */
(function () {
  "use strict";

  var SHORTCUTS = [
    ["j", "Next ticket in the queue"],
    ["k", "Previous ticket in the queue"],
    ["Enter", "Open the selected ticket"],
    ["r", "Reply to the customer (ticket page)"],
    ["n", "Write an internal note (ticket page)"],
    ["Ctrl+Enter", "Send from the composer"],
    ["/", "Search"],
    ["?", "Show this list"]
  ];

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

  var dialog = null;
  var opener = null;

  function buildDialog() {
    dialog = document.createElement("dialog");
    dialog.className = "shortcuts-dialog";
    dialog.id = "shortcuts";
    dialog.setAttribute("aria-labelledby", "shortcuts-title");
    var title = document.createElement("h2");
    title.id = "shortcuts-title";
    title.textContent = "Keyboard shortcuts";
    var list = document.createElement("dl");
    SHORTCUTS.forEach(function (s) {
      var dt = document.createElement("dt");
      s[0].split("+").forEach(function (key, i) {
        if (i) { dt.appendChild(document.createTextNode("+")); }
        var kbd = document.createElement("kbd");
        kbd.textContent = key;
        dt.appendChild(kbd);
      });
      var dd = document.createElement("dd");
      dd.textContent = s[1];
      list.appendChild(dt);
      list.appendChild(dd);
    });
    var note = document.createElement("p");
    note.className = "hint";
    note.textContent = "Shortcuts work when you are not typing in a field.";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button";
    close.textContent = "Close";
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { if (opener) { opener.focus(); } });
    dialog.append(title, list, note, close);
    document.body.appendChild(dialog);
  }

  function showShortcuts() {
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
