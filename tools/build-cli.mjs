// SPDX-License-Identifier: GPL-2.0-only
// Bundles the CLI (cli/main.ts and the engine it imports) into one ES module,
// dist-cli/skbscope.mjs: the installed `skbscope` needs Node alone, no tsx
// and no dependency at run time.
import { build } from "esbuild";
import { chmodSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const outfile = `${root}dist-cli/skbscope.mjs`;

await build({
  entryPoints: [`${root}cli/main.ts`],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "none",
  banner: {
    js: "#!/usr/bin/env node\n// SPDX-License-Identifier: GPL-2.0-only\n// skbscope's command line, bundled from cli/ and core/ by tools/build-cli.mjs.",
  },
  logLevel: "warning",
});
chmodSync(outfile, 0o755);
