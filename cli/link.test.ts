// SPDX-License-Identifier: GPL-2.0-only
/**
 * skbscope link / open: the CLI makes the links the app makes (the golden
 * links recorded from the app's encoder on main), and opens the app's.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import golden from "../core/permalink/golden-links.json";
import { CATALOG } from "../stories/catalog";
import "./link";
import { main, type Io } from "./skbscope";

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), readFile: (p) => readFileSync(p, "utf8") };
  const code = await main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The operation lines of a trace, without headers and narration (a story's narration may be corrected; links keep the operations). */
const operations = (text: string) => text.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#"));
const storyLinks = golden.filter((g) => /^story [\w-]+$/.test(g.from));

describe("skbscope link", () => {
  it("gives each story file the link the app gave it on main", async () => {
    expect(storyLinks.length).toBeGreaterThanOrEqual(18);
    for (const meta of CATALOG) {
      const g = storyLinks.find((l) => l.from === `story ${meta.id}`);
      const r = await cli(["link", join("stories", meta.file)]);
      expect(r.code, meta.id).toBe(0);
      const source = readFileSync(join("stories", meta.file), "utf8");
      if (g && operations(source).join("\n") === operations(g.decoded.text).join("\n")) {
        // Same operations as on main: the very same link (narration is the story's).
        expect(r, meta.id).toMatchObject({ out: `#${g.link}`, err: "" });
      } else {
        // A story added or re-traced since: its link opens to its operations.
        const back = await cli(["open", r.out]);
        expect(operations(back.out), meta.id).toEqual(operations(source));
      }
    }
  });

  it("puts the link on --base, and a policy option into the view", async () => {
    const r = await cli([
      "link",
      "tests/conformance/frag-fill-errors.trace",
      "--policy",
      "destructor",
      "--kernel",
      "2.6.32",
      "--base",
      "https://example.org/skbscope/#old",
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^https:\/\/example\.org\/skbscope\/#s[A-Za-z0-9_-]+$/);
    const back = await cli(["open", r.out]);
    expect(back.err).toContain("view: policy destructor, kernel 2.6.32");
  });

  it("refuses a bad trace with exit 2", async () => {
    expect(await cli(["link", "/nonexistent.trace"])).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read/) });
  });
});

describe("skbscope open", () => {
  it("prints every golden link's trace as it decoded on main", async () => {
    for (const g of golden) {
      const r = await cli(["open", g.link]);
      expect(r.code, g.from).toBe(0);
      if (g.decoded.storyId) expect(operations(r.out), g.from).toEqual(operations(g.decoded.text));
      else expect(`${r.out}\n`, g.from).toBe(g.decoded.text);
      expect(r.err, g.from).toContain(`view: policy ${g.decoded.policy}, kernel ${g.decoded.kernel}, step ${g.decoded.step} of`);
    }
  });

  it("says in one line why a damaged link cannot be opened, exit 2", async () => {
    const good = storyLinks[0].link;
    const damaged = good.slice(0, 10) + (good[10] === "A" ? "B" : "A") + good.slice(11);
    const r = await cli(["open", damaged]);
    expect(r).toMatchObject({ code: 2, out: "" });
    expect(r.err).toMatch(/^skbscope: cannot open the link: .*(altered|checksum)/);
    expect(r.err.split("\n")).toHaveLength(1);
  });

  it("round-trips through the installed command: link FILE, then open LINK gives the trace back", () => {
    const dir = mkdtempSync(join(tmpdir(), "skbscope-link-"));
    const source =
      "# title: mine\n# policy: ubuf-orphan\ng = alloc_page(guest)\na = alloc_skb(256)\nskb_fill_page_desc(a, 0, g, 0, 4096)  # map g\nzerocopy_arm(a)\nkfree_skb(a)\n";
    writeFileSync(join(dir, "t.trace"), source);
    const link = spawnSync("node", ["--import", "tsx", "cli/main.ts", "link", join(dir, "t.trace")], { encoding: "utf8" });
    expect(link.status).toBe(0);
    const open = spawnSync("node", ["--import", "tsx", "cli/main.ts", "open", link.stdout.trim()], { encoding: "utf8" });
    expect(open.status).toBe(0);
    expect(open.stdout).toBe(source);
    expect(open.stderr).toBe("skbscope: view: policy ubuf-orphan, kernel 6.1, step 5 of 5\n");
  });
});
