/* product.js: the product page's SKU picker and gallery (catalog/product.html). */
// SKU picker: choosing a variant shows its price (struck base price when discounted),
// its stock state and limits the quantity; the radio itself is the form's `sku` field.
(function () {
  var data = JSON.parse(document.getElementById("sku-data").textContent);
  var form = document.getElementById("add-to-cart");
  if (!form) return;
  var el = function (id) { return document.getElementById(id); };
  function show(id) {
    var sku = data[id];
    if (!sku) return;
    el("sku-price").textContent = sku.price;
    el("sku-was").textContent = sku.was;
    el("sku-offer").textContent = sku.offer;
    el("sku-offer").hidden = !sku.offer;
    el("sku-discount").hidden = !sku.was;
    var stock = el("sku-stock");
    stock.textContent = sku.text;
    stock.className = "stock stock--" + sku.state;
    el("sku-code").textContent = sku.code;
    var quantity = el("quantity");
    quantity.max = Math.max(sku.stock, 1);
    if (Number(quantity.value) > sku.stock && sku.stock > 0) quantity.value = sku.stock;
    var button = el("add-to-cart-button");
    button.disabled = sku.stock <= 0;
    // The labels come translated from the page (data-label-add, data-label-out).
    button.textContent = sku.stock > 0 ? button.dataset.labelAdd : button.dataset.labelOut;
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "sku") show(event.target.value);
  });
  document.querySelectorAll("[data-gallery-src]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var main = el("gallery-main");
      if (!main) return;
      event.preventDefault();
      main.src = link.dataset.gallerySrc;
    });
  });
})();
// "Tell me when it's back" follows the picker: shown for a SKU without stock, posting its code.
(function () {
  var alertForm = document.getElementById("stock-alert");
  var form = document.getElementById("add-to-cart");
  var dataNode = document.getElementById("sku-data");
  if (!alertForm || !form || !dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  form.addEventListener("change", function (event) {
    if (event.target.name !== "sku") return;
    var sku = data[event.target.value];
    if (!sku) return;
    alertForm.hidden = sku.stock > 0;
    alertForm.action = alertForm.dataset.actionTemplate.replace("SKU-CODE", encodeURIComponent(sku.code));
  });
})();
