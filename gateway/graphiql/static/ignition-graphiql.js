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

  var fetcher = GraphiQL.createFetcher({
    url: fetchURL,
    subscriptionUrl: subscriptionURL.toString(),
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
