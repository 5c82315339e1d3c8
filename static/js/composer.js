/* The ticket page's composer: reply ⇄ note switch, Markdown preview, draft autosave, Ctrl+Enter.
   Loaded as a file (the CSP forbids inline scripts); the page works without it. */
(function () {
  "use strict";

  var AUTOSAVE_MS = 800;

  function setup(section) {
    var form = section.querySelector("form");
    var body = form.querySelector("textarea[name=body]");
    var status = section.querySelector("[data-composer-status]");
    var preview = section.querySelector("[data-composer-preview]");
    var timer = null;
    var saving = null;
    var lastSaved = serialize();
    var words = window.supportdesk.words;

    function mode() {
      var checked = form.querySelector("input[name=kind]:checked");
      return checked ? checked.value : "public";
    }

    // One mode at a time: colour, heading, buttons and the reply-only parts follow the switch.
    function applyMode() {
      var m = mode();
      section.classList.toggle("composer-public", m === "public");
      section.classList.toggle("composer-internal", m === "internal");
      section.querySelectorAll("[data-public][data-internal]").forEach(function (el) {
        el.textContent = el.getAttribute("data-" + m);
      });
      section.querySelectorAll("[data-reply-only]").forEach(function (el) { el.hidden = m !== "public"; });
      section.querySelectorAll("[data-note-only]").forEach(function (el) { el.hidden = m !== "internal"; });
      var send = section.querySelector("[data-composer-send]");
      send.classList.toggle("button-primary", m === "public");
      send.classList.toggle("button-note", m === "internal");
    }

    function serialize() {
      var data = new FormData(form);
      return ["kind", "body", "cc", "time_spent_minutes"].map(function (k) { return k + "=" + (data.get(k) || ""); }).join("\n");
    }

    function say(name) { if (status) { status.textContent = name ? words(section, name) : ""; } }

    // Drafts live on the server (per ticket and agent): they survive a reload and a sign-out.
    function save() {
      timer = null;
      var now = serialize();
      if (now === lastSaved) { section.removeAttribute("data-unsaved"); return; }
      var data = new FormData(form);
      data.delete("then");
      saving = fetch(section.getAttribute("data-draft-url"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": data.get("csrf_token") || "" }
      }).then(function (response) {
        if (response.ok) {
          lastSaved = now;
          if (serialize() === now) { section.removeAttribute("data-unsaved"); }
          return response.json().then(function (answer) { say(answer.saved ? "saved" : ""); });
        }
        say("not-saved");
      }).catch(function () { say("offline"); });
    }

    function schedule() {
      say("");
      section.setAttribute("data-unsaved", "");
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, AUTOSAVE_MS);
    }

    form.addEventListener("input", schedule);
    form.querySelectorAll("input[name=kind]").forEach(function (radio) {
      radio.addEventListener("change", function () { applyMode(); schedule(); });
    });
    form.addEventListener("submit", function () {
      if (timer) { clearTimeout(timer); timer = null; }
      section.removeAttribute("data-unsaved");
    });

    // Ctrl+Enter (⌘+Enter on a Mac) sends from anywhere in the composer.
    form.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        var send = section.querySelector("[data-composer-send]");
        if (form.requestSubmit) { form.requestSubmit(send); } else { send.click(); }
      }
    });

    // Write / Preview: the server renders the Markdown exactly as the email will show it.
    section.querySelectorAll("[data-tab]").forEach(function (tab) {
      tab.addEventListener("click", function () {
        var showPreview = tab.getAttribute("data-tab") === "preview";
        section.querySelectorAll("[data-tab]").forEach(function (t) {
          t.setAttribute("aria-selected", String(t === tab));
        });
        body.closest(".field").hidden = showPreview;
        preview.hidden = !showPreview;
        if (!showPreview) { body.focus(); return; }
        preview.textContent = words(section, "rendering");
        var data = new FormData();
        data.append("body", body.value);
        fetch(section.getAttribute("data-preview-url"), {
          method: "POST", body: data, credentials: "same-origin",
          headers: { "X-CSRFToken": form.querySelector("[name=csrf_token]").value }
        }).then(function (r) { return r.json(); }).then(function (answer) {
          if (answer.html) {
            preview.innerHTML = answer.html;  // sanitized by the server (supportdesk.markdown: nh3 allow-list)
            return;
          }
          var empty = document.createElement("p");
          empty.className = "muted";
          empty.textContent = words(section, "empty");
          preview.replaceChildren(empty);
        }).catch(function () { preview.textContent = words(section, "unavailable"); });
      });
    });

    applyMode();
    section.composer = {
      focus: function (m) {
        var radio = form.querySelector("input[name=kind][value=" + m + "]");
        if (radio && !radio.checked) { radio.checked = true; applyMode(); schedule(); }
        var writeTab = section.querySelector("[data-tab=write]");
        if (writeTab && body.closest(".field").hidden) { writeTab.click(); }
        body.focus();
      }
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-composer]").forEach(setup);
  });
})();
