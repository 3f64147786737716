// SPDX-License-Identifier: GPL-2.0-only
/**
 * Reverted fixes in links (format 2): the view's set and the trace's
 * `# without:` header survive a link; a view that reverts nothing is
 * still written as format 1, so links made before format 2 and after it
 * are the same bytes.
 */
import { describe, expect, it } from "vitest";
import { FIXES } from "../fixes/catalogue";
import { DEMOS } from "../fixes/demos";
import { parseTrace } from "../trace/parse";
import { fromBase64url } from "./bits";
import { FIX_CODES } from "./fixes";
import { decodePermalink, encodePermalink, type LinkView } from "./index";

const trace = parseTrace(DEMOS.get("split-zerocopy-clone")!.trace).trace;
const view = (extra: Partial<LinkView> = {}): LinkView => ({ trace, policy: "msg-zerocopy", kernel: "6.1", step: 3, selection: null, ...extra });

async function roundTrip(v: LinkView) {
  const link = await encodePermalink(v);
  if (!link.ok) throw new Error(link.error.message);
  const back = await decodePermalink(link.value);
  if (!back.ok) throw new Error(back.error.message);
  return { link: link.value, back: back.value, format: fromBase64url(link.value.slice(1))[0] & 0x3f };
}

describe("reverted fixes in permalinks", () => {
  it("gives every catalogued fix a code, append-only", () => {
    for (const f of FIXES) expect(FIX_CODES, f.id).toContain(f.id);
    expect(new Set(FIX_CODES).size).toBe(FIX_CODES.length);
    // The first code is fixed for ever: links made today name fixes by index.
    expect(FIX_CODES[0]).toBe("segment-zerocopy-frags");
    expect(FIX_CODES.indexOf("split-zerocopy-clone")).toBe(2);
  });

  it("writes a view that reverts nothing as format 1, as before", async () => {
    const { back, format } = await roundTrip(view());
    expect(format).toBe(1);
    expect(back.without).toBeUndefined();
    expect(back.trace.without).toBeUndefined();
  });

  it("carries the view's reverted fixes (format 2)", async () => {
    const { back, format } = await roundTrip(view({ without: ["split-zerocopy-clone", "vhost-complete-once"] }));
    expect(format).toBe(2);
    expect(back.without).toEqual(["split-zerocopy-clone", "vhost-complete-once"]);
    expect(back.trace.without).toBeUndefined();
    expect(back.step).toBe(3);
  });

  it("carries the trace's # without: header, equal to the view's or its own", async () => {
    const header = { ...trace, without: ["split-zerocopy-clone"] };
    const same = await roundTrip(view({ trace: header, without: ["split-zerocopy-clone"] }));
    expect(same.back.trace.without).toEqual(["split-zerocopy-clone"]);
    expect(same.back.without).toEqual(["split-zerocopy-clone"]);
    const own = await roundTrip(view({ trace: header }));
    expect(own.format).toBe(2);
    expect(own.back.trace.without).toEqual(["split-zerocopy-clone"]);
    expect(own.back.without).toBeUndefined();
  });

  it("refuses to encode a fix the model cannot revert", async () => {
    const r = await encodePermalink(view({ without: ["esp-pp-unref"] }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("cannot-encode");
  });
});
