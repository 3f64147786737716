// SPDX-License-Identifier: GPL-2.0-only
/**
 * Highlighting for the trace language in CodeMirror: a stream tokenizer
 * (the grammar is one operation per line, so a line-at-a-time tokenizer is
 * exact). Headers (`# title: ...`), comments, operation names, object
 * names, numbers and keywords get their own highlight tags; the colours
 * follow the app's theme variables.
 *
 * Only the lines on screen are tokenized (`traceHighlighting`, a view
 * plugin), not the document: as a CodeMirror language (StreamLanguage) the
 * tokenizer parsed the whole text in the background, which on a
 * 1,000,000-line file opened and scrubbed meant idle callbacks of up to
 * 100 ms each on the UI thread, a re-parse from the top after every open,
 * and nothing gained: no line's tokens depend on another line.
 */
import { HighlightStyle, StringStream, syntaxHighlighting, type StreamParser } from "@codemirror/language";
import { RangeSetBuilder, type Extension } from "@codemirror/state";
import { Decoration, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from "@codemirror/view";
import { tags as t, type Tag } from "@lezer/highlight";

const KEYWORDS = new Set(["guest", "host", "true", "false"]);
const HEADER = /^#\s*(title|policy|kernel)\s*:/;

interface LineState {
  /** Seen `name =` or an operation name on this line: the next identifier is an argument. */
  sawCall: boolean;
}

/** Token names are CodeMirror's legacy names, mapped to highlight tags below. */
export const traceParser: StreamParser<LineState> = {
  name: "skbtrace",
  startState: () => ({ sawCall: false }),
  token(stream, state) {
    if (stream.sol()) state.sawCall = false;
    if (stream.eatSpace()) return null;
    if (stream.peek() === "#") {
      const header = stream.sol() && HEADER.test(stream.string.slice(stream.pos));
      stream.skipToEnd();
      return header ? "meta" : "comment";
    }
    if (stream.match(/^(0[xX][0-9a-fA-F]+|[0-9]+)/)) return "number";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      if (KEYWORDS.has(word[0])) return "atom";
      // An identifier followed by "(" is the operation.
      if (!state.sawCall && stream.match(/^\s*\(/, false)) {
        state.sawCall = true;
        return "keyword";
      }
      return "variableName";
    }
    stream.next();
    return "punctuation";
  },
};

/** Colours from the app's CSS variables, so both themes keep their contrast. */
const traceHighlight = HighlightStyle.define([
  { tag: t.keyword, color: "var(--cm-op)", fontWeight: "600" },
  { tag: t.variableName, color: "var(--cm-name)" },
  { tag: t.number, color: "var(--cm-number)" },
  { tag: t.atom, color: "var(--cm-atom)" },
  { tag: t.comment, color: "var(--cm-comment)", fontStyle: "italic" },
  { tag: t.meta, color: "var(--cm-header)", fontWeight: "600" },
  { tag: t.punctuation, color: "var(--muted)" },
]);

/** The tokenizer's token names and their highlight tags. */
const TAGS: Record<string, Tag> = {
  keyword: t.keyword,
  variableName: t.variableName,
  number: t.number,
  atom: t.atom,
  comment: t.comment,
  meta: t.meta,
  punctuation: t.punctuation,
};
const MARKS = new Map(Object.entries(TAGS).map(([name, tag]) => [name, Decoration.mark({ class: traceHighlight.style([tag]) ?? "" })]));

/** A line longer than this is highlighted up to here (a pasted blob must not stall a scroll). */
const MAX_TOKENIZED = 4000;

/** The tokens of one line: [start, end, token name], in order. */
export function lineTokens(text: string): [number, number, string][] {
  const out: [number, number, string][] = [];
  const stream = new StringStream(text.length > MAX_TOKENIZED ? text.slice(0, MAX_TOKENIZED) : text, 4, 2);
  const state = traceParser.startState!(2);
  while (!stream.eol()) {
    const style = traceParser.token(stream, state);
    if (stream.pos === stream.start) stream.next(); // never stuck on a character
    if (style) out.push([stream.start, stream.pos, style]);
    stream.start = stream.pos;
  }
  return out;
}

/** Marks for the tokens of the lines in view. */
function visibleTokens(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  const doc = view.state.doc;
  for (const { from, to } of view.visibleRanges) {
    for (let line = doc.lineAt(from); ; line = doc.line(line.number + 1)) {
      for (const [start, end, name] of lineTokens(line.text)) {
        const mark = MARKS.get(name);
        if (mark) builder.add(line.from + start, line.from + end, mark);
      }
      if (line.to >= to || line.number === doc.lines) break;
    }
  }
  return builder.finish();
}

const highlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = visibleTokens(view);
    }
    update(u: ViewUpdate) {
      if (u.docChanged || u.viewportChanged) this.decorations = visibleTokens(u.view);
    }
  },
  { decorations: (p) => p.decorations },
);

/** The highlighter and its style (syntaxHighlighting mounts the style's CSS classes). */
export const traceHighlighting: Extension = [highlighter, syntaxHighlighting(traceHighlight)];
