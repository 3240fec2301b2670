// Copy buttons beside the constants of a code page. Progressive enhancement: without
// JavaScript (or without the Clipboard API) the constants stay plain, selectable text.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) return;
  document.querySelectorAll("table[data-copy]").forEach(function (table) {
    var label = table.getAttribute("data-copy");
    table.querySelectorAll("td > code").forEach(function (code) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = label;
      button.setAttribute("aria-label", label + " " + code.textContent);
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(code.textContent).then(function () {
          button.textContent = "\u2713"; // a check mark: copied
          window.setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
      code.insertAdjacentElement("afterend", button);
    });
  });
})();
