// SPDX-License-Identifier: GPL-2.0-only
/**
 * The engine worker's lifecycle, and the only code that talks to it.
 *
 *   running.booting ──ready──▶ running.idle ◀──loaded── running.loading
 *        ▲                                                    │
 *        └──────── recovering ◀── WORKER.DIED (throw, hang, exit)
 *
 * Recovery starts a new worker and replays the trace from the store; the
 * cursor, the trace text and the selection live in the store, so the user
 * loses no step. Two breakers stop the restarts: three crashes in 30 s, or
 * the watchdog killing the same load twice (a trace that hangs the engine
 * would hang every new worker), which says the line the load had reached. Snapshot requests are coalesced: at most one is in flight,
 * and while it is, only the latest wanted step is remembered.
 *
 * Sharing goes through here too: LINK and EMAIL ask the worker for the
 * loaded trace's permalink or email text (replies land in the store, a
 * stale one is dropped by seq); OPEN_TEXT reads a link or pasted text and,
 * if it holds a trace, loads it at the step it names (else an error notice;
 * at start-up, the fallback story). A link being read when the worker dies
 * is read again by the new one.
 */
import { assign, enqueueActions, sendTo, setup } from "xstate";
import type { CrashHow, OpDraft, OpenedView, ShareView, ToWorker } from "../worker/protocol";
import {
  applyLifetimes,
  applyLoaded,
  applyMatrix,
  applyParsed,
  applySnapshot,
  firstViolation,
  isOwnWork,
  savedTrace,
  setChoices,
  setWithoutChoice,
  setEmail,
  setHealth,
  setLink,
  setNotice,
  setOpening,
  setDryRun,
  setOps,
  setSource,
  setStoryId,
  useScope,
  type ScopeData,
} from "../store";
import { workerActor, type FromWorkerActor, type PostEvent, type WorkerFactory } from "./workerActor";

/** Where the cursor goes once a load finishes. */
export type Position = "keep" | "end" | "first-violation" | { step: number };

/** A trace to open when a link fails and nothing else is on screen. */
export type Fallback = () => { source: string; storyId: string | null } | null;

export interface EngineInput {
  createWorker: WorkerFactory;
  /** How long a snapshot or format request may go unanswered. */
  watchdogMs?: number;
  fallback?: Fallback;
}

interface Context {
  createWorker: WorkerFactory;
  watchdogMs: number;
  seq: number;
  loadSeq: number;
  position: Position;
  snapshot: { seq: number; step: number } | null;
  wanted: number | null;
  /**
   * The form's line being printed and tried, to commit unless the kernel
   * would refuse it (`force`: the user insisted, commit anyway).
   */
  format: { seq: number; draft: OpDraft; key: string; force: boolean } | null;
  /** The form's draft being tried only (the outcome shown before committing). */
  trying: { seq: number; key: string } | null;
  crashes: number[];
  recovering: string | null;
  fallback: Fallback;
  /** What the current load request ran. */
  loadFrom: ScopeData["loaded"];
  /** Share requests in flight: a reply with another seq is stale. */
  link: { seq: number; key: string } | null;
  email: { seq: number; key: string } | null;
  /** A link or pasted text being read; sent again after a crash. */
  open: { seq: number; text: string; as: "link" | "paste" } | null;
  /** The load in flight (what it replays) and the last line it reported. */
  loading: { key: string; line: number | null } | null;
  /** The last load the watchdog killed, and how many times in a row. */
  killed: { key: string; count: number; line: number | null } | null;
}

export type EngineEvent =
  | FromWorkerActor
  | { type: "LOAD"; position?: Position }
  | { type: "SHOW"; step: number }
  /**
   * Put the form's line after the step on screen, once the worker has tried
   * it there: a line the kernel would refuse is held back (the store's
   * dryRun says why) unless `force`. `key` names the draft and step (ops.ts dryRunKey).
   */
  | { type: "APPEND"; draft: OpDraft; key?: string; force?: boolean }
  /** Try the form's draft after the step on screen, without committing it (the outcome lands in the store's dryRun). */
  | { type: "TRY"; draft: OpDraft; key: string }
  | { type: "CRASH"; how: CrashHow }
  | { type: "RETRY" }
  /** The permalink of the view `key` describes (the reply goes to the store's `link`). */
  | { type: "LINK"; key: string; view: ShareView }
  | { type: "EMAIL"; key: string; view: ShareView; base: string }
  /** Open a permalink or pasted text (the reply replaces the trace, or sets an error notice). */
  | { type: "OPEN_TEXT"; text: string; as: "link" | "paste" };

