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
