/** The verdict matrix: this trace under every policy, from the worker. Click a finding to jump to its step. */
import { policyKernels } from "../../core/model/policies";
import { useMachines } from "../context";
import { useScope } from "../store";
import { verdictClass } from "./verdictClass";

export function Verdicts() {
  const matrix = useScope((s) => s.matrix);
  const policy = useScope((s) => s.policy);
  const kernel = useScope((s) => s.kernel);
  const { playback, choose } = useMachines();
  const storyId = useScope((s) => s.storyId);
  // The story's expectations are for its own kernel.
  const check = useScope((s) => (s.storyId && s.loaded?.source === s.source && s.kernelChoice === null ? s.checked[s.storyId] : undefined));
  return (
    <section className="verdicts" aria-label="verdict matrix">
      <h2>
        verdicts <span className="quiet">(kernel {kernel})</span>
      </h2>
      {!matrix ? (
        <p className="quiet">computing…</p>
      ) : (
        <table data-testid="matrix">
          <tbody>
            {matrix.map((row) => {
              // An inconclusive row points at the step that was not judged.
              const unjudged = row.verdict === "inconclusive" ? row.unjudged[0] : undefined;
              const first = unjudged ? { step: unjudged.step, message: `not judged: ${unjudged.message}` } : row.findings[0];
              return (
                <tr key={row.policy} className={`${verdictClass(row.verdict)}${row.policy === policy ? " current" : ""}`}>
                  <th scope="row">{row.policy}</th>
                  <td className="verdict">{row.verdict === "inconclusive" ? "inconclusive ?" : row.verdict}</td>
                  <td>
                    {first ? (
                      <button
                        type="button"
                        className="link"
                        title={first.message}
                        onClick={() => {
                          if (row.policy !== policy) choose(row.policy, useScope.getState().kernelChoice);
                          playback.send({ type: "SEEK", step: first.step });
                        }}
                      >
                        step {first.step}
                      </button>
                    ) : (
                      <span className="quiet" title={row.reason ?? undefined}>
                        {row.reason ? `needs ${policyKernels(row.policy)}` : "—"}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {matrix && check !== undefined && (
        <p className="check" data-testid="story-check">
          {check.length === 0 ? (
            <span className="agree">✓ as the story {storyId} expects</span>
          ) : (
            <span className="disagree">✗ not what the story expects: {check.join("; ")}</span>
          )}
        </p>
      )}
    </section>
  );
}
