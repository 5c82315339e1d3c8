/* The live console (supportdesk.live): the agent's event stream, opened by htmx's SSE extension on
   <body sse-connect>, keeps pages current without a reload.
   - Queue: its rows (htmx refetches the page on `sse:ticket`) are merged in place: rows appear,
     move and update; checked rows, scroll and the filter being typed are left alone; the sidebar
     and header counts follow. Avatars show who is on each ticket.
   - Ticket: new messages, header, history and the property form follow; a field the agent is
     editing keeps their value (a colleague's change to it is marked, and the version is left as
     it was so the server shows the per-field merge); otherwise the form's version follows.
   - Presence: heartbeats while the tab is visible, typing as the agent writes, goodbye on leave.
   Without script every page still works; it only stops being live. */
(function () {
  "use strict";

  var HEARTBEAT_MS = 10000;
  var TYPING_IDLE_MS = 5000;

  function csrf() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }
  function parse(html) { return new DOMParser().parseFromString(html, "text/html"); }
  function swapInner(selector, doc) {
    var mine = document.querySelector(selector);
    var fresh = doc.querySelector(selector);
    if (mine && fresh && mine.innerHTML !== fresh.innerHTML) { mine.innerHTML = fresh.innerHTML; }
  }

  var head = document.querySelector("[data-live-ticket]");
  var number = head ? Number(head.getAttribute("data-live-ticket")) : null;
  var me = Number(document.body.getAttribute("data-live-me")) || null;
  var rowsBody = document.querySelector("[data-live-rows]");
  var words = window.supportdesk.words;  // the words each element's template wrote (app.js)

  // -- the stream: listen on the EventSource htmx opened (again after each reconnect) ----------
  var source = null;
  document.addEventListener("htmx:sseOpen", function (event) {
    var opened = event.detail && event.detail.source;
    if (!opened || opened === source) { return; }
    source = opened;
    opened.addEventListener("ticket", function (m) { onTicket(JSON.parse(m.data)); });
    opened.addEventListener("presence", function (m) { onPresence(JSON.parse(m.data)); });
    opened.addEventListener("notification", onNotification);
    opened.addEventListener("reset", function () { onTicket(null); });
  });

  function onNotification() {
    var count = document.querySelector(".bell-count");
    var link = document.querySelector(".bell-link");
    if (!count || !link) { return; }
    var n = Number(count.getAttribute("data-unread") || "0") + 1;
    count.setAttribute("data-unread", String(n));
    count.textContent = n < 100 ? String(n) : "99+";
    link.classList.add("has-unread");
  }

  // -- the ticket page ---------------------------------------------------------------------------
  var refreshing = false;
  var refreshAgain = false;

  function onTicket(event) {
    if (!head) { return; }
    if (event && event.ticket !== number) { return; }
    if (event && event.deleted) {
      showNotice(words(head, "deleted"));
      return;
    }
    if (event && event.actor !== me && (event.messages || []).some(function (m) { return m.public; })) {
      composerNewer();
    }
    refreshTicket();
  }

  function refreshTicket() {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var doc = parse(html);
        swapInner(".ticket-head h1", doc);
        swapInner(".ticket-meta", doc);
        swapInner("[data-live-history]", doc);
        appendMessages(doc);
        mergeProperties(doc);
      })
      .catch(function () { /* the next event or a reload shows it */ })
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; refreshTicket(); }
      });
  }

  function appendMessages(doc) {
    var list = document.querySelector("[data-live-messages]");
    if (!list) { return; }
    var have = {};
    list.querySelectorAll("[data-message-id]").forEach(function (a) { have[a.getAttribute("data-message-id")] = true; });
    doc.querySelectorAll("[data-live-messages] [data-message-id]").forEach(function (a) {
      if (have[a.getAttribute("data-message-id")]) { return; }
      var node = document.importNode(a, true);
      node.classList.add("message-live");
      list.appendChild(node);
    });
  }

  function composerNewer() {
    var note = document.querySelector("[data-composer-newer]");
    var body = document.querySelector("#composer textarea[name=body]");
    if (note && body && body.value.trim() !== "") { note.hidden = false; }
  }

  function showNotice(text) {
    var p = document.createElement("p");
    p.className = "alert alert-info live-notice";
    p.setAttribute("role", "status");
    p.textContent = text;
    head.parentNode.insertBefore(p, head.nextSibling);
  }

  // Each property field's value as the page showed it, to tell the agent's edits from a
  // colleague's changes.
  function valueOf(el) {
    if (el.type === "checkbox") { return el.checked ? "1" : ""; }
    if (el.multiple) {
      return Array.prototype.filter.call(el.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; }).join("\n");
    }
    return el.value;
  }
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.name !== "version" && el.type !== "submit" && el.type !== "hidden";
    });
  }
  function remember(form) {
    fields(form).forEach(function (el) { el.setAttribute("data-live-shown", valueOf(el)); });
  }
  function setValue(mine, fresh) {
    if (mine.tagName === "SELECT") {
      mine.innerHTML = fresh.innerHTML;  // a status offers the moves from the new status
    }
    if (mine.type === "checkbox") { mine.checked = fresh.checked; } else if (mine.tagName !== "SELECT") { mine.value = fresh.value; }
  }

  function mergeProperties(doc) {
    var form = document.querySelector("[data-live-properties]");
    var fresh = doc.querySelector("[data-live-properties]");
    if (!form || !fresh) { return; }
    var clash = false;
    fields(fresh).forEach(function (el) {
      var mine = form.elements.namedItem(el.name);
      if (!mine || !mine.getAttribute) { return; }
      var shown = mine.getAttribute("data-live-shown");
      var now = valueOf(el);
      if (shown === null || now === shown) { return; }
      if (valueOf(mine) === shown) {
        setValue(mine, el);
        mine.setAttribute("data-live-shown", now);
        mine.classList.add("live-updated");
      } else if (valueOf(mine) !== now) {
        clash = true;
        mine.classList.add("live-clash");
        mine.setAttribute("title", words(form, "clash"));
      } else {
        mine.setAttribute("data-live-shown", now);
      }
    });
    if (!clash) {
      form.elements.namedItem("version").value = fresh.elements.namedItem("version").value;
    }
  }

  // -- presence ----------------------------------------------------------------------------------
  function showPresence(people) {
    var bar = document.querySelector("[data-presence]");
    if (!bar) { return; }
    bar.textContent = "";
    people = (people || []).filter(function (p) { return p.id !== me; });
    bar.hidden = people.length === 0;
    if (!people.length) { return; }
    bar.appendChild(document.createTextNode(words(bar, "here") + " "));
    people.forEach(function (p, i) {
      var who = document.createElement("span");
      who.className = "presence-person" + (p.typing ? " is-typing" : "");
      var avatar = document.createElement("span");
      avatar.className = "avatar avatar-small";
      avatar.setAttribute("aria-hidden", "true");
      avatar.textContent = p.name.slice(0, 1).toUpperCase();
      who.appendChild(avatar);
      var doing = p.typing === "reply" || p.typing === "note" ? words(bar, "typing-" + p.typing, { name: p.name }) : p.name;
      who.appendChild(document.createTextNode(" " + doing));
      bar.appendChild(who);
      if (i < people.length - 1) { bar.appendChild(document.createTextNode(", ")); }
    });
  }

  function onPresence(event) {
    if (head && event.ticket === number) { showPresence(event.viewers); }
    if (rowsBody) { rowAvatars(String(event.ticket), event.viewers); }
  }

  function presence() {
    if (!head) { return; }
    var url = head.getAttribute("data-presence-url");
    var typingMode = null;
    var idle = null;
    var lastSent = 0;
    function send(fields) {
      var body = new FormData();
      body.append("csrf_token", csrf());
      Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
      lastSent = Date.now();
      return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf() } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { showPresence(data.viewers); } })
        .catch(function () {});
    }
    function beat() { if (document.visibilityState === "visible") { send({ typing: typingMode || "" }); } }
    function leave() {
      var body = new FormData();
      body.append("csrf_token", csrf());
      body.append("leave", "1");
      if (navigator.sendBeacon) { navigator.sendBeacon(url, body); }
    }
    beat();
    window.setInterval(beat, HEARTBEAT_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { beat(); } else { leave(); }
    });
    window.addEventListener("pagehide", leave);
    var area = document.querySelector("#composer textarea[name=body]");
    if (!area) { return; }
    area.addEventListener("input", function () {
      var checked = document.querySelector("#composer input[name=kind]:checked");
      var mode = checked && checked.value === "internal" ? "note" : "reply";
      var changed = mode !== typingMode;
      typingMode = mode;
      if (changed || Date.now() - lastSent > 3000) { beat(); }
      window.clearTimeout(idle);
      idle = window.setTimeout(function () { typingMode = null; beat(); }, TYPING_IDLE_MS);
    });
  }

  // -- the queue ---------------------------------------------------------------------------------
  function rowAvatars(ticket, people) {
    var row = rowsBody && rowsBody.querySelector('tr[data-ticket="' + ticket + '"]');
    var slot = row && row.querySelector("[data-row-presence]");
    if (!slot) { return; }
    slot.textContent = "";
    (people || []).filter(function (p) { return p.id !== me; }).forEach(function (p) {
      var avatar = document.createElement("span");
      avatar.className = "avatar avatar-small" + (p.typing ? " is-typing" : "");
      avatar.title = words(rowsBody, p.typing ? "typing" : "viewing", { name: p.name });
      avatar.textContent = p.name.slice(0, 1).toUpperCase();
      slot.appendChild(avatar);
    });
  }

  function queuePresence() {
    if (!rowsBody) { return; }
    var url = rowsBody.getAttribute("data-presence-list-url");
    var numbers = Array.prototype.map.call(rowsBody.querySelectorAll("tr[data-ticket]"), function (tr) {
      return "ticket=" + encodeURIComponent(tr.getAttribute("data-ticket"));
    });
    if (!numbers.length) { return; }
    fetch(url + "?" + numbers.join("&"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { Object.keys(data.tickets).forEach(function (n) { rowAvatars(n, data.tickets[n]); }); })
      .catch(function () {});
  }

  function mergeQueue(html) {
    var doc = parse(html);
    swapInner("[data-live-counts]", doc);
    swapInner("[data-live-view-counts]", doc);
    swapInner("[data-live-shown]", doc);
    var fresh = doc.querySelector("[data-live-rows]");
    if (!fresh) { return; }
    var old = {};
    rowsBody.querySelectorAll("tr[data-ticket]").forEach(function (tr) { old[tr.getAttribute("data-ticket")] = tr; });
    var seen = {};
    Array.prototype.forEach.call(fresh.querySelectorAll("tr[data-ticket]"), function (tr, i) {
      var n = tr.getAttribute("data-ticket");
      seen[n] = true;
      var row = old[n];
      if (row) {
        Array.prototype.forEach.call(tr.children, function (td, j) {
          var cell = row.children[j];
          if (cell && !td.classList.contains("col-check") && !td.classList.contains("col-number") && cell.innerHTML !== td.innerHTML) {
            cell.innerHTML = td.innerHTML;
          }
        });
        row.className = tr.className;
      } else {
        row = document.importNode(tr, true);
        row.classList.add("row-new");
      }
      var at = rowsBody.children[i];
      if (at !== row) { rowsBody.insertBefore(row, at || null); }
    });
    Object.keys(old).forEach(function (n) {
      if (seen[n]) { return; }
      var box = old[n].querySelector("input[type=checkbox]");
      if (!box || !box.checked) { old[n].remove(); }  // a checked row stays until unchecked
    });
    document.dispatchEvent(new CustomEvent("live:rows"));
    queuePresence();
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) { return; }
    if (rowsBody && event.detail.elt === rowsBody) {
      mergeQueue(event.detail.xhr.responseText);
    } else if (event.detail.elt.hasAttribute("data-live-empty")) {
      // An empty queue got its first ticket: nothing is selected or scrolled yet, so load the
      // page, unless the agent is typing in the filters.
      var typing = document.activeElement && document.activeElement.closest("form.filters");
      if (!typing && parse(event.detail.xhr.responseText).querySelector("[data-live-rows]")) {
        window.location.reload();
      }
    }
  });

  var form = document.querySelector("[data-live-properties]");
  if (form) { remember(form); }
  presence();
  queuePresence();
})();
