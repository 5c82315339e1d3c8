/* The composer's article suggestions: the server suggests published articles for the ticket
   (its subject and last message) or for the words searched; "Insert link" puts a Markdown link
   at the cursor, "Insert text" the article's text. Each insertion is counted for reports.
   Loaded as a file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  function insertAt(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd, value = textarea.value;
    var before = value.slice(0, start), after = value.slice(end);
    var gap = before && !/\s$/.test(before) ? " " : "";
    textarea.value = before + gap + text + after;
    var caret = (before + gap + text).length;
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  function setup(box) {
    var form = box.closest("form");
    var textarea = form && form.querySelector("textarea[name=body]");
    if (!textarea) { return; }
    var list = box.querySelector("[data-kb-suggest-list]");
    var status = box.querySelector("[data-kb-suggest-status]");
    var input = box.querySelector("[data-kb-suggest-q]");
    var token = form.querySelector("input[name=csrf_token]");
    var insertedUrl = box.getAttribute("data-inserted-url");
    var words = window.supportdesk.words;

    function counted(id) {
      var body = new FormData();
      if (token) { body.append("csrf_token", token.value); }
      fetch(insertedUrl.replace(/\/0\/inserted$/, "/" + id + "/inserted"), {
        method: "POST", body: body, credentials: "same-origin"
      }).catch(function () {});
    }

    // kind "link" or "text": the button's word, and its label naming the article.
    function button(kind, title, onClick) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button button-small";
      b.textContent = words(box, kind);
      b.setAttribute("aria-label", words(box, kind + "-label", { title: title }));
      b.addEventListener("click", onClick);
      return b;
    }

    function show(articles, query) {
      list.textContent = "";
      var values = { query: query, count: articles.length };
      if (!articles.length) {
        status.textContent = words(box, query ? "none-for" : "none", values);
        return;
      }
      status.textContent = words(box, query ? "found-for" : "found", values);
      articles.forEach(function (article) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = article.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.textContent = article.title;
        var actions = document.createElement("span");
        actions.className = "kb-suggest-actions";
        actions.appendChild(button("link", article.title, function () {
          insertAt(textarea, "[" + article.title.replace(/[\[\]]/g, "") + "](" + article.url + ")");
          counted(article.id);
        }));
        actions.appendChild(button("text", article.title, function () {
          insertAt(textarea, article.body);
          counted(article.id);
        }));
        item.appendChild(link);
        item.appendChild(actions);
        list.appendChild(item);
      });
    }

    function load(query) {
      var url = box.getAttribute("data-url") + (query ? "?q=" + encodeURIComponent(query) : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) { show(data.articles, data.query); })
        .catch(function () { status.textContent = words(box, "failed"); });
    }

    box.querySelector("[data-kb-suggest-go]").addEventListener("click", function () { load(input.value.trim()); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  // the reply form must not be sent from here
        event.preventDefault();
        load(input.value.trim());
      }
    });
    load("");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-kb-suggest]").forEach(setup);
  });
})();
