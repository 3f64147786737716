// SPDX-License-Identifier: GPL-2.0-only
/**
 * The worker side of the fixes panel: a load with fixes reverted runs the
 * code before them, the matrix comes with the kernel as shipped beside it,
 * and the choice survives a link and the email text.
 */
import { describe, expect, it } from "vitest";
import { storyById } from "../../stories/index";
import { EngineHost } from "./engineHost";
import type { FromWorker } from "./protocol";

const story = storyById("fix-split-zerocopy-clone")!;

function host() {
  const out: FromWorker[] = [];
  const tasks: (() => void)[] = [];
  const h = new EngineHost(
    (m) => out.push(m),
    (t) => tasks.push(t),
  );
  const runTasks = () => {
    while (tasks.length) tasks.shift()!();
  };
  const of = <K extends FromWorker["kind"]>(k: K) => out.filter((m): m is Extract<FromWorker, { kind: K }> => m.kind === k);
  const reply = async <K extends FromWorker["kind"]>(kind: K, seq: number) => {
    for (let i = 0; i < 200; i++) {
      const m = of(kind).find((x) => (x as { seq: number }).seq === seq);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no ${kind} ${seq}`);
  };
  return { h, of, runTasks, reply };
}

describe("engine host: fixes switched off", () => {
  it("runs without the fix, and sends the shipped matrix beside this run's", () => {
    const { h, of, runTasks } = host();
    h.handle({ kind: "load", seq: 1, source: story.source, policy: null, kernel: null, without: ["split-zerocopy-clone"] });
    expect(of("parsed")[0].without).toEqual(["split-zerocopy-clone"]);
    expect(of("loaded")[0].verdict).toBe("premature");
    runTasks();
    const m = of("matrix")[0];
    expect(m.rows.map((r) => [r.policy, r.verdict])).toEqual(Object.entries(story.fix!.without));
    expect(m.shipped!.map((r) => [r.policy, r.verdict])).toEqual(Object.entries(story.expected));
  });

  it("sends no shipped matrix when nothing is reverted, and drops an id it cannot revert", () => {
    const { h, of, runTasks } = host();
    h.handle({ kind: "load", seq: 1, source: story.source, policy: null, kernel: null, without: ["esp-pp-unref"] });
    expect(of("parsed")[0].without).toEqual([]);
    expect(of("loaded")[0].verdict).toBe("ok");
    runTasks();
    expect(of("matrix")[0].shipped).toBeNull();
  });

  it("keeps the choice in the link, and the email text carries # without:", async () => {
    const { h, reply } = host();
    h.handle({ kind: "load", seq: 1, source: story.source, policy: null, kernel: null, without: ["split-zerocopy-clone"] });
    h.handle({ kind: "link", seq: 2, loadSeq: 1, view: { step: 6, selection: null, storyId: story.id } });
    const linked = await reply("linked", 2);
    expect(linked.problem).toBeNull();
    h.handle({ kind: "open", seq: 3, text: `#${linked.fragment}`, as: "link" });
    const opened = await reply("opened", 3);
    expect(opened.result).toMatchObject({ ok: true, view: { source: story.source, withoutChoice: ["split-zerocopy-clone"], step: 6, storyId: story.id } });
    h.handle({ kind: "email", seq: 4, loadSeq: 1, view: { step: 6, selection: null, storyId: story.id }, base: "https://example.org/skbscope/" });
    const email = await reply("emailed", 4);
    expect(email.text).toContain("\n# without: split-zerocopy-clone\n");
    expect(email.url).toBe(`https://example.org/skbscope/#${linked.fragment}`);
  });
});
