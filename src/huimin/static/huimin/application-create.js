// 登记申请: show the document checklist of the chosen programme only (unticking the others).
(function () {
  var select = document.getElementById("programme");
  if (!select) return;
  function show() {
    document.querySelectorAll(".doc-group").forEach(function (g) {
      var on = g.dataset.programme === select.value;
      g.hidden = !on;
      if (!on) g.querySelectorAll("input").forEach(function (i) { i.checked = false; });
    });
  }
  select.addEventListener("change", show);
  show();  // a programme chosen before this script ran (or preselected) shows its checklist too
})();
