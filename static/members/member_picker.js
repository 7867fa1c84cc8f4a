// Member pickers (members/widgets/member_picker.html): filter the checkbox list by name as one
// types and count the ticked members — the same behaviour as the one-page session record.
(function () {
  document.querySelectorAll("[data-member-picker]").forEach(function (picker) {
    const filter = picker.querySelector("[data-member-filter]");
    const options = Array.from(picker.querySelectorAll(".member-option"));
    const counter = picker.querySelector("[data-ticked-count]");
    const noMatch = picker.querySelector("[data-no-match]");
    function count() {
      if (counter) counter.textContent = picker.querySelectorAll("input[type=checkbox]:checked").length;
    }
    if (filter) {
      filter.addEventListener("input", function () {
        const q = filter.value.trim().toLowerCase();
        let shown = 0;
        options.forEach(function (o) {
          const hide = q !== "" && o.dataset.name.toLowerCase().indexOf(q) === -1;
          o.classList.toggle("d-none", hide);
          if (!hide) shown += 1;
        });
        if (noMatch) noMatch.classList.toggle("d-none", shown > 0 || options.length === 0);
      });
      // Enter in the search box must not submit the form.
      filter.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    }
    picker.addEventListener("change", count);
    count();
  });
})();
