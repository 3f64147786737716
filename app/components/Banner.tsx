/** The engine worker's health, when it is worth saying. */
import { useMachines } from "../context";
import { setHealth, useScope } from "../store";

export function Banner() {
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
