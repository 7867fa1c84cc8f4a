// Dashboard charts (Apache ECharts, served locally) and sortable tables. Data comes from the
// json_script block "report-data"; no inline scripts (CSP script-src 'self').
(function () {
  "use strict";
  const source = document.getElementById("report-data");
  if (source && window.echarts) {
    const data = JSON.parse(source.textContent);
    const names = data.children.map(function (c) { return c.name; });
    const charts = [];
    document.querySelectorAll("[data-chart-section]").forEach(function (el) {
      const section = data.sections[Number(el.getAttribute("data-chart-section"))];
      if (!section) return;
      const series = section.metrics.map(function (m) {
        return {
          name: m.label, type: m.rate ? "line" : "bar", yAxisIndex: m.rate ? 1 : 0,
          data: data.children.map(function (c) { return c.values[m.key] || 0; }),
        };
      });
      const chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { left: 40, right: 40, top: 36, bottom: 60 },
        xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 4 ? 30 : 0 } },
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
        series: series,
      });
      chart.on("click", function (params) {
        const child = data.children[params.dataIndex];
        if (child) window.location.href = child.url;
      });
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  // Show only the fields of the chosen kind of period.
  const kind = document.querySelector("#period-form select[name=period]");
  function showPeriodFields() {
    const wanted = {year: ["year"], quarter: ["year", "quarter"], month: ["year", "month"], custom: ["start", "end"]}[kind.value] || [];
    document.querySelectorAll("#period-form [data-period-field]").forEach(function (el) {
      const name = el.getAttribute("data-period-field");
      el.hidden = name !== "period" && wanted.indexOf(name) < 0 && !el.querySelector(".is-invalid");
    });
  }
  if (kind) { kind.addEventListener("change", showPeriodFields); showPeriodFields(); }
  // Click a column header to sort the table by it (numbers descending first).
  document.querySelectorAll("table.report-table").forEach(function (table) {
    table.querySelectorAll("thead th[data-sort]").forEach(function (th, index) {
      th.addEventListener("click", function () {
        const numeric = th.getAttribute("data-sort") === "number";
        const desc = th.getAttribute("aria-sort") !== (numeric ? "descending" : "ascending") ? numeric : !numeric;
        const body = table.tBodies[0];
        const rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          const x = a.cells[index].getAttribute("data-value"), y = b.cells[index].getAttribute("data-value");
          const cmp = numeric ? Number(x) - Number(y) : x.localeCompare(y, "zh-CN");
          return desc ? -cmp : cmp;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", desc ? "descending" : "ascending");
      });
    });
  });
})();
