// SPDX-License-Identifier: GPL-2.0-only
/**
 * The trace language for CodeMirror: a stream tokenizer (the grammar is
 * one operation per line, so a line-at-a-time tokenizer is exact and
 * cheap on a 100,000-line trace). Headers (`# title: ...`), comments,
 * operation names, object names, numbers and keywords get their own
 * highlight tags; the colours follow the app's theme variables.
 */
import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StreamParser } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

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

export const traceLanguage = StreamLanguage.define(traceParser);

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

export const traceHighlighting = syntaxHighlighting(traceHighlight);
