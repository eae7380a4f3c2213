/* Search for a book opened from disk (file://), with no server and no network.
 *
 * The material theme runs its search in a web worker fed by a fetch() of
 * search/search_index.json. Opened from file://, browsers refuse both. So,
 * on file:// only, this script (loaded in <head>, before the theme's bundle)
 * stands in for the two:
 *   - Worker: the worker script runs in a hidden same-origin <iframe>, and
 *     messages pass by direct calls instead of postMessage;
 *   - fetch of the index: answered from search/search_index.js, which the
 *     book's build writes beside search_index.json (kettle_book.py), loaded
 *     with a plain <script> tag, which file:// allows.
 * Over http:// nothing is replaced.
 */
(function () {
  "use strict";
  if (location.protocol !== "file:") return;

  function FrameWorker(url) {
    var target = document.createElement("div");   // an EventTarget for "message"
    var queue = [], frameWindow = null;
    this.addEventListener = target.addEventListener.bind(target);
    this.removeEventListener = target.removeEventListener.bind(target);
    this.dispatchEvent = target.dispatchEvent.bind(target);
    var self = this;
    function deliver(data) {
      frameWindow.dispatchEvent(new frameWindow.MessageEvent("message", { data: data }));
    }
    this.postMessage = function (data) {
      if (frameWindow) deliver(data); else queue.push(data);
    };
    this.terminate = function () { if (frame.parentNode) frame.parentNode.removeChild(frame); };
    var frame = document.createElement("iframe");
    frame.hidden = true;
    frame.setAttribute("aria-hidden", "true");
    frame.title = "search";
    (document.body || document.documentElement).appendChild(frame);
    var win = frame.contentWindow;
    // What the worker posts comes back to the page as a "message" event.
    win.postMessage = function (data) {
      setTimeout(function () {
        var ev = new MessageEvent("message", { data: data });
        if (typeof self.onmessage === "function") self.onmessage(ev);
        self.dispatchEvent(ev);
      }, 0);
    };
    var script = win.document.createElement("script");
    script.src = new URL(url, location.href).href;
    script.onload = function () {
      frameWindow = win;
      queue.splice(0).forEach(deliver);
    };
    win.document.head.appendChild(script);
  }
  window.Worker = FrameWorker;

  var pending = null;
  function loadIndex(jsUrl) {
    if (!pending) {
      pending = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = jsUrl;
        s.onload = function () { resolve(window.__kettleSearchIndex); };
        s.onerror = function () { reject(new Error("cannot load " + jsUrl)); };
        document.head.appendChild(s);
      });
    }
    return pending;
  }
  var realFetch = window.fetch ? window.fetch.bind(window) : null;
  window.fetch = function (input, init) {
    var url = String(input && input.url ? input.url : input);
    if (/\/search\/search_index\.json$/.test(url)) {
      return loadIndex(url.replace(/\.json$/, ".js")).then(function (index) {
        return new Response(JSON.stringify(index), {
          status: 200, headers: { "Content-Type": "application/json" }
        });
      });
    }
    return realFetch ? realFetch(input, init) : Promise.reject(new Error("no fetch"));
  };
})();
