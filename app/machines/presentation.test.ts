// SPDX-License-Identifier: GPL-2.0-only
import { beforeEach, describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { resetStore, togglePanel, useScope } from "../store";
import { PRESENTING_PANELS, presentationMachine, type FullscreenPort } from "./presentation";

function fakeFullscreen() {
  const calls: string[] = [];
  let active = false;
  const port: FullscreenPort = {
    enter: () => {
      calls.push("enter");
      active = true;
    },
    exit: () => {
      calls.push("exit");
      active = false;
    },
    active: () => active,
  };
  return { port, calls, browserLeaves: () => (active = false) };
}

describe("presentation machine", () => {
  beforeEach(() => resetStore());

  it("collapses the editor and the lifetime chart, and puts the user's panels back on leaving", () => {
    togglePanel("side"); // the user had hidden the side panel
    const before = useScope.getState().panels;
    const fs = fakeFullscreen();
    const a = createActor(presentationMachine, { input: { fullscreen: fs.port } }).start();
    a.send({ type: "TOGGLE" });
    expect(useScope.getState().presenting).toBe(true);
    expect(useScope.getState().panels).toEqual(PRESENTING_PANELS);
    expect(fs.calls).toEqual(["enter"]);
    a.send({ type: "LEAVE" });
    expect(useScope.getState().presenting).toBe(false);
    expect(useScope.getState().panels).toEqual(before);
    expect(fs.calls).toEqual(["enter", "exit"]);
  });

  it("the graph keeps at least half the width: only the side panel stays", () => {
    expect(PRESENTING_PANELS).toEqual({ editor: false, side: true, lifetimes: false });
  });

  it("leaves when the browser leaves full screen, without asking it to exit again", () => {
    const fs = fakeFullscreen();
    const a = createActor(presentationMachine, { input: { fullscreen: fs.port } }).start();
    a.send({ type: "ENTER" });
    fs.browserLeaves();
    a.send({ type: "FULLSCREEN_LEFT" });
    expect(a.getSnapshot().value).toBe("off");
    expect(useScope.getState().presenting).toBe(false);
    expect(fs.calls).toEqual(["enter"]);
  });

  it("works where full screen is refused or not wanted (?present=1, an iframe)", () => {
    const fs = fakeFullscreen();
    const a = createActor(presentationMachine, { input: { fullscreen: fs.port } }).start();
    a.send({ type: "ENTER", fullscreen: false });
    expect(useScope.getState().presenting).toBe(true);
    expect(fs.calls).toEqual([]);
    // A stray "left full screen" while off changes nothing.
    a.send({ type: "LEAVE" });
    a.send({ type: "FULLSCREEN_LEFT" });
    expect(a.getSnapshot().value).toBe("off");
  });

  it("toggles with p", () => {
    const a = createActor(presentationMachine, { input: {} }).start();
    a.send({ type: "TOGGLE" });
    a.send({ type: "TOGGLE" });
    expect(a.getSnapshot().value).toBe("off");
    expect(useScope.getState().panels).toEqual({ editor: true, side: true, lifetimes: true });
  });
});
