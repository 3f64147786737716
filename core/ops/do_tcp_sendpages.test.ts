// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import type { SkbId } from "../model/types";
import { clean, trace, verdicts, view } from "../testdata/harness";

// Read: 6.1 net/ipv4/tcp.c tcp_build_frag() l.984-1045 (tcp_skb_can_collapse_to()
// checks EOR only; tcp_downgrade_zcopy_pure() at l.1019, defined l.951-963:
// it clears SKBFL_PURE_ZEROCOPY and charges the socket; get_page() and
// skb_fill_page_desc_noacc() l.1027-1028; SKBFL_SHARED_FRAG l.1033-1034).
const SPLICED = `f = find_or_create_page()\nq = generic_file_splice_read(f, 0, 1000)`;

describe("do_tcp_sendpages onto a zero-copy skb (6.1)", () => {
  it("a MSG_ZEROCOPY tail takes the spliced page beside the user's: one more frag, a reference of its own", () => {
    const src = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\n${SPLICED}\ndo_tcp_sendpages(a, q)`;
    const run = clean(trace(src, { policy: "msg-zerocopy", kernel: "6.1" }));
    expect(view(run.final).skbs.a).toMatchObject({ frags: ["g+0:4096", "f+0:1000"] });
    const data = run.final.datas.get(run.final.skbs.get("a" as SkbId)!.head)!;
    expect(data.zcopy).not.toBeNull();
    expect(data.shared_frag).toBe(true);
    // The pipe's buffer was released: f is held by the page cache and by a's frag.
    expect(run.final.pipes.get("q" as never)!.bufs).toHaveLength(0);
    expect(view(run.final).pages.f).toBe(2);
  });

  it("the skb's free completes the send and puts the spliced page: every policy ok", () => {
    const src = `g = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\n${SPLICED}\ndo_tcp_sendpages(a, q)\nkfree_skb(a)`;
    const run = clean(trace(src, { policy: "msg-zerocopy", kernel: "6.1" }));
    expect(run.verdict).toBe("ok");
    expect(view(run.final).pages.f).toBe(1);
    expect(verdicts(src)["msg-zerocopy"]).toBe("ok");
  });

  it("an io_uring pure zero-copy skb is downgraded: SKBFL_PURE_ZEROCOPY cleared once a piece joins", () => {
    const src = `p = alloc_page(guest)\na = alloc_skb(256)\nio_send_zc(a, p, 0, 4096)\n${SPLICED}\ndo_tcp_sendpages(a, q)`;
    const run = clean(trace(src, { policy: "io-uring-notif", kernel: "6.1" }));
    const pure = (step: number) => {
      const s = run.snapshotAt(step);
      return s.datas.get(s.skbs.get("a" as SkbId)!.head)!.pure_zerocopy === true;
    };
    expect(pure(5)).toBe(true);
    expect(pure(6)).toBe(false);
    expect(run.steps[5].events.some((e) => e.kind === "substep" && e.fn === "tcp_downgrade_zcopy_pure")).toBe(true);
  });
});
