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
