/**
 * Charts for the PDF, drawn by a charting library: a Vega-Lite spec is compiled by Vega to
 * SVG (headless, no canvas, no network), and the SVG is drawn into the PDF as vector paths
 * with its text as real, selectable text in the embedded fonts (svg-to-pdfkit). Same input,
 * same SVG: nothing here reads the clock or chooses at random.
 */
import SVGtoPDF from 'svg-to-pdfkit';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT, fontForFamily } from './pdf-fonts.js';

/** Colour-blind safe (Okabe-Ito), in the order series are given. */
export const DEFAULT_PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export interface LineSeries {
  name: string;
  /** `value` null: no point (a run in which the series was not assessed); the line breaks there. */
  points: ReadonlyArray<{ at: string; value: number | null }>;
}

export interface LineChartOptions {
  series: readonly LineSeries[];
  /** Axis title; omit when the caption says what is plotted (rotated text is harder to read and to extract). */
  yTitle?: string;
  /** Fixed y range; default: fitted to the data (not from zero). */
  yDomain?: [number, number];
  /** Plot area size in points; axes and legend come on top. */
  width: number;
  height: number;
  palette?: readonly string[];
  textColor?: string;
}

function baseConfig(textColor: string) {
  return {
    font: FONT.regular,
    background: 'transparent',
    view: { stroke: null },
    axis: { labelFontSize: 8, titleFontSize: 8.5, labelColor: textColor, titleColor: textColor, gridColor: '#e3e8ee', domainColor: '#9aa4ae', tickColor: '#9aa4ae', titleFontWeight: 'normal' as const },
    legend: { labelFontSize: 8, titleFontSize: 8.5, labelColor: textColor, titleColor: textColor, orient: 'bottom' as const, direction: 'horizontal' as const, symbolType: 'stroke' as const },
  };
}

/**
 * Runs are marked with a dot while they can be told apart (about a month of daily runs); beyond
 * that the dots only blur the line, and each costs a path in the PDF.
 */
const MAX_MARKED_POINTS = 45;
const markPoints = (series: readonly LineSeries[]) => Math.max(0, ...series.map((s) => s.points.length)) <= MAX_MARKED_POINTS;

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Several series over time (e.g. a compliance score per run). */
export async function lineChartSvg(o: LineChartOptions): Promise<string> {
  const palette = o.palette ?? DEFAULT_PALETTE;
  const names = o.series.map((s) => s.name);
  const values = o.series.flatMap((s) => s.points.map((p) => ({ series: s.name, at: p.at, value: p.value })));
  const spec: TopLevelSpec = {
    width: o.width,
    height: o.height,
    data: { values },
    mark: { type: 'line', point: markPoints(o.series) ? { size: 14, filled: true } : false, strokeWidth: 1.6, interpolate: 'linear' },
    encoding: {
      x: { field: 'at', type: 'temporal', title: null, scale: { type: 'utc' }, axis: { format: '%b %d', labelAngle: 0, tickCount: 6, grid: false } },
      y: { field: 'value', type: 'quantitative', title: o.yTitle ?? null, scale: o.yDomain ? { domain: o.yDomain } : { zero: false, nice: true }, axis: { tickCount: 5 } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: names, range: names.map((_, i) => palette[i % palette.length] ?? '#000000') }, legend: names.length > 1 ? {} : null },
    },
    config: baseConfig(o.textColor ?? '#1b1f24'),
  };
  return toSvg(spec);
}

export interface BarChartOptions {
  bars: ReadonlyArray<{ label: string; value: number; color?: string }>;
  xTitle: string;
  xDomain?: [number, number];
  width: number;
  /** Height of one bar's band. */
  band?: number;
  textColor?: string;
  color?: string;
}

/** Horizontal bars in the given order (e.g. clusters ranked by score). */
export async function barChartSvg(o: BarChartOptions): Promise<string> {
  const band = o.band ?? 16;
  const spec: TopLevelSpec = {
    width: o.width,
    height: Math.max(band, o.bars.length * band),
    data: { values: o.bars.map((b, i) => ({ label: b.label, value: b.value, order: i, color: b.color ?? o.color ?? DEFAULT_PALETTE[0] })) },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 1.5, height: { band: 0.7 } },
        encoding: {
          y: { field: 'label', type: 'nominal', sort: { field: 'order' }, title: null },
          x: { field: 'value', type: 'quantitative', title: o.xTitle, ...(o.xDomain ? { scale: { domain: o.xDomain } } : {}) },
          color: { field: 'color', type: 'nominal', scale: null, legend: null },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 8 },
        encoding: {
          y: { field: 'label', type: 'nominal', sort: { field: 'order' } },
          x: { field: 'value', type: 'quantitative' },
          text: { field: 'value', type: 'quantitative', format: '.1f' },
        },
      },
    ],
    config: baseConfig(o.textColor ?? '#1b1f24'),
  };
  return toSvg(spec);
}

export interface SmallMultiplesOptions {
  series: readonly LineSeries[];
  columns: number;
  panelWidth: number;
  panelHeight: number;
  color: string;
  textColor?: string;
}

/** One small panel per series (e.g. each cluster's score), in a grid, one shared time axis. */
export async function smallMultiplesSvg(o: SmallMultiplesOptions): Promise<string> {
  const names = o.series.map((s) => s.name);
  const values = o.series.flatMap((s) => s.points.map((p) => ({ series: s.name, at: p.at, value: p.value })));
  const config = baseConfig(o.textColor ?? '#1b1f24');
  const spec: TopLevelSpec = {
    data: { values },
    facet: { field: 'series', type: 'nominal', title: null, sort: names, header: { labelFontSize: 8.5, labelColor: o.textColor ?? '#1b1f24', labelFont: FONT.bold, labelPadding: 2 } },
    columns: o.columns,
    spacing: { row: 14, column: 30 },
    spec: {
      width: o.panelWidth,
      height: o.panelHeight,
      mark: { type: 'line', strokeWidth: 1.4, color: o.color, point: markPoints(o.series) ? { size: 8, filled: true, color: o.color } : false },
      encoding: {
        x: { field: 'at', type: 'temporal', title: null, scale: { type: 'utc' }, axis: { format: '%b %d', labelAngle: 0, tickCount: 3, grid: false } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false, nice: true }, axis: { tickCount: 3 } },
      },
    },
    // One y scale for every panel: separate scales would blow a 0.1-point wobble up to full height.
    resolve: { scale: { y: 'shared' } },
    config: { ...config, axis: { ...config.axis, labelFontSize: 7 } },
  };
  return toSvg(spec);
}

/** The size the SVG asks for, in its own units (Vega writes width/height attributes). */
export function svgSize(svg: string): { width: number; height: number } {
  const w = /<svg[^>]*\swidth="([\d.]+)"/.exec(svg);
  const h = /<svg[^>]*\sheight="([\d.]+)"/.exec(svg);
  return { width: Number(w?.[1] ?? 0), height: Number(h?.[1] ?? 0) };
}

/**
 * Draw an SVG at (x, y), scaled to `width` (keeping its aspect ratio); returns the height used.
 * Its text is drawn as text in the embedded fonts, so it can be selected and searched.
 */
export function drawSvg(doc: PDFKit.PDFDocument, svg: string, x: number, y: number, width: number): number {
  const size = svgSize(svg);
  const height = size.width > 0 ? (size.height * width) / size.width : 0;
  SVGtoPDF(doc, svg, x, y, {
    width,
    height,
    preserveAspectRatio: 'xMinYMin meet',
    assumePt: true,
    fontCallback: (family, bold) => fontForFamily(family, bold),
  });
  return height;
}
