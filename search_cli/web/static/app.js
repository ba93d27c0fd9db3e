// newsdex web: the little script the pages use (served from /static: the Content-Security-Policy allows no
// inline script). Everything works without it; it only saves a page load.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // "Show what was removed": swap the cleaned article for every line of the input, in place, keeping the
  // URL's ?removed=1 in step so that the view can be shared and reloaded.
  var toggle = document.getElementById("toggle-removed");
  var clean = document.getElementById("article-clean");
  var trace = document.getElementById("article-trace");
  if (toggle && clean && trace) {
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      var showing = trace.hidden;
      trace.hidden = !showing;
      clean.hidden = showing;
      toggle.setAttribute("aria-pressed", showing ? "true" : "false");
      toggle.textContent = showing ? toggle.dataset.hide : toggle.dataset.show;
      var url = new URL(window.location.href);
      if (showing) { url.searchParams.set("removed", "1"); } else { url.searchParams.delete("removed"); }
      toggle.setAttribute("href", showing ? url.pathname : url.pathname + "?removed=1");
      window.history.replaceState(null, "", url.pathname + url.search);
    });
  }

  // "/" puts the cursor in the search box, as on many sites.
  var box = document.getElementById("q");
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (event.key === "/" && box && tag !== "INPUT" && tag !== "TEXTAREA" && tag !== "SELECT") {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
});
