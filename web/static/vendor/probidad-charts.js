/* probidad: draw each dashboard chart from its JSON data block (same rows as the table below it). */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#1a7f37", "#b3261e", "#0b5cad", "#9a6700", "#6639ba", "#57606a"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    spec.datasets.forEach(function (d, i) {
      d.backgroundColor = palette[i % palette.length];
      d.borderColor = palette[i % palette.length];
    });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        scales: { x: { stacked: spec.stacked }, y: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
})();
