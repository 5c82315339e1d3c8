/* Files on a composer: pick several, drop them on the form, paste images into the text.
   Loaded by templates/console/_attach_field.html. The server checks the same limits again. */
(function () {
  "use strict";

  var INLINE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

  // As the server prints sizes (1 kB = 1,000 bytes); `box` has the word for bytes.
  function size(bytes, box) {
    if (bytes < 1000) { return window.supportdesk.words(box, "bytes", { count: bytes }); }
    if (bytes < 1000000) { return (bytes / 1000).toFixed(1) + " kB"; }
    return (bytes / 1000000).toFixed(1) + " MB";
  }

  function setup(box) {
    var form = box.closest("form");
    var input = box.querySelector(".attach-input");
    var pastedInput = box.querySelector(".attach-inline");
    var list = box.querySelector("[data-attach-list]");
    var error = box.querySelector("[data-attach-error]");
    var zone = box.querySelector("[data-drop-zone]");
    var text = form.querySelector("textarea");
    var limits = {
      file: Number(box.getAttribute("data-max-file")),
      message: Number(box.getAttribute("data-max-message")),
      files: Number(box.getAttribute("data-max-files"))
    };
    var words = window.supportdesk.words;
    var chosen = [];
    var pasted = [];

    function problem() {
      var all = chosen.concat(pasted);
      var total = 0;
      for (var i = 0; i < all.length; i++) {
        if (all[i].size > limits.file) {
          return words(box, "file-too-big", { name: all[i].name, size: size(all[i].size, box), limit: size(limits.file, box) });
        }
        total += all[i].size;
      }
      if (all.length > limits.files) { return words(box, "too-many", { count: limits.files }); }
      if (total > limits.message) {
        return words(box, "too-much", { size: size(total, box), limit: size(limits.message, box) });
      }
      return "";
    }

    function sync() {
      [[input, chosen], [pastedInput, pasted]].forEach(function (pair) {
        var transfer = new DataTransfer();
        pair[1].forEach(function (f) { transfer.items.add(f); });
        pair[0].files = transfer.files;
      });
      list.textContent = "";
      chosen.map(function (f) { return [f, chosen, false]; })
        .concat(pasted.map(function (f) { return [f, pasted, true]; }))
        .forEach(function (entry) {
          var li = document.createElement("li");
          var name = document.createElement("span");
          name.className = "attach-name";
          name.textContent = entry[0].name;
          var meta = document.createElement("span");
          meta.className = "muted small";
          meta.textContent = " " + (entry[0].type || words(box, "file")) + " · " + size(entry[0].size, box) + (entry[2] ? " " + words(box, "inline") : "");
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "button button-ghost button-small";
          remove.textContent = words(box, "remove");
          remove.setAttribute("aria-label", words(box, "remove-label", { name: entry[0].name }));
          remove.addEventListener("click", function () {
            entry[1].splice(entry[1].indexOf(entry[0]), 1);
            sync();
          });
          li.appendChild(name);
          li.appendChild(meta);
          li.appendChild(remove);
          list.appendChild(li);
        });
      var message = problem();
      error.textContent = message;
      error.hidden = !message;
      box.classList.toggle("has-error", Boolean(message));
    }

    function add(files, target) {
      for (var i = 0; i < files.length; i++) { target.push(files[i]); }
      sync();
    }

    input.addEventListener("change", function () {
      // Picking again adds to what was chosen instead of replacing it.
      var picked = Array.prototype.slice.call(input.files);
      add(picked.filter(function (f) { return chosen.indexOf(f) === -1; }), chosen);
    });

    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (ev) {
        if (ev.dataTransfer && Array.prototype.indexOf.call(ev.dataTransfer.types, "Files") !== -1) {
          ev.preventDefault();
          zone.classList.add("is-dragging");
        }
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { zone.classList.remove("is-dragging"); });
    });
    form.addEventListener("drop", function (ev) {
      if (ev.dataTransfer && ev.dataTransfer.files.length) {
        ev.preventDefault();
        add(ev.dataTransfer.files, chosen);
      }
    });

    if (text) {
      text.addEventListener("paste", function (ev) {
        var items = (ev.clipboardData && ev.clipboardData.items) || [];
        var images = [];
        for (var i = 0; i < items.length; i++) {
          if (items[i].kind === "file" && INLINE_TYPES.indexOf(items[i].type) !== -1) {
            var blob = items[i].getAsFile();
            var extension = items[i].type.split("/")[1].replace("jpeg", "jpg");
            var name = "pasted-image-" + (pasted.length + images.length + 1) + "." + extension;
            images.push(new File([blob], name, { type: items[i].type }));
          }
        }
        if (images.length) {
          ev.preventDefault();
          add(images, pasted);
        }
      });
    }

    form.addEventListener("submit", function (ev) {
      var message = problem();
      if (message) {
        ev.preventDefault();
        error.textContent = message;
        error.hidden = false;
        error.scrollIntoView({ block: "center" });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof DataTransfer === "undefined") { return; }  // plain file inputs still work
    document.querySelectorAll("[data-attach]").forEach(setup);
  });
})();
