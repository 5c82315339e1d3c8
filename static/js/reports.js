// Report pages: the Print button, and every chart table open while printing.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.panel-table").forEach(function (d) {
      d.dataset.wasOpen = d.open ? "1" : "";
      d.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details.panel-table").forEach(function (d) {
      d.open = d.dataset.wasOpen === "1";
    });
  });
})();
