/* flash_list.js: the flash-sale list (marketing/flash_list.html). */
/* A countdown that reaches zero while the page is open means a sale started or ended:
   show the page as it now is (only for those that counted down here, so no reload loop). */
(function () {
  var opened = Date.now();
  document.addEventListener("countdown:done", function (event) {
    if (Date.parse(event.target.getAttribute("data-countdown")) > opened) {
      setTimeout(function () { window.location.reload(); }, 1500);
    }
  });
})();
