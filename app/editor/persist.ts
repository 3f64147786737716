// SPDX-License-Identifier: GPL-2.0-only
/**
 * Nothing is lost: the trace on screen (the "session": text, choices,
 * cursor) is saved locally after every change, whether or not it parses,
 * and restored on reload and on the next visit; the user's own traces are
 * kept in a "recent traces" list (the last RECENT_MAX, newest first, with
 * a title and the date). localStorage, behind a small interface so the
 * logic is tested in Node; a full storage evicts the oldest traces first.
 */
import type { KernelId, PolicyId } from "../../core/index";

export const RECENT_MAX = 20;
const SESSION_KEY = "skbscope:session";
const INDEX_KEY = "skbscope:recent";
const traceKey = (id: string) => `skbscope:trace:${id}`;

export type KeyValue = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** What is on screen, as saved. */
export interface Session {
  /** The recent-list entry this text belongs to (null: not the user's own work, e.g. a story as shipped). */
  readonly id: string | null;
  readonly source: string;
  readonly policyChoice: PolicyId | null;
  readonly kernelChoice: KernelId | null;
  readonly cursor: number;
  readonly storyId: string | null;
  /** The selected object's name. */
  readonly selection?: string | null;
  /** The address bar's fragment when it was saved: a reload at that address restores this, the newer truth. */
  readonly fragment: string;
  readonly savedAt: number;
}

export interface RecentEntry {
  readonly id: string;
  readonly title: string;
  readonly savedAt: number;
  readonly lines: number;
}

/** `# title: ...`, else the first operation line, else "untitled trace". */
export function titleOf(source: string): string {
  const header = /^#\s*title\s*:(.*)$/m.exec(source.slice(0, 4096));
  if (header && header[1].trim()) return header[1].trim().slice(0, 120);
  for (const line of source.slice(0, 4096).split("\n")) {
    const code = line.replace(/#.*$/, "").trim();
    if (code) return code.slice(0, 120);
  }
  return "untitled trace";
}

function countLines(s: string): number {
  let n = s.length && !s.endsWith("\n") ? 1 : 0;
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) n++;
  return n;
}

export class Drafts {
  /** The text last written for each id: a save that only moved the cursor does not write a long text again. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly storage: KeyValue,
    private readonly now: () => number = Date.now,
  ) {}

  session(): Session | null {
    const s = readJson<Omit<Session, "source"> & { source: string | null }>(this.storage, SESSION_KEY);
    if (!s || typeof s !== "object") return null;
    // The user's own text is stored once, in its recent entry.
    const source = s.source ?? (s.id !== null ? this.source(s.id) : null);
    return typeof source === "string" ? { ...s, source } : null;
  }

  recent(): RecentEntry[] {
    const list = readJson<RecentEntry[]>(this.storage, INDEX_KEY);
    return Array.isArray(list) ? list.filter((e) => e && typeof e.id === "string") : [];
  }

  /** A recent trace's text, or null if it is gone. */
  source(id: string): string | null {
    return this.storage.getItem(traceKey(id));
  }

  /** A new id for a trace the user starts (a new trace, or an edit of something opened). */
  newId(): string {
    return `${this.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  }

  /**
   * Save what is on screen; if it is the user's own work (it has an id),
   * also its entry at the top of the recent list. Returns false when even
   * the session could not be stored.
   */
  save(session: Omit<Session, "savedAt">): boolean {
    const saved: Session = { ...session, savedAt: this.now() };
    const inRecent = saved.id !== null && this.saveRecent(saved.id, saved.source, saved.savedAt);
    return this.write(SESSION_KEY, JSON.stringify(inRecent ? { ...saved, source: null } : saved));
  }

  remove(id: string): void {
    this.written.delete(id);
    this.storage.removeItem(traceKey(id));
    this.storage.setItem(INDEX_KEY, JSON.stringify(this.recent().filter((e) => e.id !== id)));
  }

  /** Whether the text itself could be stored. */
  private saveRecent(id: string, source: string, savedAt: number): boolean {
    const entry: RecentEntry = { id, title: titleOf(source), savedAt, lines: countLines(source) };
    let list = [entry, ...this.recent().filter((e) => e.id !== id)];
    for (const dropped of list.slice(RECENT_MAX)) {
      this.written.delete(dropped.id);
      this.storage.removeItem(traceKey(dropped.id));
    }
    list = list.slice(0, RECENT_MAX);
    // A full storage: the oldest traces go first (never the one being saved).
    let stored = this.written.get(id) === source || this.write(traceKey(id), source);
    while (!stored && list.length > 1) {
      const oldest = list.pop()!;
      this.written.delete(oldest.id);
      this.storage.removeItem(traceKey(oldest.id));
      stored = this.write(traceKey(id), source);
    }
    if (stored) this.written.set(id, source);
    else list = list.filter((e) => e.id !== id);
    this.write(INDEX_KEY, JSON.stringify(list));
    return stored;
  }

  private write(key: string, value: string): boolean {
    try {
      this.storage.setItem(key, value);
      return true;
    } catch {
      return false;
    }
  }
}

function readJson<T>(storage: KeyValue, key: string): T | null {
  try {
    const text = storage.getItem(key);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

/** The browser's localStorage, or null where it is denied (a sandboxed iframe). */
export function browserStorage(): KeyValue | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}