/**
 * A load may take a while on a long trace: a quarter more than the
 * watchdog (10 s by default) plus 20 µs per character.
 */
const loadBudget = (source: string, watchdogMs: number) => watchdogMs * 1.25 + source.length * 0.02;
/** More crashes than this within CRASH_WINDOW_MS stop the automatic restarts. */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 30_000;

const post = (msg: ToWorker, budgetMs: number | null): PostEvent => ({ type: "POST", msg, budgetMs });

/** A load the watchdog killed this many times is not replayed again. */
const MAX_LOAD_KILLS = 2;
const loadKey = (s: Pick<ScopeData, "source" | "policyChoice" | "kernelChoice" | "withoutChoice">) =>
  `${s.policyChoice} ${s.kernelChoice} ${s.withoutChoice?.join(",") ?? ""} ${s.source}`;

/** The breaker's words: what happened, where, and what the user can do. */
function killedTwice(line: number | null): string {
  const where = line === null ? "" : ` (it was past line ${line})`;
  return `the engine stopped answering twice while replaying this trace${where}; it is not replayed again: edit the trace, or retry`;
}

export const engineMachine = setup({
  types: {
    context: {} as Context,
    events: {} as EngineEvent,
    input: {} as EngineInput,
  },
  actors: { worker: workerActor },
  guards: {
    hasSource: () => useScope.getState().source.length > 0,
    tooManyCrashes: ({ context }) => context.crashes.filter((t) => Date.now() - t < CRASH_WINDOW_MS).length >= MAX_CRASHES,
    // The watchdog killed this very load before: a third worker would hang too.
    loadKilledTwice: ({ context, event }) =>
      event.type === "WORKER.DIED" &&
      !!event.watchdog &&
      context.loading !== null &&
      context.killed?.key === context.loading.key &&
      context.killed.count + 1 >= MAX_LOAD_KILLS,
  },
  actions: {
    sendLoad: sendTo("worker", ({ context }) => {
      const { source, policyChoice, kernelChoice, withoutChoice } = useScope.getState();
      return post(
        { kind: "load", seq: context.loadSeq, source, policy: policyChoice, kernel: kernelChoice, without: withoutChoice },
        loadBudget(source, context.watchdogMs),
      );
    }),
    // A reply to an older load, or an older snapshot request, is stale.
    nextLoadSeq: assign(({ context }) => {
      const { source, policyChoice, kernelChoice, withoutChoice } = useScope.getState();
      return {
        seq: context.seq + 1,
        loadSeq: context.seq + 1,
        snapshot: null,
        wanted: null,
        loadFrom: { source, policyChoice, kernelChoice, withoutChoice },
        loading: { key: loadKey({ source, policyChoice, kernelChoice, withoutChoice }), line: null },
      };
    }),
    requestOpen: sendTo("worker", ({ context }) =>
      post({ kind: "open", seq: context.open!.seq, text: context.open!.text, as: context.open!.as }, context.watchdogMs),
    ),
    requestSnapshot: sendTo("worker", ({ context }) =>
      post({ kind: "snapshot", seq: context.snapshot!.seq, step: context.snapshot!.step }, context.watchdogMs),
    ),
    // Insisting skips the dry run: the user has seen its answer.
    requestFormat: sendTo("worker", ({ context }) =>
      post(
        {
          kind: "format",
          seq: context.format!.seq,
          op: context.format!.draft,
          ...(context.format!.force ? {} : { at: { loadSeq: context.loadSeq, step: useScope.getState().cursor } }),
        },
        context.watchdogMs,
      ),
    ),
    rememberPosition: assign(({ event }) => ({ position: (event as { position?: Position }).position ?? "keep" })),
  },
}).createMachine({
  id: "engine",
  context: ({ input }) => ({
    createWorker: input.createWorker,
    watchdogMs: input.watchdogMs ?? 8000,
    seq: 0,
    loadSeq: -1,
    position: "keep",
    snapshot: null,
    wanted: null,
    format: null,
    trying: null,
    crashes: [],
    recovering: null,
    fallback: input.fallback ?? (() => null),
    loadFrom: null,
    link: null,
    email: null,
    open: null,
    loading: null,
    killed: null,
  }),
  initial: "running",
  states: {
    running: {
      invoke: {
        id: "worker",
        src: "worker",
        input: ({ context }) => ({ createWorker: context.createWorker, readyBudgetMs: Math.max(context.watchdogMs, 10_000) }),
      },
      on: {
        "WORKER.DIED": [
          {
            guard: "loadKilledTwice",
            target: "failed",
            actions: ({ context }) => setHealth({ state: "failed", reason: killedTwice(context.loading!.line) }),
          },
          {
            guard: "tooManyCrashes",
            target: "failed",
            actions: ({ event }) => setHealth({ state: "failed", reason: event.reason }),
          },
          {
            target: "recovering",
            actions: [
              assign(({ context, event }) => ({
                crashes: [...context.crashes, Date.now()],
                recovering: event.reason,
                snapshot: null,
                wanted: null,
                killed:
                  event.watchdog && context.loading
                    ? {
                        key: context.loading.key,
                        count: context.killed?.key === context.loading.key ? context.killed.count + 1 : 1,
                        line: context.loading.line,
                      }
                    : context.killed,
              })),
              ({ event }) => setHealth({ state: "recovering", reason: event.reason }),
            ],
          },
        ],
        "WORKER.MESSAGE": [
          {
            guard: ({ context, event }) => event.msg.kind === "progress" && event.msg.seq === context.loadSeq && context.loading !== null,
            actions: assign(({ context, event }) => ({ loading: { ...context.loading!, line: event.msg.kind === "progress" ? event.msg.line : null } })),
          },
          {
            guard: ({ context, event }) => event.msg.kind === "matrix" && event.msg.seq === context.loadSeq,
            actions: ({ event }) => event.msg.kind === "matrix" && applyMatrix(event.msg.rows, event.msg.kernel, event.msg.shipped),
          },
          {
            guard: ({ context, event }) => event.msg.kind === "linked" && event.msg.seq === context.link?.seq,
            actions: [
              ({ context, event }) =>
                event.msg.kind === "linked" &&
                setLink({ key: context.link!.key, fragment: event.msg.fragment, problem: event.msg.problem, notes: event.msg.notes }),
              assign({ link: null }),
            ],
          },
          {
            guard: ({ context, event }) => event.msg.kind === "emailed" && event.msg.seq === context.email?.seq,
            actions: [
              ({ context, event }) =>
                event.msg.kind === "emailed" && setEmail({ key: context.email!.key, text: event.msg.text, url: event.msg.url, warnings: event.msg.warnings }),
              assign({ email: null }),
            ],
          },
          {
            guard: ({ context, event }) => event.msg.kind === "opened" && event.msg.seq === context.open?.seq,
            actions: enqueueActions(({ context, event, enqueue }) => {
              if (event.type !== "WORKER.MESSAGE" || event.msg.kind !== "opened") return;
              const as = context.open!.as;
              enqueue.assign({ open: null });
              setOpening(false);
              const r = event.msg.result;
              if (r.ok) {
                enqueue.raise({ type: "LOAD", position: showOpened(r.view) });
                return;
              }
              setNotice(
                as === "link"
                  ? { kind: "error", text: `This link cannot be opened: ${r.message}`, keepAddress: true }
                  : { kind: "error", text: `Nothing could be opened from the pasted text: ${r.message}` },
              );
              // A link that fails at start-up leaves the app on a story, not empty.
              const fallback = useScope.getState().source === "" ? context.fallback() : null;
              if (fallback) {
                setSource(fallback.source);
                setStoryId(fallback.storyId);
                enqueue.raise({ type: "LOAD", position: "first-violation" as Position });
              }
            }),
          },
          {
            guard: ({ context, event }) => event.msg.kind === "lifetimes" && event.msg.seq === context.loadSeq,
            actions: ({ event }) => event.msg.kind === "lifetimes" && applyLifetimes(event.msg),
          },
          {
            guard: ({ context, event }) => event.msg.kind === "formatted" && event.msg.seq === context.trying?.seq,
            actions: [
              ({ context, event }) =>
                event.msg.kind === "formatted" &&
                setDryRun({ key: context.trying!.key, line: event.msg.line, outcome: event.msg.outcome ?? null, heldBack: false }),
              assign({ trying: null }),
            ],
          },
          {
            guard: ({ context, event }) => event.msg.kind === "formatted" && event.msg.seq === context.format?.seq,
            actions: [
              enqueueActions(({ context, event, enqueue }) => {
                if (event.msg.kind !== "formatted") return;
                const { key, force } = context.format!;
                // A line the kernel would refuse waits for the user to insist.
                if (!force && event.msg.outcome?.refused) {
                  setDryRun({ key, line: event.msg.line, outcome: event.msg.outcome, heldBack: true });
                  enqueue.assign({ format: null });
                  return;
                }
                setDryRun(null);
                // The form acts on the state at the cursor: its line goes right after that step's.
                const { source, cursor, stepCount, columns } = useScope.getState();
                const placed = insertAfterStep(source, columns.lines, cursor, stepCount, event.msg.line);
                setSource(placed.source, "edit");
                enqueue.assign({ format: null });
                enqueue.raise({ type: "LOAD", position: { step: placed.step } });
              }),
            ],
          },
        ],
        APPEND: {
          actions: [
            assign(({ context, event }) => ({
              seq: context.seq + 1,
              format: { seq: context.seq + 1, draft: event.draft, key: event.key ?? "", force: event.force ?? false },
            })),
            "requestFormat",
          ],
        },
        TRY: {
          actions: [
            assign(({ context, event }) => ({ seq: context.seq + 1, trying: { seq: context.seq + 1, key: event.key } })),
            sendTo("worker", ({ context, event }) =>
              post(
                {
                  kind: "format",
                  seq: context.trying!.seq,
                  op: (event as Extract<EngineEvent, { type: "TRY" }>).draft,
                  at: { loadSeq: context.loadSeq, step: useScope.getState().cursor, later: true },
                },
                context.watchdogMs,
              ),
            ),
          ],
        },
        LINK: {
          actions: [
            assign(({ context, event }) => ({ seq: context.seq + 1, link: { seq: context.seq + 1, key: event.key } })),
            sendTo("worker", ({ context, event }) =>
              post({ kind: "link", seq: context.seq, loadSeq: context.loadSeq, view: (event as { view: ShareView }).view }, context.watchdogMs),
            ),
          ],
        },
        EMAIL: {
          actions: [
            assign(({ context, event }) => ({ seq: context.seq + 1, email: { seq: context.seq + 1, key: event.key } })),
            sendTo("worker", ({ context, event }) => {
              const e = event as Extract<EngineEvent, { type: "EMAIL" }>;
              return post({ kind: "email", seq: context.seq, loadSeq: context.loadSeq, view: e.view, base: e.base }, context.watchdogMs);
            }),
          ],
        },
        OPEN_TEXT: {
          actions: [
            assign(({ context, event }) => ({ seq: context.seq + 1, open: { seq: context.seq + 1, text: event.text, as: event.as } })),
            () => setOpening(true),
            "requestOpen",
          ],
        },
        CRASH: {
          actions: [
            assign(({ context }) => ({ seq: context.seq + 1 })),
            sendTo("worker", ({ context, event }) => post({ kind: "crash", seq: context.seq, how: event.how }, context.watchdogMs)),
          ],
        },
      },
      initial: "booting",
      states: {
        booting: {
          on: {
            "WORKER.MESSAGE": {
              guard: ({ event }) => event.msg.kind === "ready",
              actions: ({ event }) => event.msg.kind === "ready" && setOps(event.msg.ops),
              target: "afterBoot",
            },
            LOAD: { actions: "rememberPosition" },
          },
        },
        afterBoot: {
          always: [
            { guard: "hasSource", target: "loading" },
            {
              target: "idle",
              actions: enqueueActions(({ context, enqueue }) => {
                setHealth({ state: "ready" });
                if (context.open) enqueue("requestOpen");
              }),
            },
          ],
        },
        loading: {
          entry: ["nextLoadSeq", "sendLoad"],
          on: {
            LOAD: { target: "loading", reenter: true, actions: "rememberPosition" },
            "WORKER.MESSAGE": [
              {
                guard: ({ context, event }) => event.msg.kind === "parsed" && event.msg.seq === context.loadSeq,
                actions: ({ event }) => event.msg.kind === "parsed" && applyParsed(event.msg),
              },
              {
                guard: ({ context, event }) => event.msg.kind === "loaded" && event.msg.seq === context.loadSeq,
                target: "idle",
                actions: enqueueActions(({ context, event, enqueue }) => {
                  if (event.type !== "WORKER.MESSAGE" || event.msg.kind !== "loaded") return;
                  applyLoaded(event.msg, positionFor(context.position, event.msg), context.loadFrom);
                  setHealth(context.recovering ? { state: "recovered", reason: context.recovering } : healthAfterLoad());
                  enqueue.assign({
                    position: "keep" as Position,
                    recovering: null,
                    loading: null,
                    killed: null,
                    ...nextSnapshot(context, useScope.getState().cursor),
                  });
                  enqueue("requestSnapshot");
                  // An operation the user applied just before a crash.
                  if (context.format) enqueue("requestFormat");
                  // A link being read when the worker died.
                  if (context.open && context.recovering) enqueue("requestOpen");
                }),
              },
              {
                guard: ({ context, event }) => event.msg.kind === "failed" && event.msg.seq === context.loadSeq,
                target: "idle",
                actions: assign({ loading: null }),
              },
            ],
          },
        },
        idle: {
          on: {
            LOAD: { target: "loading", actions: "rememberPosition" },
            SHOW: [
              { guard: ({ context }) => context.snapshot !== null, actions: assign(({ event }) => ({ wanted: event.step })) },
              { actions: [assign(({ context, event }) => nextSnapshot(context, event.step)), "requestSnapshot"] },
            ],
            "WORKER.MESSAGE": {
              guard: ({ context, event }) => event.msg.kind === "snapshot" && event.msg.seq === context.snapshot?.seq,
              actions: enqueueActions(({ context, event, enqueue }) => {
                if (event.type !== "WORKER.MESSAGE" || event.msg.kind !== "snapshot") return;
                const m = event.msg;
                applySnapshot(m.step, m.view, m.prev, m.detail, m.caption);
                if (context.wanted !== null && context.wanted !== m.step) {
                  enqueue.assign(nextSnapshot(context, context.wanted));
                  enqueue("requestSnapshot");
                } else {
                  enqueue.assign({ snapshot: null, wanted: null });
                }
              }),
            },
          },
        },
      },
    },
    recovering: {
      // Leaving `running` terminated the old worker; entering it again
      // starts a new one, which replays the trace in the store.
      after: { 50: { target: "running" } },
    },
    failed: {
      on: {
        RETRY: { target: "running", actions: assign({ crashes: [] as number[], killed: null }) },
        // An edited trace gets a new worker; the same one would be refused
        // again at its next kill (killed is kept).
        LOAD: { target: "running", actions: [assign({ crashes: [] as number[] }), "rememberPosition"] },
      },
    },
  },
});

