// 监测看板: open warnings per township, stacked by severity (ECharts, served locally; no map).
(function () {
  var el = document.getElementById("open-chart");
  var data = document.getElementById("open-chart-data");
  if (!el || !data || typeof echarts === "undefined") return;
  var chart = JSON.parse(data.textContent);
  el.style.height = el.dataset.height + "px";  // set through the DOM: the CSP forbids inline style attributes
  var colours = { high: "#c0392b", medium: "#e67e22", low: "#7f8c8d" };
  echarts.init(el).setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: chart.townships },
    series: chart.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "open", data: s.data, itemStyle: { color: colours[s.key] } };
    }),
  });
})();
