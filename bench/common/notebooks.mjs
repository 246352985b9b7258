// Deterministic generators of realistic notebooks for the benchmarks: imports, parameters, helper functions,
// pandas-style chains, joins, in-place mutations, continuation cells, markdown, metrics. Same seed, same bytes.

/** mulberry32: a small seeded PRNG, so every run generates the same notebook. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

function cellId(index) {
  return `bench-${index.toString(36).padStart(5, '0')}`;
}

function toSourceLines(source) {
  const lines = source.split('\n');
  return lines.map((line, i) => (i < lines.length - 1 ? `${line}\n` : line)).filter((line) => line !== '');
}

/** nbformat 4.5 JSON for a list of `{ type, source, tags }`. */
export function notebookJson(cells) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python' },
    },
    cells: cells.map((cell, index) => {
      const base = {
        id: cellId(index),
        cell_type: cell.type,
        metadata: cell.tags?.length ? { tags: cell.tags } : {},
        source: toSourceLines(cell.source),
      };
      return cell.type === 'code' ? { ...base, execution_count: null, outputs: [] } : base;
    }),
  };
}

const TABLES = [
  'orders',
  'customers',
  'sessions',
  'events',
  'invoices',
  'shipments',
  'returns',
  'reviews',
  'products',
  'visits',
];
const COLUMNS = ['amount', 'quantity', 'duration', 'price', 'score', 'discount'];

/**
 * A data-pipeline notebook with `steps` step cells (or as many as fit in `totalCells`), the kind a data scientist
 * tags for cellpipe: every step reads one or two earlier frames (mostly recent ones), some define helpers later
 * steps call, some mutate an earlier frame in place, some have untagged continuation cells.
 */
