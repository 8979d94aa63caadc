// narrascope coordination page: draws the flagged outlet pairs with the vendored Cytoscape.js and
// opens a pair's evidence (clusters, documents, times) from the network or the table.
// Loaded as a file (the CSP forbids inline scripts); it only ever writes text, never markup.
(function () {
  "use strict";

  var COLOURS = ["#3a6ea5", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#7f6000", "#b65708"];

  function when(seconds) {
    return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function start() {
    var holder = document.getElementById("network-data");
    var panel = document.getElementById("evidence");
    if (!holder || !panel) { return; }
    var data = JSON.parse(holder.textContent);
    var clusters = holder.getAttribute("data-clusters") || "/stories/";
    var kind = clusters.replace(/\//g, "");
    var community = {};
    data.communities.forEach(function (c) {
      c.members.forEach(function (m) { community[m] = c.id; });
    });
    var elements = [];
    var seen = {};
    data.edges.forEach(function (e, i) {
      [e.u, e.v].forEach(function (n) {
        if (!seen[n]) {
          seen[n] = true;
          elements.push({ data: { id: "n:" + n, label: n, colour: COLOURS[(community[n] || 0) % COLOURS.length] } });
        }
      });
      elements.push({ data: { id: "e" + i, source: "n:" + e.u, target: "n:" + e.v, index: i,
        width: 1 + Math.min(8, e.objects), kind: e.label } });
    });

    function show(i) {
      var e = data.edges[i];
      while (panel.firstChild) { panel.removeChild(panel.firstChild); }
      var title = document.createElement("h2");
      title.id = "h-evidence";
      title.textContent = "Evidence: " + e.u + " – " + e.v;
      panel.appendChild(title);
      var facts = document.createElement("p");
      facts.textContent = e.objects + " shared " + kind + " within the window; " + e.label +
        (e.label === "syndication" ? " (" + e.copies + " of " + e.co_actions.length + " are copies of one text)" : "") +
        "; p " + e.p.toFixed(4) + ", q " + e.q.toFixed(4) + ", the null expects " + e.null_mean.toFixed(2) +
        (e.lead_lag && e.lead_lag.leader ? "; " + e.lead_lag.leader + " usually first, median delay " +
          e.lead_lag.median_delay + " s" : "") + ".";
      panel.appendChild(facts);
      var list = document.createElement("ol");
      list.className = "co-actions";
      e.co_actions.forEach(function (c) {
        var item = document.createElement("li");
        item.appendChild(link(clusters + encodeURIComponent(c.object), c.object));
        item.appendChild(document.createTextNode(": " + e.u + " "));
        item.appendChild(link("/documents/" + encodeURIComponent(c.action_u), c.action_u.slice(0, 12)));
        item.appendChild(document.createTextNode(" at " + when(c.time_u) + ", " + e.v + " "));
        item.appendChild(link("/documents/" + encodeURIComponent(c.action_v), c.action_v.slice(0, 12)));
        item.appendChild(document.createTextNode(" at " + when(c.time_v)));
        var said = document.createElement("ul");
        said.className = "said";
        [[e.u, c.evidence_u || []], [e.v, c.evidence_v || []]].forEach(function (side) {
          side[1].forEach(function (m) {
            if (!m.text) { return; }
            var line = document.createElement("li");
            var how = m.rung ? m.rung + (m.similarity !== null ? " " + m.similarity.toFixed(3) : "") : "opened it";
            line.textContent = side[0] + ": \u201c" + m.text + "\u201d (" + how + ")";
            said.appendChild(line);
          });
        });
        if (said.firstChild) { item.appendChild(said); }
        list.appendChild(item);
      });
      panel.appendChild(list);
      if (network) {
        network.edges().removeClass("picked");
        network.getElementById("e" + i).addClass("picked");
      }
      panel.focus();
    }

    var network = null;
    var box = document.getElementById("network");
    if (box && window.cytoscape) {
      network = window.cytoscape({
        container: box,
        elements: elements,
        maxZoom: 1.5,
        layout: { name: "cose", animate: false, randomize: false },
        style: [
          { selector: "node", style: { "label": "data(label)", "background-color": "data(colour)",
            "font-size": 11, "text-valign": "bottom", "text-margin-y": 4 } },
          { selector: "edge", style: { "width": "data(width)", "line-color": "#888", "curve-style": "bezier" } },
          { selector: "edge[kind = 'syndication']", style: { "line-style": "dashed" } },
          { selector: "edge.picked", style: { "line-color": "#d4a017" } }
        ]
      });
      network.on("tap", "edge", function (event) { show(event.target.data("index")); });
      window.narrascopeNetwork = network;
    }
    var buttons = document.querySelectorAll("button.edge-evidence");
    for (var k = 0; k < buttons.length; k++) {
      buttons[k].addEventListener("click", function (event) {
        show(Number(event.currentTarget.getAttribute("data-edge")));
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
