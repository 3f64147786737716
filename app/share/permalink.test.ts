// SPDX-License-Identifier: GPL-2.0-only
/**
 * Permalinks: every story and any trace round-trips; links are short, of
 * mail-safe characters; and whatever arrives instead of a link (mangled,
 * truncated, hostile, from the future) gives a clear error, never a
 * throw, a hang or a wrong trace.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OPS, SEMANTICS_VERSION, parseTrace, stripPositions, type Trace } from "../../core/index";
import { STORIES, storyById } from "../../stories/index";
import { BitWriter, crc24, fromBase64url, toBase64url } from "../../core/permalink/bits";
import { cleanFragment } from "../../core/permalink/frame";
import { viewArb } from "./arbitraries";
import {
  FORMAT_VERSION,
  LIMITS,
  OPCODES,
  SHORT_OPS,
  STORY_CODES,
  decodeContent,
  decodePermalink,
  encodeContent,
  encodePermalink,
  isPermalinkFragment,
  sealContent,
  type LinkView,
  type StoryLookup,
} from "../../core/permalink";
import { linkLine, permalinkUrl } from "./permalink";

const stories: StoryLookup = (id) => storyById(id)?.source;
const SAMPLE_BASE = "https://skbscope.example/";

function storyView(id: string, step?: number): LinkView {
  const trace = parseTrace(storyById(id)!.source).trace;
  return { trace, policy: trace.policy!, kernel: trace.kernel!, step: step ?? trace.ops.length, selection: null, storyId: id };
}

async function link(view: LinkView, opts: Parameters<typeof encodePermalink>[1] = { stories }): Promise<string> {
  const r = await encodePermalink(view, opts);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Mail-safe: base64url characters only, never ending in - _ . , ; ). */
const MAIL_SAFE = /^s[A-Za-z0-9_-]*[A-Za-z0-9]$/;

describe("the format's tables", () => {
  it("keep their format-1 entries where they are (append only)", () => {
    expect(OPCODES.slice(0, 45)).toEqual([
      "alloc_page",
      "get_page",
      "put_page",
      "owner_reuse",
      "alloc_skb",
      "alloc_skb_fclone",
      "napi_alloc_skb",
      "skb_reserve",
      "skb_put",
      "skb_push",
      "skb_pull",
      "skb_fill_page_desc",
      "skb_add_rx_frag",
      "skb_frag_add_head",
      "skb_get",
      "kfree_skb",
      "consume_skb",
      "kfree_skb_list",
      "skb_clone",
      "__skb_header_release",
      "skb_copy",
      "pskb_copy",
      "pskb_expand_head",
      "skb_split",
      "__pskb_pull_tail",
      "pskb_may_pull",
      "skb_linearize",
      "pskb_trim",
      "skb_try_coalesce",
      "kfree_skb_partial",
      "skb_shift",
      "skb_zerocopy",
      "skb_segment",
      "skb_splice_bits",
      "pipe_release",
      "sock_create",
      "sock_queue_rcv_skb",
      "skb_copy_datagram_iter",
      "sk_eat_skb",
      "skb_orphan",
      "zerocopy_arm",
      "skb_orphan_frags",
      "skb_orphan_frags_rx",
      "skb_copy_ubufs",
      "skb_recycle_check",
    ]);
    expect(STORY_CODES.slice(0, 18)).toEqual([
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
    ]);
  });
  it("give every operation and every story a code (append new ones at the end)", () => {
    for (const fn of OPS.keys()) expect(OPCODES, fn).toContain(fn);
    for (const s of STORIES) expect(STORY_CODES, s.id).toContain(s.id);
    for (const fn of SHORT_OPS) expect(OPCODES).toContain(fn);
    // Codes reserved for another branch's ops may be holes (RESERVED_OPCODES); the others are unique.
    const used = OPCODES.filter((fn) => fn !== undefined);
    expect(new Set(used).size).toBe(used.length);
    expect(new Set(STORY_CODES).size).toBe(STORY_CODES.length);
  });
});

