import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.mjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** What `npm run lint` runs after ESLint, on the src of `dir`: its exit status and the violations it prints (`rule: from → to`). */
function cruise(dir: string): { status: number | null; violations: string[] } {
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG], { cwd: dir, encoding: 'utf8' });
  // A package is named by its name: it resolves through the node_modules link below to wherever the checkout is.
  const violations = [...run.stdout.matchAll(/^\s*error (.+)$/gm)].map((m) => (m[1] ?? '').replace(/→ \S*node_modules\/((@[^/]+\/)?[^/]+)\/\S*$/, '→ $1'));
  return { status: run.status, violations };
}

describe('the layer rule', () => {
  test('passes on the real tree', () => {
    expect(cruise(ROOT)).toEqual({ status: 0, violations: [] });
  }, 120_000);

  test('fails on every import against the flow, and only on those', () => {
    const dir = mkdtempSync(join(tmpdir(), 'complyd-layers-'));
    const files: Record<string, string> = {
      // A type-only back-edge: the core reaching up to the store.
      'src/core/back-edge.ts': "import type { RunStore } from '../store/port.js';\nexport type X = RunStore;\n",
      // A lateral edge: the store using evaluation at run time.
      'src/store/port.ts': "import { judge } from '../evaluate/judge.js';\nexport interface RunStore { n: number }\nexport const openStore = () => judge;\n",
      // History may see the store's types, not its values.
      'src/history/read.ts': "import type { RunStore } from '../store/port.js';\nimport { openStore } from '../store/port.js';\nexport const r = (s: RunStore) => [s, openStore];\n",
      // Owned libraries: fs belongs to collect, not evaluate; pino to the command line.
      'src/evaluate/judge.ts': "import { readFileSync } from 'node:fs';\nexport const judge = readFileSync;\n",
      'src/collect/read.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
      'src/core/log.ts': "import { pino } from 'pino';\nexport const log = pino;\n",
      // A devDependency is not installed in production.
      'src/collect/schema.ts': "import Ajv from 'ajv';\nexport const ajv = Ajv;\n",
      // An import nobody can resolve escapes no rule.
      'src/core/typo.ts': "import { x } from './missing.js';\nexport const y = x;\n",
      // A folder the layers do not know.
      'src/api/server.ts': "import type { X } from '../core/back-edge.js';\nexport type Y = X;\n",
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }),
      'package.json': JSON.stringify({ name: 'layers-fixture', type: 'module', dependencies: { pino: '*' }, devDependencies: { ajv: '*' } }),
    };
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');

      const { status, violations } = cruise(dir);
      expect(status).not.toBe(0);
      expect(violations.sort()).toEqual(
        [
          'not-in-allowed: src/core/back-edge.ts → src/store/port.ts',
          'not-in-allowed: src/store/port.ts → src/evaluate/judge.ts',
          'not-in-allowed: src/history/read.ts → src/store/port.ts',
          'only-config-collect-store-report-demo-main-cli-import-fs: src/evaluate/judge.ts → fs',
          'only-cli-import-pino: src/core/log.ts → pino',
          'not-in-allowed: src/collect/schema.ts → ajv',
          'resolvable: src/core/typo.ts → ./missing.js',
          'not-in-allowed: src/core/typo.ts → ./missing.js',
          'not-in-allowed: src/api/server.ts → src/core/back-edge.ts',
        ].sort(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** `name ─► a, b (types)` pairs of the drawing, as the rule's config spells them (`b:types`). */
function arrows(lines: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of lines) {
    for (const m of line.matchAll(/([a-z@][\w@/.-]*(?:, [a-z@][\w@/.-]*)*) ─+► (.+?)(?=\s{3,}|$)/g)) {
      const targets = (m[2] ?? '').split(', ').map((t) => t.replace(/ \(types\)$/, ':types'));
      for (const name of (m[1] ?? '').split(', ')) out.set(name, targets);
    }
  }
  return out;
}

describe('docs/architecture.md', () => {
  test('draws exactly the layers and library owners the rule enforces', async () => {
    const { LAYERS, OWNED_LIBRARIES } = (await import(pathToFileURL(CONFIG).href)) as {
      LAYERS: Record<string, string[]>;
      OWNED_LIBRARIES: Record<string, string[]>;
    };
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const drawing = /```\n([\s\S]*?)```/.exec(doc)?.[1]?.split('\n') ?? [];
    const split = drawing.findIndex((l) => l.startsWith(' libraries'));
    const layerLines = drawing.slice(0, split);

    const drawn = arrows(layerLines);
    const words = new Set(layerLines.join(' ').match(/[a-z]+/g));
    for (const [layer, imports] of Object.entries(LAYERS)) {
      expect(words).toContain(layer);
      // Folders drawn without an arrow import the core only.
      const expected = layer === 'core' ? [] : ['core', ...(drawn.get(layer) ?? [])];
      expect({ layer, imports: [...imports].sort() }).toEqual({ layer, imports: expected.sort() });
    }
    expect([...drawn.keys()].filter((k) => !(k in LAYERS))).toEqual([]);

    const owners = arrows(drawing.slice(split));
    const expected = new Map(Object.entries(OWNED_LIBRARIES).flatMap(([libs, who]) => libs.split(', ').map((lib): [string, string[]] => [lib, who])));
    expect(owners).toEqual(expected);
  });
});
