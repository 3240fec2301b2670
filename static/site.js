/* sitegen: the reader features that need a script. Every page works without it: each
   part below only adds to what the HTML already offers. The page passes its data (URLs,
   translated strings) in <script type="application/json" id="sitegen-ui">, never code. */
(function () {
  "use strict";
  var ui = null;
  var t = null;

  function make(tag, attributes, text) {
    var element = document.createElement(tag);
    for (var name in attributes || {}) element.setAttribute(name, attributes[name]);
    if (text != null) element.textContent = text;
    return element;
  }

  function count(n, one, other) {
    var form = "other";
    try { form = new Intl.PluralRules(document.documentElement.lang).select(n); } catch (error) { /* an old browser: "other" */ }
    return (form === "one" ? one : other).replace("{n}", n);
  }

  /* ---- Search: codes by number from codes.json, words through Pagefind ---- */
  var codes = null;
  var later = {};
  /* What the search box says once one types comes with codes.json, not with every page. */
  function said(key) { return t[key] || later[key] || ""; }
  function loadCodes() {
    if (!codes) {
      codes = fetch(ui.codes)
        .then(function (response) { return response.ok ? response.json() : { codes: [] }; })
        .then(function (data) {
          later = data.t || {};
          return data.codes;
        })
        .catch(function () { return []; });
    }
    return codes;
  }
  var pagefind = null;
  function loadPagefind() {
    if (!pagefind) {
      pagefind = import(ui.base + "pagefind/pagefind.js").then(function (module) {
        // term frequency counts less than Pagefind's default: a code's name, weighted in its
        // <h1>, should win over a long page that repeats the words
        var options = { baseUrl: ui.base, excerptLength: 16, ranking: { termFrequency: 0.3 } };
        return module.options(options).then(function () { return module; });
      });
    }
    return pagefind;
  }
  function codeUrl(code) { return ui.home + code + "/"; }
  function plain(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }

  /* Pages whose title holds the words as typed ("trop de requêtes": 429) come first, then
     those whose title holds every word; Pagefind's order otherwise. Of two such titles, the
     standard code's comes before an unofficial one's ("unauthorized": 401, then 561). */
  function rerank(pages, query) {
    var phrase = plain(query);
    var words = phrase.split(/\s+/);
    function rank(page) {
      var title = plain(page.meta.title || "");
      var unofficial = page.meta.unofficial ? 1 : 0;
      if (title.indexOf(phrase) >= 0) return unofficial;
      return words.every(function (word) { return title.indexOf(word) >= 0; }) ? 2 + unofficial : 4;
    }
    return pages.map(function (page, index) { return [rank(page), index, page]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
      .map(function (item) { return item[2]; });
  }

  /* Pagefind's excerpts are escaped text with <mark> around the words found: keep the marks, nothing else. */
  function excerpt(html) {
    var span = make("span", { "class": "result-excerpt" });
    var decoder = document.createElement("textarea");
    html.split(/<\/?mark>/).forEach(function (part, index) {
      decoder.innerHTML = part;
      span.append(index % 2 ? make("mark", {}, decoder.value) : decoder.value);
    });
    return span;
  }

  function buildSearch(slot) {
    var form = make("form", { role: "search", "class": "search-form", action: ui.home });
    var input = make("input", {
      id: "search-input", type: "search", autocomplete: "off", spellcheck: "false",
      placeholder: t.placeholder, "aria-describedby": "search-status", "aria-controls": "search-results"
    });
    var status = make("p", { id: "search-status", "class": "visually-hidden", role: "status" });
    var list = make("ul", { id: "search-results", "class": "search-results", hidden: "" });
    form.append(make("label", { "for": "search-input", "class": "visually-hidden" }, t.search), input, status, list);
    slot.replaceChildren(form);
    var asked = 0;
    var pending = Promise.resolve();

    function show(items, query) {
      list.replaceChildren.apply(list, items.map(function (item) {
        var link = make("a", { href: item.url });
        link.append(make("span", { "class": "result-title" }, item.title));
        if (item.excerpt) link.append(excerpt(item.excerpt));
        var entry = make("li");
        entry.append(link);
        return entry;
      }));
      list.hidden = !items.length;
      status.textContent = query ? (items.length ? count(items.length, said("one"), said("other")) : said("none")) : "";
    }

    function update() {
      var query = input.value.trim();
      var mine = ++asked;
      if (!query) { show([], ""); return Promise.resolve(); }
      if (/^[0-9]{1,3}$/.test(query)) {
        return loadCodes().then(function (all) {
          if (mine !== asked) return;
          show(all.filter(function (item) { return String(item[0]).indexOf(query) === 0; }).map(function (item) {
            return { url: codeUrl(item[0]), title: item[0] + " " + item[1] };
          }), query);
        });
      }
      return loadCodes().then(function () {
        status.textContent = said("searching");
        return loadPagefind();
      }).then(function (module) {
        return module.debouncedSearch(query, {}, 120);
      }).then(function (found) {
        if (found === null || mine !== asked) return null;
        return Promise.all(found.results.slice(0, 12).map(function (result) { return result.data(); }));
      }).then(function (data) {
        if (data === null || mine !== asked) return;
        show(rerank(data, query).slice(0, 8).map(function (page) { return { url: page.url, title: page.meta.title, excerpt: page.excerpt }; }), query);
      }).catch(function () {
        if (mine !== asked) return;
        show([], "");
        status.textContent = said("unavailable");
        status.classList.remove("visually-hidden");
      });
    }

    function go() {
      var query = input.value.trim();
      if (/^[0-9]{3}$/.test(query)) {
        loadCodes().then(function (all) {
          if (all.some(function (item) { return String(item[0]) === query; })) location.href = codeUrl(query);
          else pending.then(first);
        });
        return;
      }
      pending.then(first);
    }
    function first() {
      var link = list.querySelector("a");
      if (link) location.href = link.href;
    }
    function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

    input.addEventListener("focus", function () { loadCodes(); });
    input.addEventListener("input", function () {
      status.classList.add("visually-hidden");
      pending = update();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); go(); });
    form.addEventListener("keydown", function (event) {
      var all = links();
      var at = all.indexOf(document.activeElement);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!all.length) return;
        event.preventDefault();
        var next = event.key === "ArrowDown" ? at + 1 : at - 1;
        if (next < 0) input.focus();
        else all[Math.min(next, all.length - 1)].focus();
      } else if (event.key === "Escape") {
        input.focus();
        list.hidden = true;
      }
    });
    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) list.hidden = true;
    });
    input.addEventListener("focus", function () { if (list.children.length) list.hidden = false; });
  }

  /* ---- Theme: light, dark or the system's, remembered (static/theme.js applies it early) ---- */
  function buildTheme(slot) {
    var select = make("select", { id: "theme-choice" });
    [["", t.system], ["light", t.light], ["dark", t.dark]].forEach(function (option) {
      select.append(make("option", { value: option[0] }, option[1]));
    });
    var saved = null;
    try { saved = localStorage.getItem("sitegen-theme"); } catch (error) { /* storage refused */ }
    select.value = saved === "light" || saved === "dark" ? saved : "";
    select.addEventListener("change", function () {
      var root = document.documentElement;
      if (select.value) root.setAttribute("data-theme", select.value);
      else root.removeAttribute("data-theme");
      try {
        if (select.value) localStorage.setItem("sitegen-theme", select.value);
        else localStorage.removeItem("sitegen-theme");
      } catch (error) { /* the choice holds for this page only */ }
    });
    slot.replaceChildren(make("label", { "for": "theme-choice", "class": "visually-hidden" }, t.theme), select);
  }

  /* ---- Filter: narrows the grid and the lists of an index as one types ---- */
  function buildFilter(slot) {
    var input = make("input", { id: "filter-input", type: "search", autocomplete: "off", placeholder: t.filter_hint, "aria-describedby": "filter-status" });
    var status = make("p", { id: "filter-status", role: "status" });
    slot.replaceChildren(make("label", { "for": "filter-input" }, t.filter), " ", input, status);
    var main = document.querySelector("main");
    var items = Array.prototype.slice.call(main.querySelectorAll(".code-grid li, .code-list li"));
    var words = items.map(function (item) { return plain(item.textContent); });
    input.addEventListener("input", function () {
      var query = plain(input.value.trim());
      var shown = 0;
      items.forEach(function (item, index) {
        var text = words[index];
        var match = !query || (/^[0-9]+$/.test(query) ? text.trim().indexOf(query) === 0 : text.indexOf(query) >= 0);
        item.hidden = !match;
        if (match && item.closest(".code-grid")) shown += 1;
      });
      main.querySelectorAll("section").forEach(function (section) {
        if (section.querySelector(".code-list")) section.hidden = !section.querySelector(".code-list li:not([hidden])");
      });
      status.textContent = query ? count(shown, t.shown_one, t.shown_other) : "";
    });
  }

  /* ---- Root page: suggest the reader's language (never a redirect); remember the choice ---- */
  var LANGUAGE_KEY = "sitegen-language";
  function remember(tag) { try { localStorage.setItem(LANGUAGE_KEY, tag); } catch (error) { /* not remembered */ } }
  function recall() { try { return localStorage.getItem(LANGUAGE_KEY); } catch (error) { return null; } }
  function preferred(suggest) {
    var saved = recall();
    if (saved && suggest[saved]) return saved;
    var wanted = navigator.languages || [navigator.language || ""];
    for (var i = 0; i < wanted.length; i++) {
      var tag = String(wanted[i]).toLowerCase();
      for (var own in suggest) {
        var mine = own.toLowerCase();
        if (mine === tag || mine === tag.split("-")[0] || tag.split("-")[0] === mine.split("-")[0]) return own;
      }
    }
    return null;
  }
  function buildSuggestion(slot, extra) {
    var tag = preferred(extra.suggest);
    if (!tag || tag === extra.source) return;
    var choice = extra.suggest[tag];
    var text = make("p", { lang: tag });
    var link = make("a", { href: choice.url, hreflang: tag }, choice.name);
    link.addEventListener("click", function () { remember(tag); });
    var no = make("button", { type: "button" }, choice.no);
    no.addEventListener("click", function () { remember(extra.source); slot.hidden = true; });
    text.append(choice.text + " ", link, " ", no);
    slot.replaceChildren(text);
    slot.hidden = false;
    var item = document.querySelector('.choices li[data-lang="' + tag + '"]');
    if (item) { item.className = "suggested"; item.parentNode.prepend(item); }
  }

  /* ---- Sidebar: the codes of the page's class, the current one marked (wide screens show it) ---- */
  function buildSidebar(nav) {
    var first = nav.getAttribute("data-class");
    var current = nav.getAttribute("data-current");
    loadCodes().then(function (all) {
      var list = make("ul");
      all.forEach(function (item) {
        if (String(item[0])[0] !== first) return;
        var link = make("a", { href: codeUrl(item[0]) }, item[0] + " " + item[1]);
        if (String(item[0]) === current) link.setAttribute("aria-current", "page");
        var entry = make("li");
        entry.append(link);
        list.append(entry);
      });
      nav.querySelectorAll("ul").forEach(function (old) { old.remove(); });
      nav.append(list);
    });
  }

  /* ---- Page not found: a link to the code the missing path ends in ---- */
  function linkMissingCode(slot, missing) {
    if (/\/404\.html$/.test(location.pathname)) return; // the page itself, not a missing one
    var match = location.pathname.match(/\/([1-5][0-9][0-9])(?:\.html?)?\/?$/);
    if (!match) return;
    var first = location.pathname.replace(ui.base, "").split("/")[0];
    var home = missing[first] || ui.home;
    loadCodes().then(function (all) {
      var found = all.filter(function (item) { return String(item[0]) === match[1]; })[0];
      if (!found) return;
      slot.replaceChildren(make("strong", {}, slot.getAttribute("data-label") + " "), make("a", { href: home + found[0] + "/" }, found[0] + " " + found[1]));
      slot.hidden = false;
    });
  }

  /* ---- Copy buttons: a link to each heading, the text of each code block ---- */
  var announcer = null;
  function say(text) {
    if (!announcer || !announcer.isConnected) {
      announcer = make("p", { role: "status", "class": "visually-hidden" });
      document.body.append(announcer);
    }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }
  function copy(text, done, shown) {
    if (!navigator.clipboard || !window.isSecureContext) return;
    navigator.clipboard.writeText(text).then(function () {
      say(done);
      shown();
    }, function () { /* refused: nothing was copied, nothing is said */ });
  }
  function buildCopyButtons(main) {
    main.querySelectorAll("h2[id], h3[id], h4[id]").forEach(function (heading) {
      if (heading.closest(".toc, .sidebar")) return;
      var old = heading.querySelector(".header-anchor");
      var button = make("button", { type: "button", "class": "header-anchor", "aria-label": said("copy_link") }, "#");
      button.addEventListener("click", function () {
        var url = location.href.split("#")[0] + "#" + heading.id;
        history.replaceState(null, "", "#" + heading.id);
        copy(url, said("link_copied"), function () {
          button.classList.add("done");
          button.textContent = "\u2713"; // a check mark while "Link copied" is announced
          window.setTimeout(function () { button.classList.remove("done"); button.textContent = "#"; }, 2000);
        });
      });
      if (old) old.replaceWith(button);
      else heading.append(" ", button);
    });
    main.querySelectorAll("pre").forEach(function (pre) {
      if (pre.parentNode.classList.contains("code-block")) return;
      var box = make("div", { "class": "code-block" });
      pre.replaceWith(box);
      box.append(pre);
      var button = make("button", { type: "button", "class": "copy" }, said("copy"));
      button.addEventListener("click", function () {
        copy(pre.innerText, said("copied"), function () {
          button.textContent = said("copied");
          window.setTimeout(function () { button.textContent = said("copy"); }, 2000);
        });
      });
      box.append(button);
    });
  }

  /* The rules of what this script builds (search results, copy buttons) are a stylesheet of
     their own, linked from here: a page read without JavaScript never loads it. */
  var styled = null;
  function whenStyled() {
    if (!styled) {
      styled = new Promise(function (resolve) {
        if (!ui.css || document.querySelector("link[data-script-css]")) return resolve();
        var link = make("link", { rel: "stylesheet", href: ui.css, "data-script-css": "" });
        link.addEventListener("load", resolve);
        link.addEventListener("error", resolve);
        document.head.append(link);
      });
    }
    return styled;
  }

  /* Enhance the page; again after the dev server put a new body in place. */
  function start() {
    var node = document.getElementById("sitegen-ui");
    if (!node) return;
    ui = JSON.parse(node.textContent);
    ui.extra = ui.extra || {};
    t = ui.t;
    whenStyled();
    var slot = document.querySelector("[data-search]");
    if (slot && ui.codes && t.search) buildSearch(slot);
    var header = document.querySelector(".site-header");
    if (header && t.theme && !header.querySelector(".theme")) {
      slot = make("div", { "class": "theme" });
      header.append(slot);
      buildTheme(slot);
    }
    slot = document.querySelector("[data-filter]");
    if (slot && t.filter) buildFilter(slot);
    slot = document.querySelector("[data-suggestion]");
    if (slot && ui.extra.suggest) buildSuggestion(slot, ui.extra);
    // the buttons' words come with codes.json, their rules with the script's stylesheet
    if (ui.copy && ui.codes) Promise.all([whenStyled(), loadCodes()]).then(function () { buildCopyButtons(document.querySelector("main")); });
    slot = document.querySelector(".sidebar[data-class]");
    if (slot && ui.codes) buildSidebar(slot);
    slot = document.querySelector("[data-missing-code]");
    if (slot && ui.extra.missing && ui.codes) linkMissingCode(slot, ui.extra.missing);
    document.querySelectorAll('.switcher a[hreflang], .choices a[hreflang]').forEach(function (link) {
      link.addEventListener("click", function () { remember(link.getAttribute("hreflang")); });
    });
  }
  start();
  document.addEventListener("sitegen:refreshed", start);
})();
