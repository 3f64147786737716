// SPDX-License-Identifier: GPL-2.0-only
import { useModal } from "./useModal";
import { verdictClass } from "./verdictClass";
/**
 * The story gallery: every story with its title, summary, the side of the
 * 2009 debate it supports, the claim it tests and its verdict matrix (what
 * each policy must reach on the story's kernel). Opening a story loads it
 * at step 0; its narration then follows the steps. Once a story has been
 * opened, the worker's own matrix is checked against the expected one and
 * the card says whether they agree. Everything here is plain text.
 */
import { POLICIES, policyInfo } from "../../core/model/policies";
import { useMachines } from "../context";
import { APP_STORIES, SIDE_LABEL, type AppStory } from "../stories";
import { openDialog, useScope } from "../store";

export function Gallery() {
  const open = useScope((s) => s.dialog === "gallery");
  const storyId = useScope((s) => s.storyId);
  const checked = useScope((s) => s.checked);
  const machines = useMachines();
  const ref = useModal(open, (d) => {
    // Start on the story on screen, so Enter re-opens it and arrows move on.
    const current = d.querySelector<HTMLButtonElement>(`button[data-story="${CSS.escape(useScope.getState().storyId ?? "")}"]`);
    (current ?? d.querySelector<HTMLButtonElement>("button.story-open"))?.focus();
  });

  const choose = (story: AppStory) => {
    machines.open(story.source, { step: 0 }, story.id);
    openDialog(null);
  };

  return (
    <dialog ref={ref} className="gallery" aria-labelledby="gallery-title" onClose={() => openDialog(null)} data-testid="gallery">
      <header className="dialog-head">
        <h2 id="gallery-title">Stories: the 2009 debate, today's mechanisms, kernel fixes</h2>
        <form method="dialog">
          <button type="submit" aria-label="close the gallery">
            close
          </button>
        </form>
      </header>
      <p className="dialog-intro">
        Each story is a trace with a narration for every step. The verdicts are what each completion policy must reach on the story&apos;s kernel; a story you
        open is checked against the engine&apos;s own verdicts. Open one to start at step 0, then step with →.
      </p>
      <ul className="story-list">
        {APP_STORIES.map((s) => (
          <li key={s.id} className={s.id === storyId ? "current" : undefined}>
            <article aria-labelledby={`story-${s.id}`} className={`story-card side-${s.side}`}>
              <h3 id={`story-${s.id}`}>
                <button type="button" className="story-open" data-story={s.id} onClick={() => choose(s)}>
                  {s.title}
                </button>
              </h3>
              <p className="story-summary">{s.summary}</p>
              <p className="story-side">
                <span className={`side-badge ${s.side}`}>{SIDE_LABEL[s.side]}</span> <span className="quiet">kernel {s.kernel ?? "6.1"}</span>
              </p>
              {s.claim && (
                <blockquote className="claim">
                  <q>{s.claim.quote}</q> <span className="quiet">({s.claim.who})</span>{" "}
                  <strong className={`outcome ${s.claim.outcome.replace(/ /g, "-")}`}>{s.claim.outcome}</strong>
                </blockquote>
              )}
              <StoryMatrix story={s} mismatches={checked[s.id]} />
            </article>
          </li>
        ))}
      </ul>
    </dialog>
  );
}

/** The gallery's footnote for a verdict with nothing armed (the worker's rows say it in full). */
const NOTHING_ARMED = "nothing armed for this policy's owner in this story: no completion was judged";

function StoryMatrix({ story, mismatches }: { story: AppStory; mismatches: readonly string[] | undefined }) {
  return (
    <div className="story-matrix">
      <table aria-label={`expected verdicts of ${story.title}`}>
        <thead>
          <tr>
            {POLICIES.map((p) => (
              <th key={p} scope="col" title={policyInfo(p).description}>
                {policyInfo(p).label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            {POLICIES.map((p) => {
              const v = story.expected[p];
              const unarmed = story.unarmed?.includes(p) ?? false;
              return (
                <td key={p} className={verdictClass(v)} data-policy={p} data-unarmed={unarmed || undefined} title={unarmed ? NOTHING_ARMED : undefined}>
                  {unarmed ? `${v}*` : v}
                </td>
              );
            })}
          </tr>
        </tbody>
      </table>
      {story.unarmed?.length ? <p className="quiet">* {NOTHING_ARMED}</p> : null}
      <p className="check" data-testid={`check-${story.id}`}>
        {mismatches === undefined ? (
          <span className="quiet">expected; checked against the engine once opened</span>
        ) : mismatches.length === 0 ? (
          <span className="agree">✓ the engine agrees</span>
        ) : (
          <span className="disagree">✗ the engine differs: {mismatches.join("; ")}</span>
        )}
      </p>
    </div>
  );
}
