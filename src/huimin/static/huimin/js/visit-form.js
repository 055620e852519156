/* The 探访 form: remembers which visit of the chosen older person the page showed (for conflict detection) and
 * queues the record offline (offline-queue.js). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-form]");
  if (!form || !window.HuiminOffline) return;
  var person = form.querySelector("select[name=person]");
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
