// Dashboard charts (Apache ECharts, served locally) and sortable tables. Data comes from the
// json_script block "report-data"; no inline scripts (CSP script-src 'self').
(function () {
  "use strict";
  // One palette for every chart and headline card (defined here only); "Other" is always grey.
  const PALETTE = ["#c0392b", "#2f6fb0", "#e3a21a", "#2e9e6b", "#7b5ea7", "#1f9bb4", "#d9663b", "#5d6d7e"];
  const OTHER_COLOR = "#b8bec6";
  const MAX_SERIES = 8;   // more than this and the chart stops being readable
  const MAX_RATE_LINES = 2;
  document.querySelectorAll("[data-palette]").forEach(function (el) {
    el.style.setProperty("--report-accent", PALETTE[Number(el.getAttribute("data-palette")) % PALETTE.length]);
  });
  const words = document.getElementById("report-chart-words");
  const OTHER = words ? words.getAttribute("data-other") : "Other";
  const OTHER_OF = words ? words.getAttribute("data-other-of") : "";
  const EMPTY = words ? words.getAttribute("data-empty") : "";

  // At most MAX_SERIES series: the count metrics with the largest totals as bars, the rest summed
  // as "Other"; rates (%) as up to MAX_RATE_LINES lines on the right axis. All-zero metrics are
  // left out of the chart (the table below still lists them).
  function chartSeries(section, children) {
    const valuesOf = function (m) { return children.map(function (c) { return Number(c.values[m.key]) || 0; }); };
    const total = function (vals) { return vals.reduce(function (a, b) { return a + b; }, 0); };
    const counts = [], rates = [];
    section.metrics.forEach(function (m, i) {
      const vals = valuesOf(m);
      if (!vals.some(function (v) { return v !== 0; })) return;
      (m.rate ? rates : counts).push({ metric: m, values: vals, total: total(vals), order: i });
    });
    counts.sort(function (a, b) { return b.total - a.total || a.order - b.order; });
    const lines = rates.slice(0, counts.length + rates.length > MAX_SERIES ? MAX_RATE_LINES : MAX_SERIES);
    const room = MAX_SERIES - lines.length;
    let bars = counts, rest = [];
    if (counts.length > room) { bars = counts.slice(0, room - 1); rest = counts.slice(room - 1); }
    const series = bars.map(function (s, i) {
      return { name: s.metric.label, type: "bar", yAxisIndex: 0, data: s.values, itemStyle: { color: PALETTE[i % PALETTE.length] } };
    });
    if (rest.length) {
      series.push({
        name: OTHER, type: "bar", yAxisIndex: 0, itemStyle: { color: OTHER_COLOR },
        data: children.map(function (_c, j) { return rest.reduce(function (a, s) { return a + s.values[j]; }, 0); }),
        grouped: rest.map(function (s) { return s.metric.label; }),
      });
    }
    lines.forEach(function (s, i) {
      const color = PALETTE[(bars.length + i) % PALETTE.length];
      series.push({ name: s.metric.label, type: "line", yAxisIndex: 1, data: s.values, symbolSize: 6,
                    itemStyle: { color: color }, lineStyle: { color: color } });
    });
    return series;
  }

  const source = document.getElementById("report-data");
  const charts = new Map();
  const data = source ? JSON.parse(source.textContent) : null;
  function drawChart(el) {
    if (!window.echarts || !data || charts.has(el) || el.offsetWidth === 0) return;
    const section = data.sections[Number(el.getAttribute("data-chart-section"))];
    if (!section) return;
    const narrow = el.offsetWidth < 576;
    const names = data.children.map(function (c) { return c.name; });
    const series = chartSeries(section, data.children);
    if (!series.length) {  // nothing but zeros below: say so instead of drawing empty axes
      el.classList.add("report-chart-empty");
      el.textContent = EMPTY;
      el.setAttribute("data-series", "0");
      charts.set(el, { resize: function () {} });
      return;
    }
    const hasRate = series.some(function (s) { return s.yAxisIndex === 1; });
    // the legend wraps on a phone: leave it room above the plot
    const legendRows = Math.max(1, Math.ceil(series.length * (narrow ? 96 : 130) / Math.max(el.offsetWidth - 20, 1)));
    const otherSeries = series.filter(function (s) { return s.grouped; })[0];
    el.style.height = (narrow ? 300 : 340) + (legendRows - 1) * 22 + "px";
    const chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: PALETTE,
      tooltip: {
        trigger: "axis", confine: true,
        formatter: function (items) {
          const lines = [items.length ? window.echarts.format.encodeHTML(items[0].axisValueLabel) : ""];
          items.forEach(function (it) {
            const rate = series[it.seriesIndex].yAxisIndex === 1;
            lines.push(it.marker + window.echarts.format.encodeHTML(it.seriesName) + "：" + it.value + (rate ? "%" : ""));
          });
          return lines.join("<br>");
        },
      },
      legend: { type: "plain", top: 0, left: "center", itemWidth: 14, itemHeight: 10, itemGap: 8,
                textStyle: { fontSize: narrow ? 11 : 12 },
                tooltip: { show: !!otherSeries, formatter: function (p) {
                  return p.name === OTHER && otherSeries ? OTHER_OF + " " + otherSeries.grouped.join("、") : p.name;
                } } },
      grid: { left: 8, right: 8, top: 16 + legendRows * 22, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: names,
               axisLabel: { interval: 0, rotate: names.length > (narrow ? 2 : 5) ? (narrow ? 60 : 30) : 0,
                            width: narrow ? 72 : 110, overflow: "truncate", fontSize: narrow ? 10 : 12 } },
      yAxis: [{ type: "value", minInterval: 1 },
              { type: "value", max: 100, show: hasRate, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }],
      series: series,
    });
    chart.on("click", function (params) {
      const child = data.children[params.dataIndex];
      if (child) window.location.href = child.url;
    });
    el.setAttribute("data-series", String(series.length));
    charts.set(el, chart);
  }
  function drawVisibleCharts() { document.querySelectorAll("[data-chart-section]").forEach(drawChart); }
  drawVisibleCharts();
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Sections fold (Bootstrap collapse): a chart is drawn the first time its section opens, since
  // ECharts cannot measure a hidden box. Opened sections are remembered in the address (#s=0,3).
  const bodies = Array.prototype.slice.call(document.querySelectorAll("[data-section-body]"));
  const collapseOf = function (el) { return window.bootstrap ? window.bootstrap.Collapse.getOrCreateInstance(el, { toggle: false }) : null; };
  function openSections() {
    return bodies.filter(function (b) { return b.classList.contains("show"); }).map(function (b) { return b.getAttribute("data-section-body"); });
  }
  function remember() {
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search + "#s=" + openSections().join(","));
    }
  }
  bodies.forEach(function (body) {
    body.addEventListener("shown.bs.collapse", function () {
      body.querySelectorAll("[data-chart-section]").forEach(drawChart);
      charts.forEach(function (c, el) { if (body.contains(el)) c.resize(); });
      remember();
    });
    body.addEventListener("hidden.bs.collapse", remember);
  });
  const wanted = /^#s=([\d,]*)$/.exec(window.location.hash);
  if (wanted && window.bootstrap) {
    const keep = wanted[1].split(",");
    bodies.forEach(function (b) {
      const open = keep.indexOf(b.getAttribute("data-section-body")) >= 0;
      if (open !== b.classList.contains("show")) collapseOf(b)[open ? "show" : "hide"]();
    });
  }
  document.querySelectorAll("[data-sections]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      const action = btn.getAttribute("data-sections");
      bodies.forEach(function (b) { const c = collapseOf(b); if (c) c[action](); });
    });
  });
  // A headline card opens its section and scrolls to it.
  document.querySelectorAll("[data-open-section]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      const index = link.getAttribute("data-open-section");
      const body = document.querySelector('[data-section-body="' + index + '"]');
      const section = document.getElementById("report-section-" + index);
      if (!body || !section) return;
      event.preventDefault();
      const c = collapseOf(body);
      if (c && !body.classList.contains("show")) c.show();
      section.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });

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
