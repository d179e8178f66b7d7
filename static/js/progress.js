/* Live progress on a page (a rights request, an evidence bundle): fetch the
   element's data-progress-url again while work goes on (a fragment, or the
   whole page: the element is found in what comes back) and swap it in,
   until it says data-settled="true". Without JavaScript the page keeps its
   refresh link. Plain fetch: no library to ship. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var delay = 3000;
  function schedule(ms) { window.setTimeout(poll, ms || delay); }
  function poll() {
    if (box.getAttribute("data-settled") === "true") { return; }
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-progress-url]");
        if (fresh) { box.replaceWith(fresh); box = fresh; }
        schedule();
      })
      .catch(function () { schedule(delay * 10); });
  }
  document.documentElement.classList.add("js-live");
  schedule();
})();
