// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { PipeId } from "../model/types";

// Read: 6.1 fs/splice.c vmsplice_to_pipe() l.1265-1288, iter_to_pipe()
// l.1179-1220 (iov_iter_get_pages2: one reference per page), add_to_pipe()
// l.229-248 (-EAGAIN when full; the buffer's page put back);
// user_page_pipe_buf_ops l.156 (release: put_page).

describe("vmsplice_to_pipe", () => {
  it("puts the user page itself in a new pipe: one buffer, page +1; the process keeps its page", () => {
    const run = clean(trace(`g = alloc_page(guest)\nq = vmsplice_to_pipe(g, 100, 1000)`));
    expect(run.final.pipes.get("q" as PipeId)!.bufs).toEqual([{ page: "g", offset: 100, len: 1000 }]);
    expect(view(run.final).pages.g).toBe(2);
    expect(view(run.final).holders.g).toEqual(["caller", "q.bufs[0]"]);
  });

  it("appends to a pipe; pipe_release puts each buffer's page", () => {
    const run = clean(trace(`g = alloc_page(guest)\nq = vmsplice_to_pipe(g, 0, 10)\nvmsplice_to_pipe(g, 10, 10, q)\npipe_release(q)`));
    expect(view(run.snapshotAt(3)).pages.g).toBe(3);
    expect(view(run.final).pages.g).toBe(1);
  });

  it("a pipe with its 16 slots full is -EAGAIN, nothing taken", () => {
    const fill = Array.from({ length: 15 }, (_, i) => `vmsplice_to_pipe(g, ${i}, 1, q)`).join("\n");
    const run = trace(`g = alloc_page(guest)\nq = vmsplice_to_pipe(g, 0, 1)\n${fill}\nvmsplice_to_pipe(g, 100, 1, q)`);
    expect(run.steps[17].error?.kind).toBe("kernel-check");
    expect(view(run.final).pages.g).toBe(17);
  });

  it("takes only the calling process's pages, one page's piece at a time", () => {
    expect(trace(`p = alloc_page(host)\nq = vmsplice_to_pipe(p, 0, 10)`).steps[1].error?.kind).toBe("precondition");
    expect(trace(`g = alloc_page(guest)\nq = vmsplice_to_pipe(g, 4000, 200)`).steps[1].error?.kind).toBe("out-of-range");
    expect(trace(`g = alloc_page(guest)\nq = vmsplice_to_pipe(g, 0, 0)`).steps[1].error?.kind).toBe("out-of-range");
  });

  it("spliced on into a socket, the page is a shared frag: esp_input copies it first", () => {
    const run = clean(
      trace(`g = alloc_page(guest)\nq = vmsplice_to_pipe(g, 0, 1000)\na = alloc_skb(256)\nskb_put(a, 40)\ndo_tcp_sendpages(a, q)\nesp_input(a)`),
    );
    expect(run.verdict).toBe("ok");
    expect(view(run.final).skbs.a.frags).toEqual([]);
    expect(view(run.final).pages.g).toBe(1);
  });
});
