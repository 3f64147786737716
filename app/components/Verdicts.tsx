// SPDX-License-Identifier: GPL-2.0-only
/**
 * The verdict matrix: this trace under every policy, from the worker. A
 * row links to the finding its verdict rests on ("premature at step 6");
 * following a link of another policy switches to that policy, and says so.
 * Memory-safety findings are listed once under the table.
 */
import { policyKernels } from "../../core/model/policies";
import { useMachines } from "../context";
import { setNotice, useScope } from "../store";
import type { PolicyId } from "../../core/index";
import { verdictClass } from "./verdictClass";
import { otherFindings, rowLink, storyCheckApplies, type VerdictLink } from "./verdictLinks";

export function Verdicts() {
  const matrix = useScope((s) => s.matrix);
  const policy = useScope((s) => s.policy);
  const kernel = useScope((s) => s.kernel);
  const { playback, choose } = useMachines();
  const storyId = useScope((s) => s.storyId);
  // The story's expectations hold for its own text, on its own kernel,
  // with every fix in: the fixes panel's choice changes the verdicts on purpose.
  const check = useScope((s) => (storyCheckApplies(s) && s.without.length === 0 ? s.checked[s.storyId!] : undefined));
  const go = (link: VerdictLink, rowPolicy: PolicyId) => {
    if (rowPolicy !== policy) {
      choose(rowPolicy, useScope.getState().kernelChoice);
      setNotice({ kind: "info", text: `The policy is now ${rowPolicy} (was ${policy}), to show its ${link.text}.` });
    }
    playback.send({ type: "SEEK", step: link.step });
  };
  const others = matrix ? otherFindings(matrix) : [];
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
              const link = rowLink(row);
              const switches = row.policy !== policy;
              return (
                <tr key={row.policy} className={`${verdictClass(row.verdict)}${row.policy === policy ? " current" : ""}`}>
                  <th scope="row">{row.policy}</th>
                  <td className="verdict">{row.verdict === "inconclusive" ? "inconclusive ?" : row.verdict}</td>
                  <td>
                    {link ? (
                      <button
                        type="button"
                        className="link"
                        title={`${link.message}${switches ? ` (switches the policy to ${row.policy})` : ""}`}
                        aria-label={`${row.policy}: ${link.text}${switches ? `, switches the policy to ${row.policy}` : ""}`}
                        data-testid="verdict-link"
                        onClick={() => go(link, row.policy)}
                      >
                        {`step ${link.step}`}
                        {switches ? " ⇄" : ""}
                      </button>
                    ) : (
                      <span className="quiet" title={row.reason ?? row.nothingArmed ?? undefined} data-testid={row.nothingArmed ? "nothing-armed" : undefined}>
                        {row.reason ? `needs ${policyKernels(row.policy)}` : row.nothingArmed ? "nothing armed" : "—"}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {others.length > 0 && (
        <p className="other-findings" data-testid="other-findings">
          also:{" "}
          {others.map((f, i) => (
            <span key={`${f.kind}@${f.step}`}>
              {i > 0 && ", "}
              <button type="button" className="link" title={f.message} onClick={() => playback.send({ type: "SEEK", step: f.step })}>
                {f.text}
              </button>
            </span>
          ))}
        </p>
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
