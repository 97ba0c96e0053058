// Zoom, pan and PNG export for the server-drawn SVG pictures (timeline, map). No inline script.
(function () {
  "use strict";
  document.querySelectorAll(".picture-tools").forEach(function (tools) {
    var box = document.getElementById(tools.dataset.target);
    var svg = box && box.querySelector("svg");
    if (!svg) return;
    var base = svg.getAttribute("viewBox").split(" ").map(Number);
    var view = base.slice();
    function apply() { svg.setAttribute("viewBox", view.join(" ")); }
    function zoom(factor, cx, cy) {
      var w = view[2] / factor, h = view[3] / factor;
      cx = cx === undefined ? view[0] + view[2] / 2 : cx;
      cy = cy === undefined ? view[1] + view[3] / 2 : cy;
      view = [cx - (cx - view[0]) / factor, cy - (cy - view[1]) / factor, w, h];
      apply();
    }
    tools.querySelectorAll("[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        if (b.dataset.zoom === "reset") { view = base.slice(); apply(); }
        else { zoom(parseFloat(b.dataset.zoom)); }
      });
    });
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = svg.getBoundingClientRect();
      var cx = view[0] + (e.clientX - r.left) / r.width * view[2];
      var cy = view[1] + (e.clientY - r.top) / r.height * view[3];
      zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, cx, cy);
    }, { passive: false });
    var drag = null;
    svg.addEventListener("pointerdown", function (e) {
      if (e.target.closest("a")) return;
      drag = { x: e.clientX, y: e.clientY, v: view.slice() };
    });
    window.addEventListener("pointerup", function () { drag = null; });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      view[0] = drag.v[0] - (e.clientX - drag.x) / r.width * view[2];
      view[1] = drag.v[1] - (e.clientY - drag.y) / r.height * view[3];
      apply();
    });
    tools.querySelectorAll("[data-png]").forEach(function (b) {
      b.addEventListener("click", function () {
        var xml = new XMLSerializer().serializeToString(svg);
        var url = URL.createObjectURL(new Blob([xml], { type: "image/svg+xml" }));
        var img = new Image();
        img.onload = function () {
          var canvas = document.createElement("canvas");
          canvas.width = svg.width.baseVal.value * 2;
          canvas.height = svg.height.baseVal.value * 2;
          var ctx = canvas.getContext("2d");
          ctx.scale(2, 2);
          ctx.drawImage(img, 0, 0);
          URL.revokeObjectURL(url);
          canvas.toBlob(function (blob) {
            var a = document.createElement("a");
            a.href = URL.createObjectURL(blob);
            a.download = b.dataset.png;
            a.click();
          }, "image/png");
        };
        img.src = url;
      });
    });
  });
})();
