// SPDX-License-Identifier: GPL-2.0-only
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createActor } from "xstate";
import { applyLoaded, resetStore, setSpeed, useScope } from "../store";
import { STEP_VIOLATION } from "../worker/protocol";
import { columnsOf } from "../worker/columns";
import { playbackMachine } from "./playback";

function load(flags: number[]) {
  applyLoaded({ stepCount: flags.length, columns: columnsOf(new Int32Array(flags.length), Uint8Array.from(flags)), findings: [], verdict: "ok", ms: 0 }, 0);
}
const cursor = () => useScope.getState().cursor;

describe("playback machine", () => {
  beforeEach(() => {
    resetStore();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("steps, seeks and jumps to either end", () => {
    load([0, 0, 0, 0]);
    const a = createActor(playbackMachine).start();
    a.send({ type: "STEP", delta: 1 });
    a.send({ type: "STEP", delta: 1 });
    expect(cursor()).toBe(2);
    a.send({ type: "STEP", delta: -1 });
    expect(cursor()).toBe(1);
    a.send({ type: "END" });
    expect(cursor()).toBe(4);
    a.send({ type: "STEP", delta: 1 });
    expect(cursor()).toBe(4);
    a.send({ type: "HOME" });
    expect(cursor()).toBe(0);
    a.send({ type: "SEEK", step: 3 });
    expect(cursor()).toBe(3);
  });

  it("jumps to the next violation, and stays when there is none", () => {
    load([0, STEP_VIOLATION, 0, STEP_VIOLATION]);
    const a = createActor(playbackMachine).start();
    a.send({ type: "NEXT_VIOLATION" });
    expect(cursor()).toBe(2);
    a.send({ type: "NEXT_VIOLATION" });
    expect(cursor()).toBe(4);
    a.send({ type: "NEXT_VIOLATION" });
    expect(cursor()).toBe(4);
  });

  it("plays at the chosen speed and pauses itself at the end", () => {
    load([0, 0, 0]);
    setSpeed(4); // 250 ms a step
    const a = createActor(playbackMachine).start();
    a.send({ type: "PLAY" });
    expect(a.getSnapshot().matches("playing")).toBe(true);
    vi.advanceTimersByTime(260);
    expect(cursor()).toBe(1);
    vi.advanceTimersByTime(500);
    expect(cursor()).toBe(3);
    vi.advanceTimersByTime(300);
    expect(a.getSnapshot().matches("paused")).toBe(true);
  });

  it("a manual step pauses playback", () => {
    load([0, 0, 0, 0, 0]);
    const a = createActor(playbackMachine).start();
    a.send({ type: "TOGGLE" });
    expect(a.getSnapshot().matches("playing")).toBe(true);
    a.send({ type: "STEP", delta: 1 });
    expect(a.getSnapshot().matches("paused")).toBe(true);
    vi.advanceTimersByTime(5000);
    expect(cursor()).toBe(1);
  });

  it("play at the end starts over; an empty trace cannot play", () => {
    load([0, 0]);
    const a = createActor(playbackMachine).start();
    a.send({ type: "END" });
    a.send({ type: "PLAY" });
    expect(cursor()).toBe(0);
    expect(a.getSnapshot().matches("playing")).toBe(true);
    a.send({ type: "PAUSE" });
    load([]);
    a.send({ type: "PLAY" });
    expect(a.getSnapshot().matches("paused")).toBe(true);
  });
});
