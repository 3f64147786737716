// SPDX-License-Identifier: GPL-2.0-only
// Lint: typescript-eslint's recommended rules (no type information: fast on a
// small machine, and tsc -b already checks types) plus React's hooks rules.
import Module, { createRequire } from "node:module";

// typescript-eslint parses with TypeScript's JavaScript API, which TypeScript 7
// (the native compiler this project builds with) does not ship. The linter
// alone reads TypeScript 6 (the `typescript6` alias): every CommonJS
// `require("typescript")` in this process gets it.
const require = createRequire(import.meta.url);
const typescript6 = require.resolve("typescript6");
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request === "typescript" ? typescript6 : request, ...rest);
};

const { default: tseslint } = await import("typescript-eslint");
const { default: reactHooks } = await import("eslint-plugin-react-hooks");

export default tseslint.config(
  { ignores: ["dist/", "dist-cli/", "node_modules/", "public/", "tools/kernel-oracle/**/*.c"] },
  ...tseslint.configs.recommended,
  {
    files: ["app/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  {
    rules: {
      // `_name` marks a parameter kept for its position in a signature.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Our own ideas are camelCase (STYLE.md section 8); kernel names keep the
    // kernel's snake_case where the kernel is modelled: the model, the ops, the
    // completion policies and the shared kernel helpers (core/kernel/).
    files: ["**/*.{ts,tsx}"],
    ignores: ["core/model/**", "core/ops/**", "core/policy/**", "core/kernel/**"],
    rules: {
      "@typescript-eslint/naming-convention": [
        "error",
        { selector: "default", format: ["camelCase", "PascalCase", "UPPER_CASE"], leadingUnderscore: "allow" },
        // Keys spell what they name: JSON fields, kernel fields, CSS properties.
        { selector: ["objectLiteralProperty", "typeProperty", "objectLiteralMethod", "import"], format: null },
      ],
    },
  },
);
