/**
 * The renderer: a Vega-Lite spec compiled to Vega, drawn headless to SVG by a
 * Vega view (no browser, no canvas), then rasterised to PNG by resvg.
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };

/** A rendered chart: the PNG bytes and its size in pixels, and the SVG it came from. */
export interface RenderedChart {
  readonly png: Buffer;
  readonly svg: string;
  /** PNG size in pixels. */
  readonly width: number;
  readonly height: number;
  /** Size in CSS pixels (the SVG's), the PNG being `scale` times larger. */
  readonly cssWidth: number;
  readonly cssHeight: number;
}

/** Pixels per CSS pixel in the PNGs (sharp on high-density screens). */
export const PNG_SCALE = 2;

/** The SVG's own size, from its root element's width and height attributes. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\bwidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\bheight="([\d.]+)"/.exec(root)?.[1]);
  if (!Number.isFinite(width) || !Number.isFinite(height) || width <= 0 || height <= 0) throw new Error('the chart SVG has no size');
  return { width, height };
}

/** Renders one spec to SVG and PNG. */
export async function renderChart(spec: TopLevelSpec): Promise<RenderedChart> {
  // One at a time: the modules share dependencies, and some loaders cannot link one module for two imports at once.
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const resvg = await import('@resvg/resvg-js');
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const size = svgSize(svg);
  const image = new resvg.Resvg(svg, {
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  }).render();
  return { png: Buffer.from(image.asPng()), svg, width: image.width, height: image.height, cssWidth: size.width, cssHeight: size.height };
}
