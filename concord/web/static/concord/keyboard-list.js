// Keyboard through a list of results ([data-keyboard-list]): from the search box, ↓ goes to
// the first result; ↓ and ↑ move between results; Escape goes back to the box.
(function () {
  "use strict";
  var list = document.querySelector("[data-keyboard-list]");
  var box = document.getElementById("global-search");
  if (!list || !box) { return; }
  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }
  box.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && links().length) { e.preventDefault(); links()[0].focus(); }
  });
  list.addEventListener("keydown", function (e) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (at < 0) { return; }
    if (e.key === "ArrowDown" && at + 1 < all.length) { e.preventDefault(); all[at + 1].focus(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); (at > 0 ? all[at - 1] : box).focus(); }
    else if (e.key === "Escape") { e.preventDefault(); box.focus(); }
  });
})();
