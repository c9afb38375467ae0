/* filters.js: the catalogue's filter panel (catalog/_filters.html), run right after it. */
// On a phone the panel starts folded so the products come first.
if (window.matchMedia("(max-width: 720px)").matches) {
  document.getElementById("filters-panel").open = false;
}
