/**
 * Boot: the theme, the machines (with the real engine worker), the default
 * story positioned at its first violation, then React.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { DEFAULT_STORY_ID, STORIES } from "../stories/index";
import { App } from "./App";
import { MachinesContext } from "./context";
import { startMachines } from "./machines";
import type { WorkerLike } from "./machines/workerActor";
import { setTheme, useScope } from "./store";
import "./styles.css";

const params = new URLSearchParams(location.search);
const watchdog = Number(params.get("watchdog")) || undefined;
const theme = params.get("theme");
setTheme(theme === "dark" || theme === "light" ? theme : matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");

const createWorker = () => new Worker(new URL("./worker/engine.worker.ts", import.meta.url), { type: "module" }) as unknown as WorkerLike;
const machines = startMachines(createWorker, watchdog);
const story = STORIES.find((s) => s.id === DEFAULT_STORY_ID) ?? STORIES[0];
machines.open(story.source, "first-violation");

// Hooks for the e2e tests and the browser benchmark; nothing in the UI uses them.
Object.assign(window, {
  __skbscope: {
    crash: machines.crash,
    open: machines.open,
    seek: (step: number) => machines.playback.send({ type: "SEEK", step }),
    state: () => useScope.getState(),
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MachinesContext.Provider value={machines}>
      <App />
    </MachinesContext.Provider>
  </StrictMode>,
);
