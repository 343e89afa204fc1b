/** Two projects: fast unit/integration tests, and end-to-end tests against a real Synapse. */
const common = {
  preset: "ts-jest",
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }] },
};
module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/test/e2e/harness/globalSetup.ts",
      globalTeardown: "<rootDir>/test/e2e/harness/globalTeardown.ts",
      setupFilesAfterEnv: ["<rootDir>/test/e2e/harness/timeout.ts"],
    },
    {
      // The fault suite (`npm run faults`, docs/testing.md): hostile requests, inputs,
      // configs and faults against a real Synapse, one file per area, summarised as a table.
      ...common,
      displayName: "faults",
      testMatch: ["<rootDir>/test/faults/**/*.test.ts"],
      globalSetup: "<rootDir>/test/e2e/harness/globalSetup.ts",
      globalTeardown: "<rootDir>/test/e2e/harness/globalTeardown.ts",
      setupFilesAfterEnv: ["<rootDir>/test/e2e/harness/timeout.ts"],
    },
  ],
  reporters: ["default", "<rootDir>/test/faults/tableReporter.js"],
};
