import { describe, expect, it } from "vitest";
import { BadInput, addCommand, main, type Io } from "./skbscope";

const TSIRKIN = `# title: Tsirkin: pskb_copy, then the original is freed
# policy: shinfo-release
# kernel: 2.6.32
# The guest's page g is mapped into skb a; the owner arms release().
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
# pskb_copy: a new Data for c, and g + 1. a's dataref is untouched.
c = pskb_copy(a)
# a's Data is released: release() fires, but c still holds g.
kfree_skb(a)
owner_reuse(g)
kfree_skb(c)
`;

function cli(args: string[], files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: (p) => {
      if (p in files) return files[p];
      throw new Error("ENOENT: no such file");
    },
  };
  const code = main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n"), errors: () => err.join("\n") };
}

describe("skbscope check", () => {
  it("prints the verdict matrix and exits 1 on a violation", () => {
    const r = cli(["check", "t.trace"], { "t.trace": TSIRKIN });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/shinfo-release\s+premature/);
    expect(r.out).toMatch(/page-refs\s+ok/);
    expect(r.out).toMatch(/ubuf-orphan\s+n\/a/);
  });

  it("--json gives {verdicts: {policy: {verdict, findings}}}", () => {
    const r = cli(["check", "t.trace", "--json", "--kernel", "6.1"], { "t.trace": TSIRKIN });
    const json = JSON.parse(r.out);
    expect(Object.keys(json.verdicts)).toEqual(["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy"]);
    expect(json.verdicts["shinfo-release"].verdict).toBe("premature");
    expect(json.verdicts["shinfo-release"].findings[0]).toMatchObject({ kind: "premature", step: 6, holder: "h2.frags[0]" });
    expect(json.verdicts["ubuf-orphan"]).toMatchObject({ verdict: "ok", findings: [] });
  });

  it("exits 0 when every checked policy is ok", () => {
    const r = cli(["check", "t.trace", "--policy", "page-refs"], { "t.trace": TSIRKIN.replace("owner_reuse(g)\n", "") });
    expect(r.code).toBe(0);
  });

  it("exits 2 with the error on stderr for bad input", () => {
    expect(cli(["check", "missing.trace"])).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read missing.trace/) });
    const bad = cli(["check", "b.trace"], { "b.trace": "a = alloc_skb(1)\nskb_clon(a)\n" });
    expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/b\.trace:2:1: error: unknown operation "skb_clon"/) });
    expect(cli(["check", "t.trace", "--policy", "nope"], { "t.trace": TSIRKIN })).toMatchObject({ code: 2, err: expect.stringMatching(/unknown policy/) });
    expect(cli(["check", "t.trace", "--kernel", "4.19"], { "t.trace": TSIRKIN })).toMatchObject({ code: 2 });
    expect(cli(["check", "t.trace", "--policy", "ubuf-orphan"], { "t.trace": TSIRKIN })).toMatchObject({ code: 2, err: expect.stringMatching(/ubuf_info/) });
    expect(cli(["frobnicate"])).toMatchObject({ code: 2 });
  });
});

describe("skbscope run", () => {
  it("prints each step's operation, state and findings", () => {
    const r = cli(["run", "t.trace"], { "t.trace": TSIRKIN });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/step 5 \(line 10\): c = pskb_copy\(a\)/);
    expect(r.out).toMatch(/page g \(guest\): refcount 2 held by h1\.frags\[0\], h2\.frags\[0\]/);
    expect(r.out).toMatch(/PREMATURE: owner told complete at step 6/);
  });

  it("--json follows the documented schema", () => {
    const json = JSON.parse(cli(["run", "t.trace", "--json"], { "t.trace": TSIRKIN }).out);
    expect(json).toMatchObject({ policy: "shinfo-release", kernel: "2.6.32", verdict: "premature" });
    const step = json.steps[4];
    expect(Object.keys(step)).toEqual(expect.arrayContaining(["line", "op", "error", "skbs", "pages", "events", "findings"]));
    expect(step).toMatchObject({ line: 10, op: "c = pskb_copy(a)", error: null });
    const c = step.skbs.find((s: { name: string }) => s.name === "c");
    expect(Object.keys(c)).toEqual(expect.arrayContaining(["name", "users", "cloned", "nohdr", "len", "data_len", "headlen", "headroom", "head", "dataref", "frags", "frag_list"]));
    expect(c.frags).toEqual([{ page: "g", offset: 0, size: 4096 }]);
    expect(step.pages).toEqual([expect.objectContaining({ name: "g", owner: "guest", refcount: 2, holders: ["h1.frags[0]", "h2.frags[0]"] })]);
  });

  it("an operation the kernel would BUG on is a step error, not a crash", () => {
    const json = JSON.parse(cli(["run", "t.trace", "--json"], { "t.trace": "a = alloc_skb(1)\nskb_get(a)\npskb_expand_head(a, 0, 0)\n" }).out);
    expect(json.steps[2].error).toMatchObject({ kind: "kernel-check", fn: "pskb_expand_head", check: "BUG_ON(skb_shared(skb))" });
  });
});


describe("commands registered from other files", () => {
  it("an async command's bad input is exit 2; a command without a spec takes one argument and no option", async () => {
    addCommand("probe-async", async (_io, arg) => {
      await Promise.resolve();
      if (arg === "bad") throw new BadInput("bad probe");
      return 0;
    });
    expect(await cli(["probe-async", "good"]).code).toBe(0);
    const bad = cli(["probe-async", "bad"]);
    expect(await bad.code).toBe(2);
    expect(bad.errors()).toBe("skbscope: bad probe");
    const stray = cli(["probe-async", "x", "--json"]);
    expect(await stray.code).toBe(2);
    expect(stray.errors()).toMatch(/probe-async: unknown option '--json' \(probe-async takes no option\)\nusage: skbscope probe-async ARG/);
  });
});
