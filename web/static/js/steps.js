// Multi-step intake form: progressive enhancement. Without JavaScript every step is visible.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
  var items = Array.prototype.slice.call(form.querySelectorAll(".step-list li"));
  var nav = form.querySelector(".step-nav");
  var prev = form.querySelector("[data-prev]");
  var next = form.querySelector("[data-next]");
  var current = 0;
  var firstError = form.querySelector(".has-error");
  if (firstError) {
    steps.forEach(function (s, i) { if (s.contains(firstError)) { current = i; } });
  }
  document.documentElement.classList.add("js");
  function show(i) {
    current = Math.max(0, Math.min(steps.length - 1, i));
    steps.forEach(function (s, k) { s.hidden = k !== current; });
    items.forEach(function (li, k) {
      li.classList.toggle("current", k === current);
      if (k === current) { li.setAttribute("aria-current", "step"); } else { li.removeAttribute("aria-current"); }
    });
    prev.hidden = current === 0;
    next.hidden = current === steps.length - 1;
    var legend = steps[current].querySelector("legend");
    if (legend) { legend.setAttribute("tabindex", "-1"); legend.focus(); }
  }
  nav.hidden = false;
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  show(current);
}());