/** The loaded trace's health: ready, unless it is a recovery being reported. */
function healthAfterLoad() {
  const h = useScope.getState().health;
  return h.state === "recovered" ? h : ({ state: "ready" } as const);
}

function nextSnapshot(context: Context, step: number): Pick<Context, "seq" | "snapshot" | "wanted"> {
  return { seq: context.seq + 1, snapshot: { seq: context.seq + 1, step }, wanted: null };
}

function positionFor(position: Position, loaded: { stepCount: number; columns: Parameters<typeof firstViolation>[0] }): number | undefined {
  switch (position) {
    case "keep":
      return undefined;
    case "end":
      return loaded.stepCount;
    case "first-violation":
      return firstViolation(loaded.columns) ?? loaded.stepCount;
    default:
      return position.step;
  }
}

/**
 * Puts an opened view into the store (the trace, the choices, the
 * selection to make once its step is drawn) and says where the cursor
 * goes. The user's own trace, if it is replaced, is offered back.
 */
function showOpened(view: OpenedView): Position {
  const before = useScope.getState();
  const previous = isOwnWork() && before.source !== view.source ? savedTrace() : undefined;
  const notes = [...view.notes];
  if (previous) notes.push("Your previous trace is kept until you open something else.");
  setNotice(notes.length ? { kind: "info", text: notes.join(" "), ...(previous ? { previous } : {}) } : null);
  setChoices(view.policyChoice, view.kernelChoice);
  setWithoutChoice(view.withoutChoice ?? null);
  setSource(view.source);
  setStoryId(view.storyId);
  useScope.setState({ selection: null, pendingSelection: view.selection });
  return view.step === null ? "first-violation" : { step: view.step };
}

/** Append one operation line, keeping the file's final newline. */
export function appendLine(source: string, line: string): string {
  if (source.length === 0) return `${line}\n`;
  return source.endsWith("\n") ? `${source}${line}\n` : `${source}\n${line}\n`;
}

/**
 * Put one operation line right after the line of step `cursor` (the state
 * the form showed), so the new step acts on that state and later steps
 * re-run after it; at the last step (or with no step) it is appended.
 * Returns the new text and the new operation's step number.
 */
export function insertAfterStep(source: string, lines: Int32Array, cursor: number, stepCount: number, line: string): { source: string; step: number } {
  if (cursor >= stepCount || lines.length < stepCount || stepCount === 0) return { source: appendLine(source, line), step: stepCount + 1 };
  const rows = source.split("\n");
  // After step `cursor`'s line; at step 0, before the first operation's line.
  const at = cursor === 0 ? lines[0] - 1 : lines[cursor - 1];
  rows.splice(at, 0, line);
  return { source: rows.join("\n"), step: cursor + 1 };
}
