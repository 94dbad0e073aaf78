// The explorer's only script (no inline scripts: the CSP allows none). It draws Plotly figures from
// <script type="application/json" data-figure="ID"> blocks and, after each htmx swap of the ranking,
// redraws the bar chart and recolours the map with the recomputed scores.
(function () {
  "use strict";
  var CONFIG = { displaylogo: false, modeBarButtonsToRemove: ["toImage"] };

  function drawFigures(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll('script[type="application/json"][data-figure]').forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-figure"));
      if (!target) { return; }
      var figure = JSON.parse(node.textContent);
      window.Plotly.react(target, figure.data, figure.layout, CONFIG);
    });
  }

  function applyRanking() {
    var node = document.getElementById("ranking-data");
    if (!node || !window.Plotly) { return; }
    var data = JSON.parse(node.getAttribute("data-chart"));
    var bar = document.getElementById("bar-chart");
    if (bar && bar.data) {
      var trace = Object.assign({}, bar.data[0], { x: data.bar.x, y: data.bar.y, text: data.bar.text });
      delete trace.error_x;
      window.Plotly.react(bar, [trace], bar.layout, CONFIG);
    }
    var map = document.getElementById("map-chart");
    if (map && map.data && map.data.length > 2) {
      window.Plotly.restyle(map, { "marker.color": [data.map.color], "marker.size": [data.map.size] },
        [map.data.length - 1]);
    }
  }

  function showSliderValues(root) {
    root.querySelectorAll('input[type="range"]').forEach(function (input) {
      var out = document.getElementById(input.id + "-out");
      if (out) { out.textContent = input.value; }
    });
  }

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.matches && el.matches('#controls input[type="range"]')) {
      var manual = document.getElementById("manual");
      if (manual) { manual.value = "1"; }
      showSliderValues(el.closest("form"));
    }
  });
  document.addEventListener("change", function (event) {
    var el = event.target;
    // A new weighting method sets the weights: the sliders follow it until moved again.
    if (el.matches && el.matches('#controls select[data-method="weighting"]')) {
      var manual = document.getElementById("manual");
      if (manual) { manual.value = "0"; }
    }
    // A persona sets the weights (issue 16): the sliders follow it until moved again.
    if (el.matches && el.matches("#controls select[data-persona]")) {
      var reset = document.getElementById("manual");
      if (reset) { reset.value = "0"; }
    }
    // Each method's one-line explanation follows the choice.
    if (el.matches && el.matches("#controls select[data-method]")) {
      var note = document.getElementById("note-" + el.getAttribute("data-method"));
      var option = el.options[el.selectedIndex];
      if (note && option) { note.textContent = option.title || ""; }
    }
  });
  // A refused setting (e.g. a geometric mean of z-scores) leaves the last ranking and says why.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("ranking-error");
    if (!box) { return; }
    var message = "";
    try { message = JSON.parse(event.detail.xhr.responseText).error; } catch (e) { message = event.detail.xhr.statusText; }
    box.textContent = message;
    box.hidden = false;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var box = document.getElementById("ranking-error");
    if (box) { box.hidden = true; }
    if (event.detail && event.detail.target && event.detail.target.id === "ranking") {
      applyRanking();
      var form = document.getElementById("controls");
      if (form) { showSliderValues(form); }
    }
  });
  function start() {
    drawFigures(document);
    applyRanking();
    document.documentElement.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
