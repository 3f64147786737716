// SPDX-License-Identifier: GPL-2.0-only
/**
 * The graph as a file: SVG with every style inlined (so it looks the same
 * outside the app, in a mail or a slide), and PNG drawn from that SVG on a
 * canvas. No library: the browser serialises and rasterises.
 */

import { DETAIL_EVENT } from "../graph/detail";

/** Presentation properties copied from the computed style onto each element. */
const STYLE_PROPS = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "stroke-opacity",
  "opacity",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "text-decoration",
  "text-anchor",
  "dominant-baseline",
  "visibility",
  "display",
] as const;

const PAD = 16;

export interface SvgExport {
  readonly text: string;
  readonly width: number;
  readonly height: number;
}

/**
 * The drawing (not the panel: the whole graph at scale 1, whatever the
 * zoom) as a standalone SVG document, styles inlined, with the theme's
 * background, in full detail. Objects fading out are left out; focus
 * rings and the minimap too.
 */
export function graphSvg(svg: SVGSVGElement): SvgExport {
  // A file is read at its own size: the full drawing, whatever level of detail the panel shows (GraphView).
  svg.dispatchEvent(new CustomEvent(DETAIL_EVENT, { detail: "full" }));
  try {
    return serialise(svg);
  } finally {
    svg.dispatchEvent(new CustomEvent(DETAIL_EVENT, { detail: "auto" }));
  }
}

function serialise(svg: SVGSVGElement): SvgExport {
  const viewport = svg.querySelector<SVGGElement>("g.viewport");
  const box = viewport ? viewport.getBBox() : { x: 0, y: 0, width: 400, height: 200 };
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const from = [svg, ...svg.querySelectorAll<Element>("*")];
  const to = [clone, ...clone.querySelectorAll<Element>("*")];
  for (let i = 0; i < from.length; i++) {
    const cs = getComputedStyle(from[i]);
    const style = STYLE_PROPS.map((p) => [p, cs.getPropertyValue(p)] as const)
      .filter(([, v]) => v !== "")
      .map(([p, v]) => `${p}:${v}`)
      .join(";");
    // Through CSSOM, not setAttribute("style"): the page's
    // Content-Security-Policy (style-src 'self') refuses inline style
    // attributes, not style declarations; serialised, both read the same.
    (to[i] as SVGElement).style.cssText = style;
    to[i].removeAttribute("tabindex");
  }
  for (const el of clone.querySelectorAll(".leaving, .focus-ring, .minimap")) el.remove();
  const x = Math.floor(box.x - PAD);
  const y = Math.floor(box.y - PAD);
  const width = Math.ceil(box.width + 2 * PAD);
  const height = Math.ceil(box.height + 2 * PAD);
  clone.querySelector("g.viewport")?.removeAttribute("transform");
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  clone.setAttribute("viewBox", `${x} ${y} ${width} ${height}`);
  clone.setAttribute("width", String(width));
  clone.setAttribute("height", String(height));
  clone.removeAttribute("class");
  clone.style.cssText = `background:${getComputedStyle(svg).backgroundColor}`;
  const bg = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  bg.setAttribute("x", String(x));
  bg.setAttribute("y", String(y));
  bg.setAttribute("width", String(width));
  bg.setAttribute("height", String(height));
  bg.setAttribute("fill", getComputedStyle(svg).backgroundColor);
  clone.insertBefore(bg, clone.querySelector("g.viewport"));
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
  return { text, width, height };
}

/** The SVG drawn on a canvas at `scale` (2: crisp on a high-density screen or a slide). */
export async function svgToPng(svg: SvgExport, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg.text], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(svg.width * scale);
    canvas.height = Math.round(svg.height * scale);
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("this browser cannot draw on a canvas");
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the PNG could not be made"))), "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Offers a file to the user (the browser's download). */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copies text to the clipboard; falls back to a selected hidden textarea where the API is refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    // Outside an open modal dialog everything is inert: put it inside.
    (document.querySelector("dialog[open]") ?? document.body).append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}
