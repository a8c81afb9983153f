// GraphiQL for the Ignition Gateway: the page script of gateway/graphiql (adapted from
// strawberry-graphql's graphiql.html, MIT). Everything it loads comes from the gateway itself.
(function () {
  "use strict";

  var EXAMPLE_QUERY = [
    "# Welcome to the Ignition Gateway's GraphiQL.",
    "#",
    "# Signed out, the catalogs answer and `me` is null. To sign in, open the",
    "# Headers pane below and enter",
    '#   {"Authorization": "Bearer <your session token>"}',
    "# (`ignition token create --email you@example.com` prints one).",
    "#",
    "# Run: Ctrl-Enter. Complete: Ctrl-Space. Every type and field is described",
    "# in the documentation pane (the book icon, top left).",
    "",
    "{",
    "  me { name wallet { coins } }",
    "  marketItems(first: 3) { edges { node { name costCoins rarity } } }",
    "}",
    "",
  ].join("\n");

  // The query and variables live in the URL so that a link shares them; headers never do
  // (they hold the bearer token).
  var parameters = {};
  window.location.search
    .slice(1)
    .split("&")
    .forEach(function (entry) {
      var eq = entry.indexOf("=");
      if (eq >= 0) {
        parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(
          entry.slice(eq + 1),
        );
      }
    });

  function updateURL(data) {
    Object.assign(parameters, data);
    var search = Object.keys(parameters)
      .filter(function (key) {
        return Boolean(parameters[key]);
      })
      .map(function (key) {
        return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]);
      })
      .join("&");
    history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  // The endpoint is the page's own URL, so the page works under any path prefix.
  var fetchURL = window.location.href.split("#")[0].split("?")[0];
  var subscriptionURL = new URL(fetchURL);
  subscriptionURL.protocol = subscriptionURL.protocol === "https:" ? "wss:" : "ws:";

  // GraphiQL keeps the Headers pane in localStorage (shouldPersistHeaders). A token saved
  // there for an earlier database (or expired, or revoked) signs nobody in: every request,
  // the schema's own included, answers 401, and the Docs pane would only say "Error fetching
  // schema". The banner says why, and how to clear the header.
  var HEADERS_KEY = "graphiql:headers";
  var BANNER_ID = "ignition-unauthenticated";

  function showUnauthenticated(reason) {
    if (document.getElementById(BANNER_ID)) {
      return;
    }
    var banner = document.createElement("div");
    banner.id = BANNER_ID;
    banner.setAttribute("role", "alert");
    banner.style.cssText =
      "position:fixed;top:0;left:0;right:0;z-index:1000;padding:8px 12px;" +
      "background:#fff4e5;color:#5f3b00;border-bottom:1px solid #f0c36d;font:14px sans-serif";
    var text = document.createElement("span");
    text.textContent =
      "The server refused the Authorization header (401: " +
      reason +
      ") It may hold a token of an earlier database, or one that expired or was revoked. " +
      "Until it is fixed every request fails, and the Docs pane cannot load the schema. " +
      "Edit or delete it in the Headers pane, then re-fetch the schema (Shift+Ctrl+R), or ";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.textContent = "forget the saved headers and reload";
    clear.addEventListener("click", function () {
      window.localStorage.removeItem(HEADERS_KEY);
      window.location.reload();
    });
    banner.appendChild(text);
    banner.appendChild(clear);
    document.body.insertBefore(banner, document.body.firstChild);
  }

  function hideUnauthenticated() {
    var banner = document.getElementById(BANNER_ID);
    if (banner) {
      banner.remove();
    }
  }

  function checkedFetch(input, init) {
    return window.fetch(input, init).then(function (response) {
      if (response.status === 401) {
        response
          .clone()
          .json()
          .then(
            function (body) {
              var errors = (body && body.errors) || [];
              showUnauthenticated(errors.length ? errors[0].message : "Unauthorized.");
            },
            function () {
              showUnauthenticated("Unauthorized.");
            },
          );
      } else {
        hideUnauthenticated();
      }
      return response;
    });
  }

  var fetcher = GraphiQL.createFetcher({
    url: fetchURL,
    subscriptionUrl: subscriptionURL.toString(),
    fetch: checkedFetch,
  });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  function App() {
    var query = React.useState(parameters.q || EXAMPLE_QUERY);
    var variables = React.useState(parameters.variables);
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      query: query[0],
      variables: variables[0],
      onEditQuery: function (value) {
        query[1](value);
        updateURL({ q: value });
      },
      onEditVariables: function (value) {
        variables[1](value);
        updateURL({ variables: value });
      },
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
})();
