// SPDX-License-Identifier: GPL-2.0-only
/**
 * skbscope link FILE   prints the trace's permalink (the app's URL
 *                      fragment; with --base URL, the whole address)
 * skbscope open LINK   prints the trace a permalink holds (stdout), and
 *                      the view it restores and any notes (stderr)
 *
 * The codec is core/permalink, the same the app uses, so a link made here
 * opens in the app and one copied from the app's address bar opens here.
 * A story's link carries the story's id, not its narration: both commands
 * read the story files (stories/catalog.ts names them) to match or
 * restore it, and carry on without narration if they cannot.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseTrace, printTrace, settings, stripPositions, type PolicyId } from "../core/index";
import { decodePermalink, encodePermalink, same, type LinkView, type StoryLookup } from "../core/permalink";
import { CATALOG } from "../stories/catalog";
import { BadInput, addCommand, kernelOption, loadTrace, policyOption, type Io } from "./skbscope";

const STORIES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "stories");

/** A story's trace text by id, read from its file; undefined when it cannot be read. */
function storyLookup(io: Io): StoryLookup {
  return (id) => {
    const meta = CATALOG.find((s) => s.id === id);
    if (!meta) return undefined;
    try {
      return io.readFile(join(STORIES_DIR, meta.file));
    } catch {
      return undefined;
    }
  };
}

/** The story whose trace this is, word for word (its link is then shorter and restores the narration). */
function storyOf(io: Io, trace: LinkView["trace"]): string | null {
  const stories = storyLookup(io);
  const mine = stripPositions(trace);
  for (const s of CATALOG) {
    const source = stories(s.id);
    if (source !== undefined && same(stripPositions(parseTrace(source).trace), mine)) return s.id;
  }
  return null;
}

async function cmdLink(io: Io, file: string | undefined, values: Record<string, unknown>): Promise<number> {
  const trace = loadTrace(io, file);
  const chosen = settings(trace, {
    policy: policyOption(values.policy as string | undefined, false) as PolicyId | undefined,
    kernel: kernelOption(values.kernel as string | undefined),
  });
  const view: LinkView = { trace, ...chosen, step: trace.ops.length, selection: null, storyId: storyOf(io, trace) };
  const made = await encodePermalink(view, { stories: storyLookup(io) });
  if (!made.ok) throw new BadInput(`${file}: ${made.error.message}`);
  const base = values.base as string | undefined;
  io.out(base === undefined ? `#${made.value}` : `${base.replace(/#.*$/, "")}#${made.value}`);
  return 0;
}

async function cmdOpen(io: Io, link: string | undefined): Promise<number> {
  if (!link) throw new BadInput("no link given");
  const opened = await decodePermalink(link, { stories: storyLookup(io) });
  if (!opened.ok) throw new BadInput(`cannot open the link: ${opened.error.message}`);
  const v = opened.value;
  io.out(printTrace(v.trace).replace(/\n$/, ""));
  const view = `view: policy ${v.policy}, kernel ${v.kernel}, step ${v.step} of ${v.trace.ops.length}${v.selection ? `, selection ${v.selection}` : ""}${v.storyId ? `, story ${v.storyId}` : ""}`;
  io.err(`skbscope: ${view}`);
  for (const note of v.notes) io.err(`skbscope: note: ${note}`);
  return 0;
}

addCommand("link", cmdLink);
addCommand("open", (io, link) => cmdOpen(io, link));
