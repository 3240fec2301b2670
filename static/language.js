// The language chooser at /: put the browser's language first. The links work the same
// without this script (the site reads without JavaScript); it is a file, not an inline
// script, so that the pages' Content-Security-Policy allows scripts from the site only.
(function () {
  // Put the browser's language first; the links work the same without this.
  var list = document.getElementById("choices");
  if (!list) return;
  var wanted = navigator.languages || [navigator.language || ""];
  for (var i = 0; i < wanted.length; i++) {
    var tag = String(wanted[i]).toLowerCase();
    var items = list.querySelectorAll("li[data-lang]");
    for (var j = 0; j < items.length; j++) {
      var own = items[j].getAttribute("data-lang").toLowerCase();
      if (own === tag || own === tag.split("-")[0] || tag.indexOf(own + "-") === 0) {
        items[j].className = "suggested";
        list.insertBefore(items[j], list.firstChild);
        return;
      }
    }
  }
})();
