// SPDX-License-Identifier: GPL-2.0-only
/**
 * The permalink format (core/permalink/index.ts is its API): a whole view (trace, policy, kernel, step, selection) in a
 * URL fragment, with no server.
 *
 * Fragment (format 1):  "s" base64url(frame), no padding
 *   "s" names the format family; the base64url alphabet is what mail
 *   archives and linkifiers keep inside a URL.
 * Frame:  byte 0      format version (bits 0-5) | deflated (bit 6)
 *                     | padded (bit 7: one zero byte ends the frame, so
 *                     the link never ends in "_" or "-", which some
 *                     linkifiers drop; it then ends in "A")
 *         bytes 1-3   CRC-24 of byte 0 and the rest (big-endian)
 *         payload     the content, or deflate-raw(content) when shorter
 * Content: a bit stream (numbers are Exp-Golomb "ue" unless sized)
 *   ue semantics version (core SEMANTICS_VERSION when made)
 *   ue policy, ue kernel                 (POLICY_CODES, KERNEL_CODES)
 *   trace header policy, then kernel:    "1" the view's, "00" none,
 *                                        "01" ue code
 *   ue story                             0 none, else STORY_CODES[n - 1]
 *   title, then comments: with a story "1" the story's, "00" none,
 *     "01" in the link; without one "1" in the link, "0" none
 *   ue names; each ue(length - 1) then 6-bit characters (NAME_CHARS)
 *   ue ops; each "0" u3 (SHORT_OPS) or "1" u6 (OPCODES; 63 escapes to
 *     63 + ue), ue extra optional args (ops with optional args only),
 *     the result name if the op returns one, then each argument:
 *       name      u(w) index among the names seen so far, w just wide
 *                 enough; their count means the next new name
 *                 (a result: "1" the next new name, "0" u(w) an old one)
 *       skb name  as name, then u1 has [index], ue index
 *       int       "0" u3 INT_TABLE entry; "1" u1 sign, ue magnitude
 *       owner, bool  u1
 *   comments (if in the link): per op u1 leading (ue count - 1), u1
 *     own-line comment; ue trailing lines
 *   ue (ops - step); u2 selection: 0 none, 1 ue name index, 2 text
 *   then, byte-aligned, the text: title, selection, comments in order,
 *   each an LEB128 byte length and UTF-8.
 * Format 2 (a view or trace that reverts catalogued fixes): format 1's
 *   content, then after the text section, byte-aligned, LEB128 numbers:
 *   the view's reverted fixes (count, then each FIX_CODES index, in
 *   catalogue order), then the trace's `# without:` header (0 none, 1 the
 *   view's list, 2 then a list of its own). A view with no reverted fix
 *   is written as format 1, byte for byte as before format 2 existed.
 * The op, policy, kernel, story and fix tables only ever grow at the end, so
 * a link made today decodes in every later version; SHORT_OPS, INT_TABLE
 * and NAME_CHARS are fixed for format 1.
 *
 * A story's link carries its operations and names (so it replays exactly)
 * but not its title or narration when they are the story's own: the
 * decoder takes those from the story, and says so if the story has
 * changed since.
 *
 * Decoding never throws: any input gives a value or a clear error. Sizes
 * are checked before decompressing, decompression stops at a cap, and
 * counts are checked before anything is allocated for them.
 */
import type { KernelId, PolicyId } from "../model/types";
import type { Trace } from "../trace/ast";

/** The newest format this codec reads; it writes 1 unless a view reverts a fix (then 2). */
export const FORMAT_VERSION = 2;
export const PREFIX = "s";
export const DEFLATED = 0x40;
export const PADDED = 0x80;

/** Limits, all enforced before the work they bound. */
export const LIMITS = {
  /** Characters in a fragment (checked first, before any decoding). */
  fragmentChars: 8000,
  /** Bytes of content after decompression (decompression stops here). */
  contentBytes: 128 * 1024,
  ops: 10_000,
  names: 4096,
  nameChars: 64,
  textBytes: 4096,
} as const;

