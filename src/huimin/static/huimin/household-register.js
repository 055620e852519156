// 登记家庭: "添加成员" adds one member card from the formset's empty form and counts it in TOTAL_FORMS.
(function () {
  var button = document.getElementById("add-member");
  var template = document.getElementById("member-card-template");
  var cards = document.getElementById("member-cards");
  var total = document.getElementById("id_m-TOTAL_FORMS");
  var max = document.getElementById("id_m-MAX_NUM_FORMS");
  if (!button || !template || !cards || !total) return;
  function update() {
    button.disabled = max && Number(total.value) >= Number(max.value);
  }
  button.addEventListener("click", function () {
    var index = Number(total.value);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var card = holder.firstElementChild;
    card.querySelector(".hm-member-number").textContent = String(index + 1);
    cards.appendChild(card);
    total.value = String(index + 1);
    update();
    var first = card.querySelector("input[name$='-name']");
    if (first) first.focus();
  });
  update();
})();
