// SPDX-License-Identifier: GPL-2.0-only
/** The top bar: story, policy, kernel; stories, search, share, present; theme, panels, help. */
import { useSelector } from "@xstate/react";
import { KERNELS, type KernelId, type PolicyId } from "../../core/model/types";
import { PolicyOptions } from "./PolicyOptions";
import { OpenFile } from "./OpenFile";
import { useMachines } from "../context";
import { APP_STORIES, storyOfSource } from "../stories";
import { openDialog, setHelpOpen, setTheme, togglePanel, useScope } from "../store";

export function Toolbar() {
  const machines = useMachines();
  const policy = useScope((s) => s.policy);
  const kernel = useScope((s) => s.kernel);
  const theme = useScope((s) => s.theme);
  const panels = useScope((s) => s.panels);
  const title = useScope((s) => s.title);
  const current = useScope((s) => storyOfSource(s.source)?.id ?? "");
  const searching = useSelector(machines.search, (s) => s.matches("running"));

  return (
    <header className="toolbar">
      <h1 className="brand">skbscope</h1>
      <button type="button" onClick={() => openDialog("gallery")} aria-haspopup="dialog" data-testid="open-gallery" title="the story gallery (g)">
        stories…
      </button>
      <button
        type="button"
        onClick={() => openDialog("recent")}
        aria-haspopup="dialog"
        data-testid="open-recent"
        title="your traces, saved in this browser, and a new one"
      >
        recent…
      </button>
      <OpenFile />
      <label className="story-pick">
        <span className="visually-hidden">story</span>
        <select
          value={current}
          aria-label="story"
          onChange={(e) => {
            const story = APP_STORIES.find((s) => s.id === e.target.value);
            if (story) machines.open(story.source, "first-violation", story.id);
          }}
        >
          {current === "" && <option value="">(edited trace)</option>}
          {APP_STORIES.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>policy</span>
        <select value={policy} onChange={(e) => machines.choose(e.target.value as PolicyId, useScope.getState().kernelChoice)} data-testid="policy">
          <PolicyOptions />
        </select>
      </label>
      <label>
        <span>kernel</span>
        <select value={kernel} onChange={(e) => machines.choose(useScope.getState().policyChoice, e.target.value as KernelId)} data-testid="kernel">
          {KERNELS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      {/* A story's title is in the story menu already; an edited trace's is shown here. */}
      <span className="trace-title" title={title ?? ""}>
        {current === "" ? (title ?? "") : ""}
      </span>
      <div className="toolbar-right">
        <button
          type="button"
          onClick={() => openDialog("search")}
          aria-haspopup="dialog"
          data-testid="open-search"
          data-running={searching || undefined}
          title="find counterexamples: the shortest traces that break a policy (f)"
        >
          search…{searching && <span className="busy-dot" aria-label="(running)" />}
        </button>
        <button type="button" onClick={() => openDialog("share")} aria-haspopup="dialog" data-testid="open-share" title="link, email text, images, embed (s)">
          share…
        </button>
        <button type="button" onClick={() => machines.presentation.send({ type: "ENTER" })} data-testid="present" title="presentation mode (p)">
          present
        </button>
        <span className="divider" aria-hidden="true" />
        <button type="button" aria-pressed={panels.editor} onClick={() => togglePanel("editor")}>
          editor
        </button>
        <button type="button" aria-pressed={panels.lifetimes} onClick={() => togglePanel("lifetimes")}>
          lifetimes
        </button>
        <button type="button" aria-pressed={panels.side} onClick={() => togglePanel("side")}>
          panel
        </button>
        <button
          type="button"
          onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
          aria-label={`switch to the ${theme === "dark" ? "light" : "dark"} theme`}
        >
          {theme === "dark" ? "☀" : "☾"}
        </button>
        <button type="button" onClick={() => setHelpOpen(true)} aria-label="keyboard help">
          ?
        </button>
      </div>
    </header>
  );
}
