// SPDX-License-Identifier: GPL-2.0-only
/** Messages above the graph: the engine worker's health, and what opening a link or pasted text did. */
import { useMachines } from "../context";
import { setHealth, setNotice, useScope } from "../store";

export function Banner() {
  return (
    <div className="banners">
      <HealthBanner />
      <NoticeBanner />
    </div>
  );
}

function HealthBanner() {
  const health = useScope((s) => s.health);
  const cursor = useScope((s) => s.cursor);
  const { engine } = useMachines();
  if (health.state === "ready" || health.state === "starting") return null;
  return (
    <div className={`banner ${health.state}`} role="alert" data-testid="health">
      {health.state === "recovering" && <>The engine stopped ({health.reason}). Starting a new one and replaying the trace…</>}
      {health.state === "recovered" && (
        <>
          The engine stopped ({health.reason}); a new one replayed the trace. You are still at step {cursor}.{" "}
          <button type="button" onClick={() => setHealth({ state: "ready" })}>
            dismiss
          </button>
        </>
      )}
      {health.state === "failed" && (
        <>
          The engine keeps stopping ({health.reason}). Your trace is kept.{" "}
          <button type="button" onClick={() => engine.send({ type: "RETRY" })}>
            try again
          </button>
        </>
      )}
    </div>
  );
}

/** A link that could not be opened (the text of the error, never markup), or notes on one that was. */
function NoticeBanner() {
  const notice = useScope((s) => s.notice);
  const machines = useMachines();
  if (!notice) return null;
  return (
    <div className={`banner notice ${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"} data-testid="notice">
      <span className="notice-text">{notice.text}</span>{" "}
      {notice.previous && (
        <button type="button" onClick={() => machines.restore(notice.previous!)} data-testid="restore-previous">
          back to my previous trace
        </button>
      )}{" "}
      {notice.recovered && (
        <button
          type="button"
          onClick={() => machines.restore({ source: notice.recovered!, policyChoice: null, kernelChoice: null, cursor: 0, storyId: null })}
          data-testid="open-recovered"
        >
          open what could be read ({lineCount(notice.recovered)} lines)
        </button>
      )}{" "}
      <button type="button" onClick={() => setNotice(null)} aria-label="dismiss this message">
        dismiss
      </button>
    </div>
  );
}

function lineCount(text: string): number {
  return text.split("\n").filter((l, i, all) => l !== "" || i < all.length - 1).length;
}
