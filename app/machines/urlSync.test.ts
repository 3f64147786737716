// SPDX-License-Identifier: GPL-2.0-only
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createActor } from "xstate";
import { resetStore, setLink, useScope, viewKey } from "../store";
import type { ShareView } from "../worker/protocol";
import { joinFragment, splitFragment, urlSyncMachine, type UrlPort } from "./urlSync";

/** An address bar: the fragment, each write, and the user's own changes. */
function fakePort(initial = "") {
  let fragment = initial;
  const writes: string[] = [];
  let listener: (() => void) | null = null;
  const port: UrlPort = {
    read: () => fragment,
    write: (f) => {
      fragment = f;
      writes.push(f);
    },
    listen: (cb) => {
      listener = cb;
      return () => (listener = null);
    },
  };
  return {
    port,
    writes,
    /** The user types a link into the address bar. */
    type(f: string) {
      fragment = f;
      listener?.();
    },
    get fragment() {
      return fragment;
    },
  };
}

/** A settled view of a loaded trace, at `cursor`. */
function settle(patch: Partial<ReturnType<typeof useScope.getState>> = {}) {
  const s = useScope.getState();
  const source = patch.source ?? s.source;
  useScope.setState({
    source,
    sourceRev: source === s.source ? s.sourceRev : s.sourceRev + 1,
    loaded: { source, policyChoice: patch.policyChoice ?? s.policyChoice, kernelChoice: patch.kernelChoice ?? s.kernelChoice },
    stepCount: 9,
    ...patch,
    shownStep: patch.cursor ?? s.cursor,
  });
}

