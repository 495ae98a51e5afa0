import PDFDocument from 'pdfkit';
import { barChartSvg, drawSvg, lineChartSvg, svgSize } from '../../src/report/charts.js';
import { registerFonts } from '../../src/report/pdf-fonts.js';
import { readPdf } from './pdf-text.js';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();
const SERIES = [
  { name: 'prod-eu', points: [0, 1, 2, 3].map((i) => ({ at: day(i), value: 70 + i })) },
  { name: 'staging-us', points: [0, 1, 2, 3].map((i) => ({ at: day(i), value: i === 2 ? null : 60 - i })) },
];

async function pdfWith(svg: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', info: { CreationDate: new Date('2026-01-01T00:00:00Z') } });
  registerFonts(doc);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.on('data', (c: Buffer) => chunks.push(c));
  const h = drawSvg(doc, svg, 50, 50, 400);
  expect(h).toBeGreaterThan(50);
  doc.end();
  return done;
}

describe('charts', () => {
  it('draws a line per series with its legend and axis title, the same SVG for the same input', async () => {
    const svg = await lineChartSvg({ series: SERIES, yTitle: 'Compliance score', width: 400, height: 140 });
    expect(svg).toContain('prod-eu');
    expect(svg).toContain('staging-us');
    expect(svg).toContain('Compliance score');
    expect(svg).toContain('Jan 02');
    expect(await lineChartSvg({ series: SERIES, yTitle: 'Compliance score', width: 400, height: 140 })).toBe(svg);
    expect(svgSize(svg).width).toBeGreaterThan(400);
  });

  it('marks each run with a dot on a short series only (a long one would blur into a band of dots)', async () => {
    const long = [{ name: 'prod-eu', points: Array.from({ length: 90 }, (_, i) => ({ at: day(i), value: 70 + (i % 5) })) }];
    expect(await lineChartSvg({ series: SERIES, width: 400, height: 140 })).toContain('mark-symbol');
    const svg = await lineChartSvg({ series: long, width: 400, height: 140 });
    expect(svg).toContain('mark-line');
    expect(svg).not.toContain('mark-symbol');
  });

  it('draws ranked bars with their values', async () => {
    const svg = await barChartSvg({ bars: [{ label: 'edge', value: 41.5 }, { label: 'core', value: 88.25 }], xTitle: 'Score', xDomain: [0, 100], width: 300 });
    expect(svg).toContain('edge');
    expect(svg).toContain('88.3');
  });

  it('puts the chart into a PDF as vector paths with selectable text in the embedded font', async () => {
    const pdf = await readPdf(await pdfWith(await lineChartSvg({ series: SERIES, yTitle: 'Compliance score', width: 400, height: 140 })));
    const text = pdf.pages.map((p) => p.text).join(' ');
    expect(text).toContain('Compliance score');
    expect(text).toContain('prod-eu');
    expect(text).toMatch(/Jan 0[1-4]/);
  });
});
