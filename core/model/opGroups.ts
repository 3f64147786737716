// SPDX-License-Identifier: GPL-2.0-only
/**
 * The groups of the app's operation picker. Plain data with no engine
 * import, so the app's main bundle can read it (the op specs themselves
 * live with the engine, in the worker).
 */
export type OpGroup = "allocate" | "reference" | "copy" | "reshape" | "leave the stack" | "zero-copy";
export const OP_GROUPS: readonly OpGroup[] = ["allocate", "reference", "copy", "reshape", "leave the stack", "zero-copy"];
