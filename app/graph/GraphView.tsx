// SPDX-License-Identifier: GPL-2.0-only
/**
 * The live graph. React hands D3 one <svg>; D3 joins nodes and edges into
 * it keyed by kernel names, so an object keeps its element (and its place:
 * see layout.ts) across steps, and enter/update/exit animate. User text
 * only ever reaches the DOM through .text().
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { pointer, select, type Selection } from "d3-selection";
import "d3-transition";
import { zoom, zoomIdentity, zoomTransform, type ZoomBehavior } from "d3-zoom";
import { stackToFit } from "./stacks";
import { bundlesOf, type Bundle } from "./bundles";
import { easeCubicOut } from "d3-ease";
import type { Finding, StateView } from "../../core/index";
import { buildGraph, COLUMN, type Counter, type Graph, type GraphEdge, type GraphNode, type NodeKind } from "./model";
import { related } from "./highlight";
import { EMPTY_LAYOUT, foldedAway, nextLayout, rowCount, tidyLayout, type Layout } from "./layout";
import { layoutObjects } from "./grouping";
import { CHIP_H, DETAIL_EVENT, chipChanged, chipLabel, chipWidth, columnHeads, COMPACT, FULL, fitsReadably, wantsCompact, type Geometry } from "./detail";

const COL_X = FULL.colX;
const WIDTH: Record<NodeKind, number> = { sock: 145, skb: 150, data: 190, page: 130, pipe: 170, buffer: 170, ubuf: 170 };
const HEIGHT: Record<NodeKind, number> = { sock: 62, skb: 80, data: 92, page: 80, pipe: 62, buffer: 62, ubuf: 62 };
/**
 * A step that adds or removes more objects than this (a new trace, a long
 * jump) is drawn at once: fading hundreds of nodes costs every frame of
 * the fade a long task, and nobody can follow that many anyway.
 */
const MAX_ANIMATED = 40;

export interface GraphProps {
  view: StateView | null;
  prev: StateView | null;
  findings: readonly Finding[];
  selection: string | null;
  /** A node's key, or null for a click on the background. */
  onSelect: (key: string | null) => void;
  /** The object to light up with its holders and what it holds (null: none). */
  highlight: string | null;
  /** The pointer or the keyboard focus is on this object now (null: left it). */
  onPoint: (key: string | null) => void;
  /** Reserve the socket column when the trace has sockets, so it never shifts the rest. */
  socketColumn: boolean;
  /** Bumped to re-fit the view (a new trace, the Fit button). */
  fitToken: number;
  reducedMotion: boolean;
  /** The largest zoom a fit may use: presentation mode scales a small graph up to the stage. */
  maxScale?: number;
  /** Clone stacks the user opened (stackKey of their Data); the others are drawn as one node. */
  expandedStacks?: ReadonlySet<string>;
  /** Bumped to lay every object out afresh, grouped and packed (the "tidy" button); otherwise objects never move. */
  tidyToken?: number;
}

/** The performance measure each drawing of the graph leaves (its model, stacks, layout and D3 join). */
export const DRAW_MEASURE = "skbscope:graph-draw";

/** `lead`: units a chip keeps free at its left for a bundle's count pill (0: none). */
type Positioned = GraphNode & { x: number; y: number; w: number; h: number; compact: boolean; lead: number };

/** Every node at its slot, in the full drawing's or the chips' geometry. */
function placeAll(nodes: readonly GraphNode[], layout: Layout, g: Geometry, socketColumn: boolean, bundles: ReadonlyMap<string, Bundle>): Positioned[] {
  const xOffset = socketColumn ? 0 : g.colX[1];
  return nodes.map((n) => {
    const slot = layout.get(n.key)!;
    const x = g.colX[slot.col] - xOffset;
    const y = g.top + slot.row * g.rowH;
    if (!g.compact) return { ...n, x, y, w: nodeWidth(n, slot.col), h: HEIGHT[n.kind], compact: false, lead: 0 };
    const bundle = bundles.get(n.key);
    const lead = bundle ? pillWidth(bundle, true) / 2 : 0;
    return { ...n, x, y, w: chipWidth(n, slot.col) + lead, h: CHIP_H, compact: true, lead };
  });
}

/** The drawing's extent; at least a few boxes' worth, so a fit never blows one object up (chips are smaller). */
function boundsOf(placed: readonly Positioned[]): { w: number; h: number } {
  const [minW, minH] = placed[0]?.compact ? [220, 90] : [400, 200];
  return { w: Math.max(minW, ...placed.map((n) => n.x + n.w)) + 20, h: Math.max(minH, ...placed.map((n) => n.y + n.h)) + 20 };
}

