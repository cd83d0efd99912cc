// Preloaded into the dnsgate processes of bench/powerdns.bench.ts when
// BENCH_DNSGATE_CPU_PROF=<dir> is set (as NODE_OPTIONS=--import=<this file>;
// Node 20 does not take --cpu-prof in NODE_OPTIONS): profiles the whole process
// with the inspector and writes <dir>/dnsgate-<pid>.cpuprofile when it exits.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.DNSGATE_BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // A same-thread inspector session answers synchronously, so this runs before the process ends.
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `dnsgate-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