describe("bits", () => {
  it("base64url round-trips any bytes and refuses non-canonical text", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect([...fromBase64url(toBase64url(bytes))]).toEqual([...bytes]);
      }),
    );
    expect(() => fromBase64url("AQ")).not.toThrow();
    expect(() => fromBase64url("AR")).toThrow(/altered/);
    expect(() => fromBase64url("A")).toThrow(/length/);
  });
  it("Exp-Golomb numbers round-trip up to 2^52", async () => {
    const { BitReader } = await import("../../core/permalink/bits");
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.nat(100),
            fc.maxSafeNat().map((n) => n % 2 ** 52),
          ),
        ),
        (ns) => {
          const w = new BitWriter();
          ns.forEach((n) => w.ue(n));
          const r = new BitReader(w.finish());
          expect(ns.map(() => r.ue())).toEqual(ns);
        },
      ),
    );
  });
  it("CRC-24 is the OpenPGP one", () => {
    expect(crc24([new TextEncoder().encode("123456789")])).toBe(0x21cf02);
  });
});

describe("story links", () => {
  it.each(STORIES.map((s) => [s.id]))("%s: round-trips with its narration, at every step", async (id) => {
    const story = storyById(id)!;
    const want = stripPositions(parseTrace(story.source).trace);
    for (let step = 0; step <= want.ops.length; step += 3) {
      const v = { ...storyView(id, step), selection: step % 2 ? "g" : "h1" };
      const got = await decodePermalink(await link(v), { stories });
      expect(got.ok && got.value).toMatchObject({ policy: v.policy, kernel: v.kernel, step, selection: v.selection, storyId: id, notes: [] });
      expect(got.ok && stripPositions(got.value.trace)).toEqual(want);
    }
  });

  it("are mail-safe and short: splice-pipe's URL within 120, at most 4 characters an operation", async () => {
    let chars = 0;
    let ops = 0;
    for (const s of STORIES) {
      const v = storyView(s.id);
      const f = await link(v);
      expect(f).toMatch(MAIL_SAFE);
      expect(isPermalinkFragment(f)).toBe(true);
      const url = permalinkUrl(SAMPLE_BASE, f);
      const line = linkLine(url);
      expect(line.ok && line.value.length).toBeLessThanOrEqual(78);
      chars += f.length;
      ops += v.trace.ops.length;
    }
    expect(chars / ops).toBeLessThanOrEqual(4);
    const splice = permalinkUrl(SAMPLE_BASE, await link(storyView("splice-pipe")));
    expect(splice.length).toBeLessThanOrEqual(120);
  });

  it("carry the operations, so they replay without the story", async () => {
    const v = storyView("tsirkin-pskb-copy");
    const got = await decodePermalink(await link(v));
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    expect(got.value.storyId).toBe("tsirkin-pskb-copy");
    expect(got.value.trace.ops.map((op) => op.fn)).toEqual(v.trace.ops.map((op) => op.fn));
    expect(got.value.trace.title).toBeUndefined();
  });

  it("say so when the story has changed or is gone", async () => {
    const f = await link(storyView("tsirkin-pskb-copy"));
    const changed: StoryLookup = (id) => storyById(id)!.source.replace("kfree_skb(c)", "consume_skb(c)");
    const got = await decodePermalink(f, { stories: changed });
    expect(got.ok && got.value.notes.join(" ")).toMatch(/has changed since this link was made/);
    expect(got.ok && got.value.trace.ops.at(-1)!.fn).toBe("kfree_skb");
    const gone = await decodePermalink(f, { stories: () => undefined });
    expect(gone.ok && gone.value.notes.join(" ")).toMatch(/does not have/);
  });

  it("keep an edited story's own text", async () => {
    const v = storyView("splice-pipe");
    const edited = { ...v, trace: { ...v.trace, title: "my own title" } };
    const got = await decodePermalink(await link(edited), { stories });
    expect(got.ok && got.value.trace.title).toBe("my own title");
    expect(got.ok && got.value.trace.ops[0].leading).toEqual(stripPositions(v.trace).ops[0].leading);
  });
});

