// SPDX-License-Identifier: GPL-2.0-only
/**
 * The recent traces (the user's own, saved locally as they type) and a
 * new, empty trace. Opening one continues its entry. Titles are plain text.
 */
import { useState } from "react";
import { useMachines } from "../context";
import { openDialog, useScope } from "../store";
import { useModal } from "../components/useModal";
import type { RecentEntry } from "./persist";
import { workspace } from "./workspace";

export const NEW_TRACE = "# title: new trace\n";

export function Recent() {
  const { drafts, autosave } = workspace;
  const open = useScope((s) => s.dialog === "recent");
  const machines = useMachines();
  const [list, setList] = useState<RecentEntry[]>([]);
  const ref = useModal(open, (d) => {
    setList(drafts?.recent() ?? []);
    d.querySelector<HTMLButtonElement>("button.recent-open, button.new-trace")?.focus();
  });
  const reopen = (e: RecentEntry) => {
    const source = drafts?.source(e.id);
    if (source == null) return;
    autosave?.adopt(e.id);
    machines.open(source, "end", undefined);
    openDialog(null);
  };
  const fresh = () => {
    autosave?.adopt(drafts?.newId() ?? null);
    machines.open(NEW_TRACE, "end", null);
    openDialog(null);
    requestAnimationFrame(() => document.getElementById("trace-editor")?.focus());
  };
  return (
    <dialog ref={ref} className="recent" aria-labelledby="recent-title" onClose={() => openDialog(null)} data-testid="recent">
      <header className="dialog-head">
        <h2 id="recent-title">Your traces</h2>
        <form method="dialog">
          <button type="submit" aria-label="close the list">
            close
          </button>
        </form>
      </header>
      <p className="dialog-intro">Every edit is saved in this browser, errors and all. The last 20 traces you wrote or changed:</p>
      <p>
        <button type="button" className="new-trace primary" onClick={fresh} data-testid="new-trace">
          new trace
        </button>
      </p>
      {!drafts && <p className="quiet">This browser does not let skbscope save anything (storage is off).</p>}
      {list.length === 0 ? (
        <p className="quiet">No saved traces yet.</p>
      ) : (
        <ol className="recent-list">
          {list.map((e) => (
            <li key={e.id}>
              <button type="button" className="recent-open link" onClick={() => reopen(e)} data-testid="recent-entry">
                {e.title}
              </button>{" "}
              <span className="quiet">
                {e.lines} lines · <time dateTime={new Date(e.savedAt).toISOString()}>{new Date(e.savedAt).toLocaleString()}</time>
              </span>
            </li>
          ))}
        </ol>
      )}
    </dialog>
  );
}
