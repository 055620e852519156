// Sizes the server computes (an import's progress) come as data-hm-width and are set through the DOM, on the first
// page and on every piece htmx swaps in: the Content-Security-Policy forbids inline style attributes.
htmx.onLoad(function (root) {
  var nodes = Array.prototype.slice.call(root.querySelectorAll("[data-hm-width]"));
  if (root.matches && root.matches("[data-hm-width]")) { nodes.push(root); }
  nodes.forEach(function (node) { node.style.width = node.dataset.hmWidth; });
});