export function GraphView(props: GraphProps) {
  const svgRef = useRef<SVGSVGElement>(null);
  const layoutRef = useRef<Layout>(EMPTY_LAYOUT);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const boundsRef = useRef({ w: 1, h: 1 });
  // The panel's size, kept by a ResizeObserver: reading it from the layout right after a
  // step's drawing would force a layout of every node (8 ms a step at 300 objects).
  const sizeRef = useRef({ width: 0, height: 0 });
  const userZoomedRef = useRef(false);
  const onSelectRef = useRef(props.onSelect);
  onSelectRef.current = props.onSelect;
  const onPointRef = useRef(props.onPoint);
  onPointRef.current = props.onPoint;

  // What the minimap shows: the nodes as last placed.
  const placedRef = useRef<readonly Positioned[]>([]);
  const minimapRef = useRef<() => void>(() => {});
  minimapRef.current = () => {
    if (svgRef.current && zoomRef.current) drawMinimap(svgRef.current, zoomRef.current, placedRef.current, sizeRef.current, boundsRef.current);
  };
  const expanded = props.expandedStacks;
  const maxScale = props.maxScale ?? 1.5;
  // How long the graph model and its stacking took (in React's render), counted in DRAW_MEASURE with the drawing.
  const modelMsRef = useRef(0);
  // The panel's size, as state: a panel too small for the graph stacks smaller groups (stackToFit).
  const [panel, setPanel] = useState({ width: 0, height: 0 });
  const base = useMemo(() => {
    if (!props.view) return null;
    const started = performance.now();
    const built = buildGraph(props.view, props.prev, props.findings);
    modelMsRef.current += performance.now() - started;
    return built;
  }, [props.view, props.prev, props.findings]);
  const graph = useMemo(() => {
    if (!base) return null;
    const started = performance.now();
    const stacked = stackToFit(
      base,
      { expanded, keep: props.selection },
      (g) =>
        // One a row first (cheap); then the rows the stable layout would give it, holes included.
        fitsReadably(g.nodes, panel, maxScale, props.socketColumn) &&
        fitsReadably(g.nodes, panel, maxScale, props.socketColumn, rowCount(nextLayout(layoutRef.current, layoutObjects(g)))),
    );
    modelMsRef.current += performance.now() - started;
    return stacked;
  }, [base, expanded, props.selection, panel, maxScale, props.socketColumn]);

  // Zoom and pan: set up once on the svg React gave us.
  useEffect(() => {
    const svg = select(svgRef.current!);
    const viewport = svg.selectAll<SVGGElement, null>("g.viewport").data([null]).join("g").attr("class", "viewport");
    const behavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.05, 4])
      .on("zoom", (event) => {
        viewport.attr("transform", event.transform.toString());
        minimapRef.current();
        // A wheel or a drag (not a fit): the user's view, kept when the panel changes size.
        if (event.sourceEvent) userZoomedRef.current = true;
      });
    svg.call(behavior).on("dblclick.zoom", null);
    // Above the viewport, outside the zoom: the minimap.
    svg.selectAll<SVGGElement, null>("g.minimap").data([null]).join("g").attr("class", "minimap").attr("data-testid", "minimap");
    // The panel changes size (the narration under it grows, the window): still everything in view.
    const observer = new ResizeObserver(([entry]) => {
      sizeRef.current = { width: entry.contentRect.width, height: entry.contentRect.height };
      setPanel((p) => (Math.abs(p.width - sizeRef.current.width) < 1 && Math.abs(p.height - sizeRef.current.height) < 1 ? p : sizeRef.current));
      // The panel's size decides the level of detail: draw again only when it switches (then it fits).
      if (wantsCompact(fullBoundsRef.current, sizeRef.current, maxScaleRef.current) !== compactRef.current) drawRef.current();
      if (!userZoomedRef.current && !insideView(svgRef.current!, sizeRef.current, boundsRef.current)) fitRef.current();
    });
    observer.observe(svgRef.current!);
    svg.on("click.deselect", (event: MouseEvent) => {
      if (event.target === svgRef.current) onSelectRef.current(null);
    });
    zoomRef.current = behavior;
    const onDetail = (e: Event) => {
      fullDetailRef.current = (e as CustomEvent<string>).detail === "full";
      drawRef.current();
    };
    const el = svgRef.current!;
    el.addEventListener(DETAIL_EVENT, onDetail);
    return () => {
      observer.disconnect();
      el.removeEventListener(DETAIL_EVENT, onDetail);
    };
  }, []);

  // Drawn on each step, and again when the panel's size changes which level of detail fits.
  const drawRef = useRef<() => void>(() => {});
  const tidyRef = useRef(props.tidyToken ?? 0);
  const compactRef = useRef(false);
  // An export asks for the full drawing while it copies it (share/exportImage.ts DETAIL_EVENT).
  const fullDetailRef = useRef(false);
  // What the full drawing would need, and the fit's largest zoom: the resize observer decides with them.
  const fullBoundsRef = useRef({ w: 1, h: 1 });
  const maxScaleRef = useRef(maxScale);
  maxScaleRef.current = maxScale;
  drawRef.current = () => {
    if (!graph) return;
    const started = performance.now();
    const svg = select(svgRef.current!);
    const viewport = svg.select<SVGGElement>("g.viewport");
    const before = layoutRef.current;
    const objects = layoutObjects(graph);
    // Objects never move, unless the user asked for a tidy layout.
    const tidy = (props.tidyToken ?? 0) !== tidyRef.current;
    tidyRef.current = props.tidyToken ?? 0;
    layoutRef.current = tidy ? tidyLayout(objects) : nextLayout(before, objects);
    // Objects that folded into a stack (or a stack that unfolded) become the new node at once: no fade,
    // since the layout may hand their rows to newcomers in this very step.
    const folded = foldedAway(objects, new Set(objects.map((o) => o.key)));
    const heirs = new Set(objects.filter((o) => o.replaces?.some((k) => folded.has(k) && before.has(k))).map((o) => o.key));
    // Many frag references into one page: one trunk with a count, open for the selected page.
    const bundles = bundlesOf(graph.edges, new Set(props.selection ? [props.selection] : []));
    const full = placeAll(graph.nodes, layoutRef.current, FULL, props.socketColumn, bundles);
    fullBoundsRef.current = boundsOf(full);
    const compact = !fullDetailRef.current && wantsCompact(fullBoundsRef.current, sizeRef.current, maxScale);
    const placed = compact ? placeAll(graph.nodes, layoutRef.current, COMPACT, props.socketColumn, bundles) : full;
    const switched = compact !== compactRef.current;
    compactRef.current = compact;
    svg.classed("compact", compact);
    placedRef.current = placed;
    const byKey = new Map(placed.map((n) => [n.key, n]));
    const oldBounds = boundsRef.current;
    boundsRef.current = boundsOf(placed);
    const grew = boundsRef.current.w > oldBounds.w || boundsRef.current.h > oldBounds.h;
    const ms = props.reducedMotion || switched || entersAndExits(before, layoutRef.current) > MAX_ANIMATED ? 0 : 250;
    const headLayer = viewport.selectAll<SVGGElement, null>("g.col-heads").data([null]).join("g").attr("class", "col-heads");
    drawColumnHeads(headLayer, compact ? placed : [], props.socketColumn);
    const edgeLayer = viewport.selectAll<SVGGElement, null>("g.edges").data([null]).join("g").attr("class", "edges");
    const nodeLayer = viewport.selectAll<SVGGElement, null>("g.nodes").data([null]).join("g").attr("class", "nodes");
    drawEdges(edgeLayer, graph.edges, byKey, ms, bundles, { folded, heirs });
    drawTrunks(edgeLayer, bundles, byKey);
    drawNodes(
      nodeLayer,
      placed,
      props.selection,
      ms,
      (key) => onSelectRef.current(key),
      (key) => onPointRef.current(key),
      { folded, heirs },
    );
    // The counts above the nodes: a pill may straddle a page's edge.
    const countLayer = viewport.selectAll<SVGGElement, null>("g.bundle-counts").data([null]).join("g").attr("class", "bundle-counts");
    drawBundleCounts(countLayer, bundles, byKey);
    // Every object stays in view: a step that puts one outside the panel fits the view again
    // (the layout itself never moves a survivor; only the zoom changes).
    // A view the user zoomed into stays as it is until something new lands outside it.
    if (tidy || switched || (grew && !insideView(svgRef.current!, sizeRef.current, boundsRef.current))) fitRef.current();
    minimapRef.current();
    // The model, stacks, layout and D3 join, for npm run bench:browser (one entry per drawing; cleared there).
    performance.measure(DRAW_MEASURE, { start: started - modelMsRef.current, end: performance.now() });
    modelMsRef.current = 0;
    // Tests and the benchmark wait for this: the drawing now shows that step.
    svg.attr("data-step", props.view?.step ?? -1);
  };
  useEffect(() => drawRef.current(), [graph, props.selection, props.socketColumn, props.reducedMotion, props.view, props.tidyToken, maxScale]);

  // Pointing: light the target's chain of holders and holdings, dim the rest.
  // Nothing pointed at, and nothing was: no object carries a class to clear (a step need not visit them all).
  const litRef = useRef(false);
  useEffect(() => {
    const svg = select(svgRef.current!);
    const lit = graph !== null && props.highlight !== null;
    if (lit || litRef.current) applyHighlight(svg, graph, props.highlight);
    litRef.current = lit;
  }, [graph, props.highlight, props.selection]);

  // Fit the drawing into the panel on a new trace, on request, or when an object would be outside.
  const fitRef = useRef(() => {});
  fitRef.current = () => {
    const svg = svgRef.current;
    if (!svg || !zoomRef.current) return;
    const { width, height } = svg.getBoundingClientRect();
    if (width === 0 || height === 0) return;
    const { w, h } = boundsRef.current;
    // Everything in view comes first (clone stacks keep large graphs readable; the user can zoom in).
    const k = Math.min(maxScale, Math.max(0.05, Math.min((width - 16) / w, (height - 16) / h)));
    const t = zoomIdentity.translate(Math.max(8, (width - w * k) / 2), Math.max(8, (height - h * k) / 2)).scale(k);
    select(svg).call(zoomRef.current.transform, t);
    userZoomedRef.current = false;
  };
  const hasGraph = graph !== null;
  useEffect(() => {
    if (hasGraph) fitRef.current();
  }, [props.fitToken, hasGraph, maxScale]);

  return (
    <svg
      ref={svgRef}
      className="graph"
      role="group"
      aria-label="Reference graph: skbs, their Data, pages and other holders; each object is a button. The objects table lists the same state as text."
    >
      <defs>
        <pattern id="pat-guest" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="8" height="8" className="pat-bg guest" />
          <line x1="0" y1="0" x2="0" y2="8" className="pat-line guest" />
        </pattern>
        <pattern id="pat-kernel" width="8" height="8" patternUnits="userSpaceOnUse">
          <rect width="8" height="8" className="pat-bg kernel" />
          <circle cx="4" cy="4" r="1.4" className="pat-dot kernel" />
        </pattern>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" className="arrowhead" />
        </marker>
        {/* A bundle's trunk is thick: its arrow is sized in graph units, not by the stroke. */}
        <marker id="arrow-trunk" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" markerUnits="userSpaceOnUse" orient="auto">
          <path d="M0,0 L10,5 L0,10 z" className="arrowhead" />
        </marker>
      </defs>
    </svg>
  );
}

