// The office cockpit (驾驶舱): the map coloured by the chosen figure (Apache ECharts, served
// locally, outlines from reports/maps/), the ranking, the months of this year and the overdue
// list. The page carries its first numbers in the json_script block "cockpit-data"; it fetches
// them again from data-url every `refresh_seconds` and when the figure changes. No inline
// scripts (CSP script-src 'self').
(function () {
  "use strict";
  const root = document.getElementById("cockpit");
  const source = document.getElementById("cockpit-data");
  if (!root || !source) return;
  let data = JSON.parse(source.textContent);
  // Colour ramps, low → high: more is better (blue to bright), or more is worse (green to red).
  const RAMP_UP = ["#12355e", "#1f6fb2", "#38c6f4", "#8ff0d0"];
  const RAMP_DOWN = ["#1d6b4f", "#e3a21a", "#e5484d"];
  const NO_DATA = "#2a3650";
  const LINE_COLORS = ["#38c6f4", "#8ff0d0", "#f0b429", "#ff7b7f"];
  const mapEl = document.getElementById("cockpit-map");
  const trendEl = document.getElementById("cockpit-trend");
  const select = document.getElementById("cockpit-figure");
  const asOf = document.getElementById("cockpit-asof");
  const registered = {};
  let mapChart = null, trendChart = null, timer = null;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function rampOf(figure) { return figure.higher_is_better ? RAMP_UP : RAMP_DOWN; }
  function rangeOf(figure) {
    const max = figure.unit === "%" ? Math.max(100, figure.max || 0) : Math.max(1, figure.max || 0);
    return { min: 0, max: max };
  }

  // --- the map ------------------------------------------------------------------------------
  function loadMap(info) {
    if (registered[info.name]) return Promise.resolve(info.name);
    return fetch(info.url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("map " + r.status);
      return r.json();
    }).then(function (geo) {
      if (info.only) {  // a county: its own outline, cut from its city's map
        geo = { type: "FeatureCollection", features: geo.features.filter(function (f) { return f.properties.name === info.only; }) };
      }
      window.echarts.registerMap(info.name, geo);
      registered[info.name] = geo.features.length;
      return info.name;
    });
  }

  function mapItems() {
    if (data.map && data.map.only) {
      const own = data.unit.value;
      return [{ name: data.map.only, value: own.value, display: own.display, detail: own.detail, url: "" }];
    }
    return data.regions.filter(function (r) { return r.region; }).map(function (r) {
      return { name: r.region, value: r.value, display: r.display, detail: r.detail, url: r.url, unitName: r.name };
    });
  }

  function drawMap() {
    if (!window.echarts) return;
    if (!data.map) {
      if (mapChart) { mapChart.dispose(); mapChart = null; }
      mapEl.classList.add("is-empty");
      mapEl.textContent = mapEl.getAttribute("data-no-map");
      mapEl.setAttribute("data-regions", "0");
      return;
    }
    mapEl.classList.remove("is-empty");
    loadMap(data.map).then(function (name) {
      const range = rangeOf(data.figure);
      const items = mapItems();
      if (!mapChart) {
        mapEl.textContent = "";
        mapChart = window.echarts.init(mapEl, null, { renderer: "svg" });
        mapChart.on("click", function (p) { if (p.data && p.data.url) window.location.href = p.data.url; });
      }
      const narrow = mapEl.offsetWidth < 576;
      mapChart.setOption({
        backgroundColor: "transparent",
        tooltip: {
          trigger: "item", confine: true,
          formatter: function (p) {
            const d = p.data || {};
            const label = d.unitName && d.unitName !== p.name ? d.unitName + "（" + p.name + "）" : p.name;
            return label + "<br>" + data.figure.label + "：" + (d.display || mapEl.getAttribute("data-no-data")) +
              (d.detail ? "<br>" + d.detail : "");
          },
        },
        visualMap: {
          show: false, type: "continuous", seriesIndex: 0, min: range.min, max: range.max,
          inRange: { color: rampOf(data.figure) }, calculable: false,
        },
        series: [{
          type: "map", map: name, roam: false, layoutCenter: ["50%", "50%"], layoutSize: "95%",
          selectedMode: false,
          label: { show: true, color: "#e6eefc", fontSize: narrow ? 10 : 13, textBorderColor: "#07142b", textBorderWidth: 2 },
          itemStyle: { areaColor: NO_DATA, borderColor: "#7fb2ff", borderWidth: 1 },
          emphasis: { label: { color: "#fff" }, itemStyle: { areaColor: "#f0b429" } },
          data: items,
        }],
      }, { replaceMerge: ["series"] });
      mapEl.setAttribute("data-regions", String(registered[name]));
      mapEl.setAttribute("data-coloured", String(items.filter(function (i) { return i.value !== null; }).length));
      mapEl.setAttribute("data-figure", data.figure.key);
    }).catch(function () {
      mapEl.classList.add("is-empty");
      mapEl.textContent = mapEl.getAttribute("data-no-map");
    });
  }

  function drawLegend() {
    const legend = document.getElementById("cockpit-legend");
    const range = rangeOf(data.figure);
    const unit = data.figure.unit || "";
    legend.textContent = "";
    legend.setAttribute("data-figure", data.figure.key);
    legend.appendChild(el("span", "legend-label", data.figure.label));
    legend.appendChild(el("span", "legend-min", range.min + unit));
    const ramp = el("span", "ramp");
    ramp.style.background = "linear-gradient(90deg, " + rampOf(data.figure).join(", ") + ")";
    legend.appendChild(ramp);
    legend.appendChild(el("span", "legend-max", (Math.round(range.max * 10) / 10) + unit));
    const none = el("span", "legend-none");
    const swatch = el("span", "swatch");
    swatch.style.background = NO_DATA;
    none.appendChild(swatch);
    none.appendChild(document.createTextNode(
      data.figure.unit === "%" ? mapEl.getAttribute("data-no-quota") : mapEl.getAttribute("data-no-data")));
    legend.appendChild(none);
  }

  // --- counters, ranking, overdue -------------------------------------------------------------
  function drawCounters() {
    data.counters.forEach(function (c) {
      const box = document.querySelector("[data-counter='" + c.key + "']");
      if (!box) return;
      box.querySelector("[data-value]").textContent = c.display;
      box.querySelector("[data-detail]").textContent = c.detail || "";
      box.classList.toggle("is-alert", !!c.alert);
    });
  }

  function drawRanking() {
    const list = document.getElementById("cockpit-ranking");
    if (!data.regions.length) return;
    // best first: the largest values, or the smallest where more is worse; unmeasured last
    const sign = data.figure.higher_is_better ? 1 : -1;
    const rows = data.regions.slice().sort(function (a, b) {
      if (a.value === null || b.value === null) return (a.value === null) - (b.value === null);
      return sign * (b.value - a.value) || a.name.localeCompare(b.name, "zh");
    });
    const range = rangeOf(data.figure);
    const ramp = rampOf(data.figure);
    list.textContent = "";
    rows.forEach(function (r) {
      const li = el("li");
      li.setAttribute("data-unit", r.id);
      const name = el("span", "name");
      if (r.url) { const a = el("a", null, r.name); a.href = r.url; name.appendChild(a); } else name.textContent = r.name;
      const bar = el("span", "bar");
      const share = r.value === null ? 0 : Math.min(1, r.value / range.max);
      bar.style.width = Math.round(share * 100) + "%";
      bar.style.background = ramp[Math.min(ramp.length - 1, Math.floor(share * ramp.length))];
      const value = el("span", "value", r.display);
      if (r.detail) value.title = r.detail;
      li.appendChild(name); li.appendChild(bar); li.appendChild(value);
      list.appendChild(li);
    });
  }

  function drawOverdue() {
    const list = document.getElementById("cockpit-overdue");
    const total = document.getElementById("cockpit-overdue-total");
    total.textContent = data.overdue.total;
    total.classList.toggle("text-bg-danger", data.overdue.total > 0);
    total.classList.toggle("text-bg-secondary", !data.overdue.total);
    list.textContent = "";
    if (!data.overdue.items.length) { list.appendChild(el("li", "cockpit-empty", list.getAttribute("data-empty"))); return; }
    data.overdue.items.forEach(function (i) {
      const li = el("li");
      li.appendChild(el("span", "badge cockpit-late cockpit-late-" + i.level,
        list.getAttribute("data-days").replace("__DAYS__", i.days)));
      const a = el("a", null, i.title);
      a.href = i.url;
      li.appendChild(a);
      li.appendChild(el("span", "meta", i.kind + " · " + i.unit + " · " + list.getAttribute("data-due") + " " + i.due));
      list.appendChild(li);
    });
  }

  // --- this year's months -----------------------------------------------------------------------
  function drawTrend() {
    if (!window.echarts) return;
    if (!trendChart) trendChart = window.echarts.init(trendEl, null, { renderer: "svg" });
    const narrow = trendEl.offsetWidth < 420;
    trendChart.setOption({
      backgroundColor: "transparent", color: LINE_COLORS,
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, textStyle: { color: "#9fb3d1", fontSize: narrow ? 10 : 12 }, itemWidth: 14, itemHeight: 8 },
      grid: { left: 8, right: 12, top: narrow ? 44 : 30, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: data.trend.months, axisLabel: { color: "#9fb3d1" },
               axisLine: { lineStyle: { color: "#1f3d6b" } } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#9fb3d1" },
               splitLine: { lineStyle: { color: "#1f3d6b", type: "dashed" } } },
      series: data.trend.series.map(function (s) {
        return { name: s.label, type: "line", smooth: true, symbolSize: 6, connectNulls: false, data: s.values };
      }),
    }, { replaceMerge: ["series"] });
    document.getElementById("cockpit-trend-note").hidden = !data.trend.missing.length;
  }

  function drawAll() {
    drawCounters();
    drawLegend();
    drawMap();
    drawRanking();
    drawTrend();
    drawOverdue();
    document.getElementById("cockpit-figure-label").textContent = data.figure.label;
    const time = asOf.querySelector("time");
    if (time) { time.textContent = data.as_of_display; time.setAttribute("datetime", data.as_of); }
    asOf.classList.remove("is-failed");
  }

  // --- refreshing -----------------------------------------------------------------------------
  function fetchData(figure) {
    const url = root.getAttribute("data-url") + "?figure=" + encodeURIComponent(figure);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.error || String(r.status));
        return body;
      });
    });
  }

  function refresh() {
    return fetchData(data.figure.key).then(function (body) {
      data = body;
      drawAll();
    }).catch(function () {
      asOf.classList.add("is-failed");
      asOf.title = asOf.getAttribute("data-failed");
    });
  }

  function schedule() {
    if (timer) window.clearInterval(timer);
    timer = window.setInterval(function () { if (!document.hidden) refresh(); },
                               Math.max(10, data.refresh_seconds || 60) * 1000);
  }

  if (select) {
    select.addEventListener("change", function () {
      const figure = select.value;
      fetchData(figure).then(function (body) {
        data = body;
        drawAll();
        const page = root.getAttribute("data-page") + "?figure=" + encodeURIComponent(figure);
        window.history.replaceState(null, "", page);
        document.querySelectorAll(".cockpit-crumbs a").forEach(function (a) {
          a.href = a.href.split("?")[0] + "?figure=" + encodeURIComponent(figure);
        });
        schedule();
      }).catch(function () {
        asOf.classList.add("is-failed");
        asOf.title = asOf.getAttribute("data-failed");
      });
    });
  }

  const full = document.getElementById("cockpit-fullscreen");
  if (full) {
    full.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
    });
  }
  // one resize after the window settles (a screenshot or a rotating phone resizes several times)
  let resizing = null;
  window.addEventListener("resize", function () {
    if (resizing) window.clearTimeout(resizing);
    resizing = window.setTimeout(function () {
      resizing = null;
      if (mapChart && !mapChart.isDisposed()) mapChart.resize();
      if (trendChart && !trendChart.isDisposed()) trendChart.resize();
      document.documentElement.dataset.laidOutFor = window.innerWidth;  // browser tests wait on it
    }, 100);
  });
  drawAll();
  document.documentElement.dataset.laidOutFor = window.innerWidth;
  schedule();
})();
