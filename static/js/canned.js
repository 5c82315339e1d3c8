/* Canned replies in the composer: type "#" and words, pick one with the arrows and Enter (or a
   click), and its text, rendered for this ticket by the server, replaces "#words" at the cursor.
   Escape closes the list. Loaded as a file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  // "#" at the start or after a space, then up to 40 characters on the same line.
  var TRIGGER = /(^|\s)#([^\s#][^#\n]{0,39}|)$/;
  var DELAY = 120;

  // `helper` sits in the composer's helper slot, after the textarea of its form.
  function setup(helper) {
    var url = helper.getAttribute("data-canned-url");
    var textarea = helper.closest("form") && helper.closest("form").querySelector("textarea");
    if (!textarea) { return; }
    var list = document.createElement("ul");
    var listId = textarea.id + "-canned";
    var status = document.createElement("p");
    var items = [];
    var active = -1;
    var start = -1;
    var timer = null;
    var asked = 0;
    var words = window.supportdesk.words;

    list.id = listId;
    list.className = "canned-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", words(helper, "list"));
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    helper.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);

    function close() {
      list.hidden = true;
      items = [];
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", String(i === index));
        if (i === index) { li.scrollIntoView({ block: "nearest" }); }
      });
      if (index >= 0) {
        textarea.setAttribute("aria-activedescendant", listId + "-" + index);
      } else {
        textarea.removeAttribute("aria-activedescendant");
      }
    }

    function insert(index) {
      var reply = items[index];
      if (!reply || start < 0) { return; }
      var end = textarea.selectionStart;
      var before = textarea.value.slice(0, start);
      textarea.value = before + reply.body + textarea.value.slice(end);
      var cursor = before.length + reply.body.length;
      textarea.setSelectionRange(cursor, cursor);
      close();
      textarea.focus();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      status.textContent = words(helper, "inserted", { title: reply.title });
    }

    function show(replies) {
      list.textContent = "";
      items = replies;
      if (!replies.length) { close(); status.textContent = words(helper, "none"); return; }
      replies.forEach(function (reply, i) {
        var li = document.createElement("li");
        var title = document.createElement("strong");
        var preview = document.createElement("span");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        title.textContent = reply.title;
        preview.className = "canned-preview";
        preview.textContent = reply.body.replace(/\s+/g, " ").slice(0, 90);
        li.appendChild(title);
        if (reply.shared) {
          var badge = document.createElement("span");
          badge.className = "chip";
          badge.textContent = words(helper, "shared");
          li.appendChild(badge);
        }
        li.appendChild(preview);
        // mousedown, not click: the textarea keeps its focus and its cursor.
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); insert(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      highlight(0);
      status.textContent = window.supportdesk.countWords(helper, "found", replies.length);
    }

    function lookup() {
      var upto = textarea.value.slice(0, textarea.selectionStart);
      var match = TRIGGER.exec(upto);
      if (!match || textarea.selectionStart !== textarea.selectionEnd) { start = -1; close(); return; }
      start = upto.length - match[2].length - 1;
      var query = match[2];
      var ticket = ++asked;
      fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { replies: [] }; })
        .then(function (data) { if (ticket === asked && start >= 0) { show(data.replies || []); } })
        .catch(function () { close(); });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, DELAY);
    });
    textarea.addEventListener("keydown", function (ev) {
      if (list.hidden) { return; }
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlight((active + 1) % items.length); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); insert(active); }
      else if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); start = -1; close(); }
    });
    textarea.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  function init() {
    document.querySelectorAll("[data-canned-url]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