/** Objects drawn in one layout and not the other. */
function entersAndExits(before: Layout, after: Layout): number {
  let n = 0;
  for (const key of before.keys()) if (!after.has(key)) n++;
  for (const key of after.keys()) if (!before.has(key)) n++;
  return n;
}

/** Classes for pointing: `pointed` on the target, `lit` on its chain, `dim` on the rest. */
function applyHighlight(svg: Selection<SVGSVGElement, unknown, null, undefined>, graph: Graph | null, target: string | null): void {
  const r = graph && target ? related(graph, target) : null;
  svg.classed("pointing", r !== null);
  svg
    .selectAll<SVGGElement, GraphNode>("g.node")
    .classed("pointed", (n) => r !== null && n.key === r.target)
    .classed("lit", (n) => r !== null && r.nodes.has(n.key))
    .classed("dim", (n) => r !== null && !r.nodes.has(n.key));
  svg
    .selectAll<SVGPathElement, GraphEdge>("path.edge")
    .classed("lit", (e) => r !== null && r.edges.has(e.key))
    .classed("dim", (e) => r !== null && !r.edges.has(e.key));
  // A bundle's trunk and count go with its page.
  svg
    .selectAll<SVGElement, Bundle>("path.trunk, g.bundle")
    .classed("lit", (b) => r !== null && r.nodes.has(b.page) && [...b.edges].some((k) => r.edges.has(k)))
    .classed("dim", (b) => r !== null && !r.nodes.has(b.page));
}

