import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// The layers of DESIGN.md: data flows client → execution → api → http, one way. Type-only
// imports count too: a cycle of types is still a cycle to a reader and to tools.

const LIB = path.resolve(process.cwd(), 'lib');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : /\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [full] : [];
  });
}

// `import … from`, `import type … from`, `export … from`, side-effect `import '…'`, `import('…')`.
const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The lib files `source` imports (relative imports only; packages are not part of the graph). */
function importsOf(file: string, source: string): string[] {
  const out: string[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2]!;
    if (!spec.startsWith('.')) continue;
    const base = path.resolve(path.dirname(file), spec);
    const target = [`${base}.ts`, path.join(base, 'index.ts'), base].find((f) => existsSync(f) && statSync(f).isFile());
    if (target) out.push(target);
  }
  return out;
}

/** Every cycle's files (strongly connected components of more than one file, or a file importing itself). */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return cycles;
}

const rel = (file: string) => path.relative(LIB, file).split(path.sep).join('/');
const graph = new Map(filesUnder(LIB).map((file) => [file, importsOf(file, readFileSync(file, 'utf8'))]));
const edges = [...graph].flatMap(([from, tos]) => tos.map((to) => [rel(from), rel(to)] as const));

/** Imports a layer must not make: nothing below reaches above, and execution talks to the server only through api. */
const FORBIDDEN: [string, RegExp, RegExp][] = [
  ['http knows nothing about flows', /^http\//, /^(api|execution|documents)\/|^client\.ts$/],
  ['api never reaches up into execution or the client', /^api\//, /^execution\/|^client\.ts$/],
  ['execution reaches the server only through api', /^execution\//, /^http\/|^client\.ts$/],
  ['only the client wires the API layer (its composition root)', /^(?!client\.ts$)/, /^api\/createApi\.ts$/],
  // The BullMQ entry imports the core by its package name (one copy of the client, errors,
  // reconciliation and failure rule): it bundles none of the core's files.
  ['nothing outside the bullmq entry imports it', /^(?!bullmq\/)/, /^bullmq\//],
  ['the bullmq entry reaches the core only through the package', /^bullmq\//, /^(?!bullmq\/)/],
];

describe('layering of lib/', () => {
  it('reads every kind of import, type-only ones included (the parser itself)', () => {
    const file = path.join(LIB, 'api', 'x.ts');
    const source = `import { a } from './createApi';\nimport type { B } from '../errors';\nexport type { C } from './types';\nimport '../options';\nconst x = import('./status');\nimport { z } from 'zod';`;
    expect(importsOf(file, source).map(rel)).toEqual(['api/createApi.ts', 'errors.ts', 'api/types.ts', 'options.ts', 'api/status.ts']);
  });

  it('finds a planted cycle (the detector itself)', () => {
    expect(cyclesOf(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(cyclesOf(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(cyclesOf(graph).map((cycle) => cycle.map((f) => rel(f)))).toEqual([]);
  });

  it.each(FORBIDDEN)('%s', (_, from, to) => {
    expect(edges.filter(([a, b]) => from.test(a) && to.test(b)).map(([a, b]) => `${a} → ${b}`)).toEqual([]);
  });
});
