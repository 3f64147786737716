// SPDX-License-Identifier: GPL-2.0-only
/**
 * The package as a user gets it: `npm pack` (whose prepack bundles the CLI),
 * then `npm install -g` of the tarball into a temporary prefix, offline (the
 * bundle has no dependency to fetch), then the installed `skbscope` driven as
 * a subprocess: options, exit codes, pipes and terminal safety.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const TSIRKIN = `# title: Tsirkin: pskb_copy, then the original is freed
# policy: shinfo-release
# kernel: 2.6.32
g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
c = pskb_copy(a)
kfree_skb(a)
owner_reuse(g)
kfree_skb(c)
`;

const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;
let dir: string;
let tarball: string;
let bin: string;

const npm = (args: string[]) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { encoding: "utf8", stdio: "pipe" });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "skbscope-pack-"));
  npm(["pack", "--pack-destination", dir]);
  tarball = join(dir, `skbscope-${version}.tgz`);
  npm(["install", "--global", "--offline", "--prefix", join(dir, "prefix"), tarball]);
  bin = join(dir, "prefix", "bin", "skbscope");
  writeFileSync(join(dir, "t.trace"), TSIRKIN);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function skbscope(...args: string[]) {
  const r = spawnSync(bin, args, { encoding: "utf8", cwd: dir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("npm pack; npm install -g", () => {
  it("ships the bundle, the docs and the licence, and no source", () => {
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n").sort();
    expect(files).toContain("package/dist-cli/skbscope.mjs");
    expect(files).toContain("package/LICENSE");
    // The story traces, for link and open to recognise and restore a story.
    expect(files).toContain("package/stories/modern/sharing-basics.trace");
    expect(files).toContain("package/package.json");
    expect(files.filter((f) => /\.tsx?$/.test(f) || f.includes("node_modules"))).toEqual([]);
  });

  it("installs skbscope and nothing else: the bundle needs no dependency", () => {
    expect(readdirSync(join(dir, "prefix", "lib", "node_modules"))).toEqual(["skbscope"]);
    expect(readdirSync(join(dir, "prefix", "lib", "node_modules", "skbscope")).sort()).not.toContain("node_modules");
  });

  it("the installed command keeps the exit codes", () => {
    const bad = skbscope("check", "t.trace", "--json");
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out).verdicts["shinfo-release"].verdict).toBe("premature");
    expect(skbscope("check", "t.trace", "--policy", "page-refs").code).toBe(0);
    expect(skbscope("check", "/nonexistent")).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read/) });
  });
});

describe("--version and --help, per command", () => {
  it.each([[], ["run"], ["check"], ["search"]])("skbscope %s --version", (...cmd) => {
    expect(skbscope(...cmd, "--version")).toEqual({ code: 0, out: `skbscope ${version} (engine semantics 1)\n`, err: "" });
  });

  it.each(["run", "check", "search"])("skbscope %s --help names its own options only", (cmd) => {
    const r = skbscope(cmd, "--help");
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out).toMatch(new RegExp(`^usage: skbscope ${cmd} `));
    expect(r.out.includes("--depth")).toBe(cmd === "search");
  });

  it("skbscope --help lists every command", () => {
    const r = skbscope("--help");
    expect(r.code).toBe(0);
    for (const cmd of ["run", "check", "search"]) expect(r.out).toContain(`skbscope ${cmd} `);
  });
});

describe("options are the command's own (exit 2, usage on stderr)", () => {
  it.each([
    [["run", "t.trace", "--depth", "99"], /unknown option '--depth'/],
    [["check", "t.trace", "--from", "X"], /unknown option '--from'/],
    [["run", "t.trace", "--frobnicate"], /unknown option '--frobnicate'/],
    [["search", "t.trace", "--policy", "page-refs"], /unexpected argument "t.trace"/],
    [["run", "t.trace", "--policy", "page-refs", "--policy", "destructor"], /--policy given twice/],
    [["check", "t.trace", "--kernel", "6.1", "--kernel=2.6.32"], /--kernel given twice/],
    [["run", "t.trace", "--json", "--json"], /--json given twice/],
    [["run"], /no FILE given/],
    [["run", "a.trace", "b.trace"], /unexpected argument "b.trace"/],
  ])("skbscope %j", (args, message) => {
    const r = skbscope(...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(message);
    expect(r.err).toContain(`usage: skbscope ${args[0]} `);
  });

  it("an unknown command or option before it: the full usage", () => {
    for (const args of [["frobnicate"], ["--frobnicate"], []]) {
      const r = skbscope(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/usage:\n {2}skbscope run FILE/);
    }
  });

  it("run refuses the policy/kernel pairs check refuses, from options or headers", () => {
    const r = skbscope("run", "t.trace", "--policy", "ubuf-orphan", "--kernel", "2.6.32");
    expect(r).toMatchObject({ code: 2, out: "", err: expect.stringMatching(/ubuf-orphan models ubuf_info, which Linux 2.6.32 does not have/) });
    expect(skbscope("check", "t.trace", "--policy", "ubuf-orphan", "--kernel", "2.6.32").code).toBe(2);
    // t.trace says kernel 2.6.32 in its header.
    expect(skbscope("run", "t.trace", "--policy", "msg-zerocopy").code).toBe(2);
    expect(skbscope("run", "t.trace", "--policy", "msg-zerocopy", "--kernel", "6.1").code).toBe(0);
  });
});

describe("terminal-safe, pipe-safe", () => {
  const ESC = "\u001b";
  it("control characters from the file are shown escaped, never sent to the terminal", () => {
    const title = `${ESC}]0;pwned\u0007 ${ESC}[2J\u009b\u202e`;
    writeFileSync(join(dir, "esc.trace"), `# title: ${title}\na = alloc_skb(1)\n`);
    writeFileSync(join(dir, "esc-policy.trace"), `# policy: ${ESC}[31mred\na = alloc_skb(1)\n`);
    const shown = "\\x1b]0;pwned\\x07 \\x1b[2J\\x9b\\u202e";
    const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;
    for (const cmd of ["run", "check"]) {
      const r = skbscope(cmd, "esc.trace");
      expect(r.code).toBe(0);
      expect(r.out).toContain(shown);
      expect(r.out).not.toMatch(unsafe);
      const bad = skbscope(cmd, "esc-policy.trace");
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/\\(x1b|u001b)\[31mred/);
      expect(bad.err).not.toMatch(unsafe);
    }
    // JSON stays JSON, with the same title once parsed.
    const json = skbscope("run", "esc.trace", "--json");
    expect(json.out).not.toMatch(unsafe);
    expect(JSON.parse(json.out).title).toBe(title);
  });

  it("a reader that leaves early (| head -1) ends the run quietly with the run's status", () => {
    // Enough output to fill the pipe: 200 clones, each step listing every skb.
    const clones = Array.from({ length: 200 }, (_, i) => `d${i} = skb_clone(c)`).join("\n");
    writeFileSync(join(dir, "long-bad.trace"), TSIRKIN.replace("kfree_skb(a)\n", `${clones}\nkfree_skb(a)\n`));
    writeFileSync(join(dir, "long-ok.trace"), `a = alloc_skb(1)\n${clones.replaceAll("(c)", "(a)")}\n`);
    for (const [file, status] of [
      ["long-bad.trace", 1],
      ["long-ok.trace", 0],
    ] as const) {
      const r = spawnSync("bash", ["-c", `"$0" run "$1" | head -1; echo "status \${PIPESTATUS[0]}" >&2`, bin, file], { encoding: "utf8", cwd: dir });
      expect(r.stdout).toMatch(/^# .*\n$/);
      expect(r.stderr).toBe(`status ${status}\n`);
    }
  });
});
