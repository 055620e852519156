/* 惠民 offline queue: a form entered without network is kept in the browser (IndexedDB, through the vendored `idb`)
 * and submitted once the network returns — once: each record carries an idempotency key the server remembers
 * (huimin.core.idempotency), so a retry after a lost answer is answered "already received", never written twice.
 * The server answers JSON: 201 received, 200 already_received, 409 conflict (shown, kept until the user decides:
 * 仍然提交 or 放弃), 400 refused (shown, kept until the user discards it). Any other answer (a login page after the
 * session expired, a server error) keeps the record for a later try.
 *
 * Usage (any business: 探访关爱, the assistance 入户调查; the select marked data-offline-label names each record):
 *   <form data-offline-form="elderly-visit" ...>   + a status box ([data-offline-count], [data-offline-state],
 *   [data-offline-sync]) and a list ([data-offline-list]) on the page; then HuiminOffline.attach(form).
 */
(function () {
  "use strict";
  var DB = "huimin-offline", STORE = "submissions", RETRY_MS = 15000;
  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = window.idb.openDB(DB, 1, {
        upgrade: function (d) {
          var s = d.createObjectStore(STORE, { keyPath: "key" });
          s.createIndex("queue", "queue");
        },
      });
    }
    return dbPromise;
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var a = new Uint8Array(16);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : input ? input.value : "";
  }

  function Queue(form) {
    this.form = form;
    this.name = form.getAttribute("data-offline-form");
    this.url = form.getAttribute("action") || window.location.pathname;
    this.list = document.querySelector("[data-offline-list]");
    this.count = document.querySelector("[data-offline-count]");
    this.state = document.querySelector("[data-offline-state]");
    this.busy = false;
  }

  Queue.prototype.records = function () {
    var name = this.name;
    return db().then(function (d) { return d.getAllFromIndex(STORE, "queue", name); });
  };

  Queue.prototype.add = function () {
    var fields = [];
    new FormData(this.form).forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken") return;
      if (value instanceof File && !value.name) return; // no file chosen
      fields.push([key, value]);
    });
    var person = this.form.querySelector("select[data-offline-label]") || this.form.querySelector("select[name=person]");
    var label = person && person.selectedOptions[0] ? person.selectedOptions[0].textContent : "记录";
    var record = { key: newKey(), queue: this.name, url: this.url, fields: fields, label: label.trim(),
                   status: "pending", message: "", created: new Date().toISOString() };
    return db().then(function (d) { return d.put(STORE, record); });
  };

  Queue.prototype.render = function () {
    var self = this;
    return this.records().then(function (rows) {
      var pending = rows.filter(function (r) { return r.status === "pending"; }).length;
      if (self.count) self.count.textContent = String(rows.length);
      if (self.state) self.state.textContent = navigator.onLine ? "已联网。" : "当前离线，记录保存在本机。";
      if (!self.list) return;
      self.list.textContent = "";
      rows.forEach(function (r) {
        var li = document.createElement("li");
        li.className = "list-group-item small";
        li.setAttribute("data-offline-record", r.status);
        var text = document.createElement("span");
        var what = { pending: "待提交", conflict: "有冲突，请核对", refused: "未被接收" }[r.status] || r.status;
        text.textContent = r.label + "（" + r.created.slice(0, 16).replace("T", " ") + "）：" + what +
          (r.message ? "。" + r.message : "");
        li.appendChild(text);
        if (r.status === "conflict") li.appendChild(self.button("仍然提交", function () { return self.resolve(r, true); }));
        if (r.status !== "pending") li.appendChild(self.button("放弃", function () { return self.resolve(r, false); }));
        self.list.appendChild(li);
      });
      return pending;
    });
  };

  Queue.prototype.button = function (label, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm btn-outline-secondary ms-2";
    b.textContent = label;
    var self = this;
    b.addEventListener("click", function () { action().then(function () { return self.flush(); }); });
    return b;
  };

  Queue.prototype.resolve = function (record, submitAnyway) {
    return db().then(function (d) {
      if (!submitAnyway) return d.delete(STORE, record.key);
      record.fields = record.fields.filter(function (f) { return f[0] !== "confirm_conflict"; });
      record.fields.push(["confirm_conflict", "1"]);
      record.status = "pending";
      record.message = "";
      return d.put(STORE, record);
    });
  };

  Queue.prototype.send = function (record) {
    var body = new FormData();
    record.fields.forEach(function (f) { body.append(f[0], f[1]); });
    body.append("client_key", record.key);
    return fetch(record.url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(this.form), "Idempotency-Key": record.key, Accept: "application/json" },
    });
  };

  Queue.prototype.flush = function () {
    var self = this;
    if (self.busy) return Promise.resolve();
    self.busy = true;
    return self.records().then(function (rows) {
      var chain = Promise.resolve(true);
      rows.filter(function (r) { return r.status === "pending"; }).forEach(function (r) {
        chain = chain.then(function (go) {
          if (!go) return false;
          return self.send(r).then(function (resp) {
            var type = resp.headers.get("Content-Type") || "";
            if (type.indexOf("application/json") < 0) {
              if (self.state) self.state.textContent = "无法提交（可能需要重新登录），记录仍保存在本机。";
              return false;
            }
            return resp.json().then(function (answer) {
              return db().then(function (d) {
                if (answer.status === "received" || answer.status === "already_received") return d.delete(STORE, r.key);
                if (answer.status === "conflict" || answer.status === "refused") {
                  r.status = answer.status;
                  r.message = answer.message;
                  return d.put(STORE, r);
                }
              }).then(function () { return true; });
            });
          }, function () { return false; }); // offline: keep everything, try again later
        });
      });
      return chain;
    }).then(function () { self.busy = false; return self.render(); },
            function () { self.busy = false; return self.render(); });
  };

  Queue.prototype.start = function () {
    var self = this;
    self.form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!self.form.reportValidity()) return;
      var offline = self.form.querySelector("input[name=offline]");
      if (!offline) {
        offline = document.createElement("input");
        offline.type = "hidden";
        offline.name = "offline";
        self.form.appendChild(offline);
      }
      offline.value = navigator.onLine ? "0" : "1";
      self.add().then(function () {
        self.form.reset();
        self.form.dispatchEvent(new Event("huimin:queued"));
        return self.flush();
      });
    });
    window.addEventListener("online", function () { self.flush(); });
    window.addEventListener("offline", function () { self.render(); });
    var sync = document.querySelector("[data-offline-sync]");
    if (sync) sync.addEventListener("click", function () { self.flush(); });
    window.setInterval(function () { if (navigator.onLine) self.flush(); }, RETRY_MS);
    return self.flush();
  };

  /* Keep this page and its static files for offline use (the service worker answers from this cache when the
   * network is down). */
  function cachePage() {
    if (!("caches" in window)) return Promise.resolve();
    var urls = [window.location.pathname + window.location.search];
    document.querySelectorAll("script[src], link[rel=stylesheet][href]").forEach(function (el) {
      urls.push(el.getAttribute("src") || el.getAttribute("href"));
    });
    return caches.open("huimin-offline-v1").then(function (c) { return c.addAll(urls); }).catch(function () {});
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) return Promise.resolve();
    return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(cachePage, function () {});
  }

  window.HuiminOffline = {
    attach: function (form) { var q = new Queue(form); q.start(); return q; },
    registerWorker: registerWorker,
  };
})();
