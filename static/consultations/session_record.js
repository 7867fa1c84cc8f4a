// The one-page session record: filter the member list, count ticked members, add suggestion rows.
(function () {
  const form = document.getElementById("session-record");
  if (!form) return;
  const filter = form.querySelector("[data-member-filter]");
  const options = Array.from(form.querySelectorAll(".member-option"));
  const counter = form.querySelector("[data-ticked-count]");
  function count() {
    if (counter) counter.textContent = form.querySelectorAll("input[name=members]:checked").length;
  }
  if (filter) {
    filter.addEventListener("input", function () {
      const q = filter.value.trim();
      options.forEach(function (o) { o.classList.toggle("d-none", q !== "" && o.dataset.name.indexOf(q) === -1); });
    });
    // Enter in the search box must not submit the whole page.
    filter.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
  }
  form.addEventListener("change", function (e) { if (e.target.name === "members") count(); });
  count();
  const add = form.querySelector("[data-add-row]");
  const rows = document.getElementById("suggestion-rows");
  const template = document.getElementById("suggestion-row-template");
  const total = form.querySelector("input[name=suggestions-TOTAL_FORMS]");
  if (add && rows && template && total) {
    add.addEventListener("click", function () {
      const index = parseInt(total.value, 10) || 0;
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const text = rows.lastElementChild.querySelector("textarea");
      if (text) text.focus();
    });
  }
})();