export const KERNEL_CODES: readonly KernelId[] = ["6.1", "2.6.32"];
/** Append-only: a story's code is its index + 1. Ids of removed stories stay. */
export const STORY_CODES: readonly string[] = [
  "tsirkin-pskb-copy",
  "sharing-basics",
  "haskins-host-remote",
  "tcp-fragment-split",
  "expand-uncloned",
  "expand-cloned",
  "splice-pipe",
  "recycle-missed",
  "fix-ubuf-orphan",
  "fix-splice",
  "msg-zerocopy",
  "claim-destructor",
  "claim-up-the-reference",
  "claim-tracks-pages",
  "claim-guest-to-host",
  "claim-expand-nulling",
  "claim-and-others",
  "claim-metastasize",
  "vhost-head-of-line",
  "fix-split-zerocopy-clone",
  "fix-expand-head-uarg-ref",
  "fix-pskb-copy-uarg-clone",
  "fix-segment-uarg-clone",
  "fix-shift-refuse-zcopy",
  "fix-coalesce-refuse-zcopy",
  "fix-vhost-complete-once",
  "fix-rx-orphan-frags",
  "fix-zerocopy-orphan-frags",
  "fix-tx-error-cloned",
  "fix-gro-refuse-zcopy",
  "fix-pp-recycle-last-clone",
  "fix-coalesce-pp-recycle",
  "fix-tap-orphan-frags-rx",
  "ovs-upcall",
  "msg-zerocopy-shared-uarg",
  "fix-pskb-copy-shared-frag",
  "fix-shift-shared-frag",
  "fix-coalesce-shared-frag",
  "fix-segment-shared-frag-fraglist",
  "io-uring-send-zc",
  "fix-managed-skip-unref",
  "fix-managed-downgrade-split",
];
/** Integers common in traces, 4 bits each. Fixed for format 1. */
export const INT_TABLE: readonly number[] = [0, 4096, 1448, 256, 1000, 2048, 64, 1500];
/** The 63 characters of a name, 6 bits each. */
export const NAME_CHARS = "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const SELECTION_RE = /^[A-Za-z_][A-Za-z0-9_]*(\[\d{1,10}\])?(\.[A-Za-z_]+(\[\d{1,10}\])?)?$/;
export const KEYWORDS = new Set(["guest", "host", "true", "false"]);

/** What a link restores. */
export interface LinkView {
  readonly trace: Trace;
  readonly policy: PolicyId;
  readonly kernel: KernelId;
  /**
   * Catalogued fixes the view runs with reverted (the app's fixes panel);
   * absent or empty: none. The trace's own `# without:` header is
   * trace.without.
   */
  readonly without?: readonly string[];
  /** 0 (before the first op) .. trace.ops.length. */
  readonly step: number;
  /** The selected object (a name from the state view: skb, page, Data, pipe...), or null. */
  readonly selection: string | null;
  /** The story this trace is, if it is one. */
  readonly storyId?: string | null;
}

export interface DecodedLink extends LinkView {
  readonly storyId: string | null;
  readonly formatVersion: number;
  readonly semantics: {
    /** The engine semantics the link was made under. */
    readonly link: number;
    readonly engine: number;
    /** What changed since (empty when the versions match). */
    readonly changes: readonly { version: number; summary: string }[];
  };
  /** Things the user should know: semantics changed, story changed... */
  readonly notes: readonly string[];
}

export type LinkErrorCode =
  | "not-a-link"
  | "too-long"
  | "bad-character"
  | "truncated"
  | "unknown-version"
  | "checksum"
  | "decompress"
  | "too-large"
  | "malformed"
  | "invalid-trace"
  | "cannot-encode";

export interface LinkError {
  readonly code: LinkErrorCode;
  readonly message: string;
}

export type LinkResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: LinkError };

/** Finds a story's trace text by id (the app passes STORIES; tests may pass none). */
export type StoryLookup = (id: string) => string | undefined;

export const fail = (code: LinkErrorCode, message: string): { ok: false; error: LinkError } => ({ ok: false, error: { code, message } });
