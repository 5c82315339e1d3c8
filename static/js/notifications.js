/* The bell's dropdown and the @ autocomplete of internal notes. Both are extras: without script
   the bell is a link to the notification page, and a mention is typed by hand. */
(function () {
  "use strict";

  function bell() {
    var root = document.querySelector("[data-bell]");
    if (!root) { return; }
    var toggle = root.querySelector("[data-bell-toggle]");
    var menu = root.querySelector("[data-bell-menu]");
    function close() { menu.hidden = true; toggle.setAttribute("aria-expanded", "false"); }
    toggle.addEventListener("click", function (event) {
      if (event.metaKey || event.ctrlKey || event.shiftKey) { return; }
      event.preventDefault();
      if (!menu.hidden) { close(); return; }
      fetch(toggle.getAttribute("data-menu-url"), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
        .then(function (html) {
          menu.innerHTML = html;
          menu.hidden = false;
          toggle.setAttribute("aria-expanded", "true");
        })
        .catch(function () { window.location.href = toggle.href; });
    });
    document.addEventListener("click", function (event) {
      if (!menu.hidden && !root.contains(event.target)) { close(); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !menu.hidden) { close(); toggle.focus(); }
    });
  }

  // The word being typed when it is a mention: "@" at the start or after a space, then a handle.
  var TYPING = /(^|[\s(\[{"'])@([A-Za-z0-9._+@-]*)$/;

  function mentions() {
    var area = document.querySelector("textarea[data-mentions-url]");
    if (!area) { return; }
    var people = null;
    var picker = document.createElement("ul");
    picker.className = "mention-picker";
    picker.setAttribute("role", "listbox");
    picker.hidden = true;
    document.body.appendChild(picker);
    var matches = [];
    var active = 0;

    var loading = null;
    function load() {
      if (people !== null) { return Promise.resolve(people); }
      // One request however fast the agent types (each keystroke waits for the same answer).
      loading = loading || fetch(area.getAttribute("data-mentions-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (list) { people = list; return list; });
      return loading;
    }
    function query() {
      var before = area.value.slice(0, area.selectionStart);
      var found = TYPING.exec(before);
      return found ? found[2].toLowerCase() : null;
    }
    function hide() { picker.hidden = true; matches = []; }
    function render() {
      picker.innerHTML = "";
      matches.forEach(function (p, i) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", i === active ? "true" : "false");
        item.textContent = p.name;
        var handle = document.createElement("span");
        handle.className = "handle";
        handle.textContent = "@" + p.handle;
        item.appendChild(handle);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(p); });
        picker.appendChild(item);
      });
      var box = area.getBoundingClientRect();
      picker.style.left = (window.scrollX + box.left) + "px";
      picker.style.top = (window.scrollY + box.bottom + 4) + "px";
      picker.hidden = matches.length === 0;
    }
    function choose(person) {
      var at = area.selectionStart;
      var before = area.value.slice(0, at);
      var start = before.lastIndexOf("@", at);
      var text = "@" + person.handle + " ";
      area.value = area.value.slice(0, start) + text + area.value.slice(at);
      area.selectionStart = area.selectionEnd = start + text.length;
      area.dispatchEvent(new Event("input", { bubbles: true }));
      hide();
      area.focus();
    }
    area.addEventListener("input", function () {
      if (query() === null) { hide(); return; }
      load().then(function (list) {
        var typed = query();  // what is typed when the list arrives, not when it was asked for
        if (typed === null) { hide(); return; }
        matches = list.filter(function (p) {
          return p.handle.indexOf(typed) === 0 || p.name.toLowerCase().indexOf(typed) !== -1;
        }).slice(0, 8);
        active = 0;
        render();
      });
    });
    area.addEventListener("keydown", function (event) {
      if (picker.hidden) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
        render();
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(matches[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        hide();
      }
    });
    area.addEventListener("blur", function () { window.setTimeout(hide, 150); });
  }

  document.addEventListener("DOMContentLoaded", function () { bell(); mentions(); });
}());
