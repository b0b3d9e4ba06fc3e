import { useEffect, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  /** CSS colour of the line or bars */
  stroke: string;
  /** the y axis: 'y' left, or another scale name drawn on the right */
  scale?: string;
  bars?: boolean;
  unit?: string;
}

/**
 * A uPlot time-series chart (x in seconds since the epoch) that fills its container's width.
 * uPlot draws on canvas and sizes its elements through the CSSOM, which the CSP allows.
 */
export function TimeChart({ title, x, series, values, height = 220 }: { title: string; x: number[]; series: Series[]; values: Array<Array<number | null>>; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const scales = [...new Set(series.map((s) => s.scale ?? 'y'))];
  const key = series.map((s) => `${s.label}|${s.scale ?? 'y'}|${s.bars ? 1 : 0}`).join(',');
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const opts: Options = {
      width: Math.max(200, el.clientWidth), height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [{}, ...scales.map((s, i) => ({
        scale: s, side: i === 0 ? 3 : 1, grid: { show: i === 0 },
        values: (_u: uPlot, ticks: number[]) => ticks.map((t) => `${+t.toPrecision(3)} ${series.find((x) => (x.scale ?? 'y') === s)?.unit ?? ''}`.trim()),
        size: 70,
      }))],
      series: [{}, ...series.map((s) => ({
        label: s.unit ? `${s.label} (${s.unit})` : s.label, stroke: s.stroke, scale: s.scale ?? 'y', width: 2,
        ...(s.bars && bars ? { paths: bars, fill: `${s.stroke}55` } : {}),
        points: { show: false },
      }))],
    };
    const u = new uPlot(opts, [x, ...values] as AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => { resize.disconnect(); u.destroy(); plot.current = null; };
    // the chart is rebuilt when its shape changes; new data goes through setData below
  }, [key, height]);
  useEffect(() => { plot.current?.setData([x, ...values] as AlignedData); }, [x, values]);
  return (
    <figure className="chart">
      <h2>{title}</h2>
      <div ref={box} role="img" aria-label={title} />
    </figure>
  );
}