describe("any trace", () => {
  it("round-trips: decode(encode(t)) is parse(print(t)), with view and comments", async () => {
    await fc.assert(
      fc.asyncProperty(viewArb(), async (view) => {
        const r = await encodePermalink(view);
        expect(r.ok ? "" : r.error.message).toBe("");
        if (!r.ok) return;
        expect(r.value).toMatch(MAIL_SAFE);
        const got = await decodePermalink(r.value);
        expect(got.ok ? "" : got.error.message).toBe("");
        if (!got.ok) return;
        expect(stripPositions(got.value.trace)).toEqual(stripPositions(view.trace));
        expect([got.value.policy, got.value.kernel, got.value.step, got.value.selection]).toEqual([view.policy, view.kernel, view.step, view.selection]);
      }),
      { numRuns: 150 },
    );
  });

  it("round-trips with raw UTF-16 in comments, deflated or not", async () => {
    await fc.assert(
      fc.asyncProperty(
        viewArb({ unit: "binary", maxOps: 8 }),
        fc.constantFrom("never", "always", "auto") as fc.Arbitrary<"never" | "always" | "auto">,
        async (view, deflate) => {
          const r = await encodePermalink(view, { deflate });
          if (!r.ok) {
            // Only a text that does not print back as itself may be refused.
            expect(r.error.code).toBe("cannot-encode");
            return;
          }
          const got = await decodePermalink(r.value);
          expect(got.ok && stripPositions(got.value.trace)).toEqual(stripPositions(view.trace));
        },
      ),
      { numRuns: 80 },
    );
  });

  it("without comments keeps the operations only", async () => {
    const v = storyView("claim-metastasize");
    const got = await decodePermalink(await link({ ...v, storyId: null }, { comments: false }));
    expect(got.ok && got.value.trace.ops.every((op) => op.leading === undefined && op.comment === undefined)).toBe(true);
    expect(got.ok && got.value.trace.title).toBe(v.trace.title);
  });

  it("refuses what cannot be a link, clearly", async () => {
    const v = storyView("sharing-basics");
    const bad = async (view: LinkView) => {
      const r = await encodePermalink(view);
      return r.ok ? "ok" : r.error.message;
    };
    expect(await bad({ ...v, step: 99 })).toMatch(/step 99/);
    expect(await bad({ ...v, selection: "<b>x</b>" })).toMatch(/selection/);
    expect(await bad({ ...v, trace: { ...v.trace, ops: [{ fn: "no_such_op", args: [] }] } })).toMatch(/unknown operation/);
    const many: Trace = { ops: Array.from({ length: LIMITS.ops + 1 }, () => ({ fn: "kfree_skb", args: [{ kind: "ref", name: "a" }] })) };
    expect(await bad({ ...v, trace: many, step: 0 })).toMatch(/at most/);
  });
});

// --- hostile input --------------------------------------------------------------

/** A frame around arbitrary content, with a correct CRC. */
function frame(content: Uint8Array, byte0 = FORMAT_VERSION): string {
  const head = new Uint8Array([byte0]);
  const crc = crc24([head, content]);
  return "s" + toBase64url(new Uint8Array([byte0, crc >> 16, (crc >> 8) & 255, crc & 255, ...content]));
}

/** Content with a valid prefix, then `rest` written by the caller. */
function content(rest: (w: BitWriter) => void, semantics = SEMANTICS_VERSION): Uint8Array {
  const w = new BitWriter();
  w.ue(semantics);
  w.ue(0); // page-refs
  w.ue(0); // 6.1
  w.write(0, 2); // no header policy
  w.write(0, 2); // no header kernel
  w.ue(0); // no story
  w.write(0, 1); // no title
  w.write(0, 1); // no comments
  rest(w);
  return w.finish();
}

async function decodeError(raw: string): Promise<string> {
  const r = await decodePermalink(raw);
  if (r.ok) return "decoded";
  expect(r.error.message.length).toBeGreaterThan(10);
  return `${r.error.code}: ${r.error.message}`;
}

