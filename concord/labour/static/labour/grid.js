// Keyboard-first entry grid: Enter in a row's last cell adds a row and moves to it;
// Ctrl+Enter saves; arrow keys up/down move between rows in the same column.
(function () {
  const table = document.getElementById("grid");
  const form = document.getElementById("grid-form");
  const count = document.getElementById("grid-rows");
  if (!table || !form || !count) return;
  const body = table.tBodies[0];

  function addRow() {
    const last = body.rows[body.rows.length - 1];
    const row = last.cloneNode(true);
    const index = Number(count.value);
    row.cells[0].textContent = String(index + 1);
    row.querySelectorAll("input").forEach((input) => {
      input.name = input.name.replace(/^r\d+-/, "r" + index + "-");
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("title");
      input.setAttribute("aria-label", input.getAttribute("aria-label").replace(/\d+/, String(index + 1)));
    });
    body.appendChild(row);
    count.value = String(index + 1);
    return row;
  }

  table.addEventListener("keydown", (event) => {
    const input = event.target;
    if (input.tagName !== "INPUT") return;
    const cell = input.closest("td");
    const row = input.closest("tr");
    const col = Array.prototype.indexOf.call(row.cells, cell);
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Enter") {
      event.preventDefault();
      let next = row.nextElementSibling;
      if (!next) next = addRow();
      next.cells[1].querySelector("input").focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const other = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
      if (other) {
        event.preventDefault();
        other.cells[col].querySelector("input").focus();
      }
    }
  });
})();
