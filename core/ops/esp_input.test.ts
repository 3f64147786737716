// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { EngineEvent } from "../model/events";
import type { DataId, SkbId } from "../model/types";

// Read: 6.1 net/ipv4/esp4.c esp_input() l.847-941 (the skip_cow test
// l.877-889); net/core/skbuff.c skb_cow_data() l.4722-4806,
// __pskb_pull_tail() l.2390; include/linux/skbuff.h skb_has_shared_frag()
// l.3817.

const writes = (events: readonly EngineEvent[]) => events.flatMap((e) => (e.kind === "write" ? [`${e.page}<-${e.holders.join("+") || "none"}`] : []));

/** A file page f in a's frags via splice and do_tcp_sendpages (SKBFL_SHARED_FRAG on a). */
const SENDFILE = `
f = find_or_create_page()
q = generic_file_splice_read(f, 0, 1000)
put_page(f)
a = alloc_skb(256)
skb_put(a, 40)
do_tcp_sendpages(a, q)
`;

describe("esp_input", () => {
  it("an uncloned skb without shared frags is decrypted in its frag pages: a private page is no finding", () => {
    const run = clean(trace(`p = alloc_page(host)\na = alloc_skb(256)\nskb_put(a, 40)\nskb_add_rx_frag(a, 0, p, 0, 1000, 4096)\nesp_input(a)`));
    const last = run.steps[4];
    expect(writes(last.events)).toEqual(["p<-none"]);
    expect(last.findings).toEqual([]);
    // No copy: the frag and its one reference stay.
    expect(view(run.final).skbs.a).toMatchObject({ len: 1040, data_len: 1000, frags: ["p+0:1000"], head: "h1" });
    expect(view(run.final).pages.p).toBe(1);
  });

  it("a page another holder maps is a shared-write finding under every policy", () => {
    // g is the owner's page; the caller keeps a second reference of its own.
    const src = `g = alloc_page(guest)\nget_page(g)\na = alloc_skb(256)\nskb_put(a, 40)\nskb_add_rx_frag(a, 0, g, 0, 1000, 4096)\nesp_input(a)`;
    for (const policy of ["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy"] as const) {
      const run = clean(trace(src, { policy }));
      expect(writes(run.steps[5].events)).toEqual(["g<-owner+caller"]);
      expect(run.steps[5].findings.map((f) => f.kind)).toEqual(["shared-write"]);
      expect(run.verdict).toBe("shared-write");
    }
  });

  it("another skb's frag over the same bytes is a holder; over other bytes of the page it is not", () => {
    const base = `p = alloc_page(host)\nget_page(p)\na = alloc_skb(256)\nskb_put(a, 40)\nskb_add_rx_frag(a, 0, p, 0, 1000, 4096)\nb = alloc_skb(256)\n`;
    const over = clean(trace(`${base}skb_add_rx_frag(b, 0, p, 500, 1000, 4096)\nesp_input(a)`));
    expect(writes(over.steps[7].events)).toEqual(["p<-h2.frags[0]"]);
    const apart = clean(trace(`${base}skb_add_rx_frag(b, 0, p, 1000, 1000, 4096)\nesp_input(a)`));
    expect(writes(apart.steps[7].events)).toEqual(["p<-none"]);
    expect(apart.verdict).toBe("ok");
  });

  it("SKBFL_SHARED_FRAG set (sendfile): skb_cow_data pulls every frag into a private head first (page -1), no write to f", () => {
    const run = clean(trace(`${SENDFILE}esp_input(a)`));
    const last = run.steps[run.steps.length - 1];
    expect(writes(last.events)).toEqual([]);
    expect(last.findings).toEqual([]);
    const v = view(run.final);
    // __pskb_pull_tail(a, 1000): tail room short, so pskb_expand_head first: a new head h2.
    expect(v.skbs.a).toMatchObject({ len: 1040, data_len: 0, frags: [], head: "h2" });
    expect(v.pages.f).toBe(0);
    expect(last.events.some((e) => e.kind === "read" && e.page === "f")).toBe(true);
  });

  it("a clone is copied first even without shared frags (skb_cloned)", () => {
    const run = clean(
      trace(`p = alloc_page(host)\na = alloc_skb(256)\nskb_put(a, 40)\nskb_add_rx_frag(a, 0, p, 0, 1000, 4096)\nb = skb_clone(a)\nesp_input(b)`),
    );
    const v = view(run.final);
    expect(v.skbs.b).toMatchObject({ data_len: 0, frags: [], cloned: false, dataref: 1 });
    expect(v.skbs.a).toMatchObject({ frags: ["p+0:1000"], dataref: 1 });
    expect(v.pages.p).toBe(1);
    expect(run.verdict).toBe("ok");
  });

  it("a frag_list: skb_cow_data copies each paged member (skb_copy, ~s1) and frees it", () => {
    const run = clean(
      trace(
        `${SENDFILE.replace("a = alloc_skb(256)\nskb_put(a, 40)\n", "m = alloc_skb(256)\n").replace("do_tcp_sendpages(a, q)", "do_tcp_sendpages(m, q)")}a = alloc_skb(256)\nskb_put(a, 40)\nskb_frag_add_head(a, m)\nesp_input(a)`,
      ),
    );
    const st = run.final;
    expect(st.skbs.has("m" as SkbId)).toBe(false);
    const head = st.datas.get(st.skbs.get("a" as SkbId)!.head)!;
    expect(head.frag_list).toEqual(["~s1"]);
    const copy = st.skbs.get("~s1" as SkbId)!;
    expect(copy).toMatchObject({ len: 1000, data_len: 0, users: 1 });
    expect(view(st).pages.f).toBe(0);
    expect(run.verdict).toBe("ok");
  });

  it("a linear uncloned member stays; a shared one is copied, and so is every member after it", () => {
    const run = clean(
      trace(
        `a = alloc_skb(256)\nskb_put(a, 40)\nm = alloc_skb(256)\nskb_put(m, 10)\nn = alloc_skb(256)\nskb_put(n, 10)\no = alloc_skb(256)\nskb_put(o, 10)\nskb_frag_add_head(a, o)\nskb_frag_add_head(a, n)\nskb_frag_add_head(a, m)\nskb_get(n)\nesp_input(a)`,
      ),
    );
    const st = run.final;
    const head = st.datas.get(st.skbs.get("a" as SkbId)!.head)!;
    // m linear and private: kept; n shared (users 2): copied; o after it: copied too (copyflag).
    expect(head.frag_list).toEqual(["m", "~s1", "~s2"]);
    expect(st.skbs.get("n" as SkbId)!.users).toBe(1);
    expect(st.skbs.has("o" as SkbId)).toBe(false);
  });

  it("a clone with its ESP header in a frag: pskb_may_pull unclones only the head, so the frags it still shares are written (6.1 as written)", () => {
    // l.864 runs before the skb_cloned() test at l.877: __pskb_pull_tail()
    // gives a a private head (pskb_expand_head: each frag page +1), and a
    // is no longer cloned; nothing sets SKBFL_SHARED_FRAG, so esp skips
    // skb_cow_data and decrypts into p, which b's frag still maps.
    const run = clean(trace(`p = alloc_page(host)\na = alloc_skb(256)\nskb_add_rx_frag(a, 0, p, 0, 1000, 4096)\nb = skb_clone(a)\nesp_input(a)`));
    const last = run.steps[4];
    expect(writes(last.events)).toEqual(["p<-h1.frags[0]"]);
    expect(view(run.final).skbs.a).toMatchObject({ cloned: false, head: "h2", frags: ["p+16:984"] });
    expect(view(run.final).skbs.b).toMatchObject({ head: "h1", frags: ["p+0:1000"] });
    expect(view(run.final).pages.p).toBe(2);
    expect(run.verdict).toBe("shared-write");
  });

  it("refuses what the kernel refuses: under 16 bytes (pskb_may_pull), and no ciphertext (elen <= 0)", () => {
    for (const len of [15, 16]) {
      const run = trace(`a = alloc_skb(256)\nskb_put(a, ${len})\nesp_input(a)`);
      expect(run.steps[2].error?.kind).toBe("kernel-check");
    }
  });

  it("pskb_may_pull moves the ESP header and IV into the head first", () => {
    const run = clean(trace(`p = alloc_page(host)\na = alloc_skb(256)\nskb_add_rx_frag(a, 0, p, 0, 1000, 4096)\nesp_input(a)`));
    expect(view(run.final).skbs.a).toMatchObject({ len: 1000, data_len: 984, frags: ["p+16:984"] });
    expect(run.final.datas.get("h1" as DataId)).toBeDefined();
  });

  it("is 6.1 only", () => {
    const run = trace(`a = alloc_skb(256)\nskb_put(a, 100)\nesp_input(a)`, { kernel: "2.6.32" });
    expect(run.steps[2].error).toBeDefined();
  });
});
