// Runs gateway/graphiql/static/ignition-graphiql.js with stub browser globals and checks what
// it does with a 401 (tests/api/test_graphiql_script.py). Prints one JSON line of findings.
"use strict";
const fs = require("fs");
const vm = require("vm");

const elements = {};
function element(tag) {
  return {
    tag,
    id: "",
    children: [],
    style: {},
    attributes: {},
    listeners: {},
    textContent: "",
    setAttribute(name, value) {
      this.attributes[name] = value;
    },
    appendChild(child) {
      this.children.push(child);
    },
    addEventListener(type, listener) {
      this.listeners[type] = listener;
    },
    remove() {
      delete elements[this.id];
    },
  };
}
const body = element("body");
body.insertBefore = (child) => {
  elements[child.id] = child;
};
const removed = [];
let reloaded = false;
let status = 401;
let options = null;
const window = {
  location: {
    search: "",
    href: "http://127.0.0.1:8000/graphql",
    pathname: "/graphql",
    reload() {
      reloaded = true;
    },
  },
  localStorage: {
    removeItem(key) {
      removed.push(key);
    },
  },
  fetch: async () => ({
    status,
    clone() {
      return { json: async () => ({ errors: [{ message: "The token is unknown or expired." }] }) };
    },
  }),
};
const context = {
  window,
  document: {
    body,
    createElement: element,
    getElementById: (id) => elements[id] || (id === "graphiql" ? element("div") : null),
  },
  history: { replaceState() {} },
  URL,
  React: { useState: (value) => [value, () => {}], createElement: () => ({}) },
  ReactDOM: { createRoot: () => ({ render() {} }) },
  GraphiQL: Object.assign(function GraphiQL() {}, {
    createFetcher(given) {
      options = given;
      return () => {};
    },
  }),
  GraphiQLPluginExplorer: { explorerPlugin: () => ({}) },
};

(async () => {
  vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8"), context);
  await options.fetch("http://127.0.0.1:8000/graphql", {});
  await new Promise((resolve) => setTimeout(resolve, 10));
  const banner = elements["ignition-unauthenticated"];
  const text = banner ? banner.children.map((c) => c.textContent).join("") : null;
  if (banner) {
    banner.children[1].listeners.click();
  }
  status = 200;
  await options.fetch("http://127.0.0.1:8000/graphql", {});
  console.log(
    JSON.stringify({
      text,
      role: banner ? banner.attributes.role : null,
      removed,
      reloaded,
      goneAfterSuccess: !elements["ignition-unauthenticated"],
    }),
  );
})();
