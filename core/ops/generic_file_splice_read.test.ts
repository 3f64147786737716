// SPDX-License-Identifier: GPL-2.0-only
import { describe, expect, it } from "vitest";
import { clean, trace, view } from "../testdata/harness";
import type { PageId, PipeId } from "../model/types";

// Read: 6.1 include/linux/pagemap.h find_or_create_page() l.673-679;
// fs/splice.c generic_file_splice_read() l.297-322, page_cache_pipe_buf_ops
// l.139; lib/iov_iter.c copy_page_to_iter_pipe() l.305-337, push_page()
// l.247-258 (get_page).

describe("find_or_create_page", () => {
  it("a page-cache page: one reference, the caller's; the cache's own hold is not counted", () => {
    const run = clean(trace(`f = find_or_create_page()`));
    expect(run.final.pages.get("f" as PageId)).toMatchObject({ owner: "file", origin: "pagecache", refcount: 1, caller: 1, freed: false });
  });

  it("stays in the page cache when the last host reference goes", () => {
    const run = clean(trace(`f = find_or_create_page()\nput_page(f)`));
    expect(run.final.pages.get("f" as PageId)).toMatchObject({ refcount: 0, freed: false });
    expect(run.findings).toEqual([]);
  });
});

describe("generic_file_splice_read", () => {
  it("puts the page-cache page itself in a new pipe: page +1", () => {
    const run = clean(trace(`f = find_or_create_page()\nq = generic_file_splice_read(f, 0, 1000)\nput_page(f)`));
    expect(run.final.pipes.get("q" as PipeId)!.bufs).toEqual([{ page: "f", offset: 0, len: 1000 }]);
    expect(view(run.final).pages.f).toBe(1);
    expect(view(run.final).holders.f).toEqual(["q.bufs[0]"]);
  });

  it("each call pushes its own buffer (a merge happens only within one call)", () => {
    const run = clean(trace(`f = find_or_create_page()\nq = generic_file_splice_read(f, 0, 100)\ngeneric_file_splice_read(f, 100, 100, q)`));
    expect(run.final.pipes.get("q" as PipeId)!.bufs).toHaveLength(2);
    expect(view(run.final).pages.f).toBe(3);
  });

  it("a full pipe takes nothing and returns 0", () => {
    const fill = Array.from({ length: 15 }, (_, i) => `generic_file_splice_read(f, ${i}, 1, q)`).join("\n");
    const run = clean(trace(`f = find_or_create_page()\nq = generic_file_splice_read(f, 0, 1)\n${fill}\ngeneric_file_splice_read(f, 100, 1, q)`));
    expect(run.final.pipes.get("q" as PipeId)!.bufs).toHaveLength(16);
    expect(view(run.final).pages.f).toBe(17);
  });

  it("reads only a file's pages", () => {
    expect(trace(`g = alloc_page(guest)\nq = generic_file_splice_read(g, 0, 10)`).steps[1].error?.kind).toBe("precondition");
  });

  it("do_tcp_sendpages then marks the skb SKBFL_SHARED_FRAG", () => {
    const run = clean(trace(`f = find_or_create_page()\nq = generic_file_splice_read(f, 0, 1000)\na = alloc_skb(256)\ndo_tcp_sendpages(a, q)`));
    expect(run.final.datas.get(run.final.skbs.get("a" as never)!.head)!.shared_frag).toBe(true);
  });
});
