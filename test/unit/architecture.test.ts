import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { analyse, baselineOf, compare, formatReport, readBaseline } from "../../tools/architecture";

/**
 * The architecture ratchet (docs/architecture.md, "Checking the layout"): no new import
 * cycle between folders under src/, no new importer of matrix-bot-sdk outside src/matrix/,
 * no new file over 400 lines or function over 80, no new import from a feature into another
 * feature or an upper floor — and every one fixed is taken off
 * test/unit/architecture.baseline.json, so the lists only shrink.
 */

const ROOT = path.resolve(__dirname, "../..");

describe("the architecture ratchet", () => {
  it("src/ matches test/unit/architecture.baseline.json exactly", () => {
    const report = analyse(ROOT);
    const problems = compare(report, readBaseline(ROOT));
    if (problems.length > 0) {
      throw new Error(`${problems.join("\n")}\n\n${formatReport(report)}\n\n(npm run architecture prints this report)`);
    }
  });

  it("src/kernel/ imports nothing from the rest of src/", () => {
    const out = analyse(ROOT).edges.filter((e) => e.from === "kernel");
    expect(out.flatMap((e) => e.because)).toEqual([]);
  });
});

describe("the analysis", () => {
  let root: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "carenet-architecture-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("finds folder cycles through imports, type imports, re-exports and long chains", () => {
    write("src/a/x.ts", `import { y } from "../b/y";\nexport const x = y;\n`);
    write("src/b/y.ts", `import type { Z } from "../c";\nexport const y: Z = 1;\n`);
    write("src/c/index.ts", `export { x } from "../a/x";\nexport type Z = number;\n`);
    write("src/d/w.ts", `import { x } from "../a/x";\nexport const w = x;\n`);
    write("src/kernel/k.ts", `export const k = 1;\n`);
    write("src/cli.ts", `import { w } from "./d/w";\nimport { k } from "./kernel/k";\nconsole.log(w, k);\n`);
    const report = analyse(root);
    expect(report.cycles).toEqual([["a", "b", "c"]]);
    expect(report.cycleEdges).toEqual(["a -> b", "b -> c", "c -> a"]);
    expect(report.edges.map((e) => `${e.from} -> ${e.to}`)).toEqual([
      ". -> d",
      ". -> kernel",
      "a -> b",
      "b -> c",
      "c -> a",
      "d -> a",
    ]);
  });

  it("finds the homeserver client outside src/matrix/ and files over 400 lines", () => {
    write("src/matrix/h.ts", `import { MatrixClient } from "matrix-bot-sdk";\nexport type H = MatrixClient;\n`);
    write("src/app/s.ts", `import { LogService } from "matrix-bot-sdk";\nexport const s = LogService;\n`);
    write("src/app/long.ts", "export const n = 1;\n".repeat(401));
    write("src/app/fits.ts", "export const n = 1;\n".repeat(400));
    const report = analyse(root);
    expect(report.sdkImporters).toEqual(["src/app/s.ts"]);
    expect(report.longFiles).toEqual([{ file: "src/app/long.ts", lines: 401 }]);
  });

  it("counts each feature as a folder of its own and finds a feature importing another", () => {
    write("src/features/paging/page.ts", `import { m } from "../communities/store/members";\nimport { k } from "../../kernel/k";\nexport const p = m + k;\n`);
    write("src/features/communities/store/members.ts", `export const m = 1;\n`);
    write("src/features/rota/rota.ts", `import { r } from "../../matrix/router";\nexport const x = r;\n`);
    write("src/matrix/router.ts", `export const r = 1;\n`);
    write("src/kernel/k.ts", `export const k = 1;\n`);
    const report = analyse(root);
    expect(report.edges.map((e) => `${e.from} -> ${e.to}`)).toEqual([
      "features/paging -> features/communities",
      "features/paging -> kernel",
      "features/rota -> matrix",
    ]);
    expect(report.featureImports).toEqual(["features/paging -> features/communities", "features/rota -> matrix"]);
  });

  it("finds functions over 80 lines, whether declared, methods or arrows", () => {
    const body = (n: number) => "  x++;\n".repeat(n);
    write(
      "src/app/f.ts",
      `let x = 0;\nexport function long() {\n${body(79)}}\n` +
        `export function fits() {\n${body(78)}}\n` +
        `export const arrow = () => {\n${body(79)}};\n` +
        `export class C {\n  method() {\n${body(79)}  }\n}\n`,
    );
    const report = analyse(root);
    expect(report.longFunctions).toEqual([
      { at: "src/app/f.ts:arrow", lines: 81 },
      { at: "src/app/f.ts:long", lines: 81 },
      { at: "src/app/f.ts:method", lines: 81 },
    ]);
  });

  it("the ratchet fails on a new finding and on a listed one that is gone", () => {
    write("src/a/x.ts", `import "../b/y";\n`);
    write("src/b/y.ts", `import "../a/x";\n`);
    const report = analyse(root);
    expect(compare(report, baselineOf(report))).toEqual([]);
    const held = { cycleEdges: ["a -> b"], sdkImporters: ["src/c/gone.ts"], longFiles: [], longFunctions: [], featureImports: [] };
    expect(compare(report, held)).toEqual([
      "new folder import on a cycle: b -> a",
      "fixed matrix-bot-sdk imported outside src/matrix/: src/c/gone.ts (remove it from the baseline so it stays fixed)",
    ]);
  });
});