describe("decoding hostile input", () => {
  it("never throws on random strings, and says why it refuses", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: fc.constantFrom(..."sAZaz09-_#.=\n ") })), async (s) => {
        const r = await decodePermalink(s);
        if (!r.ok) expect(r.error.message).toMatch(/\w/);
      }),
      { numRuns: 400 },
    );
  });

  it("detects every mangled character, and truncation", async () => {
    const good = await link(storyView("claim-tracks-pages"));
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), async (i, c) => {
        const at = 1 + (i % (good.length - 1));
        fc.pre(good[at] !== c);
        const mangled = good.slice(0, at) + c + good.slice(at + 1);
        expect(await decodeError(mangled)).not.toBe("decoded");
      }),
      { numRuns: 300 },
    );
    for (let n = 1; n < good.length; n++) expect(await decodeError(good.slice(0, n)), `first ${n}`).not.toBe("decoded");
    expect(await decodeError(good + "A")).not.toBe("decoded");
    expect(await decodeError(good.slice(0, 10) + good.slice(11))).not.toBe("decoded");
  });

  it("survives what mail does around a link", async () => {
    const f = await link(storyView("splice-pipe"));
    const url = permalinkUrl(SAMPLE_BASE, f);
    for (const text of [`#${f}`, url, `(${url}).`, `<${url}>,`, `${url.slice(0, 40)}\n${url.slice(40)}`, `${url.slice(0, 30)}=\n${url.slice(30)}`]) {
      const r = await decodePermalink(text, { stories });
      expect(r.ok, text).toBe(true);
    }
  });

  it("names what is wrong: characters, prefix, length, versions", async () => {
    expect(await decodeError("")).toMatch(/^not-a-link/);
    expect(await decodeError("#x12345")).toMatch(/^not-a-link/);
    expect(await decodeError("sAB*CD")).toMatch(/^bad-character/);
    expect(await decodeError("sA")).toMatch(/^truncated/);
    expect(await decodeError("s" + "A".repeat(LIMITS.fragmentChars + 10))).toMatch(/^too-long/);
    expect(await decodeError("s" + "A".repeat(LIMITS.fragmentChars * 3))).toMatch(/^too-long/);
    expect(
      await decodeError(
        frame(
          content((w) => w.ue(0)),
          9,
        ),
      ),
    ).toMatch(/^unknown-version: .*format 9, from a newer skbscope/);
    expect(
      await decodeError(
        frame(
          content((w) => w.ue(0)),
          0,
        ),
      ),
    ).toMatch(/^unknown-version/);
  });

  it("calls garbage that starts with s 'not an skbscope link', never 'from a newer skbscope' (issue 16.6)", async () => {
    for (const garbage of ["sXXXXXXXXXXXX", "snotanskbscopelinkxyz", "s" + "z".repeat(200), "sAAAAAAAAAAA"]) {
      const e = await decodeError(garbage);
      expect(e, garbage).toMatch(/^not-a-link: not an skbscope link/);
      expect(e).not.toMatch(/newer/);
    }
  });

  it("joins a quoted-printable soft break at any line end, lone CR included (issue 16.3)", async () => {
    const url = permalinkUrl(SAMPLE_BASE, await link(storyView("splice-pipe")));
    for (const eol of ["\n", "\r\n", "\r"]) {
      expect((await decodePermalink(`${url.slice(0, 30)}=${eol}${url.slice(30)}`, { stories })).ok, JSON.stringify(eol)).toBe(true);
    }
  });

  // Its cost over such runs (quadratic before: 29 s) is a figure of tools/bench-share.ts.
  it("cleans 80,000 characters of blanks or punctuation (issue 16.6)", () => {
    expect(cleanFragment(" ".repeat(80_000) + "x")).toBe("x");
    expect(cleanFragment(")".repeat(80_000) + "x")).toBe(")".repeat(80_000) + "x");
    expect(cleanFragment("s" + ".".repeat(80_000) + "x")).toBe("s" + ".".repeat(80_000) + "x");
    expect(cleanFragment("sAAAA" + ">".repeat(80_000))).toBe("sAAAA");
    expect(cleanFragment("(https://x/#sABCDEF).")).toBe("sABCDEF");
  });

  it("checks counts before it allocates: a million operations", async () => {
    expect(
      await decodeError(
        frame(
          content((w) => {
            w.ue(0);
            w.ue(1_000_000);
          }),
        ),
      ),
    ).toMatch(/1000000 operations; the limit is 10000/);
    expect(await decodeError(frame(content((w) => w.ue(1_000_000))))).toMatch(/1000000 names/);
    expect(
      await decodeError(
        frame(
          content((w) => {
            w.ue(1);
            w.ue(2 ** 40);
          }),
        ),
      ),
    ).toMatch(/malformed/);
  });

  it("stops a decompression bomb at the cap", async () => {
    const bomb = new Uint8Array(5 * 1024 * 1024);
    const f = await sealContent(bomb, { deflate: "always" });
    expect(f.length).toBeLessThan(LIMITS.fragmentChars);
    expect(await decodeError(f)).toMatch(/^too-large: .*refused/);
    // A million real operations deflate small, and are refused by size.
    const million = content((w) => {
      w.ue(1);
      w.ue(0);
      w.write(1, 6); // the name "a"
      w.ue(1_000_000);
      for (let i = 0; i < 1_000_000; i++) {
        w.write(4, 4); // "0" + SHORT_OPS[4] = kfree_skb
        if (i > 0) w.write(0, 1); // its skb: the name seen before
        w.write(0, 1); // no [index]
      }
      w.ue(0);
      w.write(0, 2);
    });
    const packed = await sealContent(million, { deflate: "always" });
    expect(packed.length).toBeLessThan(LIMITS.fragmentChars);
    expect(await decodeError(packed)).toMatch(/^too-large/);
    // A claim of a million, deflated, is refused by count.
    expect(
      await decodeError(
        await sealContent(
          content((w) => {
            w.ue(0);
            w.ue(1_000_000);
          }),
          { deflate: "always" },
        ),
      ),
    ).toMatch(/1000000 operations/);
  });

  it("refuses damaged compressed data", async () => {
    const good = await sealContent(new TextEncoder().encode("x".repeat(300)), { deflate: "always" });
    const bytes = fromBase64url(good.slice(1));
    const body = bytes.slice(4, -2);
    expect(await decodeError(frame(body, FORMAT_VERSION | 0x40))).toMatch(/^decompress|^malformed/);
  });

  it("refuses markup where names go, and returns text as text", async () => {
    const enc = new TextEncoder();
    // A selection written as text: "<img src=x>" is not an object name.
    const sel = enc.encode("<img src=x onerror=alert(1)>");
    const c = content((w) => {
      w.ue(0); // names
      w.ue(0); // ops
      w.ue(0); // step
      w.write(2, 2); // selection as text
    });
    expect(await decodeError(frame(new Uint8Array([...c, sel.length, ...sel])))).toMatch(/selection is not an object name/);
    // A title with markup is a title: plain text, as typed.
    const v: LinkView = { trace: { title: "<script>alert(1)</script> & co", ops: [] }, policy: "page-refs", kernel: "6.1", step: 0, selection: null };
    const got = await decodePermalink(await link(v));
    expect(got.ok && got.value.trace.title).toBe("<script>alert(1)</script> & co");
  });

  it("refuses leftovers, bad UTF-8 and line breaks in text", async () => {
    const base = content((w) => {
      w.ue(0);
      w.ue(0);
      w.ue(0);
      w.write(0, 2);
    });
    expect(await decodeError(frame(new Uint8Array([...base, 7])))).toMatch(/cut off|after its end/);
    const titled = (bytes: number[]) => {
      const w = new BitWriter();
      w.ue(SEMANTICS_VERSION);
      w.ue(0);
      w.ue(0);
      w.write(0, 2);
      w.write(0, 2);
      w.ue(0);
      w.write(1, 1); // title in the link
      w.write(0, 1);
      w.ue(0);
      w.ue(0);
      w.ue(0);
      w.write(0, 2);
      return frame(new Uint8Array([...w.finish(), bytes.length, ...bytes]));
    };
    expect(await decodeError(titled([0xff, 0xfe]))).toMatch(/UTF-8/);
    expect(await decodeError(titled([0x61, 0x0a, 0x62]))).toMatch(/line break/);
    const ok = await decodePermalink(titled([0x61, 0x62]));
    expect(ok.ok && ok.value.trace.title).toBe("ab");
  });
});

