// SPDX-License-Identifier: GPL-2.0-only
/**
 * The lifetime chart: one row per object, its life as a bar, its counter
 * (users, dataref, refcount ...) over the steps as a line; completions and
 * violations marked; the cursor as a rule. Click a row to jump to a step.
 *
 * Only the rows scrolled into view are drawn (the svg keeps the height of
 * all of them): a long trace charts 400 objects, and drawing them all, SVG
 * text included, would cost the UI thread a long task as the chart arrives.
 */
import { useEffect, useRef, useState } from "react";
import { select, type Selection } from "d3-selection";
import { scaleLinear } from "d3-scale";
import { line, curveStepAfter } from "d3-shape";
import type { Finding } from "../../core/index";
import type { LifeRow, StepColumns } from "../worker/protocol";
import { chartMarks } from "../worker/columns";

const ROW = 18;
const LABEL = 78;
const AXIS = 16;
/** Rows drawn above and below the visible ones, so a scroll rarely shows a gap. */
const OVERSCAN = 6;
const FIELD: Record<LifeRow["kind"], string> = { skb: "users", data: "dataref", page: "refcount", pipe: "bufs", sock: "queue" };

export interface LifetimeProps {
  rows: readonly LifeRow[];
  omitted: number;
  stepCount: number;
  columns: StepColumns;
  findings: readonly Finding[];
  cursor: number;
  onSeek: (step: number) => void;
}

export function LifetimeChart(props: LifetimeProps) {
  const ref = useRef<SVGSVGElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  const [port, setPort] = useState({ top: 0, height: 150 });
  const onSeek = useRef(props.onSeek);
  onSeek.current = props.onSeek;

  useEffect(() => {
    const el = scroller.current!;
    const observer = new ResizeObserver(([entry]) => {
      setWidth(Math.max(240, Math.floor(entry.contentRect.width)));
      setPort({ top: el.scrollTop, height: el.clientHeight });
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const height = AXIS + props.rows.length * ROW + 4;
  const first = Math.max(0, Math.floor((port.top - AXIS) / ROW) - OVERSCAN);
  const last = Math.min(props.rows.length, Math.ceil((port.top + port.height - AXIS) / ROW) + OVERSCAN);
  // The marks and the click span every row: drawn per trace and size, not per scroll.
  useEffect(() => {
    const x = scaleLinear()
      .domain([0, Math.max(1, props.stepCount)])
      .range([LABEL, width - 8]);
    const svg = select(ref.current!);
    drawMarks(svg.selectAll<SVGGElement, null>("g.marks").data([null]).join("g").attr("class", "marks"), props.columns, x, height);
    svg.on("click", (event: MouseEvent) => onSeek.current(Math.round(x.invert(event.offsetX))));
  }, [props.stepCount, props.columns, width, height]);

  useEffect(() => {
    const x = scaleLinear()
      .domain([0, Math.max(1, props.stepCount)])
      .range([LABEL, width - 8]);
    const svg = select(ref.current!);
    const rows = svg
      .selectAll<SVGGElement, null>("g.rows")
      .data([null])
      .join("g")
      .attr("class", "rows")
      .selectAll<SVGGElement, LifeRow>("g.row")
      .data(props.rows.slice(first, last), (r) => `${r.kind}:${r.name}`)
      .join((enter) => {
        const g = enter.append("g").attr("class", (r) => `row ${r.kind}`);
        g.append("text").attr("class", "label").attr("x", 4).attr("y", 12);
        g.append("rect")
          .attr("class", "life")
          .attr("y", 3)
          .attr("height", ROW - 6)
          .attr("rx", 2);
        g.append("path").attr("class", "count");
        g.append("g").attr("class", "hits");
        g.append("title");
        return g;
      })
      .attr("transform", (_r, i) => `translate(0,${AXIS + (first + i) * ROW})`);
    rows.select(".label").text((r) => r.name);
    rows.select("title").text((r) => `${r.kind} ${r.name}: alive from step ${r.born}${r.died !== null ? ` to ${r.died}` : ""}; line: ${FIELD[r.kind]}`);
    rows
      .select(".life")
      .attr("x", (r) => x(r.born - 1))
      .attr("width", (r) => Math.max(2, x(r.died ?? props.stepCount) - x(r.born - 1)));
    rows.select(".count").attr("d", (r) => {
      const max = Math.max(1, ...r.series.map((p) => p[1]));
      const y = scaleLinear()
        .domain([0, max])
        .range([ROW - 4, 4]);
      const end = r.died ?? props.stepCount;
      const pts: [number, number][] = [...r.series.map((p) => [p[0], p[1]] as [number, number]), [end, r.series[r.series.length - 1]?.[1] ?? 0]];
      return line<[number, number]>()
        .x((p) => x(p[0] - 1))
        .y((p) => y(p[1]))
        .curve(curveStepAfter)(pts);
    });
    rows.select<SVGGElement>(".hits").each(function (r) {
      const hits = props.findings.filter((f) => f.objects.includes(r.name));
      select(this)
        .selectAll<SVGCircleElement, Finding>("circle")
        .data(hits)
        .join("circle")
        .attr("cx", (f) => x(f.step - 0.5))
        .attr("cy", ROW / 2)
        .attr("r", 4);
    });
  }, [props.rows, props.stepCount, props.findings, width, first, last]);

  // The cursor moves on every step: only its rule is redrawn, not the rows.
  useEffect(() => {
    const x = scaleLinear()
      .domain([0, Math.max(1, props.stepCount)])
      .range([LABEL, width - 8]);
    select(ref.current!)
      .selectAll<SVGLineElement, number>("line.cursor")
      .data([props.cursor])
      .join("line")
      .attr("class", "cursor")
      .attr("x1", (c) => x(c))
      .attr("x2", (c) => x(c))
      .attr("y1", 0)
      .attr("y2", height);
  }, [props.cursor, props.stepCount, width, height]);

  return (
    <div className="lifetimes-scroll" ref={scroller} onScroll={(e) => setPort({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}>
      <svg
        ref={ref}
        className="lifetimes"
        width={width}
        height={height}
        role="img"
        aria-label={`Lifetime chart of ${props.rows.length} objects; the objects table lists them as text`}
      />
      {props.omitted > 0 && <p className="note">{props.omitted} more objects are not charted.</p>}
    </div>
  );
}

function drawMarks(g: Selection<SVGGElement, null, SVGSVGElement, unknown>, columns: StepColumns, x: (n: number) => number, height: number): void {
  const marks = chartMarks(columns, 2000);
  g.selectAll<SVGPathElement, (typeof marks)[number]>("path")
    .data(marks)
    .join("path")
    .attr("class", (m) => `mark ${m.kind}`)
    .attr("d", (m) => {
      const cx = x(m.step - 0.5);
      return m.kind === "violation" ? `M${cx},2 l5,10 l-10,0 z M${cx},12 L${cx},${height}` : `M${cx - 5},2 l10,0 l-5,10 z`;
    });
}
