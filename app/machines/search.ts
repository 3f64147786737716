// SPDX-License-Identifier: GPL-2.0-only
/**
 * The counterexample search (issue 7): what may happen next, and the only
 * code that talks to the search workers.
 *
 *   idle ──START──▶ running ──SEARCH.DONE──▶ done
 *                    │  ▲ └──SEARCH.FAILED──▶ failed
 *                    │  └──── START (from done, failed, cancelled)
 *                    └──CANCEL──▶ cancelled
 *
 * Entering `running` starts a job: a pool of search workers (one per core,
 * see searchWorkerCount) and the job module, loaded on demand because it
 * carries the engine (searchJob.ts). Progress reaches the store at most
 * every PROGRESS_EVERY_MS; each finished search of the job at once.
 * Leaving `running`, for any reason, terminates every worker of the job
 * and rejects its tasks in flight: a cancel is immediate, a job never
 * outlives its state, and the next START gets new workers.
 */
import { assign, fromCallback, setup } from "xstate";
import type { FindingKind } from "../../core/index";
import {
  addSearchPhase,
  beginSearch,
  failSearch,
  finishSearch,
  setSearchProgress,
  type SearchPhase,
  type SearchProgress,
  type SearchRequest,
  type SearchSummary,
} from "../store";
import { PoolClosed, createSearchPool, type SearchWorkerFactory } from "./searchPool";

type JobModule = typeof import("./searchJob");

/*
 * core/search's defaults and kind order, restated here because the main
 * bundle carries no engine (search.test.ts checks they agree).
 */
export const SEARCH_KINDS: readonly FindingKind[] = [
  "premature",
  "duplicate",
  "missed",
  "late",
  "use-after-free",
  "double-free",
  "refcount-underflow",
  "conservation",
];
export const SEARCH_DEFAULT_DEPTH = 3;
export const SEARCH_DEFAULT_STATES = 200_000;
export const SEARCH_DEFAULT_PREFIX_TEXT = `g = alloc_page(guest)
a = alloc_skb(256)
skb_fill_page_desc(a, 0, g, 0, 4096)
zerocopy_arm(a)
`;

/** Whether the search can run a policy on a kernel: the policy registry's data, no engine. */
export { policyApplies as searchPolicyApplies } from "../../core/model/policies";

/** The longest search the panel offers: depth 6 means hours on two cores (npm run bench). */
export const MAX_SEARCH_DEPTH = 6;
/** The visited set lives in this thread as 64-bit fingerprints plus the path tree, about 25 bytes a state (npm run bench): 20 million is ~0.5 GB. */
export const MAX_SEARCH_STATES = 20_000_000;
/** At most one progress update per this many milliseconds (the bar, not the search, pays for React). */
export const PROGRESS_EVERY_MS = 100;
/** More workers than this buy little: this thread merges every slice. */
export const MAX_SEARCH_WORKERS = 8;

/** One search worker per core the browser reports, capped. */
export function searchWorkerCount(hardwareConcurrency: number | undefined): number {
  return Math.max(1, Math.min(MAX_SEARCH_WORKERS, Math.floor(hardwareConcurrency || 2)));
}

/** Can this request run (bounds in range)? The panel asks through snapshot.can(). */
export function validRequest(r: SearchRequest): boolean {
  const whole = (n: number, lo: number, hi: number) => Number.isInteger(n) && n >= lo && n <= hi;
  return (
    whole(r.maxDepth, 1, MAX_SEARCH_DEPTH) &&
    whole(r.maxStates, 1, MAX_SEARCH_STATES) &&
    (r.kinds === null || r.kinds.length > 0) &&
    (r.start.from === "default" || whole(r.start.step, 0, Number.MAX_SAFE_INTEGER))
  );
}

export interface SearchInput {
  createWorker: SearchWorkerFactory;
  /** Workers per job. */
  workers: number;
  /** Loads the job module (default: a dynamic import, its own chunk). */
  loadJob?: () => Promise<JobModule>;
  clock?: () => number;
  /** How long a worker may take over one slice before it is declared hung. */
  taskBudgetMs?: number;
}

