// SPDX-License-Identifier: GPL-2.0-only
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BadInput, addCommand } from "./skbscope";
import { cli } from "./harness";

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
    expect(Object.keys(json.verdicts)).toEqual(["page-refs", "destructor", "shinfo-release", "ubuf-orphan", "msg-zerocopy", "page-pool", "io-uring-notif"]);
    expect(json.verdicts["shinfo-release"].verdict).toBe("premature");
    expect(json.verdicts["shinfo-release"].findings[0]).toMatchObject({ kind: "premature", step: 6, holder: "h2.frags[0]" });
    expect(json.verdicts["ubuf-orphan"]).toMatchObject({ verdict: "ok", findings: [] });
    // Tsirkin's trace arms a guest page: every policy judged its completion but
    // page-pool, whose owner (a page_pool) has no page in it.
    expect(json.verdicts["shinfo-release"].armed).toBe(true);
    expect(json.verdicts["page-pool"]).toMatchObject({ verdict: "ok", armed: false });
  });

  it("says beside a verdict when nothing was armed for the policy, so an ok is not read as judged", () => {
    const r = cli(["check", "t.trace", "--kernel", "6.1"], { "t.trace": TSIRKIN });
    const lines = r.out.split("\n");
    const pool = lines.findIndex((l) => /^page-pool\s+ok$/.test(l));
    expect(pool).toBeGreaterThan(0);
    expect(lines[pool + 1]).toMatch(/^ {2}\(nothing armed: no buffer holds a page of the owner.s/);
    expect(lines.slice(pool + 1, pool + 4).join(" ")).toMatch(/page_pool_alloc\(pool\).*no completion was judged/);
    const shinfo = lines.findIndex((l) => /^shinfo-release\s+premature$/.test(l));
    expect(lines[shinfo + 1]).not.toMatch(/nothing armed/);
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

/** skb_segment over a zero-copy frag_list member: not modelled on 6.1. */
const SEGMENT_ZC = `# kernel: 6.1
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
t = alloc_skb(256)
skb_frag_add_head(t, a)
segs = skb_segment(t, 1448)
kfree_skb(t)
`;

describe("skbscope check: inconclusive (issue 11.1)", () => {
  it("exits 3 when the worst verdict is inconclusive, and names the step", () => {
    const r = cli(["check", "z.trace", "--policy", "ubuf-orphan"], { "z.trace": SEGMENT_ZC });
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/ubuf-orphan\s+inconclusive/);
    expect(r.out.replace(/\n\s+/g, " ")).toMatch(/step 7 not judged: skb_segment: frag_list member a is zero-copy; not modelled/);
  });

  it("a violation elsewhere still exits 1", () => {
    expect(cli(["check", "z.trace"], { "z.trace": SEGMENT_ZC }).code).toBe(1);
  });

  it("--json lists the unjudged steps with the verdict", () => {
    const json = JSON.parse(cli(["check", "z.trace", "--json"], { "z.trace": SEGMENT_ZC }).out);
    expect(json.verdicts["msg-zerocopy"]).toMatchObject({
      verdict: "inconclusive",
      unjudged: [{ step: 7, kind: "unsupported", fn: "skb_segment", message: expect.stringMatching(/not modelled/) }],
    });
    expect(json.verdicts["page-refs"]).toMatchObject({ verdict: "ok", unjudged: [] });
  });

  it("run says inconclusive too, and exits 3", () => {
    const r = cli(["run", "z.trace", "--policy", "msg-zerocopy"], { "z.trace": SEGMENT_ZC });
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/verdict: inconclusive \(step 7 not judged/);
    const json = JSON.parse(cli(["run", "z.trace", "--policy", "msg-zerocopy", "--json"], { "z.trace": SEGMENT_ZC }).out);
    expect(json).toMatchObject({ verdict: "inconclusive", unjudged: [{ step: 7, kind: "unsupported" }] });
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
    expect(Object.keys(c)).toEqual(
      expect.arrayContaining(["name", "users", "cloned", "nohdr", "len", "data_len", "headlen", "headroom", "head", "dataref", "frags", "frag_list"]),
    );
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

describe("reasons in the text (issue 11.5), from the installed command", () => {
  const ORPHAN =
    "# policy: ubuf-orphan\n# kernel: 6.1\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\ns = sock_create()\nsock_queue_rcv_skb(s, a)\nsk_eat_skb(s, a)\n";
  const SPLICE =
    "# kernel: 2.6.32\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)\nzerocopy_arm(a)\ns = sock_create()\nsock_queue_rcv_skb(s, a)\nq = skb_splice_bits(a, 0, 4096)\nsk_eat_skb(s, a)\n";
  const skbscope = (args: string[], files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "skbscope-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return spawnSync("node", ["--import", "tsx", "cli/main.ts", ...args.map((a) => (a in files ? join(dir, a) : a))], { encoding: "utf8" });
  };

  it("run prints each step's events in kernel words: copied by, released by, completion fired by", () => {
    const r = skbscope(["run", "o.trace"], { "o.trace": ORPHAN });
    expect(r.status).toBe(0);
    const step6 = r.stdout.slice(r.stdout.indexOf("step 6 "), r.stdout.indexOf("step 7 "));
    expect(step6).toContain("skb_orphan_frags_rx: a's frags belong to u1: copy them to kernel pages");
    expect(step6).toContain("g copied by skb_copy_ubufs(a)");
    expect(step6).toContain("completion of z1 fired by vhost_zerocopy_callback (COPIED)");
    const step7 = r.stdout.slice(r.stdout.indexOf("step 7 "));
    expect(step7).toContain("a released by its destructor, sock_rfree()");
    expect(step7).toContain("Data h1 released by skb_release_data()");
  });

  it("check prints each violation's step, holder and chain, within 72 columns", () => {
    const r = skbscope(["check", "s.trace"], {
      "s.trace": "# title: splice: guest pages reach a pipe through a queued zero-copy skb, then the skb is eaten\n" + SPLICE,
    });
    expect(r.status).toBe(1);
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => l.length > 72)).toEqual([]);
    const pageRefs = lines.slice(
      lines.findIndex((l) => l.startsWith("page-refs")),
      lines.findIndex((l) => l.startsWith("destructor")),
    );
    expect(pageRefs.join("\n")).toMatch(
      /page-refs +late\n {2}step 6: sock_queue_rcv_skb\(s, a\)\n {4}late: z1: completion now waits on s \(receive queue, a\),[^]*\n {4}holder: s \(receive queue, a\)\n {4}chain: s->sk_receive_queue -> skb a -> skb_shinfo\(a\)->frags\[0\] ->\n {6}page g -> buffer z1$/,
    );
    const release = lines.slice(lines.findIndex((l) => l.startsWith("shinfo-release"))).join("\n");
    expect(release).toMatch(
      / {2}step 8: sk_eat_skb\(s, a\)\n {4}premature: owner told complete at step 8[^]*\n {4}holder: pipe buffer 0 of q\n {4}chain: pipe buffer 0 of q -> page g -> buffer z1\n/,
    );
  });
});
