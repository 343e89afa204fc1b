"use strict";
// carenet does not use end-to-end encryption (see docs/encryption.md). matrix-bot-sdk
// requires this module when it is imported, but only touches its members once
// encryption is switched on, so every member here refuses loudly instead.
const message =
  "carenet runs without end-to-end encryption: the Matrix crypto binding is not installed.";
module.exports = new Proxy(
  {},
  {
    get(_target, prop) {
      if (prop === "__esModule" || typeof prop === "symbol" || prop === "then") return undefined;
      throw new Error(`${message} (tried to use ${String(prop)})`);
    },
  },
);