function drawNodes(
  layer: Selection<SVGGElement, null, SVGGElement, unknown>,
  nodes: Positioned[],
  selection: string | null,
  ms: number,
  onSelect: (key: string) => void,
  onPoint: (key: string | null) => void,
  /** Nodes that left by folding into a node drawn now, and the nodes they became: swapped at once, no fade. */
  swap: { folded: ReadonlySet<string>; heirs: ReadonlySet<string> },
): void {
  layer
    .selectAll<SVGGElement, Positioned>("g.node")
    .data(nodes, (n) => n.key)
    .join(
      (enter) => {
        const g = enter
          .append("g")
          .attr("class", (n) => `node ${n.kind}`)
          .attr("data-key", (n) => n.key)
          .attr("data-name", (n) => n.name)
          .attr("tabindex", 0)
          .attr("role", "button")
          .attr("transform", (n) => `translate(${n.x},${n.y})`);
        g.append("rect").attr("class", "focus-ring").attr("x", -5).attr("y", -5).attr("rx", 10);
        g.append("rect").attr("class", "body");
        g.append("rect").attr("class", "fill-pattern");
        g.append("text").attr("class", "title").attr("x", 10).attr("y", 19);
        g.append("text").attr("class", "subtitle").attr("x", 10).attr("y", 35);
        g.append("g").attr("class", "counters");
        g.append("g").attr("class", "frags");
        g.append("g").attr("class", "tag");
        // A ghost (freed in this step) can be pointed at, not selected.
        g.on("click", (event: MouseEvent, n) => {
          event.stopPropagation();
          if (!n.ghost) onSelect(n.key);
        });
        g.on("keydown", (event: KeyboardEvent, n) => {
          if ((event.key === "Enter" || event.key === " ") && !n.ghost) {
            event.preventDefault();
            event.stopPropagation();
            onSelect(n.key);
          }
        });
        g.on("mouseenter", (_event: MouseEvent, n) => onPoint(n.key));
        g.on("mouseleave", () => onPoint(null));
        g.on("focus", (_event: FocusEvent, n) => onPoint(n.key));
        g.on("blur", () => onPoint(null));
        if (ms > 0)
          g.filter((n) => !swap.heirs.has(n.key))
            .style("opacity", 0)
            .transition()
            .duration(ms)
            .ease(easeCubicOut)
            .style("opacity", 1);
        return g;
      },
      // An object that left and came back (a name reused by a new trace, or
      // stepping back within the fade) must not finish fading out; the others are left alone.
      (update) => update.call((u) => u.filter(".leaving").interrupt().classed("leaving", false).style("opacity", 1)),
      (exit) =>
        leave(
          exit,
          (n) => ms === 0 || swap.folded.has(n.key),
          ms,
          (g) => g.attr("tabindex", null),
        ),
    )
    .call((all) => {
      // Redraw only what changed since this element was last drawn: on a
      // 300-object graph a step touches a handful of objects, and every
      // attribute written, even to the value it had, costs the browser a
      // style recalculation or a layout of that element.
      const g = all.filter(function (n) {
        const el = this as SVGGElement & { __drawn?: string };
        const sig = signature(n, selection);
        if (el.__drawn === sig) return false;
        el.__drawn = sig;
        return true;
      });
      g.attr("tabindex", (n) => (n.ghost ? null : 0))
        .attr("role", (n) => (n.ghost ? "img" : "button"))
        .attr("aria-label", (n) => n.ariaLabel)
        // A stack says how many objects it stands for (tests count the objects drawn).
        .attr("data-members", (n) => n.members?.length ?? null)
        .attr("aria-pressed", (n) => (n.ghost ? null : String(n.key === selection)))
        .classed("ghost", (n) => n.ghost)
        .attr("data-ghost", (n) => (n.ghost ? "1" : null))
        .classed("selected", (n) => n.key === selection)
        .classed("fresh", (n) => n.fresh)
        .classed("freed", (n) => n.freed)
        .classed("flagged", (n) => n.findings.length > 0)
        .attr("data-owner", (n) => n.owner);
      // Objects keep their place; only one whose column shifted (the socket
      // column appearing) glides, the rest are set without a transition.
      const at = (n: Positioned) => `translate(${n.x},${n.y})`;
      const moved = all.filter(function (n) {
        return this.getAttribute("transform") !== at(n);
      });
      if (ms === 0) moved.interrupt("move").attr("transform", at);
      else moved.transition("move").duration(ms).ease(easeCubicOut).attr("transform", at);
      g.select(".focus-ring")
        .attr("width", (n) => n.w + 10)
        .attr("height", (n) => n.h + 10);
      g.select(".body")
        .attr("width", (n) => n.w)
        .attr("height", (n) => n.h)
        .attr("rx", (n) => (n.kind === "skb" ? (n.compact ? 7 : 10) : n.kind === "page" ? 0 : n.compact ? 2 : 4));
      g.select(".fill-pattern")
        .attr("width", (n) => (n.owner === "guest" || n.owner === "kernel" ? (n.compact ? 8 : 12) : 0))
        .attr("height", (n) => n.h)
        .attr("fill", (n) => (n.owner === "guest" ? "url(#pat-guest)" : n.owner === "kernel" ? "url(#pat-kernel)" : "none"));
      // A chip (the compact level of detail) is one line: its name and main counter.
      g.classed("chip-changed", (n) => n.compact && chipChanged(n));
      g.select(".title")
        .attr("x", (n) => (n.compact ? n.lead + (n.owner ? 14 : 6) : n.owner ? 20 : 10))
        .attr("y", (n) => (n.compact ? 12.5 : 19))
        .text((n) => (n.compact ? chipLabel(n) : n.title));
      g.select(".subtitle")
        .attr("x", (n) => (n.owner ? 20 : 10))
        .text((n) => n.subtitle);
      g.select<SVGGElement>(".counters").each(function (n) {
        drawCounters(select(this), n);
      });
      g.select<SVGGElement>(".frags").each(function (n) {
        drawFragSlots(select(this), n);
      });
      g.select<SVGGElement>(".tag").each(function (n) {
        drawTag(select(this), n);
      });
    });
}