export type SearchEvent =
  | { type: "START"; request: SearchRequest }
  | { type: "CANCEL" }
  | { type: "SEARCH.PROGRESS"; progress: SearchProgress }
  | { type: "SEARCH.PHASE"; phase: SearchPhase }
  | { type: "SEARCH.DONE"; summary: SearchSummary }
  | { type: "SEARCH.FAILED"; message: string };

interface Context {
  createWorker: SearchWorkerFactory;
  workers: number;
  loadJob: () => Promise<JobModule>;
  clock: () => number;
  taskBudgetMs: number | undefined;
  request: SearchRequest | null;
}

interface SearcherInput {
  request: SearchRequest;
  createWorker: SearchWorkerFactory;
  workers: number;
  loadJob: () => Promise<JobModule>;
  clock: () => number;
  taskBudgetMs: number | undefined;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** One job: its workers live exactly as long as this actor. */
const searcher = fromCallback<SearchEvent, SearcherInput, SearchEvent>(({ sendBack, input }) => {
  let stopped = false;
  let latest: SearchProgress | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (latest && !stopped) sendBack({ type: "SEARCH.PROGRESS", progress: latest });
    latest = null;
  };
  const pool = createSearchPool(input.createWorker, input.workers, { taskBudgetMs: input.taskBudgetMs });
  input
    .loadJob()
    .catch((e: unknown) => {
      throw new Error(`the search could not be loaded: ${messageOf(e)}`);
    })
    .then((job) =>
      job.runSearchJob(input.request, pool, {
        onProgress(progress) {
          latest = progress;
          if (timer === null) timer = setTimeout(flush, PROGRESS_EVERY_MS);
        },
        onPhase(phase) {
          flush();
          if (!stopped) sendBack({ type: "SEARCH.PHASE", phase });
        },
        shouldStop: () => stopped,
        clock: input.clock,
      }),
    )
    .then(
      (summary) => {
        if (stopped) return;
        flush();
        sendBack({ type: "SEARCH.DONE", summary });
      },
      (e: unknown) => {
        if (stopped || e instanceof PoolClosed) return;
        sendBack({ type: "SEARCH.FAILED", message: messageOf(e) });
      },
    );
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    pool.terminate();
  };
});

const start = {
  guard: "validRequest",
  target: "#search.running",
  actions: "begin",
} as const;

export const searchMachine = setup({
  types: {
    context: {} as Context,
    events: {} as SearchEvent,
    input: {} as SearchInput,
  },
  actors: { searcher },
  guards: {
    validRequest: ({ event }) => event.type === "START" && validRequest(event.request),
  },
  actions: {
    begin: assign(({ context, event }) => {
      if (event.type !== "START") return {};
      beginSearch(event.request, context.workers);
      return { request: event.request };
    }),
  },
}).createMachine({
  id: "search",
  context: ({ input }) => ({
    createWorker: input.createWorker,
    workers: Math.max(1, input.workers),
    loadJob: input.loadJob ?? (() => import("./searchJob")),
    clock: input.clock ?? (() => performance.now()),
    taskBudgetMs: input.taskBudgetMs,
    request: null,
  }),
  initial: "idle",
  states: {
    idle: { on: { START: start } },
    running: {
      invoke: {
        src: "searcher",
        input: ({ context }) => ({
          request: context.request!,
          createWorker: context.createWorker,
          workers: context.workers,
          loadJob: context.loadJob,
          clock: context.clock,
          taskBudgetMs: context.taskBudgetMs,
        }),
      },
      on: {
        "SEARCH.PROGRESS": { actions: ({ event }) => setSearchProgress(event.progress) },
        "SEARCH.PHASE": { actions: ({ event }) => addSearchPhase(event.phase) },
        "SEARCH.DONE": { target: "done", actions: ({ event }) => finishSearch(event.summary) },
        "SEARCH.FAILED": { target: "failed", actions: ({ event }) => failSearch(event.message) },
        CANCEL: { target: "cancelled" },
      },
    },
    done: { on: { START: start } },
    failed: { on: { START: start } },
    cancelled: { on: { START: start } },
  },
});
