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
