// The auditor console's charts. The page embeds their data in
// <script type="application/json" id="console-charts"> (the server escapes
// it); this file, served by the console itself, draws each with Chart.js
// (Debian's libjs-chart.js, also served by the console). No inline script
// and no eval: the Content-Security-Policy allows scripts from 'self' only.
(function () {
  'use strict';
  var colors = ['#2f6fb0', '#e08a1e', '#4a9a5b', '#b03a3a', '#7b5ea7', '#8c6d31', '#3b8c8c', '#777777'];
  var named = {
    'bot': '#2f6fb0', 'person': '#4a9a5b', 'bot+person': '#7b5ea7', 'none': '#b03a3a',
    'approve': '#4a9a5b', 'comment': '#2f6fb0', 'request_changes': '#b03a3a', 'needs_human': '#e08a1e'
  };

  function color(label, i) { return named[label] || colors[i % colors.length]; }

  function config(chart) {
    var datasets = chart.datasets.map(function (d, i) {
      var c = color(d.label, i);
      var set = { label: d.label, data: d.data, backgroundColor: c, borderColor: c };
      if (chart.kind === 'interval' && i === 1) {
        // The interval as a thin floating bar over the rate: an error bar.
        set.backgroundColor = 'rgba(0, 0, 0, 0.55)';
        set.borderColor = '#000000';
        set.borderWidth = 1;
        set.barPercentage = 0.08;
        set.grouped = false;
        set.order = 0;
      } else if (chart.kind === 'interval') {
        set.order = 1;
      }
      return set;
    });
    var options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: datasets.length > 1 } },
      scales: { x: {}, y: { beginAtZero: true } }
    };
    if (chart.kind === 'stacked') {
      options.scales.x.stacked = true;
      options.scales.y.stacked = true;
    }
    if (chart.kind === 'horizontal') {
      options.indexAxis = 'y';
      options.scales = { x: { beginAtZero: true }, y: {} };
    }
    return { type: 'bar', data: { labels: chart.labels, datasets: datasets }, options: options };
  }

  function draw() {
    var block = document.getElementById('console-charts');
    if (!block || typeof Chart === 'undefined') return;
    var data = JSON.parse(block.textContent);
    data.charts.forEach(function (chart) {
      var canvas = document.getElementById('chart-' + chart.id);
      if (canvas) new Chart(canvas, config(chart));
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw);
  else draw();
})();