/** The chips' column heads: each column's kind and the counter its chips show (none in the full drawing). */
function drawColumnHeads(layer: Selection<SVGGElement, null, SVGGElement, unknown>, placed: readonly Positioned[], socketColumn: boolean): void {
  const xOffset = socketColumn ? 0 : COMPACT.colX[1];
  const heads = columnHeads(placed.map((n) => ({ kind: n.kind, col: COLUMN[n.kind] })));
  layer
    .selectAll<SVGTextElement, { col: number; text: string }>("text.col-head")
    .data(heads, (h) => String(h.col))
    .join("text")
    .attr("class", "col-head")
    .attr("x", (h) => COMPACT.colX[h.col] - xOffset)
    .attr("y", 12)
    .text((h) => h.text);
}

/** Everything a node's drawing depends on, but its position. */
function signature(n: Positioned, selection: string | null): string {
  return JSON.stringify([
    n.title,
    n.subtitle,
    n.counters,
    n.frags,
    n.owner,
    n.freed,
    n.ghost,
    n.fresh,
    n.findings.map((f) => f.kind),
    n.key === selection,
    n.w,
    n.h,
    n.compact,
    n.lead,
    // A stack's members can change while its title stays ("a..k9 ×9" with another k in the middle).
    n.ariaLabel,
  ]);
}

/** Counters two a line, "field old → new" where this step changed them. */
function drawCounters(g: Selection<SVGGElement, GraphNode, null, undefined>, n: GraphNode): void {
  const x = n.owner ? 20 : 10;
  const lines: Counter[][] = [];
  const perLine = n.kind === "data" ? 2 : 2;
  for (let i = 0; i < n.counters.length; i += perLine) lines.push(n.counters.slice(i, i + perLine));
  g.selectAll<SVGTextElement, Counter[]>("text")
    .data(lines)
    .join("text")
    .attr("x", x)
    .attr("y", (_l, i) => 54 + i * 17)
    .each(function (line) {
      select(this)
        .selectAll<SVGTSpanElement, Counter>("tspan")
        .data(line, (c) => c.field)
        .join("tspan")
        .attr("class", (c) => (c.old !== null ? "counter changed" : "counter"))
        .attr("data-field", (c) => c.field)
        .attr("data-value", (c) => c.value)
        .attr("dx", (_c, i) => (i === 0 ? 0 : 12))
        .text((c) => (c.old !== null ? `${c.field} ${c.old}→${c.value}` : `${c.field} ${c.value}`));
    });
}

