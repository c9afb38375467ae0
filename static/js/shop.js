/* shop.js: small progressive enhancements; every page works without it.
 *
 * - Countdowns: every [data-countdown="<ISO datetime>"] shows the time left, once a second,
 *   as "1d 02:03:04" or "02:03:04". At zero it shows "00:00:00", gets the attribute
 *   data-countdown-done and fires a bubbling "countdown:done" event on itself (once).
 *   Elements added later are picked up on the next tick.
 * - Account menu (<details class="account-menu">): closes on Escape or a click elsewhere.
 * - Gallery: a click on a link in .gallery__thumbs shows its href in .gallery__main's image.
 * - Confirmation: a <form data-confirm="Question?"> submits only once the question is
 *   answered OK (the Content-Security-Policy allows no inline onsubmit handler).
 */
(function () {
  "use strict";

  var SELECTOR = "[data-countdown]:not([data-countdown-done])";
  var timer = null;

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  /* Format a number of whole seconds as "1d 02:03:04" (with days) or "02:03:04". */
  function formatRemaining(totalSeconds) {
    var s = Math.max(0, Math.floor(totalSeconds));
    var days = Math.floor(s / 86400);
    var hours = Math.floor((s % 86400) / 3600);
    var minutes = Math.floor((s % 3600) / 60);
    var seconds = s % 60;
    var clock = pad(hours) + ":" + pad(minutes) + ":" + pad(seconds);
    return days > 0 ? days + "d " + clock : clock;
  }

  function tickOne(el, now) {
    var end = Date.parse(el.getAttribute("data-countdown"));
    if (isNaN(end)) return; // leave the server-rendered text alone
    var left = Math.ceil((end - now) / 1000);
    if (left <= 0) {
      el.textContent = formatRemaining(0);
      el.setAttribute("data-countdown-done", "");
      el.dispatchEvent(new CustomEvent("countdown:done", { bubbles: true }));
      return;
    }
    var text = formatRemaining(left);
    if (el.textContent !== text) el.textContent = text;
  }

  function tick() {
    var now = Date.now();
    var els = document.querySelectorAll(SELECTOR);
    for (var i = 0; i < els.length; i++) tickOne(els[i], now);
  }

  function startCountdowns() {
    tick();
    if (timer === null) {
      // Align ticks to the wall-clock second so every countdown on the page turns together.
      setTimeout(function () {
        tick();
        timer = setInterval(tick, 1000);
      }, 1000 - (Date.now() % 1000));
    }
  }

  function enhanceAccountMenu() {
    document.addEventListener("click", function (event) {
      var menus = document.querySelectorAll("details.account-menu[open]");
      for (var i = 0; i < menus.length; i++) {
        if (!menus[i].contains(event.target)) menus[i].removeAttribute("open");
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var menus = document.querySelectorAll("details.account-menu[open]");
      for (var i = 0; i < menus.length; i++) {
        menus[i].removeAttribute("open");
        var summary = menus[i].querySelector("summary");
        if (summary) summary.focus();
      }
    });
  }

  function enhanceGalleries() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest(".gallery__thumbs a[href]");
      if (!link) return;
      var gallery = link.closest(".gallery");
      var main = gallery && gallery.querySelector(".gallery__main img, img.gallery__main");
      if (!main) return;
      event.preventDefault();
      main.src = link.getAttribute("href");
      main.removeAttribute("srcset");
      var thumbs = gallery.querySelectorAll(".gallery__thumbs a[aria-current]");
      for (var i = 0; i < thumbs.length; i++) thumbs[i].removeAttribute("aria-current");
      link.setAttribute("aria-current", "true");
    });
  }

  function enhanceConfirmations() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) event.preventDefault();
    });
  }

  window.shop = { formatRemaining: formatRemaining, tickCountdowns: tick };

  function init() {
    startCountdowns();
    enhanceAccountMenu();
    enhanceGalleries();
    enhanceConfirmations();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
