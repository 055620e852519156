/* A visit form that works offline (探访关爱, the assistance 入户调查): remembers what the page showed of the chosen
 * person's or case's latest record (for conflict detection) and queues the record offline (offline-queue.js). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-form]");
  if (!form || !window.HuiminOffline) return;
  var person = form.querySelector("select[data-known-last-target]");
  var known = document.getElementById(person.getAttribute("data-known-last-target"));
  function remember() {
    var opt = person.selectedOptions[0];
    known.value = opt ? opt.getAttribute("data-known-last") || "" : "";
  }
  person.addEventListener("change", remember);
  form.addEventListener("huimin:queued", remember);
  remember();
  window.HuiminOffline.attach(form);
  window.HuiminOffline.registerWorker();
})();
