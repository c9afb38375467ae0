/* checkout.js: the new-address fields show only when "new address" is chosen
   (orders/checkout.html; the choice's value is the box's data-new-address). */
(function () {
  var box = document.getElementById("new-address");
  function sync() {
    var chosen = document.querySelector('input[name="address"]:checked');
    box.hidden = !(chosen && chosen.value === box.dataset.newAddress);
  }
  document.querySelectorAll('input[name="address"]').forEach(function (r) { r.addEventListener("change", sync); });
  sync();
})();
