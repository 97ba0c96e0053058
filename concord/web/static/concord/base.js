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
