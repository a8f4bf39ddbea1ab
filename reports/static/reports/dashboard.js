/* 统计分析: draws each chart from the JSON the page carries (json_script, no inline script: CSP).
 * Every chart box names its data: <div class="reports-chart" data-chart="ID"> and
 * <script type="application/json" id="ID">{"type", "stack", "title", "categories", "series"}</script>.
 * The same figures are in the table below each chart. */
(function () {
  "use strict";

  function option(data) {
    if (data.type === "pie") {
      return {
        tooltip: { trigger: "item" },
        legend: { type: "scroll", bottom: 0 },
        series: [{
          type: "pie",
          radius: ["35%", "65%"],
          data: data.categories.map(function (name, index) {
            return { name: name, value: data.series[0].data[index] };
          }),
        }],
      };
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 64, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: data.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (serie) {
        return {
          name: serie.name,
          type: data.type,
          stack: data.stack ? "total" : undefined,
          data: serie.data,
        };
      }),
    };
  }

  function draw() {
    if (typeof window.echarts === "undefined") {
      return;
    }
    var charts = [];
    document.querySelectorAll(".reports-chart[data-chart]").forEach(function (box) {
      var source = document.getElementById(box.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var chart = window.echarts.init(box, null, { renderer: "canvas" });
      chart.setOption(option(JSON.parse(source.textContent)));
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
