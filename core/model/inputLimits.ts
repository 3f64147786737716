// SPDX-License-Identifier: GPL-2.0-only
/**
 * Input limits as plain data, so the app's main bundle can refuse an
 * oversized file before reading it without carrying the trace parser
 * (e2e/share.e2e.test.ts keeps core/trace/ out of that bundle).
 * core/trace/limits.ts re-exports them with the rest of the limits.
 */

/** The largest trace file read (the CLI refuses more before reading it). */
export const MAX_TRACE_BYTES = 64 * 1024 * 1024;
