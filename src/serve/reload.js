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

  function showError(message) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "staffroom-error";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,24,.92);color:#fff;padding:2rem;" +
        "font:16px/1.5 system-ui,sans-serif;";
      var box = document.createElement("div");
      box.style.cssText =
        "max-width:60rem;margin:0 auto;background:#2a1215;border-left:6px solid #ff6b6b;" +
        "padding:1.25rem 1.5rem;border-radius:4px;";
      var h = document.createElement("h2");
      h.textContent = "staffroom could not rebuild the site";
      h.style.cssText = "margin:0 0 .75rem;font-size:1.25rem;color:#ff9b9b;";
      var pre = document.createElement("pre");
      pre.style.cssText =
        "white-space:pre-wrap;margin:0 0 1rem;font:14px/1.5 ui-monospace,monospace;color:#fff;";
      var note = document.createElement("p");
      note.textContent =
        "The preview shows the last version that built. Fix the file and save it: this page reloads by itself.";
      note.style.cssText = "margin:0;color:#ddd;";
      box.appendChild(h);
      box.appendChild(pre);
      box.appendChild(note);
      overlay.appendChild(box);
    }
    overlay.querySelector("pre").textContent = message;
    if (!overlay.parentNode) document.body.appendChild(overlay);
  }

  function hideError() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
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
    });
    source.addEventListener("reload", reload);
    source.addEventListener("css", function (e) {
      generation = String(JSON.parse(e.data).generation);
      hideError();
      swapStyles();
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