export function pipelineNotebook({ steps = Infinity, totalCells = Infinity, seed = 1 } = {}) {
  if (!Number.isFinite(steps) && !Number.isFinite(totalCells))
    throw new Error('pipelineNotebook needs steps or totalCells');
  const random = seededRandom(seed);
  const cells = [
    {
      type: 'markdown',
      source:
        '# Customer activity pipeline\n\nLoads raw activity tables, cleans, joins and aggregates them, then scores segments.',
    },
    {
      type: 'code',
      source: 'import json\nimport math\nfrom collections import Counter\n\nimport numpy as np\nimport pandas as pd',
    },
    {
      type: 'code',
      tags: ['pipeline-parameters'],
      source: 'seed = 42\nthreshold = 0.35\nsample_fraction = 0.25\nregion = "emea"\nn_bins = 12',
    },
  ];
  const frames = []; // names of DataFrame variables defined so far
  const helpers = []; // helper function names defined so far
  const metrics = [];
  const pickFrame = () =>
    random.chance(0.7) ? frames[Math.max(0, frames.length - 1 - random.int(0, 4))] : random.pick(frames);
  const reserveForMetrics = 1;

  for (let step = 0; step < steps && cells.length < totalCells - reserveForMetrics; step++) {
    const table = TABLES[step % TABLES.length];
    const column = random.pick(COLUMNS);
    const name = `${table}_${step}`;
    let source;
    let kind =
      step < 3
        ? 'load'
        : random.pick(['load', 'clean', 'clean', 'join', 'aggregate', 'helper', 'helper-use', 'mutate', 'metric']);
    if (kind === 'helper-use' && helpers.length === 0) kind = 'helper';
    switch (kind) {
      case 'load':
        source = [
          `rng_${step} = np.random.default_rng(seed + ${step})`,
          `${name} = pd.DataFrame({`,
          `    "key": rng_${step}.integers(0, 500, size=2_000),`,
          `    "${column}": rng_${step}.gamma(2.0, 10.0, size=2_000),`,
          `    "region": rng_${step}.choice(["emea", "amer", "apac"], size=2_000),`,
          `})`,
          `print(f"${table}: {len(${name})} rows")`,
        ].join('\n');
        break;
      case 'clean': {
        const input = pickFrame();
        source = [
          `${name} = (`,
          `    ${input}.dropna()`,
          `    .loc[lambda frame: frame["region"] == region]`,
          `    .sample(frac=sample_fraction, random_state=seed)`,
          `    .reset_index(drop=True)`,
          `)`,
        ].join('\n');
        break;
      }
      case 'join': {
        const left = pickFrame();
        const right = random.pick(frames);
        source = [
          `${name} = ${left}.merge(${right}[["key"]].drop_duplicates(), on="key", how="inner")`,
          `${name}["bucket"] = np.arange(len(${name})) % n_bins`,
        ].join('\n');
        break;
      }
      case 'aggregate': {
        const input = pickFrame();
        source = [
          `${name} = ${input}.groupby("key", as_index=False).agg(`,
          `    rows=("region", "size"),`,
          `    first_region=("region", "first"),`,
          `)`,
          `${name}["region"] = region`,
        ].join('\n');
        break;
      }
      case 'helper': {
        const helper = `normalise_${step}`;
        const input = pickFrame();
        source = [
          `def ${helper}(frame, column="key"):`,
          `    """Scales a column to zero mean and unit spread; constant columns stay at zero."""`,
          `    spread = frame[column].std() or 1.0`,
          `    return frame.assign(**{column: (frame[column] - frame[column].mean()) / spread})`,
          ``,
          ``,
          `${name} = ${helper}(${input})`,
        ].join('\n');
        helpers.push(helper);
        break;
      }
      case 'helper-use': {
        const helper = random.pick(helpers);
        const input = pickFrame();
        source = `${name} = ${helper}(${input}, column="key").head(1_000)\nsummary_${step} = Counter(${name}["region"])\nprint(json.dumps(summary_${step}))`;
        break;
      }
      case 'mutate': {
        const target = pickFrame();
        source = [
          `${target}["flag_${step}"] = ${target}["key"] % 7 == 0`,
          `${name} = ${target}[${target}["flag_${step}"]].copy()`,
        ].join('\n');
        break;
      }
      case 'metric': {
        const input = pickFrame();
        const metric = `share_${step}`;
        source = [
          `${name} = ${input}.copy()`,
          `${metric} = float((${name}["key"] > 250).mean())`,
          `print(f"${metric} = {${metric}:.3f} (log {math.log1p(${metric}):.3f})")`,
        ].join('\n');
        metrics.push(metric);
        break;
      }
    }
    frames.push(name);
    const tags = [`step:${table}-${step}`];
    if (random.chance(0.05)) tags.push('limit:memory:2Gi');
    if (step > 0 && random.chance(0.08))
      cells.push({ type: 'markdown', source: `## Stage ${step}\n\nPrepares \`${name}\` from the earlier tables.` });
    cells.push({ type: 'code', tags, source });
    if (random.chance(0.2) && cells.length < totalCells - reserveForMetrics)
      cells.push({ type: 'code', source: `${name}.describe()` });
  }
  cells.push({ type: 'code', tags: ['pipeline-metrics'], source: metrics.slice(-6).join('\n') || 'threshold' });
  return notebookJson(cells);
}

/**
 * `steps` small pure-Python steps (standard library only, a few milliseconds of work each), mostly a chain with a few
 * branches, so run time is dominated by what the run engine adds per step rather than by the work itself.
 */
export function purePythonNotebook({ steps, seed = 1 }) {
  if (steps < 3) throw new Error('purePythonNotebook needs at least 3 steps');
  const random = seededRandom(seed);
  const cells = [
    { type: 'markdown', source: '# Small steps\n\nEach step does a little list arithmetic on an earlier result.' },
    { type: 'code', source: 'import random\nimport statistics' },
    { type: 'code', tags: ['pipeline-parameters'], source: 'seed = 7\nsize = 2000' },
    {
      type: 'code',
      tags: ['step:start'],
      source: 'random.seed(seed)\nvalues_0 = [random.random() for _ in range(size)]',
    },
  ];
  const last = steps - 2;
  for (let step = 1; step <= last; step++) {
    const input = random.chance(0.8) ? step - 1 : random.int(0, step - 1);
    const source = random.chance(0.5)
      ? `values_${step} = [value * 1.01 + ${step % 5} for value in values_${input}]`
      : `values_${step} = sorted(values_${input})[: size // 2] + [statistics.fmean(values_${input})] * (size - size // 2)`;
    cells.push({ type: 'code', tags: [`step:step-${step}`], source });
  }
  cells.push({
    type: 'code',
    tags: ['step:summary'],
    source: `final_mean = statistics.fmean(values_${last})\nprint(final_mean)`,
  });
  cells.push({ type: 'code', tags: ['pipeline-metrics'], source: 'final_mean' });
  return notebookJson(cells);
}
