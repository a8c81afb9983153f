// A graphql-ws client (the npm package browsers and Node use) subscribing to walletChanged.
//
//   node subscribe.js <ws url> <token|-> [after]
//
// Prints one JSON line per message: {"event": {...}} for each event, {"error": [...]} when the
// subscription is refused, {"closed": code} when the socket closes. Runs until killed.
const { createClient } = require("graphql-ws");
const WebSocket = require("ws");

const [url, token, after] = process.argv.slice(2);
const print = (message) => process.stdout.write(JSON.stringify(message) + "\n");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: token === "-" ? {} : { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
  on: { closed: (event) => print({ closed: event.code }) },
});

client.subscribe(
  {
    query: `subscription ($after: String) {
      walletChanged(after: $after) { cursor coins balance wallet { coins } }
    }`,
    variables: { after: after || null },
  },
  {
    next: (result) =>
      print(result.errors ? { error: result.errors } : { event: result.data.walletChanged }),
    error: (error) => print({ error: Array.isArray(error) ? error : String(error) }),
    complete: () => print({ complete: true }),
  },
);
