// 决策看板: ECharts over the figures the page embeds (json_script "stats-data"). Each chart has the toolbox's
// "保存为图片"; its data is exported as .xlsx by the link above it (the server writes the same figures).
(function () {
  var el = document.getElementById("stats-data");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(el.textContent);
  var toolbox = { feature: { saveAsImage: { title: "保存为图片", pixelRatio: 2 } }, right: 8 };
  var charts = [];
  function init(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = echarts.init(node, null, { renderer: "canvas" });
    option.animation = false;
    option.toolbox = toolbox;
    option.tooltip = option.tooltip || { trigger: "axis" };
    option.tooltip.renderMode = "richText";  // drawn on the canvas: the HTML tooltip's inline styles break the CSP
    chart.setOption(option);
    node.setAttribute("data-rendered", "1");
    charts.push(chart);
  }
  var lines = d.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; });
  lines.push({ name: "在保户次", type: "line", data: d.households, lineStyle: { type: "dashed" } });
  init("chart-trend", {
    legend: { top: 0, type: "scroll", right: 60 }, grid: { top: 40, left: 50, right: 20, bottom: 30 },
    xAxis: { type: "category", data: d.months }, yAxis: { type: "value", name: "人" }, series: lines
  });
  init("chart-composition", {
    tooltip: { trigger: "item", formatter: "{b}：{c} 人（{d}%）" }, legend: { type: "scroll", bottom: 0 },
    series: [{ type: "pie", radius: ["30%", "65%"], data: d.composition, label: { formatter: "{b}\n{c}" } }]
  });
  init("chart-areas", {
    legend: { top: 0 }, grid: { top: 40, left: 50, right: 20, bottom: 60 },
    xAxis: { type: "category", data: d.areas.programmes, axisLabel: { rotate: 20 } }, yAxis: { type: "value", name: "人" },
    series: [{ name: "城市", type: "bar", stack: "area", data: d.areas.urban },
             { name: "农村", type: "bar", stack: "area", data: d.areas.rural }]
  });
  init("chart-regions", {
    legend: { top: 0 }, grid: { top: 40, left: 50, right: 20, bottom: 60 },
    xAxis: { type: "category", data: d.children.map(function (c) { return c.name; }), axisLabel: { rotate: 30 } },
    yAxis: { type: "value" },
    series: [{ name: "在保人次", type: "bar", data: d.children.map(function (c) { return c.persons; }) },
             { name: "在保户次", type: "bar", data: d.children.map(function (c) { return c.households; }) }]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
