// SPDX-License-Identifier: GPL-2.0-only
/**
 * Boot: the theme, the machines (with the real engine worker, the address
 * bar and the Fullscreen API), then what to show: the permalink in the
 * address bar if there is one, else the default story positioned at its
 * first violation; then React. A link that cannot be opened leaves the
 * default story on screen and says why.
 *
 * URL: `?theme=light|dark`, `?embed=1` (or `#<link>&embed`) for iframes,
 * `?present=1` (or `&present`) to start in presentation mode.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { MachinesContext } from "./context";
import { startMachines } from "./machines";
import { documentFullscreen } from "./machines/presentation";
import { searchWorkerCount } from "./machines/search";
import type { SearchWorkerLike } from "./machines/searchPool";
import { locationPort, splitFragment } from "./machines/urlSync";
import type { WorkerLike } from "./machines/workerActor";
import { startAutosave } from "./editor/autosave";
import { browserStorage, Drafts } from "./editor/persist";
import { workspace } from "./editor/workspace";
import { defaultStory } from "./stories";
import { setEmbed, setTheme, useScope, type SearchRequest } from "./store";
import "./styles.css";

const params = new URLSearchParams(location.search);
const watchdog = Number(params.get("watchdog")) || undefined;
const theme = params.get("theme");
setTheme(theme === "dark" || theme === "light" ? theme : matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
const { link, flags } = splitFragment(location.hash);
const embed = params.get("embed") === "1" || flags.includes("embed");
setEmbed(embed);

const story = defaultStory();
let engineWorkersStarted = 0;
const createWorker = (): WorkerLike => {
  engineWorkersStarted++;
  // Named, so it can hold a lock of that name while it lives (engine.worker.ts).
  const name = `skbscope-engine-${crypto.randomUUID()}`;
  const worker = new Worker(new URL("./worker/engine.worker.ts", import.meta.url), { type: "module", name }) as unknown as WorkerLike;
  const locks = navigator.locks as LockManager | undefined;
  if (locks) worker.exited = () => locks.request(name, () => undefined);
  return worker;
};
// Search workers are made only when a search starts (their bundle loads then); counted for the e2e tests.
let liveSearchWorkers = 0;
const createSearchWorker = (): SearchWorkerLike => {
  const worker = new Worker(new URL("./worker/search.worker.ts", import.meta.url), { type: "module", name: "skbscope-search" });
  liveSearchWorkers++;
  let alive = true;
  const terminate = worker.terminate.bind(worker);
  worker.terminate = () => {
    if (alive) liveSearchWorkers--;
    alive = false;
    terminate();
  };
  return worker as unknown as SearchWorkerLike;
};
const machines = startMachines(createWorker, watchdog, {
  fallback: () => ({ source: story.source, storyId: story.id }),
  url: locationPort(),
  fullscreen: documentFullscreen(),
  // ?searchWorkers=N overrides the count (the browser benchmark compares 1 and N).
  search: { createWorker: createSearchWorker, workers: searchWorkerCount(Number(params.get("searchWorkers")) || navigator.hardwareConcurrency) },
});
// What was on screen last time, saved as it was typed (errors and all).
const storage = embed ? null : browserStorage();
const drafts = storage ? new Drafts(storage) : null;
const session = drafts?.session() ?? null;
workspace.drafts = drafts;
workspace.autosave = drafts ? startAutosave(drafts, () => location.hash.replace(/^#/, "")) : null;
// A reload at the address it was saved under restores the session (the newer truth: the
// address follows the view only after a pause); any other link is opened.
const resume = session !== null && session.source !== "" && (link === "" || splitFragment(session.fragment).link === link);
if (resume) {
  workspace.autosave?.adopt(session.id);
  machines.restore({
    source: session.source,
    policyChoice: session.policyChoice,
    kernelChoice: session.kernelChoice,
    cursor: session.cursor,
    storyId: session.storyId,
  });
  useScope.setState({ selection: null, pendingSelection: session.selection ?? null });
} else if (link) machines.openText(link, "link");
else machines.open(story.source, "first-violation", story.id);
if (params.get("present") === "1" || flags.includes("present")) machines.presentation.send({ type: "ENTER", fullscreen: false });
// The browser's own way out of full screen (its Escape) leaves presentation mode too.
document.addEventListener("fullscreenchange", () => {
  if (!document.fullscreenElement) machines.presentation.send({ type: "FULLSCREEN_LEFT" });
});

// Hooks for the e2e tests and the browser benchmark; nothing in the UI uses them.
Object.assign(window, {
  __skbscope: {
    crash: machines.crash,
    open: machines.open,
    openText: machines.openText,
    seek: (step: number) => machines.playback.send({ type: "SEEK", step }),
    engineWorkersStarted: () => engineWorkersStarted,
    state: () => useScope.getState(),
    search: {
      start: (request: SearchRequest) => machines.search.send({ type: "START", request }),
      cancel: () => machines.search.send({ type: "CANCEL" }),
      status: () => machines.search.getSnapshot().value,
      liveWorkers: () => liveSearchWorkers,
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MachinesContext.Provider value={machines}>
      <App />
    </MachinesContext.Provider>
  </StrictMode>,
);
