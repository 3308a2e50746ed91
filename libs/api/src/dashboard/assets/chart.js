// One uPlot chart per metric, cursors in sync, anomaly episodes shaded behind the line.
const COLORS = ['#2563eb', '#0891b2', '#7c3aed', '#ca8a04', '#db2777', '#16a34a', '#ea580c'];

/**
 * Shades each episode; the metric that contributed most to it gets a stronger band and a label
 * ("temp 82%") so the chart says which metric made the anomaly.
 */
function episodesPlugin(metric, episodes) {
  return {
    hooks: {
      drawClear: (u) => {
        const { ctx, bbox } = u;
        ctx.save();
        for (const ep of episodes) {
          const from = u.valToPos(Date.parse(ep.startedAt) / 1000, 'x', true);
          const to = u.valToPos(
            (ep.endedAt ? Date.parse(ep.endedAt) : Date.now()) / 1000,
            'x',
            true,
          );
          const left = Math.max(bbox.left, from);
          const right = Math.min(bbox.left + bbox.width, Math.max(to, from + 3));
          if (right <= bbox.left || left >= bbox.left + bbox.width) continue;
          const share = ep.metrics.find((m) => m.name === metric)?.contribution ?? 0;
          const top = ep.metrics[0]?.name === metric;
          ctx.fillStyle =
            ep.severity === 'critical'
              ? `rgba(220, 38, 38, ${top ? 0.28 : 0.1})`
              : `rgba(234, 88, 12, ${top ? 0.25 : 0.08})`;
          ctx.fillRect(left, bbox.top, right - left, bbox.height);
          if (top) {
            ctx.fillStyle = '#991b1b';
            ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
            const label = `${metric} ${Math.round(share * 100)}%`;
            const x = Math.min(
              left + 4 * devicePixelRatio,
              bbox.left + bbox.width - ctx.measureText(label).width - 4,
            );
            ctx.fillText(label, Math.max(bbox.left, x), bbox.top + 14 * devicePixelRatio);
          }
        }
        ctx.restore();
      },
    },
  };
}

/** Puts a null point into each silence much longer than the usual interval, so no line is drawn across it. */
function breakGaps(series) {
  const times = series.map((p) => Date.parse(p.time) / 1000);
  const steps = times
    .slice(1)
    .map((t, i) => t - times[i])
    .sort((a, b) => a - b);
  const usual = steps[Math.floor(steps.length / 2)] ?? 0;
  const out = [];
  series.forEach((point, i) => {
    if (i > 0 && usual > 0 && times[i] - times[i - 1] > 10 * usual) {
      out.push({ time: new Date((times[i - 1] + usual) * 1000).toISOString(), values: {} });
    }
    out.push(point);
  });
  return out;
}

/** Draws the charts into `container`; returns a function that removes them. */
export function drawCharts(container, points, episodes) {
  const series = breakGaps(points);
  const times = series.map((p) => Date.parse(p.time) / 1000);
  const metrics = [...new Set(series.flatMap((p) => Object.keys(p.values)))].sort();
  const width = Math.max(320, container.clientWidth - 8);
  const charts = metrics.map((metric, i) => {
    const el = document.createElement('div');
    el.className = 'chart';
    el.dataset.metric = metric;
    container.append(el);
    const values = series.map((p) => p.values[metric] ?? null);
    return new uPlot(
      {
        width,
        height: 150,
        title: metric,
        legend: { show: false },
        cursor: { sync: { key: 'device' } },
        scales: { x: { time: true } },
        series: [
          {},
          { label: metric, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false },
        ],
        axes: [{ stroke: '#64748b' }, { stroke: '#64748b', size: 64 }],
        plugins: [episodesPlugin(metric, episodes)],
      },
      [times, values],
      el,
    );
  });
  return () => charts.forEach((c) => c.destroy());
}