function drawFragSlots(g: Selection<SVGGElement, GraphNode, null, undefined>, n: GraphNode): void {
  const w = WIDTH.data - 20;
  const count = n.frags.length;
  const cell = count ? Math.min(84, w / count) : 0;
  const label = (i: number) => (cell >= 62 ? `frags[${i}]` : cell >= 26 ? `[${i}]` : String(i));
  const slots = g
    .selectAll<SVGGElement, { i: number }>("g.slot")
    .data(n.kind === "data" ? n.frags.map((f, i) => ({ ...f, i })) : [], (d) => String(d.i))
    .join((enter) => {
      const s = enter.append("g").attr("class", "slot");
      s.append("rect").attr("height", 18).attr("rx", 2);
      s.append("text").attr("y", 13);
      return s;
    });
  slots.attr("transform", (d) => `translate(${10 + d.i * cell},66)`);
  slots.select("rect").attr("width", Math.max(4, cell - 3));
  slots
    .select("text")
    .attr("x", Math.max(2, (cell - 3) / 2))
    .text((d) => label(d.i));
  slots.select("title").remove();
}

/** A tag over the object: red for a finding ("⚠ premature"), grey for a ghost ("freed"). */
function drawTag(g: Selection<SVGGElement, GraphNode, null, undefined>, n: GraphNode): void {
  const kinds = [...new Set(n.findings.map((f) => f.kind))];
  const tags: { text: string; cls: string }[] = [];
  if (n.ghost) tags.push({ text: n.kind === "data" ? "freed (released)" : "freed", cls: "freed-tag" });
  if (kinds.length) tags.push({ text: `⚠ ${kinds.join(", ")}`, cls: "finding" });
  const tag = g
    .selectAll<SVGGElement, { text: string; cls: string }>("g.tag-item")
    .data(tags, (t) => t.cls + t.text)
    .join((enter) => {
      const t = enter.append("g");
      t.append("rect").attr("y", -21).attr("height", 18).attr("rx", 3);
      t.append("text").attr("x", 6).attr("y", -8);
      return t;
    })
    .attr("class", (t) => `tag-item ${t.cls}`);
  let x = 0;
  const xs = tags.map((t) => {
    const at = x;
    x += 14 + t.text.length * 7.2 + 4;
    return at;
  });
  tag.attr("transform", (_t, i) => `translate(${xs[i]},0)`);
  tag.select("text").text((t) => t.text);
  tag.select("rect").attr("width", (t) => 14 + t.text.length * 7.2);
}

function drawEdges(
  layer: Selection<SVGGElement, null, SVGGElement, unknown>,
  edges: readonly GraphEdge[],
  byKey: Map<string, Positioned>,
  ms: number,
  bundles: ReadonlyMap<string, Bundle>,
  /** Nodes folded into a node drawn now and the nodes they became: their edges swap at once. */
  swap: { folded: ReadonlySet<string>; heirs: ReadonlySet<string> },
): void {
  const drawable = edges.filter((e) => byKey.has(e.from) && byKey.has(e.to));
  const bundled = (e: GraphEdge) => bundles.get(e.to)?.edges.has(e.key) === true;
  // Each edge's path, once per drawing.
  const paths = new Map(drawable.map((e) => [e.key, edgePath(e, byKey, bundled(e))]));
  const path = (e: GraphEdge) => paths.get(e.key)!;
  layer
    .selectAll<SVGPathElement, GraphEdge>("path.edge")
    .data(drawable, (e) => e.key)
    .join(
      (enter) =>
        enter
          .append("path")
          .attr("class", (e) => `edge ${e.kind}`)
          .attr("marker-end", "url(#arrow)")
          .attr("d", path)
          .call((p) => {
            if (ms > 0)
              p.filter((e) => !swap.heirs.has(e.from) && !swap.heirs.has(e.to))
                .style("opacity", 0)
                .transition()
                .duration(ms)
                .style("opacity", 1);
          }),
      (update) => update.call((u) => u.filter(".leaving").interrupt().classed("leaving", false).style("opacity", 1)),
      (exit) => leave(exit, (e) => ms === 0 || swap.folded.has(e.from) || swap.folded.has(e.to), ms * 1.6),
    )
    // Only the edges whose drawing changed are written (a path's d, even unchanged, lays it out again).
    .filter(function (e) {
      const el = this as SVGPathElement & { __drawn?: string };
      const sig = `${e.fresh ? 1 : 0}${e.ghost ? 1 : 0}${e.count ?? 1} ${bundled(e) ? 1 : 0} ${path(e)}`;
      if (el.__drawn === sig) return false;
      el.__drawn = sig;
      return true;
    })
    .classed("fresh", (e) => e.fresh)
    .classed("ghost", (e) => e.ghost)
    .classed("counted", (e) => (e.count ?? 1) > 1)
    .classed("bundled", bundled)
    // A bundled edge ends at its junction: the trunk carries the arrow into the page.
    .attr("marker-end", (e) => (bundled(e) ? null : "url(#arrow)"))
    .attr("data-from", (e) => e.from)
    .attr("data-to", (e) => e.to)
    .attr("d", path);
}

