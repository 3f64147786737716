// SPDX-License-Identifier: GPL-2.0-only
/**
 * The engine's semantics version. Bump it whenever an operation's effect on
 * the model changes (so a permalink made before says which semantics it was
 * made under), and add a line to SEMANTICS_CHANGES.
 */
export const SEMANTICS_VERSION = 1;

export const SEMANTICS_CHANGES: readonly { version: number; summary: string }[] = [{ version: 1, summary: "first release: Linux 6.1.192 and 2.6.32.9 models" }];
