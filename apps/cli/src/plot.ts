import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface PlotCurve {
  label: string;
  points: readonly { size: number; hitRatio: number }[];
}

export interface PlotMarker {
  label: string;
  size: number;
}

export interface HrcPlot {
  title: string;
  curves: readonly PlotCurve[];
  /** Vertical rules, e.g. each curve's page need. */
  markers?: readonly PlotMarker[];
}

/**
 * Renders hit-ratio curves as SVG with Vega-Lite: hit ratio against size on a log axis,
 * one step line per curve, and a dashed rule per marker.
 */
export async function renderHrcSvg(plot: HrcPlot): Promise<string> {
  const values = plot.curves.flatMap((c) =>
    c.points
      .filter((p) => p.size > 0)
      .map((p) => ({ size: p.size, hitRatio: p.hitRatio, curve: c.label })),
  );
  const markers = (plot.markers ?? [])
    .filter((m) => m.size > 0)
    .map((m) => ({ size: m.size, label: `${m.label}: ${m.size}` }));
  const x = {
    field: 'size',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    title: 'size (pages)',
  };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: plot.title,
    width: 640,
    height: 360,
    layer: [
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: {
          x,
          y: {
            field: 'hitRatio',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            title: 'hit ratio',
          },
          color: { field: 'curve', type: 'nominal', title: null },
        },
      },
      ...(markers.length > 0
        ? [
            {
              data: { values: markers },
              mark: { type: 'rule' as const, strokeDash: [4, 4], color: '#555' },
              encoding: { x },
            },
            {
              data: { values: markers },
              mark: {
                type: 'text' as const,
                align: 'left' as const,
                dx: 4,
                y: 8,
                color: '#333',
                fontSize: 11,
              },
              encoding: { x, text: { field: 'label', type: 'nominal' as const } },
            },
          ]
        : []),
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Grouped bars: one group per label, one bar per series. */
export interface BarPlot {
  title: string;
  yTitle: string;
  bars: readonly { group: string; series: string; value: number }[];
}

/** Renders grouped bars as SVG with Vega-Lite (e.g. Table 3's run times). */
export async function renderBarsSvg(plot: BarPlot): Promise<string> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: plot.title,
    data: { values: plot.bars.map((b) => ({ ...b })) },
    mark: 'bar',
    width: { step: 14 },
    height: 320,
    encoding: {
      x: { field: 'group', type: 'nominal', title: null, axis: { labelAngle: -30 } },
      xOffset: { field: 'series', type: 'nominal' },
      y: { field: 'value', type: 'quantitative', title: plot.yTitle },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
