import { spawnSync } from 'node:child_process';
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from './heap-growth.js';

describe('heapGrowthFlag', () => {
  it('bounds the heap growth by default', () => {
    expect(heapGrowthFlag([])).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(heapGrowthFlag(['--enable-source-maps', '--max-old-space-size=4096'])).toBe(
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    );
  });

  it.each([[['--heap-growing-percent=20']], [['--heap_growing_percent=200']], [['--heap-growing-percent', '30']]])(
    'leaves the operator’s own node flag alone (%j)',
    (execArgv) => {
      expect(heapGrowthFlag(execArgv)).toBeUndefined();
    },
  );

  it('is a node flag only: node refuses it in NODE_OPTIONS, so the README does not offer that', () => {
    const run = spawnSync(process.execPath, ['-e', '0'], {
      env: { ...process.env, NODE_OPTIONS: '--heap-growing-percent=80' },
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/not allowed in NODE_OPTIONS/);
  });
});

describe('the flag itself', () => {
  // What limitHeapGrowth relies on: V8 takes the flag after start and collects sooner with it.
  const peakHeap = (flag: string | undefined): number => {
    const script =
      `${flag ? `require('node:v8').setFlagsFromString('${flag}');` : ''}` +
      'let keep = []; let peak = 0;' +
      'for (let round = 0; round < 12; round++) {' +
      "  const next = []; for (let i = 0; i < 100000; i++) next.push({ name: 'x' + i, targets: [i] });" +
      '  keep = next; peak = Math.max(peak, process.memoryUsage().heapTotal);' +
      '}' +
      'process.stdout.write(String(peak + keep.length * 0));';
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    return Number(run.stdout);
  };

  it('set at run time, keeps the heap smaller under the same garbage', () => {
    expect(peakHeap(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)).toBeLessThan(peakHeap(undefined));
  });
});
