/* checkout.js (orders/checkout.html): the new-address fields show only when "new address" is
   chosen, and the totals follow the coupon, points and address as the shopper changes them,
   from the cart API (GET /api/v1/cart/?coupon=&points=, the pipeline checkout charges by).
   Without script the page works as before: "Update totals" posts the form. */
(function () {
  var box = document.getElementById("new-address");
  function sync() {
    var chosen = document.querySelector('input[name="address"]:checked');
    box.hidden = !(chosen && chosen.value === box.dataset.newAddress);
  }
  document.querySelectorAll('input[name="address"]').forEach(function (r) { r.addEventListener("change", sync); });
  sync();
})();

(function () {
  var form = document.querySelector("form[data-live-totals]");
  if (!form || !window.fetch) return;
  var symbol = form.dataset.currency || "";
  var asked = 0;
  var timer = null;

  function money(value) {
    var number = Number(value);
    var text = Math.abs(number).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return (number < 0 ? "\u2212" : "") + symbol + text;
  }

  function showError(selector, text) {
    var list = form.querySelector(selector);
    if (!list) return;
    list.hidden = !text;
    list.querySelector("li").textContent = text || "";
  }

  function render(data) {
    var table = form.querySelector('[data-testid="breakdown"]');
    var shipping = table.querySelector('[data-row="shipping"]');
    table.querySelector('[data-row="subtotal"] td').textContent = money(data.subtotal);
    table.querySelectorAll(".breakdown__adjustment").forEach(function (row) { row.remove(); });
    data.adjustments.forEach(function (adjustment) {
      var row = document.createElement("tr");
      row.className = "breakdown__adjustment";
      var label = document.createElement("th");
      label.scope = "row";
      label.textContent = adjustment.label;
      var amount = document.createElement("td");
      amount.className = "amount amount--negative";
      amount.textContent = money(adjustment.amount);
      row.append(label, amount);
      shipping.before(row);
    });
    shipping.querySelector("td").textContent = Number(data.shipping) ? money(data.shipping) : form.dataset.free;
    table.querySelector('[data-testid="total"]').textContent = money(data.total);
    form.querySelector("[data-place-total]").textContent = money(data.total);
    var help = form.querySelector("[data-points-help]");
    if (help && data.points_help) help.textContent = data.points_help;
    showError("[data-coupon-error]", data.coupon_error);
    showError("[data-points-error]", data.points_error);
  }

  function refresh() {
    var points = (form.elements.points.value || "0").trim();
    if (!/^\d{1,9}$/.test(points)) return;  // the server's form explains anything else on submit
    var query = new URLSearchParams({ coupon: form.elements.coupon_code.value.trim(), points: points });
    var mine = ++asked;
    fetch(form.dataset.liveTotals + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && mine === asked) render(data); })
      .catch(function () { /* offline: "Update totals" still works */ });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  form.elements.points.addEventListener("input", soon);
  form.elements.coupon_code.addEventListener("input", soon);
  form.querySelectorAll('input[name="address"]').forEach(function (r) { r.addEventListener("change", refresh); });
  form.dataset.liveReady = "";
})();