/** Where a bundle's edges meet, left of its page (the gap between columns: 8 units for chips, 24 or more for boxes). */
/**
 * What leaves the drawing: at once where `now` says so (no motion, or an
 * object folded into a stack, which must not overlap what takes its
 * place), else fading out over `ms` as "leaving".
 */
function leave<E extends Element, D>(
  exit: Selection<E, D, SVGGElement, unknown>,
  now: (d: D) => boolean,
  ms: number,
  also: (s: Selection<E, D, SVGGElement, unknown>) => unknown = () => {},
): void {
  exit.filter(now).interrupt().remove();
  const fading = exit
    .filter(function () {
      return this.isConnected;
    })
    .classed("leaving", true);
  also(fading);
  fading.transition().duration(ms).style("opacity", 0).remove();
}

function junction(page: Positioned): { x: number; y: number } {
  return { x: page.x - (page.compact ? 6 : 22), y: page.y + page.h / 2 };
}

/** A count pill's width: the bold monospace advance at 11.5 px (boxes) or the chips' 12.5 px, and 4 units each side. */
function pillWidth(b: Bundle, compact: boolean): number {
  return 8 + `×${b.count}`.length * (compact ? 7.6 : 7);
}

/** A bundle's trunk: from its junction into the page, with the arrow. */
function drawTrunks(layer: Selection<SVGGElement, null, SVGGElement, unknown>, bundles: ReadonlyMap<string, Bundle>, byKey: Map<string, Positioned>): void {
  const list = [...bundles.values()].filter((b) => byKey.has(b.page));
  layer
    .selectAll<SVGPathElement, Bundle>("path.trunk")
    .data(list, (b) => b.page)
    .join("path")
    .attr("class", "trunk")
    .attr("marker-end", "url(#arrow-trunk)")
    .attr("data-page", (b) => b.page)
    .attr("d", (b) => {
      const page = byKey.get(b.page)!;
      const j = junction(page);
      return `M${j.x},${j.y} L${page.x},${j.y}`;
    });
}

/** Each bundle's count ("×23") as a pill on its trunk: below it, across the page's edge; on chips, over it. */
function drawBundleCounts(
  layer: Selection<SVGGElement, null, SVGGElement, unknown>,
  bundles: ReadonlyMap<string, Bundle>,
  byKey: Map<string, Positioned>,
): void {
  const list = [...bundles.values()].filter((b) => byKey.has(b.page));
  const items = layer
    .selectAll<SVGGElement, Bundle>("g.bundle")
    .data(list, (b) => b.page)
    .join((enter) => {
      const g = enter.append("g").attr("class", "bundle").attr("data-testid", "bundle");
      g.append("rect").attr("rx", 7);
      g.append("text");
      return g;
    })
    .attr("data-page", (b) => b.page)
    .attr("data-count", (b) => b.count)
    .attr("aria-label", (b) => `${b.count} frag references into ${b.page.slice(b.page.indexOf(":") + 1)} (select the page to draw them one by one)`);
  const label = (b: Bundle) => `×${b.count}`;
  const width = (b: Bundle) => pillWidth(b, byKey.get(b.page)!.compact);
  // Across the page's left edge: a chip keeps its right half free (lead), a box is tall enough to take it under the trunk.
  items.attr("transform", (b) => {
    const page = byKey.get(b.page)!;
    const j = junction(page);
    return `translate(${page.x - width(b) / 2},${page.compact ? j.y - 7 : j.y + 5})`;
  });
  items
    .select("rect")
    .attr("width", width)
    .attr("height", (b) => (byKey.get(b.page)!.compact ? 14 : 16));
  items
    .select("text")
    .attr("x", 4)
    .attr("y", (b) => (byKey.get(b.page)!.compact ? 11 : 12))
    .text(label);
}

/** A horizontal cubic from the source's side to the target's side (a bundled edge: to its junction). */
function edgePath(e: GraphEdge, byKey: Map<string, Positioned>, bundled = false): string {
  const a = byKey.get(e.from)!;
  const b = byKey.get(e.to)!;
  let x1: number;
  let y1: number;
  // Chips have no frag slots: their edges leave from the side.
  const fromSlot = a.compact ? null : e.fromSlot;
  if (fromSlot !== null) {
    const count = a.frags.length;
    const cell = Math.min(84, (WIDTH.data - 20) / count);
    x1 = a.x + 10 + fromSlot * cell + (cell - 3) / 2;
    y1 = a.y + 84;
  } else {
    x1 = a.x + a.w;
    y1 = a.y + a.h / 2;
  }
  const leftward = b.x + b.w / 2 < a.x + a.w / 2;
  if (leftward) {
    // Pipe buffers, owner's pages: from the holder's left side to the page's right side.
    x1 = a.x;
    y1 = a.y + a.h / 2;
    const x2 = b.x + b.w;
    const y2 = b.y + b.h / 2;
    const dx = Math.max(30, (x1 - x2) / 2);
    return `M${x1},${y1} C${x1 - dx},${y1} ${x2 + dx},${y2} ${x2},${y2}`;
  }
  if (e.kind === "frag_list") {
    const x2 = b.x + b.w / 2;
    const y2 = b.y + b.h;
    const bend = a.compact ? 12 : 40;
    return `M${a.x + a.w / 2},${a.y + a.h} C${a.x + a.w / 2},${a.y + a.h + bend} ${x2},${y2 + bend} ${x2},${y2}`;
  }
  const x2 = bundled ? junction(b).x : b.x;
  const y2 = b.y + b.h / 2;
  if (fromSlot !== null) {
    return `M${x1},${y1} C${x1},${y1 + 30} ${x2 - 50},${y2} ${x2},${y2}`;
  }
  const dx = Math.max(30, (x2 - x1) / 2);
  return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
}