describe("URL sync (the address bar follows the view)", () => {
  let asked: { key: string; view: ShareView }[];
  let opened: string[];
  let bar: ReturnType<typeof fakePort>;
  /** Answer each link request at once, as the worker would: "s" + the step. */
  let answer: boolean;

  function start() {
    const actor = createActor(urlSyncMachine, {
      input: {
        port: bar.port,
        debounceMs: 400,
        requestLink: (key, view) => {
          asked.push({ key, view });
          if (answer) setLink({ key, fragment: `sLINK${view.step}${view.selection ?? ""}`, problem: null, notes: [] });
        },
        openLink: (link) => opened.push(link),
      },
    }).start();
    const unsub = useScope.subscribe(() => actor.send({ type: "CHANGED" }));
    const unlisten = bar.port.listen(() => actor.send({ type: "HASH" }));
    return { actor, stop: () => (unsub(), unlisten(), actor.stop()) };
  }

  beforeEach(() => {
    resetStore();
    vi.useFakeTimers();
    asked = [];
    opened = [];
    answer = true;
    bar = fakePort();
  });
  afterEach(() => vi.useRealTimers());

  it("writes the link once the view has been still for the debounce, with replace, once per view", () => {
    const { stop } = start();
    settle({ source: "a = alloc_skb(256)\n", cursor: 1 });
    vi.advanceTimersByTime(399);
    expect(asked).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(asked).toHaveLength(1);
    expect(bar.fragment).toBe("sLINK1");
    // Nothing changed: no new request, no new write.
    useScope.setState({ pointed: "skb:a" });
    vi.advanceTimersByTime(2000);
    expect(asked).toHaveLength(1);
    expect(bar.writes).toEqual(["sLINK1"]);
    stop();
  });

  it("a burst of steps asks for one link, for the last step (no history flood)", () => {
    const { stop } = start();
    settle({ source: "t\n", cursor: 0 });
    for (let step = 1; step <= 8; step++) {
      vi.advanceTimersByTime(100);
      settle({ cursor: step });
    }
    vi.advanceTimersByTime(400);
    expect(asked.map((a) => a.view.step)).toEqual([8]);
    expect(bar.writes).toEqual(["sLINK8"]);
    stop();
  });

  it("carries the selection by name and the story id", () => {
    const { stop } = start();
    settle({ source: "t\n", cursor: 2, selection: "page:g", storyId: "tsirkin-pskb-copy" });
    vi.advanceTimersByTime(400);
    expect(asked[0].view).toEqual({ step: 2, selection: "g", storyId: "tsirkin-pskb-copy" });
    expect(bar.fragment).toBe("sLINK2g");
    stop();
  });

  it("waits while the view is not settled: loading, a link being opened, a selection pending", () => {
    const { stop } = start();
    settle({ source: "t\n", cursor: 1 });
    useScope.setState({ opening: true });
    vi.advanceTimersByTime(1000);
    expect(asked).toHaveLength(0);
    useScope.setState({ opening: false, pendingSelection: "g" });
    vi.advanceTimersByTime(1000);
    expect(asked).toHaveLength(0);
    useScope.setState({ pendingSelection: null, source: "u\n", sourceRev: 5 }); // typed, not yet loaded
    vi.advanceTimersByTime(1000);
    expect(asked).toHaveLength(0);
    settle({ source: "u\n" });
    vi.advanceTimersByTime(400);
    expect(asked).toHaveLength(1);
    stop();
  });

  it("keeps the last good link while the trace has parse errors", () => {
    const { stop } = start();
    settle({ source: "t\n", cursor: 1 });
    vi.advanceTimersByTime(400);
    settle({ source: "t\nb = skb_clone(\n", diagnostics: [{ line: 2, column: 15, endColumn: 16, message: "expected a name", severity: "error" }] as never });
    vi.advanceTimersByTime(2000);
    expect(bar.writes).toEqual(["sLINK1"]);
    stop();
  });

  it("a trace that cannot have a link clears the fragment but keeps the flags", () => {
    bar = fakePort("sOLD&embed");
    answer = false;
    const { stop } = start();
    settle({ source: "huge\n", cursor: 3 });
    vi.advanceTimersByTime(400);
    setLink({ key: asked[0].key, fragment: null, problem: "too many operations", notes: [] });
    expect(bar.fragment).toBe("embed");
    stop();
  });

  it("keeps flags after the link: #link&embed", () => {
    bar = fakePort("sOLD&embed");
    const { stop } = start();
    settle({ source: "t\n", cursor: 4 });
    vi.advanceTimersByTime(400);
    expect(bar.fragment).toBe("sLINK4&embed");
    stop();
  });

  it("drops a link made for a view that has since moved, and asks again", () => {
    answer = false;
    const { stop } = start();
    settle({ source: "t\n", cursor: 1 });
    vi.advanceTimersByTime(400);
    const stale = asked[0].key;
    settle({ cursor: 2 });
    setLink({ key: stale, fragment: "sSTALE", problem: null, notes: [] });
    expect(bar.writes).toEqual([]);
    vi.advanceTimersByTime(400);
    expect(asked.at(-1)!.view.step).toBe(2);
    setLink({ key: viewKey(), fragment: "sFRESH", problem: null, notes: [] });
    expect(bar.writes).toEqual(["sFRESH"]);
    stop();
  });

  it("asks again when a request is lost (a worker crash)", () => {
    answer = false;
    const { stop } = start();
    settle({ source: "t\n", cursor: 1 });
    vi.advanceTimersByTime(400);
    expect(asked).toHaveLength(1);
    vi.advanceTimersByTime(5000 + 400);
    expect(asked).toHaveLength(2);
    stop();
  });

  it("opens a link the user puts in the address bar, but not its own writes", () => {
    const { stop } = start();
    settle({ source: "t\n", cursor: 1 });
    vi.advanceTimersByTime(400);
    bar.type("sLINK1");
    expect(opened).toEqual([]);
    bar.type("sPASTED&embed");
    expect(opened).toEqual(["sPASTED"]);
    bar.type("embed");
    expect(opened).toEqual(["sPASTED"]);
    stop();
  });
});

describe("fragments: the link, then flags", () => {
  it("splits and joins", () => {
    expect(splitFragment("#sAbC9&embed")).toEqual({ link: "sAbC9", flags: ["embed"] });
    expect(splitFragment("embed")).toEqual({ link: "", flags: ["embed"] });
    expect(splitFragment("")).toEqual({ link: "", flags: [] });
    // Anything else is taken for a link, so a damaged one is reported rather than ignored.
    expect(splitFragment("sabc").link).toBe("sabc");
    expect(splitFragment("<script>").link).toBe("<script>");
    // As location.hash gives it: percent-encoded, and sometimes not even that.
    expect(splitFragment("#s%3Cimg%20src=x%3E&embed")).toEqual({ link: "s<img src=x>", flags: ["embed"] });
    expect(splitFragment("#s%E0%A4%A").link).toBe("s%E0%A4%A");
    expect(joinFragment("sX", ["embed"])).toBe("sX&embed");
    expect(joinFragment("", ["embed"])).toBe("embed");
    expect(joinFragment("sX", [])).toBe("sX");
  });
});
