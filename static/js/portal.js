// Customer portal: while a customer types the contact form's subject, show help center articles
// that may answer it (the knowledge base's public suggestions endpoint, HTML). Without script, or
// without a help center, the form works the same and nothing is shown.
(function () {
  "use strict";
  function start() {
    var subject = document.querySelector("[data-suggest-url]");
    var box = document.getElementById("suggestions");
    if (!subject || !box) return;
    var list = box.querySelector("[data-suggestions]");
    var timer = null;
    var asked = "";
    function show(html) {
      list.innerHTML = html;
      box.hidden = !list.querySelector("a");
    }
    function ask() {
      var text = subject.value.trim();
      if (text === asked) return;
      asked = text;
      if (text.length < 3) { show(""); return; }
      var url = subject.getAttribute("data-suggest-url") +
        "?format=html&limit=5&q=" + encodeURIComponent(text);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { if (asked === text) show(html); })
        .catch(function () { show(""); });
    }
    subject.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 300);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Survey: the page a rating link opens sends the rating it names by itself, so rating stays one
// click for the customer while opening the link (as mail scanners do) records nothing.
(function () {
  "use strict";
  function send() {
    var form = document.querySelector("form[data-send-on-load]");
    if (form) form.submit();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", send);
  } else {
    send();
  }
})();
