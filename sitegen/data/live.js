// Live reload for `sitegen serve`. The server injects this script into the pages it
// serves; built output never contains it. It listens to /__sitegen/events (server-sent
// events): "reload" refreshes the page if it changed (with the new page's HTML when the
// server sends it: this page says which one it is), "css" swaps the stylesheets,
// "problems" shows the build errors over the page, "ok" removes them, and "hello" (sent
// on every connection) reloads a page served by an earlier server or an older build.
(function () {
  "use strict";
  var config = JSON.parse(document.currentScript.getAttribute("data-sitegen"));
  var state = (window.sitegenLive = { connected: false, generation: config.generation, refreshes: 0, problems: null });
  var OVERLAY = "sitegen-overlay";
  var head = document.head.innerHTML; // as served: a new page with another head is reloaded
  var refreshing = null;
  var again = false;

  function concerns(paths) {
    return paths.some(function (path) { return config.keys.indexOf(path) >= 0; });
  }

  // Warnings collapse to a badge in a corner, with their count: the page stays readable.
  // The badge opens the list; "Hide" hides warnings on every page of this tab until it is
  // closed (sessionStorage). A failed build covers the page: what is shown is stale.
  var HIDDEN = "sitegen-warnings-hidden";

  function warningsHidden() {
    try { return sessionStorage.getItem(HIDDEN) === "1"; } catch (error) { return false; }
  }

  function showProblems(problems) {
    state.problems = problems;
    var old = document.getElementById(OVERLAY);
    if (old) old.remove();
    if (!problems.failed && warningsHidden()) return;
    var color = problems.failed ? "#e5484d" : "#d39b1a";
    var overlay = document.createElement("div");
    overlay.id = OVERLAY;
    overlay.setAttribute("role", problems.failed ? "alert" : "status");
    var font = "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left;direction:ltr;";
    var panel = document.createElement("div");
    panel.style.cssText = "margin:0;padding:1em 1.25em;background:#1d1d21;color:#fff;overflow:auto;" + font;
    var hide = document.createElement("button");
    hide.type = "button";
    hide.textContent = "Hide";
    hide.style.cssText = "float:right;margin-left:1em;font:inherit;cursor:pointer";
    hide.addEventListener("click", function () {
      if (!problems.failed) {
        try { sessionStorage.setItem(HIDDEN, "1"); } catch (error) { /* private mode: this page only */ }
      }
      overlay.remove();
    });
    panel.appendChild(hide);
    var title = document.createElement("p");
    title.style.cssText = "margin:0 0 .5em;font-weight:bold;color:" + color;
    title.textContent = problems.failed
      ? "sitegen: the last build failed. The page below is the last good build; save a fix to clear this."
      : "sitegen: the build has warnings. Save a fix to clear them; Hide hides them in this tab.";
    panel.appendChild(title);
    var list = document.createElement("ul");
    list.style.cssText = "margin:0;padding:0;list-style:none;white-space:pre-wrap";
    problems.lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    panel.appendChild(list);
    if (problems.failed) {
      overlay.style.cssText =
        "position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:70vh;overflow:auto;border-bottom:4px solid " + color;
      overlay.appendChild(panel);
    } else {
      overlay.style.cssText =
        "position:fixed;right:1em;bottom:1em;z-index:2147483647;max-width:min(60em,calc(100vw - 2em));max-height:60vh;" +
        "display:flex;flex-direction:column;align-items:flex-end;gap:.5em";
      panel.hidden = true;
      panel.style.borderTop = "4px solid " + color;
      var count = problems.lines.length;
      var badge = document.createElement("button");
      badge.type = "button";
      badge.className = "sitegen-badge";
      badge.textContent = "\u26a0 " + count + (count === 1 ? " warning" : " warnings");
      badge.setAttribute("aria-expanded", "false");
      badge.style.cssText = "cursor:pointer;padding:.4em .8em;border:2px solid " + color + ";border-radius:1em;background:#1d1d21;color:#fff;" + font;
      badge.addEventListener("click", function () {
        panel.hidden = !panel.hidden;
        badge.setAttribute("aria-expanded", String(!panel.hidden));
      });
      overlay.appendChild(panel);
      overlay.appendChild(badge);
    }
    document.body.appendChild(overlay);
  }

  function hideProblems() {
    state.problems = null;
    var overlay = document.getElementById(OVERLAY);
    if (overlay) overlay.remove();
  }

  function swapStylesheets(paths, version) {
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin || paths.indexOf(url.pathname) < 0) return;
      url.searchParams.set("v", version);
      var fresh = link.cloneNode();
      fresh.href = url.href;
      // the old sheet stays until the new one has loaded: no flash of unstyled page
      fresh.addEventListener("load", function () { link.remove(); });
      fresh.addEventListener("error", function () { link.remove(); });
      link.after(fresh);
    });
  }

  // Refresh in place: put the new page's body in place of the old one. When only the
  // body changed (an edit of the text) this shows the change in a few milliseconds and
  // keeps the scroll position; anything else (another head, the page's own scripts)
  // gets a full reload.
  function show(text) {
    var page = new DOMParser().parseFromString(text, "text/html");
    // data blocks (JSON for the site's script, JSON-LD) run nothing: only code counts
    var scripts = page.body.querySelectorAll('script:not([data-sitegen]):not([type="application/json"]):not([type="application/ld+json"])').length;
    var root = document.documentElement;
    if (scripts || page.head.innerHTML !== head ||
        page.documentElement.getAttribute("lang") !== root.getAttribute("lang") ||
        page.documentElement.getAttribute("dir") !== root.getAttribute("dir")) {
      location.reload();
      return;
    }
    document.body.replaceWith(page.body); // the new page's copy of this script stays inert
    // the site's own script (static/site.js) enhances the new body again
    document.dispatchEvent(new Event("sitegen:refreshed"));
    if (state.problems) showProblems(state.problems);
    state.refreshes += 1;
  }

  // The new page comes with the event (its "html"), or is fetched; an error reloads.
  function refresh(html) {
    if (refreshing) {
      again = true; // a fetch is under way: fetch again once it is done, for the newest page
      return;
    }
    if (typeof html === "string") {
      try { show(html); } catch (error) { location.reload(); }
      return;
    }
    refreshing = fetch(location.href, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (text) {
        show(text);
        refreshing = null;
        if (again) {
          again = false;
          refresh();
        }
      })
      .catch(function () { location.reload(); });
  }

  function on(source, name, handler) {
    source.addEventListener(name, function (event) { handler(JSON.parse(event.data)); });
  }

  function connect() {
    // a page served for one path says which: the server sends it its new HTML
    var own = config.keys && config.keys.length === 1 ? "?page=" + encodeURIComponent(config.keys[0]) : "";
    var source = new EventSource(config.events + own);
    on(source, "hello", function (data) {
      if (data.boot !== config.boot || data.generation !== state.generation) {
        location.reload(); // served by a server that has restarted since, or an older build
        return;
      }
      state.connected = true;
    });
    on(source, "reload", function (data) {
      state.generation = data.generation;
      if (data.all || config.keys === null) location.reload();
      else if (concerns(data.paths)) refresh(data.html);
    });
    on(source, "css", function (data) {
      swapStylesheets(data.paths, data.version);
      state.generation = data.generation;
    });
    on(source, "problems", function (data) { showProblems(data); });
    on(source, "ok", function () { hideProblems(); });
    source.onerror = function () {
      state.connected = false;
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, 1000); // the browser gave up: try again until the server is back
      }
    };
  }

  connect();
})();
