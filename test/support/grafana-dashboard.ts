import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';

/** The shipped dashboard's JSON model, as an operator imports it. */
export interface Dashboard {
  schemaVersion: number;
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  panels: Panel[];
  templating: { list: Variable[] };
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ refId: string; expr?: string; query?: string; datasource?: { uid: string } }>;
}
export interface Variable {
  name: string;
  datasource: { type: string; uid: string };
  query: string | { query: string };
}

export const DASHBOARD_PATH = join(__dirname, '../../docs/grafana/iot-anomaly-gateway.json');

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Every query of one datasource kind: panel targets and template variables, named for messages. */
export function queriesOf(
  dashboard: Dashboard,
  kind: 'prometheus' | 'influxdb',
): Array<{ where: string; text: string; variable: boolean }> {
  const panels = dashboard.panels
    .filter((panel) => panel.datasource?.type === kind)
    .flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        where: `panel "${panel.title}" ${target.refId}`,
        text: (kind === 'prometheus' ? target.expr : target.query) ?? '',
        variable: false,
      })),
    );
  const variables = dashboard.templating.list
    .filter((variable) => variable.datasource.type === kind)
    .map((variable) => ({
      where: `variable $${variable.name}`,
      text: typeof variable.query === 'string' ? variable.query : variable.query.query,
      variable: true,
    }));
  return [...panels, ...variables];
}

/** `$name` and `${name}` references in a query. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$\{?(\w+)\}?/g)].map((m) => m[1]);
}

/** What a PromQL expression reads: metric names (vector selectors) and every label it names. */
export interface PromqlUse {
  metrics: string[];
  labels: string[];
  /** Offsets where the parser found a syntax error; empty for valid PromQL. */
  errors: number[];
}

/**
 * Parses with the Prometheus project's own grammar (lezer-promql, what Prometheus's UI uses):
 * a regex over names would also match function names, label names and keywords.
 */
export function promqlUse(expr: string): PromqlUse {
  const use: PromqlUse = { metrics: [], labels: [], errors: [] };
  const cursor = parser.parse(expr).cursor();
  do {
    const text = expr.slice(cursor.from, cursor.to);
    if (cursor.type.isError) use.errors.push(cursor.from);
    else if (cursor.name === 'LabelName') use.labels.push(text);
    else if (cursor.name === 'Identifier') {
      const node = cursor.node;
      if (node.parent?.name === 'VectorSelector') use.metrics.push(text);
    }
  } while (cursor.next());
  return use;
}

/** Sample names and the label names seen on each, plus every family declared by `# TYPE`. */
export interface Exposition {
  families: Set<string>;
  labelsOf: Map<string, Set<string>>;
}

export function parseExposition(text: string): Exposition {
  const families = new Set<string>();
  const labelsOf = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type;
      families.add(name);
      if (kind === 'histogram')
        ['_bucket', '_sum', '_count'].forEach((s) => families.add(name + s));
      if (kind === 'summary') ['_sum', '_count'].forEach((s) => families.add(name + s));
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample) continue;
    const labels = labelsOf.get(sample[1]) ?? new Set<string>();
    for (const m of (sample[2] ?? '').matchAll(/(\w+)="(?:[^"\\]|\\.)*"/g)) labels.add(m[1]);
    labelsOf.set(sample[1], labels);
  }
  return { families, labelsOf };
}

/** Double-quoted identifiers of an InfluxQL statement, aliases (`AS "x"`) left out. */
export function influxqlIdentifiers(query: string): { measurements: string[]; others: string[] } {
  const withoutAliases = query.replace(/\bAS\s+"[^"]*"/gi, '');
  const measurements = [...withoutAliases.matchAll(/\bFROM\s+"([^"]+)"/gi)].map((m) => m[1]);
  const others = [...withoutAliases.matchAll(/"([^"]+)"/g)]
    .map((m) => m[1])
    .filter((name) => !measurements.includes(name));
  return { measurements, others };
}