const MINIMAP_W = 150;
const MINIMAP_MAX_H = 100;

/**
 * A minimap in the panel's corner while the drawing exceeds the panel (the
 * user zoomed in, or a fit could not show it all): every object as a dot
 * of its kind, the part on screen as a frame; a click there brings that
 * part of the graph to the middle of the panel.
 */
function drawMinimap(
  svgEl: SVGSVGElement,
  behavior: ZoomBehavior<SVGSVGElement, unknown>,
  nodes: readonly Positioned[],
  size: { width: number; height: number },
  bounds: { w: number; h: number },
): void {
  const layer = select(svgEl).select<SVGGElement>("g.minimap");
  const shown = nodes.length > 0 && !insideView(svgEl, size, bounds);
  layer.attr("display", shown ? null : "none");
  if (!shown) return;
  const s = Math.min(MINIMAP_W / bounds.w, MINIMAP_MAX_H / bounds.h);
  const mw = bounds.w * s;
  const mh = bounds.h * s;
  layer.attr("transform", `translate(${size.width - mw - 8},${size.height - mh - 8})`);
  layer
    .selectAll<SVGRectElement, null>("rect.minimap-bg")
    .data([null])
    .join("rect")
    .attr("class", "minimap-bg")
    .attr("width", mw)
    .attr("height", mh)
    .on("click", (event: MouseEvent) => {
      event.stopPropagation();
      const [mx, my] = pointer(event, layer.node());
      select(svgEl).call(behavior.translateTo, mx / s, my / s);
    });
  layer
    .selectAll<SVGRectElement, Positioned>("rect.minimap-node")
    .data(nodes, (n) => n.key)
    .join("rect")
    .attr("class", (n) => `minimap-node ${n.kind}`)
    .attr("x", (n) => n.x * s)
    .attr("y", (n) => n.y * s)
    .attr("width", (n) => Math.max(1.5, n.w * s))
    .attr("height", (n) => Math.max(1.5, n.h * s));
  const t = zoomTransform(svgEl);
  const [x0, y0] = t.invert([0, 0]);
  const [x1, y1] = t.invert([size.width, size.height]);
  layer
    .selectAll<SVGRectElement, null>("rect.minimap-view")
    .data([null])
    .join("rect")
    .attr("class", "minimap-view")
    .attr("x", Math.max(0, x0 * s))
    .attr("y", Math.max(0, y0 * s))
    .attr("width", Math.max(2, Math.min(mw, x1 * s) - Math.max(0, x0 * s)))
    .attr("height", Math.max(2, Math.min(mh, y1 * s) - Math.max(0, y0 * s)));
}

/** Is the whole drawing (its bounds in graph units) inside the svg (of this size) under its current zoom? */
function insideView(svg: SVGSVGElement, size: { width: number; height: number }, bounds: { w: number; h: number }): boolean {
  const { width, height } = size;
  if (width === 0 || height === 0) return true;
  const t = zoomTransform(svg);
  const [x0, y0] = t.apply([0, 0]);
  const [x1, y1] = t.apply([bounds.w, bounds.h]);
  return x0 >= -1 && y0 >= -1 && x1 <= width + 1 && y1 <= height + 1;
}

/** Monospace advance at the counters' 12.5 px and the title's 14 px bold (DejaVu Sans Mono: 0.602 em). */
const COUNTER_CH = 7.6;
const TITLE_CH = 8.5;

/**
 * A box grows to hold its text ("len 0→4096" on a counters line, a long
 * title), up to the gap before the next column, so old → new never spills
 * out of its box (the presentation's large scale shows every overflow).
 */
export function nodeWidth(n: Pick<GraphNode, "kind" | "counters" | "title" | "owner">, col: number): number {
  const base = WIDTH[n.kind];
  const x = n.owner ? 20 : 10;
  let widest = 0;
  for (let i = 0; i < n.counters.length; i += 2) {
    const line = n.counters.slice(i, i + 2).map((c) => (c.old !== null ? `${c.field} ${c.old}→${c.value}` : `${c.field} ${c.value}`));
    widest = Math.max(widest, x + line.join("").length * COUNTER_CH + (line.length - 1) * 12 + 10);
  }
  widest = Math.max(widest, x + n.title.length * TITLE_CH + 10);
  const room = col + 1 < COL_X.length ? COL_X[col + 1] - COL_X[col] - 24 : Infinity;
  return Math.round(Math.max(base, Math.min(room, widest)));
}
