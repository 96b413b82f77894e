// staffroom serve: live reload and the error overlay. Only the preview server adds
// this script to pages, as they are sent; files written by `staffroom build` never
// contain it.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.EventSource) return;
  var events = new URL("events", me.src).href;
  // The build this page was read from, stamped by the server when it sent the page:
  // if the first message says the site is newer, the page missed a reload.
  var generation = me.getAttribute("data-generation");
  var instance = null;
  var overlay = null;
  var source = null;

  function reload() {
    window.location.reload();
  }

  // Re-fetch stylesheets in place, so a CSS edit does not lose the scroll position.
  function swapStyles() {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (old) {
      var url = new URL(old.href);
      url.searchParams.set("staffroom", Date.now().toString(36));
      var fresh = old.cloneNode();
      fresh.href = url.href;
      fresh.onload = fresh.onerror = function () {
        if (old.parentNode) old.parentNode.removeChild(old);
      };
      old.parentNode.insertBefore(fresh, old.nextSibling);
    });
  }

  // Every property that a page's stylesheet could set on these elements is set here,
  // inline (which beats the page's rules): the page's `pre { background: white }`
  // once left white text on white.
  var BOX = "box-sizing:border-box;margin:0;padding:0;border:0;text-shadow:none;" +
    "letter-spacing:normal;text-transform:none;text-align:left;";
  var TEXT = "font:16px/1.5 system-ui,sans-serif;color:#fff;background:#2a1215;";
  var CODE = "white-space:pre-wrap;word-break:break-word;overflow:visible;" +
    "font:14px/1.5 ui-monospace,monospace;color:#fff;background:#2a1215;";

  function element(tag, style, text) {
    var el = document.createElement(tag);
    el.style.cssText = BOX + style;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function showError(message) {
    if (!overlay) {
      overlay = element("div",
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
        "background:rgba(20,20,24,.92);color:#fff;font:16px/1.5 system-ui,sans-serif;");
      overlay.id = "staffroom-error";
      overlay.setAttribute("role", "alert");
      // Long messages scroll: the scrolling box must be reachable by keyboard.
      overlay.tabIndex = 0;
      var box = element("div",
        "max-width:60rem;margin:0 auto;padding:1.25rem 1.5rem;border-left:6px solid #ff6b6b;" +
        "border-radius:4px;" + TEXT);
      box.appendChild(element("h2",
        "margin:0 0 .75rem;font:700 1.25rem/1.3 system-ui,sans-serif;color:#ff9b9b;background:#2a1215;",
        "staffroom could not rebuild the site"));
      box.appendChild(element("pre", "margin:0 0 1rem;" + CODE));
      box.appendChild(element("p", "color:#ddd;background:#2a1215;font:16px/1.5 system-ui,sans-serif;",
        "The preview shows the last version that built. Fix the file and save it: this page reloads by itself."));
      overlay.appendChild(box);
    }
    overlay.querySelector("pre").textContent = message;
    if (!overlay.parentNode) document.body.appendChild(overlay);
  }

  function hideError() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
  }

  // Warnings do not stop the build: a panel at the bottom, which the teacher may
  // dismiss. Dismissed warnings stay hidden (this tab) until they change.
  var panel = null;
  var DISMISSED = "staffroom-dismissed-warnings";

  function dismissed(key) {
    try {
      return window.sessionStorage.getItem(DISMISSED) === key;
    } catch (e) {
      return false;
    }
  }

  function showWarnings(warnings) {
    if (panel && panel.parentNode) panel.parentNode.removeChild(panel);
    panel = null;
    var key = JSON.stringify(warnings || []);
    if (!warnings || !warnings.length || dismissed(key)) return;
    panel = element("section",
      "position:fixed;left:0;right:0;bottom:0;z-index:2147483646;max-height:40vh;overflow:auto;" +
      "padding:1rem 1.5rem;border-top:4px solid #ffb000;font:16px/1.5 system-ui,sans-serif;" +
      "color:#fff;background:#2b2200;");
    panel.id = "staffroom-warnings";
    panel.setAttribute("aria-labelledby", "staffroom-warnings-title");
    panel.tabIndex = 0;
    var head = element("h2",
      "margin:0 0 .5rem;font:700 1.1rem/1.3 system-ui,sans-serif;color:#ffd36b;background:#2b2200;",
      warnings.length === 1 ? "staffroom found a problem (the site was still built)"
        : "staffroom found " + warnings.length + " problems (the site was still built)");
    head.id = "staffroom-warnings-title";
    panel.appendChild(head);
    var list = element("ul", "margin:0 0 .75rem 1.25rem;list-style:disc;color:#fff;background:#2b2200;");
    warnings.forEach(function (w) {
      list.appendChild(element("li", "margin:0 0 .25rem;" + CODE.replace(/#2a1215/g, "#2b2200"), w));
    });
    panel.appendChild(list);
    var close = element("button",
      "padding:.35rem .9rem;border:2px solid #ffd36b;border-radius:4px;cursor:pointer;" +
      "font:600 15px/1.4 system-ui,sans-serif;color:#2b2200;background:#ffd36b;",
      "Dismiss");
    close.type = "button";
    close.onclick = function () {
      try {
        window.sessionStorage.setItem(DISMISSED, key);
      } catch (e) {}
      if (panel && panel.parentNode) panel.parentNode.removeChild(panel);
      panel = null;
    };
    panel.appendChild(close);
    document.body.appendChild(panel);
  }

  // site.toml's base_url changed: the same page under the new base path.
  function moveTo(base) {
    var old = new URL(me.src).pathname.replace(/__staffroom\/reload\.js$/, "");
    var path = window.location.pathname;
    if (path.indexOf(old) === 0) {
      window.location.replace(base + path.slice(old.length) + window.location.search + window.location.hash);
    } else {
      reload();
    }
  }

  function connect() {
    source = new EventSource(events);
    source.addEventListener("hello", function (e) {
      var d = JSON.parse(e.data);
      var restarted = instance !== null && instance !== d.instance;
      instance = d.instance;
      if (restarted || (generation !== null && String(d.generation) !== generation)) {
        reload();
        return;
      }
      if (d.error) showError(d.error);
      else hideError();
      showWarnings(d.warnings);
    });
    source.addEventListener("reload", reload);
    source.addEventListener("moved", function (e) {
      source.close();
      moveTo(JSON.parse(e.data).base);
    });
    source.addEventListener("css", function (e) {
      var d = JSON.parse(e.data);
      generation = String(d.generation);
      hideError();
      showWarnings(d.warnings);
      swapStyles();
    });
    source.addEventListener("warnings", function (e) {
      showWarnings(JSON.parse(e.data).warnings);
    });
    source.addEventListener("build-error", function (e) {
      showError(JSON.parse(e.data).error);
    });
    source.onerror = function () {
      // The browser retries by itself while the stream is merely interrupted; once it
      // gives up (the server was stopped), keep trying so a restarted server is found.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, 1000);
      }
    };
  }

  connect();
})();
