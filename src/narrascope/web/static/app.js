// narrascope web UI: focusable highlights, an evidence panel, and picking out one speaker's quotes.
// Loaded as a file (the CSP forbids inline scripts); it only ever writes text, never markup.
(function () {
  "use strict";

  var LAYER_NAMES = {
    entities: "Entity", dates: "Date", quotes: "Quote", cues: "Cue", sources: "Source",
    certainty: "Certainty cue", figures: "Figure", labels: "Label", techniques: "Technique"
  };

  function layerOf(mark) {
    for (var i = 0; i < mark.classList.length; i++) {
      var name = mark.classList[i];
      if (name.indexOf("l-") === 0) { return name.slice(2); }
    }
    return "";
  }

  function speakerOf(mark) {
    for (var node = mark; node && node.tagName === "MARK"; node = node.parentElement) {
      for (var i = 0; i < node.classList.length; i++) {
        if (node.classList[i].indexOf("spk-") === 0) { return node.classList[i]; }
      }
    }
    return null;
  }

  function marksAround(mark, article) {
    var chain = [];
    for (var node = mark; node && node !== article; node = node.parentElement) {
      if (node.tagName === "MARK") { chain.push(node); }
    }
    return chain.reverse();
  }

  function showEvidence(mark, article, panel) {
    var previous = article.querySelector("mark.current");
    if (previous) { previous.classList.remove("current"); }
    mark.classList.add("current");
    panel.textContent = "";
    marksAround(mark, article).forEach(function (node) {
      var item = document.createElement("div");
      item.className = "item";
      var heading = document.createElement("h3");
      heading.textContent = LAYER_NAMES[layerOf(node)] || layerOf(node);
      var body = document.createElement("pre");
      body.textContent = node.getAttribute("title") || node.textContent;
      item.appendChild(heading);
      item.appendChild(body);
      panel.appendChild(item);
    });
  }

  function clearSpeaker(status) {
    document.querySelectorAll(".speaker-picked").forEach(function (node) { node.classList.remove("speaker-picked"); });
    document.body.removeAttribute("data-speaker");
    status.textContent = "";
  }

  function pickSpeaker(token, article, status) {
    clearSpeaker(status);
    article.querySelectorAll("mark." + token).forEach(function (node) { node.classList.add("speaker-picked"); });
    document.querySelectorAll("tr." + token).forEach(function (row) { row.classList.add("speaker-picked"); });
    document.body.setAttribute("data-speaker", token);
    var swatch = document.querySelector(".layer-label .swatch.l-quotes.k-" + token.slice(4));
    var said = swatch ? (swatch.getAttribute("title") || swatch.textContent) : "this speaker";
    status.textContent = said + " — highlighted in the text and the quotes table (Esc clears).";
  }

  function activate(mark, article, panel, status) {
    showEvidence(mark, article, panel);
    var token = speakerOf(mark);
    if (token && /^spk-[A-Za-z0-9_-]+$/.test(token)) { pickSpeaker(token, article, status); }
  }

  function init() {
    var article = document.getElementById("article-text");
    var panel = document.getElementById("evidence");
    var status = document.getElementById("speaker-status");
    if (!article || !panel || !status) { return; }
    article.querySelectorAll("mark").forEach(function (mark) { mark.tabIndex = 0; });
    article.addEventListener("click", function (event) {
      var mark = event.target.closest ? event.target.closest("mark") : null;
      if (mark && article.contains(mark)) { activate(mark, article, panel, status); }
    });
    article.addEventListener("focusin", function (event) {
      if (event.target.tagName === "MARK") { showEvidence(event.target, article, panel); }
    });
    article.addEventListener("keydown", function (event) {
      if ((event.key === "Enter" || event.key === " ") && event.target.tagName === "MARK") {
        event.preventDefault();
        activate(event.target, article, panel, status);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { clearSpeaker(status); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
