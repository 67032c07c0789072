/* The tab's only script: get the Teams sign-on token, load server-rendered fragments with it,
   and send the page's forms with it. No framework; every rule is on the server. */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var lang = document.documentElement.lang || "nl";
  var ready = null;

  // Local mode with the loopback identity provider (TAB_LOCAL_SIGN_ON, never in production):
  // a browser outside Teams signs in there and comes back with the token in the fragment.
  var signin = main.getAttribute("data-local-signin");
  var outsideTeams = signin && window.parent === window;
  var KEPT = "integriteit-tab-token";

  function localToken() {
    var found = /[#&]token=([^&]+)/.exec(window.location.hash);
    if (found) {
      sessionStorage.setItem(KEPT, decodeURIComponent(found[1]));
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    var kept = sessionStorage.getItem(KEPT);
    if (kept) return Promise.resolve(kept);
    var back = window.location.origin + window.location.pathname + window.location.search;
    window.location.assign(signin + "?redirect=" + encodeURIComponent(back));
    return new Promise(function () {});
  }

  // TeamsJS did not load (its file missing, blocked): say so instead of "Laden…"; the server
  // logged the missing file when it was asked for it.
  var NO_TEAMS_JS = { text: "data-no-teams-js" };

  // Every call asks TeamsJS again: it keeps the token and renews it before it expires.
  function token() {
    if (outsideTeams) return localToken();
    if (typeof window.microsoftTeams === "undefined") return Promise.reject(NO_TEAMS_JS);
    if (!ready) {
      ready = microsoftTeams.app.initialize();
      ready.catch(function () { ready = null; });
    }
    return ready.then(function () {
      return microsoftTeams.authentication.getAuthToken();
    });
  }

  function show(html) {
    main.innerHTML = html;
    var heading = main.querySelector("h1, [role=alert]");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  // Only the answer to the latest request is shown: a slower earlier answer (a filter applied
  // twice in quick succession) must not replace a newer one.
  var latest = 0;

  function call(path, options) {
    var url = "/tab/api" + path + (path.indexOf("?") < 0 ? "?" : "&") + "lang=" + lang;
    var mine = ++latest;
    main.setAttribute("aria-busy", "true");
    return token()
      .then(function (t) {
        options = options || {};
        options.headers = { Authorization: "Bearer " + t };
        return fetch(url, options);
      })
      .then(function (answer) {
        // An expired local token: sign in again on the next call.
        if (outsideTeams && answer.status === 401) sessionStorage.removeItem(KEPT);
        return answer.text();
      })
      .then(function (html) { if (mine === latest) show(html); })
      .catch(function (error) {
        if (mine !== latest) return;
        show('<p role="alert" class="message attention"></p>');
        var which = error === NO_TEAMS_JS ? NO_TEAMS_JS.text : "data-failed";
        main.querySelector("[role=alert]").textContent = main.getAttribute(which);
      })
      .then(function () { if (mine === latest) main.removeAttribute("aria-busy"); });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-view]");
    if (link) {
      event.preventDefault();
      call(link.getAttribute("data-view"));
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-view]")) {
      event.preventDefault();
      var query = new URLSearchParams(new FormData(form));
      call(form.getAttribute("data-view") + "?" + query.toString());
      return;
    }
    if (!form.matches("form[data-api]")) return;
    event.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    var path = form.getAttribute("data-api").replace(/^\/tab\/api/, "");
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    call(path, { method: "POST", body: data });
  });

  call("/mine");
})();