describe("versions", () => {
  it("say what changed for a link made under older semantics", async () => {
    const r = await decodePermalink(
      frame(
        content((w) => {
          w.ue(0);
          w.ue(0);
          w.ue(0);
          w.write(0, 2);
        }, 0),
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.semantics.link).toBe(0);
    expect(r.value.semantics.changes.length).toBeGreaterThan(0);
    expect(r.value.notes.join(" ")).toMatch(/engine semantics 0; this skbscope uses/);
  });
  it("warn about a link from a newer engine", async () => {
    const r = await decodePermalink(
      frame(
        content((w) => {
          w.ue(0);
          w.ue(0);
          w.ue(0);
          w.write(0, 2);
        }, SEMANTICS_VERSION + 1),
      ),
    );
    expect(r.ok && r.value.notes.join(" ")).toMatch(/newer skbscope/);
  });
  it("carry today's semantics version", async () => {
    const bytes = encodeContent(storyView("sharing-basics"), { stories });
    expect(decodeContent(bytes).semantics).toBe(SEMANTICS_VERSION);
  });
});

describe("the Link: line", () => {
  it("fits a mail header, or says why not", () => {
    expect(linkLine("https://x/#sAAAA")).toEqual({ ok: true, value: "Link: https://x/#sAAAA" });
    expect(linkLine(`https://x/#s${"A".repeat(1000)}`).ok).toBe(false);
  });
});
