// The header's menu button (below 900 px; concord.css): opens and closes the menu. Without
// JavaScript the menu stays open (the page never gets the "js" class that hides it).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var nav = document.getElementById("mainnav");
  var button = nav && nav.querySelector(".menu-toggle");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();

// Rows editors (RowsWidget): "Add a row" copies the last row, empty, numbered one more.
document.addEventListener("click", function (e) {
  "use strict";
  var button = e.target.closest && e.target.closest("[data-add-row]");
  if (!button) { return; }
  var name = button.getAttribute("data-add-row");
  var box = button.closest(".rows-editor");
  var body = box.querySelector("tbody");
  var count = box.querySelector("input[name='" + name + "-rows']");
  var n = parseInt(count.value, 10);
  var row = body.lastElementChild.cloneNode(true);
  row.querySelectorAll("input, select").forEach(function (el) {
    el.name = el.name.replace(/-\d+-(\d+)$/, "-" + n + "-$1");
    el.setAttribute("aria-label", el.getAttribute("aria-label").replace(/\d+$/, String(n + 1)));
    if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
  });
  body.appendChild(row);
  count.value = String(n + 1);
  row.querySelector("input, select").focus();
});
