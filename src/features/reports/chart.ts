export interface WeekChartData {
  /** Seven short day labels, e.g. "Mon 1". */
  days: string[];
  pagesPerDay: number[];
  /** Share of each day with a peer on call, 0–100. */
  coveragePerDay: number[];
}

/** The chart's words, rendered once in the community's language (an image has one reader's text). */
export interface ChartTexts {
  title: string;
  /** The left panel: pages opened per day. */
  pages: string;
  /** The right panel: the share of each day with a peer on call. */
  coverage: string;
}

const W = 760;
const H = 340;
const FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif";

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A bar panel at (x, y) of size w×h: one bar per day, labelled with its value. */
function panel(x: number, y: number, w: number, h: number, title: string, labels: string[], values: number[], max: number, colour: string, suffix = ""): string {
  const top = y + 34;
  const base = y + h - 28;
  const slot = w / values.length;
  const barW = Math.max(6, slot * 0.6);
  const parts = [
    `<text x="${x + w / 2}" y="${y + 18}" font-family="${FONT}" font-size="15" font-weight="bold" text-anchor="middle" fill="#1f2933">${esc(title)}</text>`,
    `<line x1="${x}" y1="${base}" x2="${x + w}" y2="${base}" stroke="#9aa5b1" stroke-width="1"/>`,
  ];
  values.forEach((v, i) => {
    const cx = x + slot * i + slot / 2;
    const bh = max > 0 ? ((base - top) * Math.min(v, max)) / max : 0;
    parts.push(
      `<rect x="${cx - barW / 2}" y="${base - bh}" width="${barW}" height="${bh}" rx="2" fill="${colour}"/>`,
      `<text x="${cx}" y="${base - bh - 4}" font-family="${FONT}" font-size="11" text-anchor="middle" fill="#323f4b">${v}${suffix}</text>`,
      `<text x="${cx}" y="${base + 16}" font-family="${FONT}" font-size="11" text-anchor="middle" fill="#52606d">${esc(labels[i] ?? "")}</text>`,
    );
  });
  return parts.join("");
}

/** The week's chart as SVG: pages opened per day, and the share of each day with a peer on call. */
export function weekChartSvg(d: WeekChartData, texts: ChartTexts): string {
  const maxPages = Math.max(1, ...d.pagesPerDay);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="24" font-family="${FONT}" font-size="17" font-weight="bold" text-anchor="middle" fill="#1f2933">${esc(texts.title)}</text>`,
    panel(20, 40, W / 2 - 40, H - 50, texts.pages, d.days, d.pagesPerDay, maxPages, "#d64545"),
    panel(W / 2 + 20, 40, W / 2 - 40, H - 50, texts.coverage, d.days, d.coveragePerDay.map((v) => Math.round(v)), 100, "#2f8132", "%"),
    `</svg>`,
  ].join("");
}

/** Rasterises the chart to PNG (resvg: a Rust renderer shipped as prebuilt npm packages, no native build). */
export function weekChartPng(d: WeekChartData, texts: ChartTexts): { png: Buffer; width: number; height: number } {
  // Loaded at the first chart, not at start: the renderer costs about 5 MB of memory.
  const { Resvg } = require("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
  const rendered = new Resvg(weekChartSvg(d, texts), { background: "#ffffff", font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render();
  return { png: Buffer.from(rendered.asPng()), width: rendered.width, height: rendered.height };
}
