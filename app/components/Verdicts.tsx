/** The verdict matrix: this trace under every policy, from the worker. Click a finding to jump to its step. */
import { policyKernels } from "../../core/model/policies";
import { useMachines } from "../context";
import { useScope } from "../store";

export function Verdicts() {
  const matrix = useScope((s) => s.matrix);
  const policy = useScope((s) => s.policy);
  const kernel = useScope((s) => s.kernel);
  const { playback, choose } = useMachines();
  const storyId = useScope((s) => s.storyId);
  // The story's expectations are for its own kernel.
  // ... with every fix in: the fixes panel's choice changes the verdicts on purpose.
  const check = useScope((s) => (s.storyId && s.loaded?.source === s.source && s.kernelChoice === null && s.without.length === 0 ? s.checked[s.storyId] : undefined));
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
              const first = row.findings.find((f) => f.kind !== "ok");
              return (
                <tr key={row.policy} className={`${row.verdict === "ok" ? "ok" : row.verdict === "n/a" ? "na" : "bad"}${row.policy === policy ? " current" : ""}`}>
                  <th scope="row">{row.policy}</th>
                  <td className="verdict">{row.verdict}</td>
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
