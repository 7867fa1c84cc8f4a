// Small behaviours without inline scripts (CSP: script-src 'self').
document.addEventListener("click", function (event) {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopPropagation();
  }
}, true);
// Mark the navigation entry of the current section.
(function () {
  const path = window.location.pathname;
  let best = null;
  document.querySelectorAll(".navbar .nav-link[data-nav]").forEach(function (a) {
    const href = a.getAttribute("href");
    if (href && href !== "/" && path.startsWith(href) && (!best || href.length > best.getAttribute("href").length)) best = a;
  });
  if (best) { best.classList.add("active"); best.setAttribute("aria-current", "page"); }
})();
// Stacked tables on phones (.table-responsive-stack): each cell carries its column's heading, so a
// card reads "答复期限：2027年3月7日" and never a bare "—".
function labelStackedCells(root) {
  root.querySelectorAll("table.table-responsive-stack").forEach(function (table) {
    const heads = Array.from(table.querySelectorAll("thead th")).map(function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      let col = 0;
      Array.from(tr.children).forEach(function (td) {
        const label = heads[col];
        if (label && !td.hasAttribute("data-label")) td.setAttribute("data-label", label);
        col += td.colSpan || 1;
      });
    });
  });
}
labelStackedCells(document);
document.body.addEventListener("htmx:afterSwap", function (event) { labelStackedCells(event.target); });
// The top menu stays on one line: on a wide screen the entries that do not fit move, last first,
// into "更多" (More); below Bootstrap's lg breakpoint the hamburger menu lists them all.
(function () {
  const main = document.getElementById("nav-main");
  const more = document.getElementById("nav-more");
  if (!main || !more) return;
  const menu = more.querySelector(".dropdown-menu");
  const bar = main.closest(".container-fluid");
  const entries = Array.from(main.querySelectorAll(":scope > li.nav-item:not(#nav-more)"));
  function restore() {
    entries.forEach(function (li) {
      const a = li.querySelector("a");
      a.classList.remove("dropdown-item"); a.classList.add("nav-link");
      main.insertBefore(li, more);
    });
    more.classList.add("d-none");
  }
  function fits() { return bar.scrollWidth <= bar.clientWidth + 1; }
  function layout() {
    restore();
    document.documentElement.dataset.laidOutFor = window.innerWidth;  // the width laid out for (browser tests wait on it)
    if (window.innerWidth < 992) return;  // the hamburger menu shows every entry
    const moved = [];
    for (let i = entries.length - 1; i > 0 && !fits(); i--) {
      if (moved.length === 0) more.classList.remove("d-none");
      moved.unshift(entries[i]);
      entries[i].remove();
    }
    moved.forEach(function (li) {
      const a = li.querySelector("a");
      a.classList.remove("nav-link"); a.classList.add("dropdown-item");
      menu.appendChild(li);
    });
    if (moved.some(function (li) { return li.querySelector("a.active"); })) more.querySelector(".nav-link").classList.add("active");
  }
  layout();
  let timer = null;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(layout, 100); });
})();
// Nothing twice: while a form's request is in flight its submit buttons are disabled and a
// second submit is ignored (a double click on a slow office PC). The server refuses repeats
// anyway (one-time token, portal/idempotency.py); this spares the user a confusing wait.
(function () {
  function buttons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }
  function busy(form, on) {
    if (on) form.dataset.submitting = "1"; else delete form.dataset.submitting;
    buttons(form).forEach(function (b) { b.disabled = on; b.toggleAttribute("aria-busy", on); });
  }
  function isHtmx(form) {
    return ["hx-post", "hx-put", "hx-patch", "hx-delete", "data-hx-post"].some(function (a) { return form.hasAttribute(a); });
  }
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || isHtmx(form)) return;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    if (event.defaultPrevented || (form.method || "get").toLowerCase() !== "post") return;
    form.dataset.submitting = "1";
    // Disable after the browser has taken the submitter's name and value into the request.
    window.setTimeout(function () { busy(form, true); }, 0);
    // A download answers without leaving the page: give the buttons back after a while.
    window.setTimeout(function () { busy(form, false); }, 15000);
  });
  // Back/forward cache: a page shown again must not keep its buttons disabled.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (f) { busy(f, false); });
  });
  function htmxWrite(event) {
    const verb = ((event.detail && event.detail.requestConfig && event.detail.requestConfig.verb) || "get").toLowerCase();
    return verb !== "get";
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.target.closest ? event.target.closest("form") : null;
    if (!form || !htmxWrite(event)) return;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    busy(form, true);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const form = event.target.closest ? event.target.closest("form") : null;
    if (form && htmxWrite(event)) busy(form, false);
  });
})();

// Print buttons (the member and workroom code pages): no inline scripts under the CSP.
document.addEventListener("click", (event) => {
  const trigger = event.target.closest("[data-print]");
  if (trigger) {
    event.preventDefault();
    window.print();
  }
});
