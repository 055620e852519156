// 指标: a 12-month sparkline per indicator (json_script "indicator-trends", "indicator-months").
(function () {
  var trends = JSON.parse(document.getElementById("indicator-trends").textContent);
  var months = JSON.parse(document.getElementById("indicator-months").textContent);
  document.querySelectorAll(".hm-indicator").forEach(function (node) {
    var chart = echarts.init(node);
    chart.setOption({ animation: false, grid: { top: 5, bottom: 5, left: 5, right: 5 }, tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: months, show: false }, yAxis: { type: "value", show: false, scale: true },
      series: [{ type: "line", data: trends[node.dataset.code], connectNulls: false, symbolSize: 3 }] });
  });
})();
