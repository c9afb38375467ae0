/* wishlist.js: fill the hearts of the cards this shopper saved (catalog/_wishlist_state.html).
   The cards are cached alike for everyone; the saved ids come with each page. */
(function () {
  var node = document.getElementById("wishlist-saved");
  if (!node) return;
  var saved = {};
  JSON.parse(node.textContent).forEach(function (id) { saved[String(id)] = true; });
  document.querySelectorAll("[data-wishlist-product]").forEach(function (button) {
    if (!saved[button.dataset.wishlistProduct]) return;
    button.setAttribute("aria-pressed", "true");
    button.classList.add("heart--saved");
    var glyph = button.querySelector("[aria-hidden]");
    if (glyph) glyph.textContent = "♥";
  });
})();
